from django.contrib.contenttypes.models import ContentType
from rest_framework import serializers

from forceb.core.choices import TLP
from forceb.core.models import ApiToken, AuditEntry, Notification, Organization, Share, User


class OrganizationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:core:organization-detail")
    display = serializers.CharField(source="name", read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "url", "display", "slug", "name", "kind", "sector", "tier"]


class UserSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:core:user-detail")
    display = serializers.CharField(source="username", read_only=True)
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = User
        fields = ["id", "url", "display", "username", "email", "organization", "role", "is_active"]


class ApiTokenSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:core:token-detail")
    display = serializers.CharField(source="__str__", read_only=True)
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "url", "display", "user", "name", "prefix", "created", "expires", "last_used", "revoked_at"]


class NewApiTokenSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    days = serializers.IntegerField(min_value=1, max_value=366, required=False)


class CreatedApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


class ShareSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:core:share-detail")
    display = serializers.CharField(source="__str__", read_only=True)
    object_type = serializers.SerializerMethodField()
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    shared_by = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    recipient_orgs = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    recipient_users = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)

    class Meta:
        model = Share
        fields = ["id", "url", "display", "object_type", "object_id", "owner", "shared_by", "tlp", "community",
                  "recipient_orgs", "recipient_users", "created", "revoked_at"]

    def get_object_type(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


def _shareable_types():
    from forceb.core.models import OwnedModel

    return [f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()
            if ct.model_class() is not None and issubclass(ct.model_class(), OwnedModel)]


class NewShareSerializer(serializers.Serializer):
    object_type = serializers.CharField(help_text="app_label.model, e.g. inventory.businessservice")
    object_id = serializers.IntegerField(min_value=1)
    tlp = serializers.ChoiceField(choices=TLP.choices)
    community = serializers.BooleanField(default=False)
    recipient_orgs = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    recipient_users = serializers.ListField(child=serializers.CharField(max_length=150), required=False,
                                            default=list)

    def validate_object_type(self, value):
        if value not in _shareable_types():
            raise serializers.ValidationError("not a type of object that can be shared")
        return value


class AuditEntrySerializer(serializers.ModelSerializer):
    display = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = AuditEntry
        fields = ["id", "display", "seq", "at", "actor_username", "organization", "action", "object_type",
                  "object_id", "object_repr", "before", "after", "remote_addr", "prev_hash", "hash"]


class NotificationSerializer(serializers.ModelSerializer):
    display = serializers.CharField(source="title", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "display", "title", "body", "link", "created", "read_at"]
