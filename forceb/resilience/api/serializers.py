from rest_framework import serializers

from forceb.core.api.base import BaseSerializer
from forceb.inventory.models import BusinessService

from ..choices import ChainParty, DrillEventKind
from ..models import (
    BackupLayer,
    BusinessImpactAnalysis,
    Drill,
    DrillAction,
    DrillEvent,
    DrillMeasurement,
    ImpactAssessment,
    Scenario,
    SupplierRecoveryEvidence,
)


class ImpactAssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImpactAssessment
        fields = ["at_minutes", "financial", "customers", "regulatory", "reputation", "financial_amount",
                  "customers_affected"]


class BusinessImpactAnalysisSerializer(BaseSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:resilience:bia-detail")
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    impacts = ImpactAssessmentSerializer(many=True, read_only=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    review_due = serializers.BooleanField(read_only=True)

    class Meta:
        model = BusinessImpactAnalysis
        fields = ["id", "url", "display", "owner", "service", "version", "status", "intolerable_level",
                  "impact_tolerance_minutes", "rto_minutes", "rpo_minutes", "notes", "impacts", "approved_by",
                  "approved_at", "review_due", "created", "updated"]
        read_only_fields = ["version", "status", "approved_at"]


class NewImpactSerializer(serializers.Serializer):
    at_minutes = serializers.IntegerField(min_value=0)
    financial = serializers.IntegerField(min_value=0, max_value=5, default=0)
    customers = serializers.IntegerField(min_value=0, max_value=5, default=0)
    regulatory = serializers.IntegerField(min_value=0, max_value=5, default=0)
    reputation = serializers.IntegerField(min_value=0, max_value=5, default=0)
    financial_amount = serializers.FloatField(min_value=0, required=False, allow_null=True)
    customers_affected = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class NewBiaSerializer(serializers.Serializer):
    """A new BIA version: the impacts over time; the tolerance is derived from them unless given."""

    service = serializers.PrimaryKeyRelatedField(queryset=BusinessService.objects.none())
    impacts = NewImpactSerializer(many=True, required=False, default=list)
    impact_tolerance_minutes = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    rto_minutes = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    rpo_minutes = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    intolerable_level = serializers.IntegerField(min_value=1, max_value=5, default=4)
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["service"].queryset = BusinessService.objects.restrict(user, "change")


class BackupLayerSerializer(BaseSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:resilience:backup-layer-detail")
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = BackupLayer
        fields = ["id", "url", "display", "owner", "system", "name", "kind", "recovery_point_minutes",
                  "restore_minutes", "immutable", "offline", "shares_site", "shares_provider", "shares_region",
                  "shares_admin_domain", "site", "provider", "region", "admin_domain", "last_switchover_test",
                  "created", "updated"]


class SupplierRecoveryEvidenceSerializer(BaseSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:resilience:supplier-evidence-detail")
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = SupplierRecoveryEvidence
        fields = ["id", "url", "display", "owner", "supplier", "stated_recovery_minutes", "tested_recovery_minutes",
                  "recovery_point_minutes", "evidence_date", "reference", "created", "updated"]


class ScenarioSerializer(BaseSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:resilience:scenario-detail")
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Scenario
        fields = ["id", "url", "display", "owner", "name", "title", "kind", "published", "duration_minutes",
                  "parameters", "created", "updated"]
        read_only_fields = fields


class DrillEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = DrillEvent
        fields = ["id", "at", "kind", "party", "counterpart", "description"]


class NewDrillEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=DrillEventKind.choices)
    party = serializers.ChoiceField(choices=ChainParty.choices, default=ChainParty.MEMBER)
    counterpart = serializers.ChoiceField(choices=ChainParty.choices, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")


class DrillMeasurementSerializer(serializers.ModelSerializer):
    service_name = serializers.CharField(source="service.name", read_only=True)
    within_tolerance = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = DrillMeasurement
        fields = ["service", "service_name", "recovery_minutes", "data_lost_minutes", "simulated_minutes",
                  "impact_tolerance_minutes", "within_tolerance"]


class NewMeasurementSerializer(serializers.Serializer):
    service = serializers.IntegerField(help_text="id of a business service of the drill's organisation")
    recovery_minutes = serializers.IntegerField(min_value=0)
    data_lost_minutes = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class NewFindingSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    assignee = serializers.CharField(max_length=150)
    due_date = serializers.DateField(required=False, allow_null=True)


class DrillResultSerializer(serializers.Serializer):
    measurements = NewMeasurementSerializer(many=True)
    findings = NewFindingSerializer(many=True, required=False, default=list)
    ended_at = serializers.DateTimeField(required=False, allow_null=True)


class DrillActionSerializer(BaseSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:resilience:drill-action-detail")
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = DrillAction
        fields = ["id", "url", "display", "owner", "drill", "title", "assignee", "due_date", "status", "closed_at",
                  "overdue", "created", "updated"]
        read_only_fields = ["drill", "title", "closed_at"]


class DrillSerializer(BaseSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:resilience:drill-detail")
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    scenario = serializers.SlugRelatedField(slug_field="name", read_only=True)
    events = DrillEventSerializer(many=True, read_only=True)
    measurements = DrillMeasurementSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Drill
        fields = ["id", "url", "display", "owner", "name", "scenario", "planned_date", "status", "started_at",
                  "ended_at", "notes", "events", "measurements", "actions", "created", "updated"]
        read_only_fields = ["status", "started_at", "ended_at"]

    def get_actions(self, obj) -> list[dict]:
        return [{"id": a.id, "title": a.title, "assignee": a.assignee, "due_date": a.due_date, "status": a.status}
                for a in obj.actions.all()]


class NewDrillSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    scenario = serializers.CharField(help_text="name of a scenario in your library")
    planned_date = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")
