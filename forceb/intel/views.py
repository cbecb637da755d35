"""Web pages of the intelligence hub: browse and search, one object with its relationships
drawn, subscriptions, sector-wide sighting counts and the quarterly leaderboard. Reads go
through ``queries`` (``readable_objects``: collection readers and TLP; hidden objects are 404),
writes through ``actions``."""

import json
import re
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from stix2.v21.vocab import INDUSTRY_SECTOR

from forceb.core import access
from forceb.core import actions as core_actions
from forceb.core.choices import TLP, WRITER_ROLES

from . import actions, queries, stix
from .api.views import current_quarter, search_from
from .models import Subscription
from .taxii.views import API_ROOT

#: The STIX types offered as a filter (any other may be typed in the API's ``type``).
TYPES = ["indicator", "malware", "threat-actor", "intrusion-set", "campaign", "attack-pattern", "vulnerability",
         "tool", "identity", "relationship", "sighting", "report", "course-of-action"]
#: The ledger's rules as docs/intel.md states them: shown to members on the leaderboard.
SCORING_RULES = [
    ("new object: the first version of an id anywhere on the hub", "10 (an observable 2, a relationship 3, "
                                                                    "a sighting 1)"),
    ("new version of one's own object", "2"),
    ("early: the first to share an indicator pattern that other organisations share later", "+5"),
    ("confirmed: each other organisation that reports a sighting of it", "+3"),
    ("linked: tied by a relationship to an ATT&CK technique, a campaign, an intrusion set or a threat actor", "+2"),
    ("a duplicate, a sighting of one's own object, a republished object of someone else", "0"),
]


@access.policy(access.SIGNED_IN)
@login_required
def browse(request):
    """Search what one may read, by type, TLP, technique and text; htmx swaps the results."""
    found = search_from(request.user, request.GET)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    rows = [(row, queries.name_of(row)) for row in page]
    context = {"page": page, "rows": rows, "types": TYPES, "levels": TLP.choices,
               "collections": queries.readable_collections(request.user).order_by("title")}
    if request.htmx and not request.htmx.boosted:
        return render(request, "intel/_objects.html", context)
    return render(request, "intel/browse.html", context)


def graph_of(row, links) -> dict:
    """The object and its related objects as nodes and edges, for static/intel/graph.js."""
    nodes = {row.stix_id: {"id": row.stix_id, "label": queries.name_of(row), "type": row.type, "centre": True}}
    edges = []
    for link in links:
        other = link.other
        nodes.setdefault(link.other_id, {
            "id": link.other_id, "type": other.type if other else link.other_id.split("--")[0],
            "label": queries.name_of(other) if other else "(not readable)",
            "url": reverse("web:intel-object", kwargs={"pk": other.pk}) if other else None})
        source, target = (row.stix_id, link.other_id) if link.outgoing else (link.other_id, row.stix_id)
        edges.append({"source": source, "target": target, "label": link.relationship_type})
    return {"nodes": list(nodes.values()), "edges": edges}


#: What a sighting may be of (STIX 2.1: ``sighting_of_ref`` points to an SDO).
SIGHTABLE = {"attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident", "indicator",
             "infrastructure", "intrusion-set", "location", "malware", "malware-analysis", "note", "observed-data",
             "opinion", "report", "threat-actor", "tool", "vulnerability"}


