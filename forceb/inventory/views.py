"""Web pages of the ecosystem inventory: lists with filters, details, create/edit/delete, sharing,
the dependency picture of a business service, and "why can I see this?".

Generic views first (as NetBox's ``ObjectListView`` and friends), then one small class per
model and page, each declaring its access policy. Every read goes through ``queries`` (the
``restrict`` chokepoint: hidden objects answer 404); every write through ``core.actions``, whose
``full_clean`` errors are put back on the form.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models.deletion import ProtectedError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views import View

from forceb.core import access, actions, tlp
from forceb.core import queries as core_queries
from forceb.core.choices import WRITER_ROLES, Role
from forceb.core.models import Share
from forceb.web.explain import explain
from forceb.web.links import url_of

from . import actions as inventory_actions
from . import filters, forms, graph, io, queries
from .models import BusinessService, Dependency, Supplier, SupplierRelationship, System

MEMBER_WRITERS = (Role.MEMBER_ADMIN, Role.MEMBER_ANALYST)
REGISTRY_CURATORS = (Role.HUB_ANALYST, Role.PLATFORM_ADMIN)


def put_errors(form, error: ValidationError, field_map=None) -> None:
    """Attach a model's ``full_clean`` errors to the form, on the field they name when it has one."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        target = field_map.get(name, name)
        form.add_error(target if target in form.fields else None, errors)


class ObjectPage(LoginRequiredMixin, View):
    """What every inventory page knows: its model, its names and routes."""

    model = None
    route = ""  # e.g. "service": routes are web:service-list, web:service-detail, ...
    noun = ""
    plural = ""

    def url(self, page: str, obj=None) -> str:
        return reverse(f"web:{self.route}-{page}", kwargs={"pk": obj.pk} if obj is not None else None)

    def queryset(self, action: str = "view"):
        raise NotImplementedError

    def get_object(self, action: str = "view"):
        return get_object_or_404(self.queryset(action), pk=self.kwargs["pk"])

    def base_context(self, **extra) -> dict:
        return {"model": self.model, "route": self.route, "noun": self.noun, "plural": self.plural, **extra}


class OwnedPage(ObjectPage):
    query = None  # one of queries.services / systems / relationships / dependencies

    def queryset(self, action: str = "view"):
        return type(self).query(self.request.user, action)

    def may_create(self) -> bool:
        return self.request.user.role in MEMBER_WRITERS


class ObjectListView(ObjectPage):
    filterset_class = None
    table_template = ""
    hidden_filters: tuple[str, ...] = ()  # filters reached through links, not typed by people
    per_page = 25

    def get(self, request):
        filterset = self.filterset_class(request.GET or None, queryset=self.queryset())
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else self.queryset()
        page = Paginator(rows, self.per_page).get_page(request.GET.get("page"))
        context = self.base_context(filter_form=filterset.form, page=page, table_template=self.table_template,
                                    hidden_filters=self.hidden_filters, may_create=self.may_create())
        partial = request.htmx and not request.htmx.boosted
        response = render(request, self.table_template if partial else "inventory/list.html", context)
        patch_vary_headers(response, ("HX-Request",))
        return response


class ObjectDetailView(ObjectPage):
    template_name = ""

    def related(self, obj) -> dict:
        return {}

    def context(self, obj, **extra) -> dict:
        return self.base_context(
            object=obj, may_change=self.queryset("change").filter(pk=obj.pk).exists(),
            **self.related(obj), **extra,
        )

    def get(self, request, pk):
        obj = self.get_object()
        return render(request, self.template_name, self.context(obj))


class OwnedDetailView(ObjectDetailView, OwnedPage):
    """A detail page of an owned object, with its shares and the form to share it."""

    def context(self, obj, share_form=None, **extra) -> dict:
        user = self.request.user
        owner = obj.owner_id == user.organization_id
        shares = list(core_queries.shares_of(obj)) if owner else []
        if share_form is None and user.can_write:
            share_form = forms.ShareForm(owner_id=obj.owner_id)
        return super().context(obj, owner=owner, shares=shares, share_form=share_form, **extra)

    def post(self, request, pk):
        """Share the object (the TLP rules and who may share are checked by ``share_object``)."""
        obj = self.get_object()
        form = forms.ShareForm(request.POST, owner_id=obj.owner_id)
        if form.is_valid():
            try:
                actions.share_object(request.user, obj, tlp_marking=form.cleaned_data["tlp"],
                                     recipient_orgs=form.recipient_orgs(),
                                     recipient_users=form.cleaned_data["users"],
                                     community=form.cleaned_data["community"])
            except (tlp.SharingRefused, PermissionDenied) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Shared under TLP:{form.cleaned_data['tlp']}.")
                return redirect(self.url("detail", obj))
        return render(request, self.template_name, self.context(obj, share_form=form), status=400)


