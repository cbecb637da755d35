"""Web pages of the Joint Defense SOC: the ticket list (with the sector's figures for the hub and
the supervisor), reporting a ticket, one ticket with its values and correlations, and the hub's
triage. Reads go through ``queries``, writes through ``actions``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from forceb.core import access
from forceb.core.choices import Role

from . import actions, queries
from .filters import TicketFilter
from .forms import TicketForm, TriageForm
from .models import Ticket

REPORTERS = (Role.MEMBER_ADMIN, Role.MEMBER_ANALYST)


@access.policy(access.SIGNED_IN)
@login_required
def ticket_list(request):
    """Tickets the person may see, filtered; the sector's (or the institution's) figures above."""
    filters = TicketFilter(request.GET or None, queryset=queries.tickets(request.user))
    found = filters.qs if filters.is_bound and filters.is_valid() else queries.tickets(request.user)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(request, "soc/ticket_list.html", {
        "page": page, "filter_form": filters.form, "summary": queries.summary(request.user),
        "may_report": request.user.role in REPORTERS})


@access.policy(access.roles(*REPORTERS))
@login_required
def ticket_new(request):
    form = TicketForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = actions.submit_ticket(request.user, form.document())
        except ValidationError as exc:
            for where, problems in exc.message_dict.items():
                for problem in problems:
                    form.add_error(None, f"{where}: {problem}")
        else:
            messages.success(request, f"Ticket reported to the Joint Defense SOC: {ticket.title}")
            return redirect("web:soc-ticket", pk=ticket.pk)
    return render(request, "soc/ticket_form.html", {"form": form})


@access.policy(access.owned(Ticket))
@login_required
def ticket_detail(request, pk):
    ticket = queries.ticket(request.user, pk)
    if ticket is None:
        raise Http404("no such ticket")
    correlations = queries.correlations(request.user, ticket)
    may_triage = request.user.role == Role.HUB_ANALYST
    triage = TriageForm(initial={"status": ticket.status, "priority": ticket.priority,
                                 "note": ticket.triage_note}) if may_triage else None
    return render(request, "soc/ticket_detail.html", {
        "ticket": ticket, "correlations": [c for c in correlations if c.linked],
        "unlinked": [c for c in correlations if not c.linked], "triage": triage,
        "services": ticket.affected_services.all(), "systems": ticket.affected_systems.all()})


@access.policy(access.roles(Role.HUB_ANALYST))
@login_required
@require_POST
def ticket_triage(request, pk):
    ticket = queries.ticket(request.user, pk)
    if ticket is None:
        raise Http404("no such ticket")
    form = TriageForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect("web:soc-ticket", pk=ticket.pk)
    data = form.cleaned_data
    actions.triage_ticket(request.user, ticket, status=data["status"], priority=data["priority"], note=data["note"])
    messages.success(request, f"Triaged: {ticket.get_status_display()}, {ticket.priority or 'no priority'}")
    return redirect("web:soc-ticket", pk=ticket.pk)