class SightingForm(forms.Form):
    """A sighting reported from an object's page, through ``actions.report_sighting``."""

    collection = forms.ModelChoiceField(queryset=None, empty_label=None,
                                        help_text="where the sighting is published")
    count = forms.IntegerField(min_value=1, max_value=999_999_999, initial=1)
    first_seen = forms.DateTimeField(required=False, label="First seen (UTC)", help_text="empty: now",
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    last_seen = forms.DateTimeField(required=False, label="Last seen (UTC)", help_text="empty: the first seen",
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="published with the sighting: what it was seen on, never who saw it")
    share_identity = forms.BooleanField(required=False, label="Say that my organisation saw it",
                                        help_text="unchecked: the hub publishes it anonymously")

    def __init__(self, *args, user, row, **kwargs):
        super().__init__(*args, **kwargs)
        choices = queries.sighting_collections(user)
        self.fields["collection"].queryset = choices
        if not self.is_bound:
            self.fields["collection"].initial = row.collection_id if choices.filter(pk=row.collection_id).exists() \
                else getattr(choices.first(), "pk", None)

    def clean(self):
        data = super().clean()
        first, last = data.get("first_seen"), data.get("last_seen")
        if first and last and last < first:
            self.add_error("last_seen", "the last sighting cannot be before the first")
        return data


def _sighting_form(user, row, data=None) -> SightingForm | None:
    """The form when the person may report a sighting of this object, else ``None``."""
    if row.type not in SIGHTABLE or not queries.sighting_collections(user).exists():
        return None
    return SightingForm(data, user=user, row=row)


@access.policy(access.SIGNED_IN)
@login_required
def detail(request, pk, sighting_form=None):
    row = queries.readable_version(request.user, pk)
    if row is None:
        raise Http404("no such object")
    links = queries.relationships_of(request.user, row)
    context = {
        "row": row, "name": queries.name_of(row), "links": links, "graph": graph_of(row, links),
        "body": json.dumps(json.loads(row.body), indent=2, ensure_ascii=False),
        "sightings": queries.sector_sighting_summary(request.user, row.stix_id),
        "correlations": queries.correlations(request.user, row),
        "sighting_form": sighting_form or _sighting_form(request.user, row),
    }
    return render(request, "intel/object.html", context)


@access.policy(access.SIGNED_IN)
@login_required
@require_POST
def report_sighting(request, pk):
    """Report a sighting of the object; the page then shows the sector-wide count, no names."""
    row = queries.readable_version(request.user, pk)
    if row is None:
        raise Http404("no such object")
    if request.user.role not in WRITER_ROLES:
        raise PermissionDenied("your role does not report sightings")
    form = _sighting_form(request.user, row, request.POST)
    if form is None:
        raise PermissionDenied("no sighting of this object can be reported here")
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.report_sighting(
                request.user, data["collection"], sighting_of=row.stix_id, count=data["count"],
                first_seen=data["first_seen"], last_seen=data["last_seen"], share_identity=data["share_identity"],
                description=data["note"])
        except (ValidationError, actions.InvalidObjects, PermissionDenied) as exc:
            form.add_error(None, str(exc) if not isinstance(exc, ValidationError) else exc)
        else:
            messages.success(request, "Sighting reported" + ("" if data["share_identity"] else " anonymously"))
            return redirect("web:intel-object", pk=row.pk)
    return detail(request, pk, sighting_form=form)


TECHNIQUE_ID = re.compile(r"^T\d{4}(?:\.\d{3})?$", re.IGNORECASE)
VULNERABILITY_ID = re.compile(r"^(?:CVE-\d{4}-\d{4,}|GHSA(?:-[23456789cfghjmpqrvwx]{4}){3})$", re.IGNORECASE)
#: Sectors as STIX names them (industry-sector-ov), the words ``identity.sectors`` carries.
SECTORS = [(name, name) for name in INDUSTRY_SECTOR]
#: Types whose objects bear the names of malware and threat actors.
THREAT_TYPES = ("malware", "threat-actor", "intrusion-set", "tool", "campaign")


def _listed(text: str) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))


