from rest_framework import serializers

from forceb.core.api.base import BaseSerializer
from forceb.inventory.models import Supplier, System

from ..choices import FindingStatus, Justification
from ..models import Advisory, Component, FeedState, Finding, FindingDecision, Sbom


class SbomSerializer(BaseSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:sbom:sbom-detail")
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    system_name = serializers.CharField(source="system.name", read_only=True)
    warning_count = serializers.SerializerMethodField()

    class Meta:
        model = Sbom
        fields = ["id", "url", "display", "owner", "system", "system_name", "supplier", "deliverable", "filename",
                  "sha256", "format", "encoding", "spec_version", "serial", "subject", "subject_version",
                  "document_time", "ntia_ok", "is_current", "previous", "scan_summary", "matched_at",
                  "warning_count", "created"]
        read_only_fields = fields

    def get_warning_count(self, obj) -> int:
        return len(obj.warnings)


class SbomDetailSerializer(SbomSerializer):
    class Meta(SbomSerializer.Meta):
        fields = [*SbomSerializer.Meta.fields, "roots", "ntia", "warnings", "diff"]
        read_only_fields = fields


class SbomUploadSerializer(serializers.Serializer):
    """An SBOM file for one of your organisation's systems (CycloneDX 1.4-1.6 JSON/XML, SPDX 2.2/2.3)."""

    system = serializers.PrimaryKeyRelatedField(queryset=System.objects.none())
    file = serializers.FileField()
    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.all(), required=False, allow_null=True)
    deliverable = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["system"].queryset = System.objects.restrict(request.user, "change")


class VexUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CycloneDX VEX (JSON or XML) or OpenVEX document")


class ComponentSerializer(BaseSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:sbom:component-detail")
    system = serializers.IntegerField(source="sbom.system_id", read_only=True)
    system_name = serializers.CharField(source="sbom.system.name", read_only=True)

    class Meta:
        model = Component
        fields = ["id", "url", "display", "sbom", "system", "system_name", "ref", "name", "version", "purl",
                  "ecosystem", "package", "type", "licenses", "hashes", "supplier", "cpe", "status", "status_reason"]
        read_only_fields = fields


class FindingDecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = FindingDecision
        fields = ["id", "status", "justification", "detail", "source", "decided_by", "decided_at"]
        read_only_fields = fields


class FindingComponentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Component
        fields = ["id", "name", "version", "purl", "ecosystem"]
        read_only_fields = fields


class FindingSerializer(BaseSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:sbom:finding-detail")
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    component = FindingComponentSerializer(read_only=True)
    system = serializers.IntegerField(source="sbom.system_id", read_only=True)
    system_name = serializers.CharField(source="sbom.system.name", read_only=True)
    summary = serializers.CharField(source="advisory.summary", read_only=True)
    priority = serializers.IntegerField(read_only=True, help_text="Rank among its SBOM's findings: 1 is most urgent")

    class Meta:
        model = Finding
        fields = ["id", "url", "display", "owner", "sbom", "system", "system_name", "component", "vuln_id", "aliases",
                  "summary", "severity", "cvss_score", "cvss_vector", "kev", "kev_date_added", "kev_due_date",
                  "kev_ransomware", "epss", "epss_percentile", "epss_date", "fixed_versions", "upgrade_to",
                  "priority", "reason", "status", "created", "updated"]
        read_only_fields = fields


class FindingDetailSerializer(FindingSerializer):
    decisions = FindingDecisionSerializer(many=True, read_only=True)
    paths = serializers.SerializerMethodField()
    advisory = serializers.SerializerMethodField()

    class Meta(FindingSerializer.Meta):
        fields = [*FindingSerializer.Meta.fields, "advisory", "paths", "decisions"]
        read_only_fields = fields

    def get_paths(self, obj) -> list[list[str]]:
        from .. import queries

        return [[str(c) for c in path] for path in queries.paths_to(obj.component)]

    def get_advisory(self, obj) -> dict:
        return AdvisorySerializer(obj.advisory, context=self.context).data


class DecisionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FindingStatus.choices)
    justification = serializers.ChoiceField(choices=Justification.choices, required=False, allow_blank=True)
    detail = serializers.CharField(required=False, allow_blank=True)


class AdvisorySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:sbom:advisory-detail", lookup_field="osv_id")
    display = serializers.CharField(source="osv_id", read_only=True)

    class Meta:
        model = Advisory
        fields = ["id", "url", "display", "osv_id", "aliases", "related", "summary", "details", "severity",
                  "cvss_v3_vector", "cvss_v3_score", "cvss_v4_vector", "cvss_v4_score", "database_severity",
                  "published", "modified", "withdrawn", "affected", "references", "ecosystems"]
        read_only_fields = fields


class FeedStateSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeedState
        fields = ["id", "feed", "source", "url", "etag", "last_modified", "sha256", "size", "fetched_at",
                  "imported_at", "records", "message"]
        read_only_fields = fields
