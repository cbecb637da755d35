"""Web pages of operational resilience: the overview, a scenario's outcome with the service's
dependency graph coloured by it, the services x scenarios heatmap, the sector's concentration
(hub and supervisor), drills with their timeline, and BIA forms. Each page calls the same
actions and queries as the API and the CLI."""

from collections import deque

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from forceb.core import access
from forceb.core.choices import ADMIN_ROLES, WRITER_ROLES
from forceb.inventory import graph as layout_engine
from forceb.inventory.models import BusinessService, System

from . import actions, forms, queries
from .choices import DEFAULT_IMPACT_MINUTES, BiaStatus
from .models import BackupLayer, BusinessImpactAnalysis, Drill

#: Colour classes of a node in a scenario's picture, from the reasons the engine gives.
OUTCOME_OF_REASON = {"hit": "hit", "no_recovery_path": "hit", "restored_from_layer": "restored",
                     "waited_out": "hit", "dependency_failed": "down"}


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{item}: {m}" for item, msgs in exc.message_dict.items() for m in msgs]
    return exc.messages


@access.policy(access.SIGNED_IN)
@login_required
def overview(request):
    """Where the organisation stands: current BIAs (and which are due for review), drills, open
    actions and MTTR per quarter; the hub and the supervisor get the sector's links instead."""
    user = request.user
    current = {}
    for bia in queries.bias(user).filter(owner_id=user.organization_id).exclude(status=BiaStatus.SUPERSEDED) \
            .order_by("service__name", "version"):
        current[bia.service_id] = bia
    context = {
        "bias": list(current.values()),
        "scenarios": queries.library_for(user),
        "drills": queries.drills(user).filter(owner_id=user.organization_id)[:20],
        "open_actions": queries.drill_actions(user).exclude(status__in=["done", "cancelled"])[:20],
        "mttr": queries.mttr_per_quarter(user),
        "sector": queries.may_see_sector(user),
        "layers": queries.backup_layers(user).filter(owner_id=user.organization_id)[:50],
    }
    return render(request, "resilience/overview.html", context)


def _picture(loaded, service_key: str, outcome):
    """The service's dependency graph (from the loaded plain data) coloured by the scenario."""
    graph = loaded.graph
    names = {s.id: (s.name, "service") for s in graph.services}
    names.update({s.id: (s.name, "system") for s in graph.systems})
    names.update({s.id: (s.name, "supplier") for s in graph.suppliers})
    out: dict[str, list[str]] = {}
    for d in graph.dependencies:
        out.setdefault(d.source, []).append(d.target)
    for s in graph.systems:
        if s.provider:
            out.setdefault(s.id, []).append(s.provider)
    seen, queue, edges = {service_key}, deque([service_key]), []
    while queue:
        node = queue.popleft()
        for target in out.get(node, ()):
            edges.append(layout_engine.Edge(node, target))
            if target not in seen:
                seen.add(target)
                queue.append(target)
    status = dict.fromkeys(seen, "ok")
    for reason in outcome.reasons if outcome is not None else ():
        colour = OUTCOME_OF_REASON.get(reason.get("kind"))
        node = reason.get("dependency") if reason.get("kind") == "dependency_failed" else reason.get("node")
        if colour and node in status and status[node] != "hit":
            status[node] = colour
    if outcome is not None and outcome.affected:
        status[service_key] = "breached" if outcome.breached else "down"
    nodes = [layout_engine.Node(n, names.get(n, (n, ""))[0], f"{names.get(n, (n, 'supplier'))[1]} o-{status[n]}")
             for n in seen]
    return layout_engine.layout(nodes, edges, roots=[service_key])


@access.policy(access.SIGNED_IN)
@login_required
def simulation(request):
    """One scenario over the organisation's services, and a chosen service's picture."""
    user = request.user
    library = queries.library_for(user)
    name = request.GET.get("scenario") or (library[0].name if library else None)
    context = {"library": library, "scenario_name": name, "run": None, "sector": queries.may_see_sector(user)}
    if name:
        try:
            run = actions.simulate(user, name)
        except ValidationError as exc:
            messages.error(request, "; ".join(_errors(exc)))
            return render(request, "resilience/simulation.html", context)
        outcomes = run.result.services
        by_pk = {run.loaded.service_pk[o.id]: o for o in outcomes}
        chosen = request.GET.get("service")
        chosen = int(chosen) if chosen and chosen.isdigit() and int(chosen) in by_pk else next(iter(by_pk), None)
        context.update(run=run, outcomes=[(run.loaded.service_pk[o.id], o) for o in outcomes], chosen=chosen)
        if chosen is not None:
            outcome = by_pk[chosen]
            context.update(outcome=outcome, picture=_picture(run.loaded, outcome.id, outcome))
    return render(request, "resilience/simulation.html", context)