class SubscriptionForm(forms.Form):
    """A subscription by demand type. The terms of each kind are checked for their shape here;
    the subscription keeps them as one list (``Subscription.terms``), as the API and TAXII do."""

    name = forms.CharField(max_length=200)
    collection = forms.ModelChoiceField(queryset=None, help_text="a collection your organisation reads")
    types = forms.MultipleChoiceField(choices=[(t, t) for t in TYPES], required=False,
                                      widget=forms.CheckboxSelectMultiple, label="Object types",
                                      help_text="none: every type")
    techniques = forms.CharField(required=False, label="ATT&CK techniques",
                                 help_text="comma-separated ids: T1566 also matches T1566.001")
    threats = forms.CharField(required=False, label="Malware and threat actors",
                              help_text="comma-separated names: Emotet, Lazarus Group...")
    vulnerabilities = forms.CharField(required=False, label="Vulnerabilities",
                                      help_text="comma-separated ids: CVE-2024-3400, GHSA-...")
    products = forms.CharField(required=False, label="Vendors and products",
                               help_text="comma-separated: Fortinet, FortiOS, OpenSSL...")
    sectors = forms.MultipleChoiceField(choices=SECTORS, required=False, label="Sectors targeted",
                                        help_text="as STIX names them (industry-sector vocabulary)")
    max_tlp = forms.ChoiceField(choices=[("", "any I may read"), *TLP.choices], required=False,
                                label="Most restrictive TLP")
    min_confidence = forms.IntegerField(min_value=0, max_value=100, required=False, label="Minimum confidence",
                                        help_text="0-100; objects without a confidence do not pass a floor")
    from_inventory = forms.BooleanField(required=False, label="Also what names my suppliers and SBOM components")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collection"].queryset = queries.readable_collections(user).order_by("title")

    @classmethod
    def initial_of(cls, user, subscription: Subscription) -> dict:
        """The form's fields for a stored subscription: its terms sorted back into their kinds, by
        their shape, by the STIX sector vocabulary, and by whether a readable malware, threat
        actor, intrusion set, tool or campaign bears the name (else a vendor or product)."""
        kinds = {"techniques": [], "threats": [], "vulnerabilities": [], "products": [], "sectors": []}
        sectors = dict(SECTORS)
        for term in subscription.terms:
            if TECHNIQUE_ID.match(term):
                kinds["techniques"].append(term)
            elif VULNERABILITY_ID.match(term):
                kinds["vulnerabilities"].append(term)
            elif term in sectors:
                kinds["sectors"].append(term)
            elif queries.readable_objects(user).filter(type__in=THREAT_TYPES, is_latest=True, body__icontains=(
                    # The stored canonical JSON: no space after the colon, non-ASCII as is.
                    f'"name":{json.dumps(term, ensure_ascii=False)}')).exists():
                kinds["threats"].append(term)
            else:
                kinds["products"].append(term)
        return {"name": subscription.name, "collection": subscription.collection_id, "types": subscription.types,
                "max_tlp": subscription.max_tlp, "min_confidence": subscription.min_confidence,
                "from_inventory": subscription.from_inventory, "sectors": kinds.pop("sectors"),
                **{kind: ", ".join(terms) for kind, terms in kinds.items()}}

    def _ids(self, name: str, shape: re.Pattern, example: str) -> list[str]:
        found = _listed(self.cleaned_data.get(name, ""))
        wrong = [t for t in found if not shape.match(t)]
        if wrong:
            raise ValidationError(f"not {example}: {', '.join(wrong)}")
        return [t.upper() for t in found]

    def clean_techniques(self):
        return self._ids("techniques", TECHNIQUE_ID, "an ATT&CK technique id such as T1566 or T1566.001")

    def clean_vulnerabilities(self):
        return self._ids("vulnerabilities", VULNERABILITY_ID, "a CVE or GitHub advisory id such as CVE-2024-3400")

    def terms(self) -> list[str]:
        data = self.cleaned_data
        return list(dict.fromkeys([*data["techniques"], *_listed(data["threats"]), *data["vulnerabilities"],
                                   *_listed(data["products"]), *data["sectors"]]))

    def save(self, user, subscription: Subscription) -> Subscription | None:
        """Through ``actions.save_subscription``, as the API; its refusals become form errors."""
        data = self.cleaned_data
        subscription.name, subscription.collection, subscription.types = data["name"], data["collection"], data["types"]
        subscription.terms, subscription.max_tlp = self.terms(), data["max_tlp"]
        subscription.min_confidence, subscription.from_inventory = data["min_confidence"], data["from_inventory"]
        try:
            return actions.save_subscription(user, subscription)
        except ValidationError as exc:
            self.add_error(None, exc)
        except PermissionDenied as exc:
            self.add_error(None, str(exc))
        return None