class ObjectFormView(ObjectPage):
    form_class = None
    editing = False

    def new_object(self):
        return self.model(owner=self.request.user.organization)

    def make_form(self, obj, data=None):
        return self.form_class(data, instance=obj)

    def render_form(self, form, obj, status=200):
        return render(self.request, "inventory/form.html",
                      self.base_context(form=form, object=obj if self.editing else None), status=status)

    def current(self):
        return self.get_object("change") if self.editing else self.new_object()

    def get(self, request, pk=None):
        obj = self.current()
        return self.render_form(self.make_form(obj), obj)

    def post(self, request, pk=None):
        obj = self.current()
        form = self.make_form(obj, request.POST)
        if form.is_valid():
            try:
                saved = self.save(form, obj)
            except ValidationError as exc:
                put_errors(form, exc, getattr(form, "ERROR_FIELDS", None))
            else:
                messages.success(request, f"Saved {self.noun} “{saved}”.")
                return redirect(self.url("detail", saved))
        return self.render_form(form, obj, status=400)

    def save(self, form, obj):
        return actions.save_object(form.instance)


class ObjectDeleteView(ObjectPage):
    def get(self, request, pk):
        obj = self.get_object("change")
        return render(request, "inventory/confirm_delete.html", self.base_context(object=obj))

    def post(self, request, pk):
        obj = self.get_object("change")
        try:
            actions.delete_object(obj)
        except ProtectedError:
            messages.error(request, f"“{obj}” is still in use, so it was not deleted.")
            return redirect(self.url("detail", obj))
        messages.success(request, f"Deleted {self.noun} “{obj}”.")
        return redirect(self.url("list"))


class WhyView(OwnedPage):
    """Why the person can see this object (Datasette-style permission explanation)."""

    def get(self, request, pk):
        obj = self.get_object()
        return render(request, "inventory/why.html", self.base_context(object=obj, why=explain(request.user, obj)))


# Business services ------------------------------------------------------------------------------

class ServicePage(OwnedPage):
    model, route, noun, plural = BusinessService, "service", "business service", "business services"
    query = queries.services


@access.policy(access.SIGNED_IN)
class ServiceList(ServicePage, ObjectListView):
    filterset_class = filters.BusinessServiceFilter
    table_template = "inventory/_services_table.html"
    hidden_filters = ("owner_id",)


@access.policy(access.owned(BusinessService))
class ServiceDetail(ServicePage, OwnedDetailView):
    template_name = "inventory/service_detail.html"

    def related(self, obj):
        found = queries.service_graph(self.request.user, obj)
        nodes = [graph.Node(key, label, kind, _node_url(kind, pk) if key in found.linkable else "")
                 for key, label, kind, pk in found.nodes]
        edges = [graph.Edge(source, target, label) for source, target, label in found.edges]
        picture = graph.layout(nodes, edges, roots=[f"service:{obj.pk}"])
        needs = queries.dependencies(self.request.user).filter(source_service=obj)
        return {"picture": picture, "graph_truncated": found.truncated, "needs": needs,
                "add_dependency": reverse("web:dependency-create") + f"?source=service:{obj.pk}"}


@access.policy(access.roles(*MEMBER_WRITERS))
class ServiceCreate(ServicePage, ObjectFormView):
    form_class = forms.BusinessServiceForm


@access.policy(access.owned(BusinessService, write_roles=WRITER_ROLES))
class ServiceEdit(ServicePage, ObjectFormView):
    form_class = forms.BusinessServiceForm
    editing = True


@access.policy(access.owned(BusinessService, write_roles=WRITER_ROLES))
class ServiceDelete(ServicePage, ObjectDeleteView):
    pass


@access.policy(access.owned(BusinessService))
class ServiceWhy(ServicePage, WhyView):
    pass


def _node_url(kind: str, pk: int) -> str:
    return reverse(f"web:{kind}-detail", kwargs={"pk": pk})


# ICT systems ------------------------------------------------------------------------------------

class SystemPage(OwnedPage):
    model, route, noun, plural = System, "system", "system", "systems"
    query = queries.systems


@access.policy(access.SIGNED_IN)
class SystemList(SystemPage, ObjectListView):
    filterset_class = filters.SystemFilter
    table_template = "inventory/_systems_table.html"
    hidden_filters = ("owner_id", "cloud_provider_id")


