"""Web pages of the intelligence hub: browse and search, one object with its relationships
drawn, subscriptions, sector-wide sighting counts and the quarterly leaderboard. Reads go
through ``queries`` (``readable_objects``: collection readers and TLP; hidden objects are 404),
writes through ``actions``."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from forceb.core import access
from forceb.core import actions as core_actions
from forceb.core.choices import TLP, WRITER_ROLES

from . import actions, queries
from .api.views import current_quarter, search_from
from .models import Subscription

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
    from django.urls import reverse

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


@access.policy(access.SIGNED_IN)
@login_required
def detail(request, pk):
    row = queries.readable_version(request.user, pk)
    if row is None:
        raise Http404("no such object")
    links = queries.relationships_of(request.user, row)
    context = {
        "row": row, "name": queries.name_of(row), "links": links, "graph": graph_of(row, links),
        "body": json.dumps(json.loads(row.body), indent=2, ensure_ascii=False),
        "sightings": queries.sector_sighting_summary(request.user, row.stix_id),
        "correlations": queries.correlations(request.user, row),
    }
    return render(request, "intel/object.html", context)


class SubscriptionForm(forms.Form):
    name = forms.CharField(max_length=200)
    collection = forms.ModelChoiceField(queryset=None)
    types = forms.MultipleChoiceField(choices=[(t, t) for t in TYPES], required=False,
                                      widget=forms.CheckboxSelectMultiple, help_text="none: every type")
    terms = forms.CharField(required=False, help_text="comma-separated: T1566, Emotet, CVE-2024-3400, a vendor...")
    max_tlp = forms.ChoiceField(choices=[("", "any I may read"), *TLP.choices], required=False)
    min_confidence = forms.IntegerField(min_value=0, max_value=100, required=False)
    from_inventory = forms.BooleanField(required=False, label="Also what names my suppliers and SBOM components")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collection"].queryset = queries.readable_collections(user).order_by("title")


@access.policy(access.SIGNED_IN)
@login_required
def subscriptions(request):
    """The organisation's subscriptions; a writer may add one (matches are worked out at once)."""
    may_write = request.user.role in WRITER_ROLES
    form = SubscriptionForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied("your role may not subscribe")
        if form.is_valid():
            data = form.cleaned_data
            subscription = Subscription(
                name=data["name"], collection=data["collection"], types=data["types"],
                terms=[t.strip() for t in data["terms"].split(",") if t.strip()], max_tlp=data["max_tlp"],
                min_confidence=data["min_confidence"], from_inventory=data["from_inventory"])
            try:
                actions.save_subscription(request.user, subscription)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Subscribed: {subscription.name}")
                return redirect("web:intel-subscriptions")
    own = queries.subscriptions(request.user).filter(owner_id=request.user.organization_id)
    return render(request, "intel/subscriptions.html", {"subscriptions": own, "form": form, "may_write": may_write})


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