@access.policy(access.SIGNED_IN)
@login_required
def subscriptions(request):
    """The organisation's subscriptions; a writer may add one (matches are worked out at once)."""
    may_write = request.user.role in WRITER_ROLES
    form = SubscriptionForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied("your role may not subscribe")
        if form.is_valid() and (saved := form.save(request.user, Subscription())):
            messages.success(request, f"Subscribed: {saved.name} ({saved.matches.count()} matching now)")
            return redirect("web:intel-subscriptions")
    own = queries.subscriptions(request.user).filter(owner_id=request.user.organization_id)
    return render(request, "intel/subscriptions.html", {"subscriptions": own, "form": form, "may_write": may_write})


#: The windows the digest page offers, in days, besides "since the last digest".
DIGEST_WINDOWS = (7, 30, 90)


def _bad_period(message: str) -> HttpResponseBadRequest:
    # Plain text: the message quotes what was typed in the URL, which must not become markup.
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


@access.policy(access.owned(Subscription))
@login_required
def subscription(request, pk):
    """The digest of one subscription in the UI: what matched since a point in time (the last
    digest, the ``since`` of a digest notification, or the last 7/30/90 days), counted by type,
    newest first within each type. Only the subscribing organisation reaches it (a subscription
    is its own business, shared or not), and it lists only what this person may read: the
    matches pass through ``queries.versions_in``, that is ``visible_objects``, so a TLP:RED
    object not addressed to them, or a collection their organisation no longer reads, is left out."""
    subscription = get_object_or_404(queries.subscriptions(request.user)
                                     .filter(owner_id=request.user.organization_id), pk=pk)
    last_digest = subscription.digest_until
    days, since_text = request.GET.get("days", ""), request.GET.get("since", "")
    if days:
        if not days.isdigit() or int(days) not in DIGEST_WINDOWS:
            return _bad_period(f"days: {days!r} is not one of {', '.join(map(str, DIGEST_WINDOWS))}")
        since = timezone.now() - timedelta(days=int(days))
    elif since_text:
        try:
            since = stix.parse_timestamp(since_text)
        except stix.InvalidTimestamp as exc:
            return _bad_period(f"since: {exc}")
    else:
        since = last_digest or subscription.created
    matched = queries.versions_in(request.user, subscription).filter(date_added__gt=since)
    by_type = list(matched.values_list("type").annotate(n=Count("pk")).order_by("-n", "type"))
    kind = request.GET.get("type", "")
    listed = matched.filter(type=kind) if kind else matched
    page = Paginator(listed.select_related("collection").order_by("type", "-date_added", "-pk"), 50) \
        .get_page(request.GET.get("page"))
    return render(request, "intel/subscription.html", {
        "subscription": subscription, "since": since, "days": days, "windows": DIGEST_WINDOWS,
        "explicit_since": bool(since_text) and not days, "last_digest": last_digest, "by_type": by_type,
        "total": sum(n for _, n in by_type), "kind": kind, "page": page,
        "rows": [(row, queries.name_of(row)) for row in page], "may_write": request.user.role in WRITER_ROLES,
        "taxii_objects": reverse("taxii:objects", kwargs={"api_root": API_ROOT,
                                                     "collection_id": subscription.uuid}),
    })


def _own_subscription(request, pk) -> Subscription:
    return get_object_or_404(Subscription.objects.restrict(request.user, "change")
                             .select_related("collection"), pk=pk)


@access.policy(access.owned(Subscription, write_roles=WRITER_ROLES))
@login_required
def subscription_edit(request, pk):
    """Change a subscription (matches worked out again) and set up its webhook delivery."""
    subscription = _own_subscription(request, pk)
    if request.method == "POST":
        form = SubscriptionForm(request.POST, user=request.user)
        if form.is_valid() and form.save(request.user, subscription):
            messages.success(request, f"Saved: {subscription.name} ({subscription.matches.count()} matching now)")
            return redirect("web:intel-subscriptions")
    else:
        form = SubscriptionForm(initial=SubscriptionForm.initial_of(request.user, subscription), user=request.user)
    return render(request, "intel/subscription_form.html", {
        "subscription": subscription, "form": form, "webhook_form": WebhookForm()})


class WebhookForm(forms.Form):
    url = forms.CharField(max_length=500, label="Deliver to (https URL)",
                          widget=forms.URLInput(attrs={"placeholder": "https://soc.example.com/forceb"}))


