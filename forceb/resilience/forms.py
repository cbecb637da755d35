"""Forms of the resilience pages; they collect input, the actions validate and write it."""

from django import forms

from .choices import IMPACT_LEVELS, ChainParty, DrillEventKind
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
