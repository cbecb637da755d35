"""Forms of the inventory pages. They shape input; validation of the rows themselves stays in the
models (``full_clean`` inside ``core.actions.save_object``), whose errors the views put back here."""

from django import forms
from django.contrib.auth import get_user_model

from forceb.core import actions
from forceb.core.choices import TLP
from forceb.core.models import Organization

from . import io
from .choices import RegistryKind, SupplierKind
from .models import BusinessService, Supplier, SupplierRelationship, System


class Grouped:
    """A form shown in named groups of fields (``fieldsets``: legend → field names)."""

    fieldsets: tuple = ()

    def groups(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]


MINUTES = {"impact_tolerance_minutes": "Impact tolerance (minutes)", "rto_minutes": "RTO (minutes)",
           "rpo_minutes": "RPO (minutes)"}


class BusinessServiceForm(Grouped, forms.ModelForm):
    fieldsets = (("The service", ("name", "criticality", "customers_served", "description")),
                 ("Business impact", ("impact_tolerance_minutes", "rto_minutes", "rpo_minutes")))

    class Meta:
        model = BusinessService
        fields = ["name", "description", "criticality", "customers_served", "impact_tolerance_minutes",
                  "rto_minutes", "rpo_minutes"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = MINUTES


class SystemForm(Grouped, forms.ModelForm):
    fieldsets = (("The system", ("name", "environment", "owner_team", "description")),
                 ("Where it runs", ("hosting", "cloud_provider", "region", "site", "admin_domain")))

    class Meta:
        model = System
        fields = ["name", "description", "hosting", "cloud_provider", "region", "environment", "owner_team", "site",
                  "admin_domain"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class SupplierForm(Grouped, forms.ModelForm):
    fieldsets = (("Registry record", ("name", "kind", "registry_kind", "registry_id", "country",
                                      "services_provided")),)

    class Meta:
        model = Supplier
        fields = ["name", "registry_kind", "registry_id", "kind", "country", "services_provided"]
        widgets = {"services_provided": forms.Textarea(attrs={"rows": 3})}


class SupplierRelationshipForm(Grouped, forms.ModelForm):
    """A relationship with a registry supplier: pick one, or add it to the registry on the way."""

    fieldsets = (("Which supplier", ("supplier",)),
                 ("…or one new to the registry", ("new_supplier_name", "new_kind", "new_registry_kind",
                                                  "new_registry_id")),
                 ("Our relationship", ("criticality", "contract_reference", "data_access", "services", "notes")))

    supplier = forms.ModelChoiceField(queryset=Supplier.objects.all(), required=False,
                                      help_text="Pick the supplier from the sector's registry…")
    new_supplier_name = forms.CharField(required=False, label="Name", max_length=200)
    new_registry_kind = forms.ChoiceField(choices=Supplier._meta.get_field("registry_kind").choices,
                                          required=False, label="Registry", initial=RegistryKind.TAX_ID)
    new_registry_id = forms.CharField(required=False, label="Registry id", max_length=64,
                                      help_text="Tax id (統一編號), LEI or other registry number")
    new_kind = forms.ChoiceField(choices=Supplier._meta.get_field("kind").choices, required=False,
                                 label="Kind of supplier", initial=SupplierKind.OTHER)

    class Meta:
        model = SupplierRelationship
        fields = ["supplier", "services", "criticality", "contract_reference", "data_access", "notes"]
        widgets = {"services": forms.Textarea(attrs={"rows": 2}), "notes": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        picked = data.get("supplier")
        name, registry_id = data.get("new_supplier_name", "").strip(), data.get("new_registry_id", "").strip()
        if picked and (name or registry_id):
            raise forms.ValidationError("Pick a registry supplier or add a new one, not both.")
        if not picked and not (name and registry_id):
            raise forms.ValidationError("Pick a registry supplier, or give the new supplier's name and registry id.")
        if not picked:
            existing = Supplier.objects.filter(registry_kind=data.get("new_registry_kind"),
                                               registry_id=registry_id).first()
            if existing is not None:
                self.add_error("new_registry_id", f"Already in the registry as “{existing}”: pick it above.")
        return data

    def _post_clean(self):
        # The supplier may not exist yet (it is created by the view, in the same transaction), so
        # the row is validated by ``save_object`` once it has one.
        if self.cleaned_data.get("supplier") is None:
            fields = [f for f in self._meta.fields if f != "supplier"]
            forms.models.construct_instance(self, self.instance, fields, self._meta.exclude)
            return
        super()._post_clean()

    #: Errors of the new registry supplier's validation, shown on the fields that gave its values.
    ERROR_FIELDS = {"name": "new_supplier_name", "registry_kind": "new_registry_kind",
                    "registry_id": "new_registry_id", "kind": "new_kind"}

    def new_supplier(self) -> Supplier | None:
        if self.cleaned_data.get("supplier"):
            return None
        return Supplier(name=self.cleaned_data["new_supplier_name"].strip(),
                        registry_kind=self.cleaned_data["new_registry_kind"],
                        registry_id=self.cleaned_data["new_registry_id"].strip(),
                        kind=self.cleaned_data["new_kind"])


def _choice(kind: str, obj) -> tuple[str, str]:
    return f"{kind}:{obj.pk}", str(obj)


class DependencyForm(Grouped, forms.Form):
    """One edge: the source needs the target. Sources and targets are offered grouped by kind."""

    fieldsets = (("The link", ("source", "target")),
                 ("When the target fails", ("impact", "alternative", "alternative_switchover_minutes")))

    source = forms.ChoiceField(help_text="What needs the target")
    target = forms.ChoiceField(help_text="What it needs")
    impact = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                             help_text="What breaks when the target fails")
    alternative = forms.CharField(max_length=200, required=False, help_text="Documented alternative, if any")
    alternative_switchover_minutes = forms.IntegerField(min_value=0, required=False,
                                                        label="Switchover to the alternative (minutes)")

    #: Where each kind of end lives on the model.
    SOURCE_FIELDS = {"service": "source_service", "system": "source_system", "supplier": "source_supplier"}
    TARGET_FIELDS = {"system": "target_system", "supplier": "target_supplier"}

    def __init__(self, *args, services, systems, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        services, systems, suppliers = list(services), list(systems), list(suppliers)
        self._objects = {f"{kind}:{o.pk}": o for kind, rows in
                         (("service", services), ("system", systems), ("supplier", suppliers)) for o in rows}
        blank = [("", "---------")]
        self.fields["source"].choices = blank + [
            ("Business services", [_choice("service", o) for o in services]),
            ("Systems", [_choice("system", o) for o in systems]),
            ("Suppliers (fourth parties)", [_choice("supplier", o) for o in suppliers]),
        ]
        self.fields["target"].choices = blank + [
            ("Systems", [_choice("system", o) for o in systems]),
            ("Suppliers", [_choice("supplier", o) for o in suppliers]),
        ]

    @classmethod
    def initial_of(cls, dependency) -> dict:
        source_kind = dependency.kind.split("-")[0]
        target_kind = "system" if dependency.target_system_id else "supplier"
        return {"source": f"{source_kind}:{dependency.source.pk}", "target": f"{target_kind}:{dependency.target.pk}",
                "impact": dependency.impact, "alternative": dependency.alternative,
                "alternative_switchover_minutes": dependency.alternative_switchover_minutes}

    def apply_to(self, dependency) -> None:
        """Set the dependency's ends and details from the cleaned form."""
        for name in (*self.SOURCE_FIELDS.values(), *self.TARGET_FIELDS.values()):
            setattr(dependency, name, None)
        source_kind = self.cleaned_data["source"].split(":")[0]
        target_kind = self.cleaned_data["target"].split(":")[0]
        setattr(dependency, self.SOURCE_FIELDS[source_kind], self._objects[self.cleaned_data["source"]])
        setattr(dependency, self.TARGET_FIELDS[target_kind], self._objects[self.cleaned_data["target"]])
        for name in ("impact", "alternative", "alternative_switchover_minutes"):
            setattr(dependency, name, self.cleaned_data[name])

    #: Model fields whose validation errors belong to a form field.
    ERROR_FIELDS = {"source_service": "source", "source_system": "source", "source_supplier": "source",
                    "target_system": "target", "target_supplier": "target"}


class ShareForm(forms.Form):
    """Recipients and marking of one share; the TLP rules themselves are checked by ``share_object``."""

    tlp = forms.ChoiceField(choices=TLP.choices, label="TLP marking", initial=TLP.AMBER)
    hub = forms.BooleanField(required=False, label="The hub")
    supervisor = forms.BooleanField(required=False, label="The supervisor")
    organizations = forms.ModelMultipleChoiceField(queryset=Organization.objects.none(), required=False,
                                                   label="Named organisations")
    users = forms.ModelMultipleChoiceField(queryset=get_user_model().objects.none(), required=False,
                                           label="Named people (TLP:RED)")
    community = forms.BooleanField(required=False, label="The whole community (CLEAR or GREEN only)")

    def __init__(self, *args, owner_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = Organization.objects.exclude(pk=owner_id).order_by("kind", "name")
        self.fields["users"].queryset = (get_user_model().objects.filter(is_active=True)
                                         .exclude(organization_id=owner_id).select_related("organization")
                                         .order_by("organization__name", "username"))
        self.fields["users"].label_from_instance = lambda u: f"{u.username} ({u.organization})"
        for name in ("organizations", "users"):
            self.fields[name].widget.attrs["size"] = 6

    def recipient_orgs(self) -> list:
        orgs = list(self.cleaned_data["organizations"])
        for asked, org in ((self.cleaned_data["hub"], actions.hub()),
                           (self.cleaned_data["supervisor"], actions.supervisor())):
            if asked and org is not None and org not in orgs:
                orgs.append(org)
        return orgs


class ImportForm(forms.Form):
    """A CSV file (one kind) or a JSON document to import; the file's own checks are ``io.read``'s."""

    file = forms.FileField(help_text="CSV (one kind per file) or JSON (everything), as documented in "
                                     "docs/inventory-import.md")
    kind = forms.ChoiceField(choices=[("", "— (JSON: every kind)")] + [(k, k) for k in io.KINDS], required=False,
                             help_text="What a CSV file holds")
    dry_run = forms.BooleanField(required=False, label="Check only (store nothing)")

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is None:
            return data
        data["fmt"] = "json" if upload.name.lower().endswith(".json") else "csv"
        if data["fmt"] == "csv" and not data.get("kind"):
            self.add_error("kind", "Say which kind of rows the CSV file holds.")
        return data
