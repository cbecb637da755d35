"""The threat-posture report on the web, for the hub's analysts and the supervisor: the same
report as ``forceb intel report``, as a page or as a PDF, for ``?quarter=2026Q3`` (default: the
current quarter)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse

from forceb.core import access
from forceb.core.choices import Role

from . import report

READERS = access.roles(Role.HUB_ANALYST, Role.SUPERVISOR)


def _built(request) -> report.PostureReport:
    text = request.GET.get("quarter", "")
    try:
        year, quarter = report.parse_quarter(text) if text else report.current_quarter()
    except ValueError as exc:
        raise Http404(str(exc)) from exc
    return report.build(year, quarter)


@access.policy(READERS)
@login_required
def posture(request):
    return HttpResponse(report.render_html(_built(request)))


@access.policy(READERS)
@login_required
def posture_pdf(request):
    built = _built(request)
    response = HttpResponse(report.render_pdf(built), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="forceb-threat-posture-{built.year}Q{built.quarter}.pdf"'
    return response