@access.policy(access.owned(System))
class SystemDetail(SystemPage, OwnedDetailView):
    template_name = "inventory/system_detail.html"

    def related(self, obj):
        deps = queries.dependencies(self.request.user)
        return {"needs": deps.filter(source_system=obj), "needed_by": deps.filter(target_system=obj),
                "add_dependency": reverse("web:dependency-create") + f"?source=system:{obj.pk}"}


@access.policy(access.roles(*MEMBER_WRITERS))
class SystemCreate(SystemPage, ObjectFormView):
    form_class = forms.SystemForm


@access.policy(access.owned(System, write_roles=WRITER_ROLES))
class SystemEdit(SystemPage, ObjectFormView):
    form_class = forms.SystemForm
    editing = True


@access.policy(access.owned(System, write_roles=WRITER_ROLES))
class SystemDelete(SystemPage, ObjectDeleteView):
    pass


@access.policy(access.owned(System))
class SystemWhy(SystemPage, WhyView):
    pass


# Supplier relationships (a member's own, private view of a registry supplier) -------------------

class RelationshipPage(OwnedPage):
    model, route, noun, plural = SupplierRelationship, "relationship", "supplier relationship", "supplier relationships"
    query = queries.relationships


@access.policy(access.SIGNED_IN)
class RelationshipList(RelationshipPage, ObjectListView):
    filterset_class = filters.SupplierRelationshipFilter
    table_template = "inventory/_relationships_table.html"
    hidden_filters = ("supplier_id",)


@access.policy(access.owned(SupplierRelationship))
class RelationshipDetail(RelationshipPage, OwnedDetailView):
    template_name = "inventory/relationship_detail.html"

    def related(self, obj):
        deps = queries.dependencies(self.request.user).filter(owner_id=obj.owner_id)
        return {"used_by": deps.filter(target_supplier_id=obj.supplier_id)}


class RelationshipFormView(RelationshipPage, ObjectFormView):
    form_class = forms.SupplierRelationshipForm

    def make_form(self, obj, data=None):
        initial = {"supplier": self.request.GET.get("supplier")} if not self.editing else None
        return self.form_class(data, instance=obj, initial=initial)

    @transaction.atomic
    def save(self, form, obj):
        # A supplier added on the way joins the registry only if the relationship saves too.
        new = form.new_supplier()
        if new is not None:
            form.instance.supplier = actions.save_object(new)
        return actions.save_object(form.instance)


@access.policy(access.roles(*MEMBER_WRITERS))
class RelationshipCreate(RelationshipFormView):
    pass


@access.policy(access.owned(SupplierRelationship, write_roles=WRITER_ROLES))
class RelationshipEdit(RelationshipFormView):
    editing = True


@access.policy(access.owned(SupplierRelationship, write_roles=WRITER_ROLES))
class RelationshipDelete(RelationshipPage, ObjectDeleteView):
    pass


@access.policy(access.owned(SupplierRelationship))
class RelationshipWhy(RelationshipPage, WhyView):
    pass


# Dependencies -----------------------------------------------------------------------------------

class DependencyPage(OwnedPage):
    model, route, noun, plural = Dependency, "dependency", "dependency", "dependencies"
    query = queries.dependencies


@access.policy(access.SIGNED_IN)
class DependencyList(DependencyPage, ObjectListView):
    filterset_class = filters.DependencyFilter
    table_template = "inventory/_dependencies_table.html"
    hidden_filters = ("source_service_id", "source_system_id", "source_supplier_id", "target_system_id",
                      "target_supplier_id")


@access.policy(access.owned(Dependency))
class DependencyDetail(DependencyPage, OwnedDetailView):
    template_name = "inventory/dependency_detail.html"


class DependencyFormView(DependencyPage, ObjectFormView):
    def make_form(self, obj, data=None):
        user = self.request.user
        # Ends are the organisation's own services and systems (a dependency may not cross owners)
        # and any registry supplier.
        own = {"owner_id": obj.owner_id}
        initial = forms.DependencyForm.initial_of(obj) if self.editing else {"source": self.request.GET.get("source")}
        return forms.DependencyForm(data, initial=initial,
                                    services=queries.services(user, "change").filter(**own).order_by("name"),
                                    systems=queries.systems(user, "change").filter(**own).order_by("name"),
                                    suppliers=queries.suppliers(user).order_by("name"))

    def save(self, form, obj):
        form.apply_to(obj)
        return actions.save_object(obj)


@access.policy(access.roles(*MEMBER_WRITERS))
class DependencyCreate(DependencyFormView):
    pass


@access.policy(access.owned(Dependency, write_roles=WRITER_ROLES))
class DependencyEdit(DependencyFormView):
    editing = True