def heatmap_figure(data: dict) -> dict:
    """Plotly heatmap: services down, scenarios across; colour is the time to recover against the
    service's tolerance (1 = at tolerance), text says breached."""
    services = [s["name"] for s in data["services"]]
    scenarios = [s["name"] for s in data["scenarios"]]
    z, text = [], []
    for i, service in enumerate(data["services"]):
        row, labels = [], []
        tolerance = service["impact_tolerance_minutes"]
        for j in range(len(scenarios)):
            cell = data["cells"][j][i]
            minutes = cell["minutes"]
            if minutes is None:
                row.append(3)
                labels.append("no recovery")
            else:
                row.append(min(3, minutes / tolerance) if tolerance else (0 if minutes == 0 else 1))
                labels.append(f"{minutes:g} min" + (" · breached" if cell["breached"] else ""))
        z.append(row)
        text.append(labels)
    return {
        "data": [{"type": "heatmap", "x": scenarios, "y": services, "z": z, "text": text, "zmin": 0, "zmax": 3,
                  "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>", "texttemplate": "%{text}",
                  "colorscale": [[0, "#e9f7ef"], [0.33, "#f9e79f"], [0.34, "#f5b7b1"], [1, "#922b21"]],
                  "colorbar": {"title": {"text": "× tolerance"}}}],
        "layout": {"height": 120 + 36 * max(1, len(services)), "margin": {"l": 200, "r": 10, "t": 20, "b": 140},
                   "xaxis": {"tickangle": -35}, "yaxis": {"autorange": "reversed"},
                   "paper_bgcolor": "rgba(0,0,0,0)", "font": {"family": "system-ui, sans-serif", "size": 11}},
    }


@access.policy(access.SIGNED_IN)
@login_required
def heatmap(request):
    data = queries.heatmap(request.user)
    return render(request, "resilience/heatmap.html", {"data": data, "figure": heatmap_figure(data),
                                                       "sector": queries.may_see_sector(request.user)})


def concentration_figure(rows: list[dict]) -> dict:
    names = [r["name"] for r in rows][::-1]
    return {
        "data": [
            {"type": "bar", "orientation": "h", "name": "critical services, directly", "y": names,
             "x": [r["critical_services_direct"] for r in rows][::-1], "marker": {"color": "#c0392b"}},
            {"type": "bar", "orientation": "h", "name": "critical services, through fourth parties", "y": names,
             "x": [r["critical_services_total"] - r["critical_services_direct"] for r in rows][::-1],
             "marker": {"color": "#f1948a"}},
        ],
        "layout": {"barmode": "stack", "height": 120 + 28 * max(1, len(rows)),
                   "margin": {"l": 220, "r": 10, "t": 20, "b": 40}, "legend": {"orientation": "h", "y": -0.15},
                   "paper_bgcolor": "rgba(0,0,0,0)", "font": {"family": "system-ui, sans-serif", "size": 11}},
    }


@access.policy(access.roles(*queries.SECTOR_ROLES))
@login_required
def sector(request):
    """Concentration and blast radius across the sector, as counts (hub and supervisor)."""
    rows = queries.concentration(request.user, limit=20)
    return render(request, "resilience/sector.html", {
        "concentration": rows, "figure": concentration_figure(rows),
        "blast": queries.blast_radius(request.user, limit=20), "mttr": queries.mttr_per_quarter(request.user)})


@access.policy(access.owned(Drill))
@login_required
def drill_detail(request, pk):
    drill = get_object_or_404(queries.drills(request.user), pk=pk)
    events = sorted(drill.events.all(), key=lambda e: e.at)
    start = drill.started_at or (events[0].at if events else None)
    timeline = [(e, round((e.at - start).total_seconds() / 60) if start else None) for e in events]
    return render(request, "resilience/drill_detail.html", {
        "drill": drill, "timeline": timeline, "chain": queries.notification_chain(drill),
        "may_write": request.user.can_write and drill.owner_id == request.user.organization_id,
        "event_form": forms.DrillEventForm()})


