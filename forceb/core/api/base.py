"""Building blocks every app's API uses: the restricted viewset and the serializer base."""

from rest_framework import serializers, viewsets
from rest_framework.relations import PrimaryKeyRelatedField

from forceb.core import access, actions
from forceb.core.models import OwnedModel

ACTION_OF_METHOD = {"GET": "view", "HEAD": "view", "OPTIONS": "view", "PUT": "change", "PATCH": "change",
                    "DELETE": "delete", "POST": "change"}


class BaseSerializer(serializers.HyperlinkedModelSerializer):
    """Every object carries ``id``, ``url`` and ``display``; related owned objects are limited to
    what the requesting person may change, so a foreign id of another organisation is 'not found'."""

    id = serializers.IntegerField(read_only=True)
    display = serializers.SerializerMethodField()

    def get_display(self, obj) -> str:
        return str(obj)

    def build_relational_field(self, field_name, relation_info):
        field_class, kwargs = super().build_relational_field(field_name, relation_info)
        if field_class is serializers.HyperlinkedRelatedField:
            field_class = PrimaryKeyRelatedField
            kwargs.pop("view_name", None)
        return field_class, kwargs

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for field in fields.values():
            related = getattr(field, "queryset", None)
            if related is not None and issubclass(related.model, OwnedModel) and user is not None:
                field.queryset = related.model.objects.restrict(user, "change")
        return fields

    def create(self, validated_data):
        return actions.save_object(self.Meta.model(**validated_data))

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return actions.save_object(instance)


class OwnedModelViewSet(viewsets.ModelViewSet):
    """CRUD over an owned model: reads and writes pass through ``restrict``; creates are owned by
    the requesting organisation; every write goes through ``core.actions``."""

    model = None

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        view = super().as_view(actions, **initkwargs)
        view.access_policy = access.owned(cls.model)
        return view

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        action = ACTION_OF_METHOD.get(self.request.method, "view")
        return self.model.objects.restrict(self.request.user, action).select_related(*self.select_related_fields)

    select_related_fields: tuple[str, ...] = ()

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user.organization)

    def perform_destroy(self, instance):
        actions.delete_object(instance)
