"""Web pages of SBOMs and vulnerability monitoring: the portfolio dashboard, SBOMs, findings,
component search and the sector view. Reads go through ``queries``, writes through ``actions``."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from forceb.core import access
from forceb.web import charts

from . import actions, exports, queries
from .choices import CLOSED_STATUSES, SEVERITY_ORDER
from .filters import FindingFilter
from .forms import DecisionForm, SbomUploadForm, VexUploadForm
from .models import PRIORITY_ORDER, Finding, FindingDecision, Sbom

SEVERITY_COLOURS = {"critical": "#c0392b", "high": "#e67e22", "medium": "#f1c40f", "low": "#7f8c8d",
                    "none": "#bdc3c7", "unknown": "#95a5a6"}


def _trend_figure(trend: list[dict]) -> dict:
    days = [p["day"] for p in trend]
    data = [{"type": "scatter", "mode": "lines+markers", "stackgroup": "open", "name": s.capitalize(), "x": days,
             "y": [p.get(s, 0) for p in trend], "line": {"color": SEVERITY_COLOURS[s]}}
            for s in SEVERITY_ORDER if any(p.get(s) for p in trend)]
    data.append({"type": "scatter", "mode": "lines", "name": "Known exploited (KEV)", "x": days,
                 "y": [p["kev"] for p in trend], "line": {"color": "#000", "dash": "dot"}})
    top = max((p.get("total", 0) for p in trend), default=0)  # whole findings on the axis, never 0.5 of one
    xaxis = {"type": "date", "tickformat": "%Y-%m-%d"}
    if len(days) == 1:
        # One day of history: Plotly would zoom to a millisecond around it; show the week instead.
        day = date.fromisoformat(str(days[0])[:10])
        xaxis["range"] = [(day - timedelta(days=3)).isoformat(), (day + timedelta(days=3)).isoformat()]
    return {"data": data, "layout": {"title": {"text": "Open findings over time", "font": {"size": 14}, "x": 0},
                                     "height": 280, "margin": {"l": 40, "r": 10, "t": 36, "b": 36},
                                     "legend": {"orientation": "h", "y": -0.25}, "xaxis": xaxis,
                                     "yaxis": {"rangemode": "tozero", "tickformat": "d", "dtick": max(1, -(-top // 5))},
                                     "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)"}}


@access.policy(access.SIGNED_IN)
@login_required
def dashboard(request):
    """The portfolio: open findings by severity, KEV count, trend, and the most urgent findings."""
    figures = queries.dashboard(request.user)
    severity_counts = {s.capitalize(): n for s, n in figures["by_severity"].items() if n}
    urgent = (queries.findings(request.user).filter(sbom__is_current=True).exclude(status__in=CLOSED_STATUSES)[:15])
    return render(request, "sbom/dashboard.html", {
        "figures": figures, "urgent": urgent,
        "sboms": queries.sboms(request.user).filter(is_current=True)[:10],
        "charts": {"severity": charts.donut("Open findings by severity", severity_counts),
                   "trend": _trend_figure(figures["trend"])},
    })


@access.policy(access.SIGNED_IN)
@login_required
@require_http_methods(["GET", "POST"])
def sbom_list(request):
    """Every visible SBOM, and the upload form for people who may attach SBOMs to systems."""
    form = SbomUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        if not request.user.can_write:
            raise PermissionDenied("your role may not upload SBOMs")
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                sbom = actions.ingest_sbom(request.user, form.cleaned_data["system"], b"".join(upload.chunks()),
                                           upload.name, supplier=form.cleaned_data["supplier"],
                                           deliverable=form.cleaned_data["deliverable"])
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                messages.success(request, f"SBOM stored: {sbom.components.count()} components, "
                                          f"{sbom.findings.count()} findings.")
                return redirect("web:sbom-detail", pk=sbom.pk)
    rows = queries.sboms(request.user)
    if request.GET.get("all") != "1":
        rows = rows.filter(is_current=True)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "sbom/sbom_list.html", {"page": page, "form": form,
                                                   "may_upload": request.user.can_write})


@access.policy(access.owned(Sbom))
@login_required
@require_http_methods(["GET", "POST"])
def sbom_detail(request, pk):
    """One SBOM: NTIA check, reader warnings, diff, findings, dependency tree, VEX import."""
    sbom = get_object_or_404(queries.sboms(request.user), pk=pk)
    vex_form = VexUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not queries.sboms(request.user, "change").filter(pk=pk, is_current=True).exists():
            raise Http404("no such SBOM")
        if vex_form.is_valid():
            try:
                result = actions.import_vex(request.user, sbom.system,
                                            b"".join(vex_form.cleaned_data["file"].chunks()))
            except ValidationError as exc:
                vex_form.add_error("file", exc.messages)
            else:
                messages.success(request, f"VEX applied: {result['applied']} findings decided, "
                                          f"{len(result['unmatched'])} statements matched nothing here.")
                return redirect("web:sbom-detail", pk=pk)
    findings = FindingFilter(request.GET, queryset=Finding.objects.filter(sbom=sbom).with_priority().select_related(
        "component", "advisory"))
    return render(request, "sbom/sbom_detail.html", {
        "sbom": sbom, "findings": findings.qs[:500], "filter": findings, "tree": queries.dependency_tree(sbom),
        "vex_form": vex_form, "may_change": queries.sboms(request.user, "change").filter(pk=pk).exists(),
        "history": Sbom.objects.filter(system=sbom.system, pk__in=queries.sboms(request.user).values("pk"))
        .only("pk", "created", "subject", "is_current")[:20],
    })


@access.policy(access.owned(Sbom))
@login_required
def sbom_export(request, pk, fmt):
    """The SBOM's findings as SARIF 2.1.0 or CycloneDX VEX (JSON or XML)."""
    sbom = get_object_or_404(queries.sboms(request.user), pk=pk)
    rows = exports.rows_from_findings(
        Finding.objects.filter(sbom=sbom).select_related("component", "advisory").order_by(*PRIORITY_ORDER)
        .prefetch_related(Prefetch("decisions", queryset=FindingDecision.objects.order_by("-decided_at", "-pk"))))
    if fmt == "sarif":
        body, kind, name = exports.dumps(exports.sarif(rows, artifact=sbom.filename or "sbom")), \
            "application/sarif+json", f"sbom-{sbom.pk}.sarif"
    elif fmt in ("vex", "vex-xml"):
        encoding = "xml" if fmt == "vex-xml" else "json"
        body = exports.cyclonedx_vex(rows, subject=sbom.subject or str(sbom.system), subject_version=sbom.subject_version,
                                     encoding=encoding)
        kind, suffix = exports.VEX_ENCODINGS[encoding]
        name = f"sbom-{sbom.pk}.{suffix}"
    else:
        raise Http404("no such export")
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@access.policy(access.owned(Finding))
@login_required
@require_http_methods(["GET", "POST"])
def finding_detail(request, pk):
    """One finding: its advisory, the paths that bring the component in, the VEX decision history."""
    finding = get_object_or_404(queries.findings(request.user), pk=pk)
    may_change = queries.findings(request.user, "change").filter(pk=pk).exists()
    form = DecisionForm(request.POST or None, initial={"status": finding.status})
    if request.method == "POST":
        if not may_change:
            raise Http404("no such finding")
        if form.is_valid():
            try:
                actions.decide_finding(request.user, finding, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, f"{finding.vuln_id}: now {finding.get_status_display().lower()}.")
                return redirect("web:sbom-finding", pk=pk)
    return render(request, "sbom/finding_detail.html", {
        "finding": finding, "advisory": finding.advisory, "paths": queries.paths_to(finding.component),
        "decisions": finding.decisions.select_related("decided_by"), "form": form, "may_change": may_change,
        "kev": finding.kev, "other_systems": queries.findings(request.user).filter(
            advisory=finding.advisory, sbom__is_current=True).exclude(pk=pk)[:20],
    })


@access.policy(access.SIGNED_IN)
@login_required
def component_search(request):
    """Where is this library used across the portfolio, and in which versions?"""
    query = request.GET.get("q", "").strip()
    return render(request, "sbom/components.html", {
        "query": query, "usage": queries.component_usage(request.user, query, current_only=request.GET.get("all") != "1")
        if query else []})


@access.policy(access.SIGNED_IN)
@login_required
def sector(request):
    """For one vulnerability: which members, systems and business services are affected."""
    vuln = request.GET.get("vulnerability", "").strip()
    return render(request, "sbom/sector.html", {"vulnerability": vuln,
                                                "view": queries.sector_view(request.user, vuln) if vuln else None})


@access.policy(access.SIGNED_IN)
@login_required
def feeds(request):
    """Where the knowledge bases come from (OSV, KEV, EPSS, MITRE ATT&CK): each source, its address,
    when it was last fetched and imported, and how that went."""
    return render(request, "sbom/feeds.html", {"states": queries.feed_states()})