@access.policy(access.owned(Drill, write_roles=WRITER_ROLES))
@login_required
@require_POST
def drill_event(request, pk):
    drill = get_object_or_404(Drill.objects.restrict(request.user, "change"), pk=pk)
    form = forms.DrillEventForm(request.POST)
    if form.is_valid():
        try:
            actions.record_drill_event(request.user, drill, **form.cleaned_data)
            messages.success(request, "Added to the timeline.")
        except ValidationError as exc:
            messages.error(request, "; ".join(_errors(exc)))
    else:
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect("web:resilience-drill", pk=drill.pk)


@access.policy(access.roles(*WRITER_ROLES))
@login_required
def drill_plan(request):
    form = forms.DrillForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            drill = actions.plan_drill(request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            return redirect("web:resilience-drill", pk=drill.pk)
    return render(request, "resilience/form.html", {"form": form, "title": "Plan a drill"})


@access.policy(access.owned(BusinessImpactAnalysis))
@login_required
def bia_detail(request, pk):
    bia = get_object_or_404(queries.bias(request.user), pk=pk)
    return render(request, "resilience/bia_detail.html", {
        "bia": bia, "may_approve": request.user.role in ADMIN_ROLES and bia.owner_id == request.user.organization_id
        and bia.status == BiaStatus.DRAFT})


@access.policy(access.roles(*WRITER_ROLES))
@login_required
def bia_create(request):
    """A new BIA version: impacts at 1 h, 4 h, 24 h, 72 h and a week, then RTO and RPO."""
    services = BusinessService.objects.restrict(request.user, "change")
    initial = {"service": request.GET.get("service")}
    form = forms.BiaForm(request.POST or None, services=services, initial=initial)
    impacts = forms.ImpactFormSet(request.POST or None, initial=[{"at_minutes": m} for m in DEFAULT_IMPACT_MINUTES])
    if request.method == "POST" and form.is_valid() and impacts.is_valid():
        data = dict(form.cleaned_data)
        service = data.pop("service")
        rows = [f.cleaned_data for f in impacts if f.cleaned_data and f.cleaned_data.get("at_minutes") is not None]
        try:
            bia = actions.record_bia(request.user, service, impacts=rows, **data)
        except ValidationError as exc:
            for message in _errors(exc):
                form.add_error(None, message)
        else:
            messages.success(request, f"{bia} recorded as a draft.")
            return redirect("web:resilience-bia", pk=bia.pk)
    return render(request, "resilience/bia_form.html", {"form": form, "impacts": impacts})


@access.policy(access.owned(BusinessImpactAnalysis, write_roles=ADMIN_ROLES))
@login_required
@require_POST
def bia_approve(request, pk):
    bia = get_object_or_404(BusinessImpactAnalysis.objects.restrict(request.user, "change"), pk=pk)
    try:
        actions.approve_bia(request.user, bia)
    except PermissionDenied as exc:
        raise Http404("no such page") from exc
    except ValidationError as exc:
        messages.error(request, "; ".join(_errors(exc)))
    else:
        messages.success(request, f"{bia} approved: {bia.service} now has its tolerance, RTO and RPO.")
    return redirect(reverse("web:resilience-bia", kwargs={"pk": bia.pk}))


# --------------------------------------------------------------------------- backup layers


def _layer_rows(system, *, without=None) -> list[dict]:
    """The system's layers in ``set_backup_layers``'s shape, which replaces them all at once."""
    return [forms.BackupLayerForm.initial_of(layer) for layer in system.backup_layers.all() if layer.pk != without]


def _save_layers(request, system, rows, form) -> bool:
    try:
        actions.set_backup_layers(request.user, system, rows)
    except ValidationError as exc:
        for message in _errors(exc):
            form.add_error(None, message)
        return False
    return True


def _layers_page(request, system, form):
    return render(request, "resilience/system_layers.html", {
        "system": system, "layers": system.backup_layers.select_related("provider"), "form": form,
        "may_write": request.user.can_write and system.owner_id == request.user.organization_id})


@access.policy(access.owned(System))
@login_required
def system_layers(request, pk):
    """A system's backup layers (measure 28), and for its writers a form to add one."""
    system = get_object_or_404(System.objects.restrict(request.user), pk=pk)
    return _layers_page(request, system, forms.BackupLayerForm())


@access.policy(access.owned(System, write_roles=WRITER_ROLES))
@login_required
@require_POST
def layer_add(request, pk):
    system = get_object_or_404(System.objects.restrict(request.user, "change"), pk=pk)
    form = forms.BackupLayerForm(request.POST)
    if form.is_valid() and _save_layers(request, system, [*_layer_rows(system), form.cleaned_data], form):
        messages.success(request, f"Layer {form.cleaned_data['name']} added to {system}.")
        return redirect("web:resilience-system-layers", pk=system.pk)
    return _layers_page(request, system, form)


@access.policy(access.owned(BackupLayer, write_roles=WRITER_ROLES))
@login_required
def layer_edit(request, pk):
    layer = get_object_or_404(BackupLayer.objects.restrict(request.user, "change").select_related("system"), pk=pk)
    system = layer.system
    form = forms.BackupLayerForm(request.POST if request.method == "POST" else None,
                                 initial=forms.BackupLayerForm.initial_of(layer))
    if request.method == "POST" and form.is_valid() \
            and _save_layers(request, system, [*_layer_rows(system, without=layer.pk), form.cleaned_data], form):
        messages.success(request, f"Layer {form.cleaned_data['name']} of {system} saved.")
        return redirect("web:resilience-system-layers", pk=system.pk)
    return render(request, "resilience/form.html", {"form": form, "title": f"Edit {layer}"})


@access.policy(access.owned(BackupLayer, write_roles=WRITER_ROLES))
@login_required
def layer_delete(request, pk):
    """Confirm, then remove one layer (the system keeps its others)."""
    layer = get_object_or_404(BackupLayer.objects.restrict(request.user, "change").select_related("system"), pk=pk)
    system = layer.system
    if request.method != "POST":
        return render(request, "resilience/confirm_delete.html", {"object": layer, "back": reverse(
            "web:resilience-system-layers", kwargs={"pk": system.pk})})
    try:
        actions.set_backup_layers(request.user, system, _layer_rows(system, without=layer.pk))
    except ValidationError as exc:
        messages.error(request, "; ".join(_errors(exc)))
    else:
        messages.success(request, f"Layer {layer.name} removed from {system}.")
    return redirect("web:resilience-system-layers", pk=system.pk)


# --------------------------------------------------------------------------- supplier recovery evidence


@access.policy(access.roles(*WRITER_ROLES))
@login_required
def evidence_edit(request):
    """Record (or replace) the organisation's evidence of a supplier's recovery capability (measure 29)."""
    initial = {}
    supplier = request.GET.get("supplier")
    if supplier and supplier.isdigit():
        current = queries.supplier_evidence(request.user).filter(
            owner_id=request.user.organization_id, supplier_id=int(supplier)).first()
        initial = {"supplier": int(supplier)}
        if current is not None:
            initial.update({name: getattr(current, name) for name in (
                "stated_recovery_minutes", "tested_recovery_minutes", "recovery_point_minutes", "evidence_date",
                "reference")})
    form = forms.SupplierEvidenceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        supplier = data.pop("supplier")
        data["reference"] = data["reference"] or ""
        try:
            actions.record_supplier_evidence(request.user, None, supplier, **data)
        except ValidationError as exc:
            for message in _errors(exc):
                form.add_error(None, message)
        else:
            messages.success(request, f"Recovery evidence of {supplier} recorded.")
            return redirect("web:resilience-overview")
    return render(request, "resilience/form.html", {"form": form, "title": "Supplier recovery evidence"})


# --------------------------------------------------------------------------- drill results


@access.policy(access.owned(Drill, write_roles=WRITER_ROLES))
@login_required
def drill_result(request, pk):
    """Close a drill with each service's measured recovery and a finding to track."""
    drill = get_object_or_404(Drill.objects.restrict(request.user, "change").select_related("scenario"), pk=pk)
    services = BusinessService.objects.filter(owner_id=drill.owner_id).order_by("name")
    form = forms.DrillResultForm(request.POST if request.method == "POST" else None, services=services)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_drill_result(request.user, drill, measurements=form.measurements(),
                                        findings=form.findings())
        except ValidationError as exc:
            for message in _errors(exc):
                form.add_error(None, message)
        else:
            messages.success(request, f"{drill} completed: recovery measured.")
            return redirect("web:resilience-drill", pk=drill.pk)
    return render(request, "resilience/form.html", {"form": form, "title": f"Result of {drill}"})
