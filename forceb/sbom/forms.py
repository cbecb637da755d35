"""Forms of the SBOM pages: upload, VEX import and a finding's decision."""

from django import forms

from forceb.inventory.models import Supplier, System

from .choices import FindingStatus, Justification


class SbomUploadForm(forms.Form):
    system = forms.ModelChoiceField(queryset=System.objects.none())
    file = forms.FileField(help_text="CycloneDX 1.4-1.6 (JSON or XML) or SPDX 2.2/2.3 (JSON or tag-value)")
    supplier = forms.ModelChoiceField(queryset=Supplier.objects.all(), required=False,
                                      help_text="If a supplier delivered this SBOM")
    deliverable = forms.CharField(max_length=200, required=False, help_text="The supplier deliverable it describes")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = System.objects.restrict(user, "change")


class VexUploadForm(forms.Form):
    file = forms.FileField(help_text="CycloneDX VEX (JSON or XML) or OpenVEX")


class DecisionForm(forms.Form):
    status = forms.ChoiceField(choices=FindingStatus.choices)
    justification = forms.ChoiceField(choices=[("", "—"), *Justification.choices], required=False)
    detail = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             help_text="Impact statement (why not affected) or action taken")
