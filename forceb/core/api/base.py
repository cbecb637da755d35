"""Building blocks every app's API uses: the restricted viewsets and the serializer base."""

from rest_framework import mixins, serializers, viewsets
from rest_framework.relations import PrimaryKeyRelatedField

from forceb.core import access, actions
from forceb.core.choices import WRITER_ROLES, Role
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


class QueryMixin:
    """A viewset whose rows come from a ``queries`` function of the person asking (``query``,
    given as ``staticmethod(queries.something)``), which already narrows them to what that person
    may see. The schema generator asks without a person and gets an empty queryset of ``model``."""

    model = None
    query = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.query(self.request.user)


class OwnedRowsMixin:
    """Rows of an owned model through ``restrict`` (the action follows the HTTP method), and the
    route's access policy ``owned(model)``.

    ``action_write_roles`` gives an extra write action (approve, decide...) the stricter policy of
    a page that changes the row: only its owner's people, in those roles, reach it; others get 404.
    """

    model = None
    select_related_fields: tuple[str, ...] = ()
    action_write_roles: dict[str, frozenset] = {}

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        view = super().as_view(actions, **initkwargs)
        view.access_policy = access.owned(cls.model)
        for name in (actions or {}).values():
            if name in cls.action_write_roles:
                view.access_policy = access.owned(cls.model, write_roles=cls.action_write_roles[name])
        return view

    @property
    def write_roles(self):
        # Write actions on one row find it through restrict(user, "change"), which already answers
        # 404 to people outside its owner; a 403 here would tell them the row exists. The action
        # itself then refuses a role that may not do it.
        if self.action in self.action_write_roles:
            return frozenset(Role)
        return WRITER_ROLES

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        action = ACTION_OF_METHOD.get(self.request.method, "view")
        return self.model.objects.restrict(self.request.user, action).select_related(*self.select_related_fields)


class OwnedModelViewSet(OwnedRowsMixin, viewsets.ModelViewSet):
    """CRUD over an owned model: reads and writes pass through ``restrict``; creates are owned by
    the requesting organisation; every write goes through ``core.actions``."""

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user.organization)

    def perform_destroy(self, instance):
        actions.delete_object(instance)


class OwnedReadOnlyViewSet(OwnedRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    """List and read an owned model, without generic create, update and delete: rows that change
    only through their app's actions (an ingested SBOM, a decided finding) get no PUT/PATCH/DELETE
    route. Add ``mixins.UpdateModelMixin`` (or an ``@action``) for the writes a model does allow."""