@access.policy(access.owned(Subscription, write_roles=WRITER_ROLES))
@login_required
@require_POST
def subscription_webhook(request, pk):
    """Set the webhook: the answer shows the new signing secret, this once (never stored in the
    session, never shown again), with how a receiver checks a delivery."""
    subscription = _own_subscription(request, pk)
    form = WebhookForm(request.POST)
    secret = None
    if form.is_valid():
        try:
            secret = actions.set_webhook(request.user, subscription, form.cleaned_data["url"])
        except ValidationError as exc:
            form.add_error("url", exc.message_dict.get("webhook_url", exc.messages) if hasattr(exc, "error_dict")
                           else exc.messages)
    if secret is None:
        subscription.refresh_from_db()
        return render(request, "intel/subscription_form.html", {
            "subscription": subscription, "webhook_form": form,
            "form": SubscriptionForm(initial=SubscriptionForm.initial_of(request.user, subscription),
                                     user=request.user)})
    response = render(request, "intel/webhook_secret.html", {"subscription": subscription, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@access.policy(access.owned(Subscription, write_roles=WRITER_ROLES))
@login_required
@require_POST
def subscription_webhook_clear(request, pk):
    subscription = _own_subscription(request, pk)
    actions.clear_webhook(request.user, subscription)
    messages.success(request, f"{subscription.name} is no longer delivered by webhook")
    return redirect("web:intel-subscription-edit", pk=subscription.pk)


@access.policy(access.owned(Subscription, write_roles=WRITER_ROLES))
@login_required
@require_POST
def subscription_webhook_test(request, pk):
    """Send a signed delivery without objects now; say what the receiver answered."""
    subscription = _own_subscription(request, pk)
    try:
        answered = actions.send_test_delivery(request.user, subscription)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Test delivery sent to {subscription.webhook_url}: it answered {answered}")
    return redirect("web:intel-subscription-edit", pk=subscription.pk)


@access.policy(access.owned(Subscription, write_roles=WRITER_ROLES))
@login_required
def subscription_delete(request, pk):
    """Asks first (GET), deletes on POST: only a writer of the owning organisation reaches it."""
    subscription = get_object_or_404(Subscription.objects.restrict(request.user, "delete"), pk=pk)
    if request.method != "POST":
        return render(request, "intel/confirm_delete.html", {"subscription": subscription})
    core_actions.delete_object(subscription)
    messages.success(request, f"Unsubscribed: {subscription.name}")
    return redirect("web:intel-subscriptions")


@access.policy(access.SIGNED_IN)
@login_required
def sightings(request):
    """How widely each sighted object is seen across the sector: organisations and counts,
    never which organisations (only sightings the person may read are counted)."""
    sighted = list(queries.readable_objects(request.user).filter(type="sighting", is_latest=True)
                   .order_by("sighting_of").values_list("sighting_of", flat=True).distinct()[:200])
    targets = {row.stix_id: row for row in queries.readable_objects(request.user)
               .filter(stix_id__in=sighted, is_latest=True)}
    rows = [(sighting_of, targets.get(sighting_of), queries.name_of(targets[sighting_of])
             if sighting_of in targets else sighting_of, queries.sector_sighting_summary(request.user, sighting_of))
            for sighting_of in sighted]
    rows.sort(key=lambda r: (-r[3].organisations, -r[3].sightings))
    return render(request, "intel/sightings.html", {"rows": rows})


@access.policy(access.SIGNED_IN)
@login_required
def leaderboard(request):
    year, quarter = current_quarter()
    try:
        year = int(request.GET.get("year", year))
        quarter = int(request.GET.get("quarter", quarter))
        board = queries.leaderboard(year, quarter)
    except ValueError as exc:
        raise Http404("no such quarter") from exc
    previous = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    following = (year, quarter + 1) if quarter < 4 else (year + 1, 1)
    return render(request, "intel/leaderboard.html", {
        "board": [(n, *row) for n, row in enumerate(board, 1)], "year": year, "quarter": quarter,
        "previous": previous, "following": following, "rules": SCORING_RULES})
