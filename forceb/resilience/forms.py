"""Forms of the resilience pages; they collect input, the actions validate and write it."""

from django import forms

from forceb.inventory.models import Supplier

from .choices import IMPACT_LEVELS, ChainParty, DrillEventKind, LayerKind
from .models import Scenario
from .queries import library_for


class BiaForm(forms.Form):
    service = forms.ModelChoiceField(queryset=None)
    intolerable_level = forms.TypedChoiceField(
        choices=[(n, str(n)) for n in range(1, 6)], coerce=int, initial=4,
        help_text="The impact level (on any dimension) from which the outage is intolerable: the first point "
                  "in time it is reached becomes the impact tolerance.")
    impact_tolerance_minutes = forms.IntegerField(min_value=0, required=False,
                                                  help_text="Leave empty to derive it from the impacts.")
    rto_minutes = forms.IntegerField(min_value=0, required=False, label="RTO (minutes)")
    rpo_minutes = forms.IntegerField(min_value=0, required=False, label="RPO (minutes)")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class ImpactForm(forms.Form):
    at_minutes = forms.IntegerField(min_value=0, required=False, label="After (minutes)")
    financial = forms.TypedChoiceField(choices=IMPACT_LEVELS, coerce=int, initial=0)
    customers = forms.TypedChoiceField(choices=IMPACT_LEVELS, coerce=int, initial=0)
    regulatory = forms.TypedChoiceField(choices=IMPACT_LEVELS, coerce=int, initial=0)
    reputation = forms.TypedChoiceField(choices=IMPACT_LEVELS, coerce=int, initial=0)


ImpactFormSet = forms.formset_factory(ImpactForm, extra=0, max_num=12)


class DrillForm(forms.Form):
    name = forms.CharField(max_length=200)
    scenario = forms.ModelChoiceField(queryset=None, to_field_name="name")
    planned_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].queryset = Scenario.objects.filter(pk__in=[s.pk for s in library_for(user)])


class DrillEventForm(forms.Form):
    at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    kind = forms.ChoiceField(choices=DrillEventKind.choices)
    party = forms.ChoiceField(choices=ChainParty.choices, initial=ChainParty.MEMBER)
    counterpart = forms.ChoiceField(choices=[("", "—"), *ChainParty.choices], required=False)
    description = forms.CharField(max_length=500, required=False)


FAILURE_DOMAINS = [("site", "site"), ("provider", "provider"), ("region", "region"),
                   ("admin_domain", "credentials / admin domain")]


class BackupLayerForm(forms.Form):
    """One layer of a system's backups, in the shape ``actions.set_backup_layers`` takes."""

    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=LayerKind.choices)
    recovery_point_minutes = forms.IntegerField(min_value=0, required=False, label="Recovery point (minutes)",
                                                help_text="Backup interval or replication lag")
    restore_minutes = forms.IntegerField(min_value=0, required=False, label="Restore time (minutes)",
                                         help_text="As measured in the last test")
    immutable = forms.BooleanField(required=False)
    offline = forms.BooleanField(required=False)
    shares = forms.MultipleChoiceField(choices=FAILURE_DOMAINS, required=False, widget=forms.CheckboxSelectMultiple,
                                       label="Failure domains shared with production")
    site = forms.CharField(max_length=100, required=False)
    provider = forms.ModelChoiceField(queryset=Supplier.objects.all(), required=False)
    region = forms.CharField(max_length=64, required=False)
    admin_domain = forms.CharField(max_length=100, required=False)
    last_switchover_test = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    @staticmethod
    def initial_of(layer) -> dict:
        return {"name": layer.name, "kind": layer.kind, "recovery_point_minutes": layer.recovery_point_minutes,
                "restore_minutes": layer.restore_minutes, "immutable": layer.immutable, "offline": layer.offline,
                "shares": layer.shares, "site": layer.site, "provider": layer.provider, "region": layer.region,
                "admin_domain": layer.admin_domain, "last_switchover_test": layer.last_switchover_test}


class SupplierEvidenceForm(forms.Form):
    supplier = forms.ModelChoiceField(queryset=Supplier.objects.all())
    stated_recovery_minutes = forms.IntegerField(min_value=0, required=False, label="Stated recovery (minutes)")
    tested_recovery_minutes = forms.IntegerField(min_value=0, required=False, label="Tested recovery (minutes)")
    recovery_point_minutes = forms.IntegerField(min_value=0, required=False, label="Recovery point (minutes)")
    evidence_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(max_length=200, required=False, help_text="Report, certificate or test record")


class DrillResultForm(forms.Form):
    """A drill's measured recovery: one pair of fields per business service of the drilling member,
    and an optional finding to track."""

    finding_title = forms.CharField(max_length=300, required=False, label="Finding")
    finding_assignee = forms.CharField(max_length=150, required=False, label="Finding's owner")
    finding_due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.services = list(services)
        for service in self.services:
            self.fields[f"recovery_{service.pk}"] = forms.IntegerField(
                min_value=0, required=False, label=f"{service.name}: recovered after (minutes)")
            self.fields[f"lost_{service.pk}"] = forms.IntegerField(
                min_value=0, required=False, label=f"{service.name}: data lost (minutes)")
        self.order_fields([name for name in self.fields if not name.startswith("finding_")])

    def clean(self):
        data = super().clean()
        if not any(data.get(f"recovery_{s.pk}") is not None for s in self.services):
            raise forms.ValidationError("measure the recovery of at least one service")
        if bool(data.get("finding_title")) != bool(data.get("finding_assignee")):
            raise forms.ValidationError("a finding needs both a title and an owner")
        return data

    def measurements(self) -> list[dict]:
        return [{"service": s.pk, "recovery_minutes": self.cleaned_data[f"recovery_{s.pk}"],
                 "data_lost_minutes": self.cleaned_data.get(f"lost_{s.pk}")}
                for s in self.services if self.cleaned_data.get(f"recovery_{s.pk}") is not None]

    def findings(self) -> list[dict]:
        if not self.cleaned_data.get("finding_title"):
            return []
        return [{"title": self.cleaned_data["finding_title"], "assignee": self.cleaned_data["finding_assignee"],
                 "due_date": self.cleaned_data.get("finding_due_date")}]
