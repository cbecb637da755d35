"""The web form of a ticket. It only gathers the fields; ``forms.document`` turns them into the
ticket document that ``actions.submit_ticket`` checks, as the API and the CLI send it."""

from django import forms

from forceb.core.choices import TLP
from forceb.inventory.models import BusinessService, System

from . import extraction
from .choices import AttackChainPhase, Category, ImpactScope, Priority, Severity, TicketStatus

LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class TicketForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False,
                                  help_text="What happened. Indicators in the text (defanged or not) are extracted.")
    occurred_at = forms.DateTimeField(required=False, widget=LOCAL, label="Occurred at")
    detected_at = forms.DateTimeField(widget=LOCAL, label="Detected at")
    category = forms.ChoiceField(choices=Category.choices, initial=Category.OTHER)
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    impact_scope = forms.ChoiceField(choices=ImpactScope.choices, initial=ImpactScope.NONE)
    attack_chain_phase = forms.ChoiceField(choices=[("", "unknown"), *AttackChainPhase.choices], required=False,
                                           label="Attack-chain position")
    tlp = forms.ChoiceField(choices=TLP.choices, initial=TLP.AMBER, label="TLP")
    affected_services = forms.ModelMultipleChoiceField(queryset=BusinessService.objects.none(), required=False)
    affected_systems = forms.ModelMultipleChoiceField(queryset=System.objects.none(), required=False)
    observables = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False,
        help_text="One per line: a type and a value, e.g. 'ipv4-addr 203.0.113.7', 'domain-name evil.example', "
                  "'sha-256 <digest>'. Types: " + ", ".join((*extraction.VALUE_KINDS, "md5", "sha-1", "sha-256",
                                                              "sha-512")))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["affected_services"].queryset = BusinessService.objects.restrict(user, "change")
        self.fields["affected_systems"].queryset = System.objects.restrict(user, "change")

    def document(self) -> dict:
        data = self.cleaned_data
        document = {name: data[name] for name in ("title", "description", "category", "severity", "impact_scope",
                                                  "attack_chain_phase", "tlp")}
        document["detected_at"] = data["detected_at"].isoformat()
        if data["occurred_at"]:
            document["occurred_at"] = data["occurred_at"].isoformat()
        document["affected_services"] = [s.pk for s in data["affected_services"]]
        document["affected_systems"] = [s.pk for s in data["affected_systems"]]
        document["observables"] = observables_from_lines(data["observables"])
        return document


def observables_from_lines(text: str) -> list[dict]:
    found = []
    for line in text.splitlines():
        kind, _, value = line.strip().partition(" ")
        if not kind:
            continue
        if kind.lower() in extraction.HASH_NAMES:
            found.append({"type": "file", "hashes": {kind.upper(): value.strip()}})
        else:
            found.append({"type": kind, "value": value.strip()})
    return found


class TriageForm(forms.Form):
    status = forms.ChoiceField(choices=TicketStatus.choices)
    priority = forms.ChoiceField(choices=[("", "not set"), *Priority.choices], required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