@access.policy(access.owned(Dependency, write_roles=WRITER_ROLES))
class DependencyDelete(DependencyPage, ObjectDeleteView):
    pass


@access.policy(access.owned(Dependency))
class DependencyWhy(DependencyPage, WhyView):
    pass


# The sector-wide supplier registry (not owned: every signed-in person reads it) -----------------

class SupplierPage(ObjectPage):
    model, route, noun, plural = Supplier, "supplier", "registry supplier", "supplier registry"

    def queryset(self, action: str = "view"):
        rows = queries.suppliers(self.request.user)
        if action != "view" and self.request.user.role not in REGISTRY_CURATORS:
            return rows.none()
        return rows

    def may_create(self) -> bool:
        return self.request.user.role in WRITER_ROLES


@access.policy(access.SIGNED_IN)
class SupplierList(SupplierPage, ObjectListView):
    filterset_class = filters.SupplierFilter
    table_template = "inventory/_suppliers_table.html"


@access.policy(access.SIGNED_IN)
class SupplierDetail(SupplierPage, ObjectDetailView):
    template_name = "inventory/supplier_detail.html"

    def related(self, obj):
        user = self.request.user
        mine = {"owner_id": user.organization_id}
        deps = queries.dependencies(user)
        return {
            "relationship": queries.relationships(user).filter(supplier=obj, **mine).first(),
            "used_by": deps.filter(target_supplier=obj, source_system__isnull=False, **mine),
            "hosted": queries.systems(user).filter(cloud_provider=obj, **mine),
            "fourth_parties": deps.filter(source_supplier=obj),
        }


@access.policy(access.roles(*WRITER_ROLES))
class SupplierCreate(SupplierPage, ObjectFormView):
    # Members add the suppliers they use; correcting the shared record is the hub's job.
    form_class = forms.SupplierForm

    def new_object(self):
        return Supplier()


@access.policy(access.roles(*REGISTRY_CURATORS))
class SupplierEdit(SupplierPage, ObjectFormView):
    form_class = forms.SupplierForm
    editing = True


@access.policy(access.roles(*REGISTRY_CURATORS))
class SupplierDelete(SupplierPage, ObjectDeleteView):
    pass


# Sharing ----------------------------------------------------------------------------------------

@access.policy(access.roles(*WRITER_ROLES))
class ShareWithdraw(LoginRequiredMixin, View):
    """Withdraw a share the person's organisation made (``actions.unshare`` records it)."""

    def post(self, request, pk):
        share = get_object_or_404(Share.objects.select_related("content_type"), pk=pk,
                                  shared_by_id=request.user.organization_id)
        obj = share.content_type.get_object_for_this_type(pk=share.object_id)
        try:
            actions.unshare(request.user, share)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, f"Withdrew share #{share.pk} of “{obj}”.")
        # Objects without a page of their own (an intel collection) lead back to the dashboard.
        return redirect(url_of(obj) or "web:home")


# Bulk import and export (the same actions as ``forceb inventory import/export`` and the API) -----

EXPORT_ROLES = (Role.MEMBER_ADMIN, Role.MEMBER_ANALYST, Role.AUDITOR)


@access.policy(access.roles(*EXPORT_ROLES))
class Transfer(LoginRequiredMixin, View):
    """Export the organisation's own inventory; import a file into it (all or nothing)."""

    def get(self, request):
        return self.page(forms.ImportForm())

    def post(self, request):
        if not inventory_actions.may_import(request.user):
            raise Http404("no such page")
        form = forms.ImportForm(request.POST, request.FILES)
        result = problems = None
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = inventory_actions.import_inventory(request.user, data["file"].read(), fmt=data["fmt"],
                                                            kind=data["kind"] or None, dry_run=data["dry_run"])
            except io.ImportRejected as rejected:
                problems = rejected.problems
        return self.page(form, result=result, problems=problems, status=400 if problems or form.errors else 200)

    def page(self, form, status=200, **extra):
        return render(self.request, "inventory/transfer.html",
                      {"form": form, "kinds": io.KINDS, "may_import": inventory_actions.may_import(self.request.user),
                       **extra}, status=status)


@access.policy(access.roles(*EXPORT_ROLES))
class Export(LoginRequiredMixin, View):
    def get(self, request):
        fmt, kind = request.GET.get("fmt", "json"), request.GET.get("kind") or None
        try:
            body = io.export_inventory(request.user, fmt=fmt, kind=kind)
        except ValueError as exc:
            return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
        name = f"{request.user.organization.slug}-{kind or 'inventory'}.{fmt}"
        content_type = "application/json" if fmt == "json" else "text/csv; charset=utf-8"
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
