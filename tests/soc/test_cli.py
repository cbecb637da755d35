"""``forceb soc ticket-import``: one ticket from a JSON file; a malformed one exits 2 naming the
problems and stores nothing."""

import io
import json
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from forceb.soc.management.commands.soc import Command
from forceb.soc.models import Ticket

from .conftest import document


@pytest.fixture(autouse=True)
def _connections_stay_open():
    """run_from_argv closes every connection when it ends, which on PostgreSQL would end the test's
    own transaction; the command behaves the same without that clean-up."""
    with mock.patch("django.core.management.base.connections.close_all"):
        yield


def write(tmp_path, payload) -> str:
    path = tmp_path / "ticket.json"
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload), encoding="utf-8")
    return str(path)


def exit_code(*args) -> tuple[int, str]:
    err = io.StringIO()
    try:
        Command(stdout=io.StringIO(), stderr=err).run_from_argv(["forceb", "soc", *args])
    except SystemExit as exc:
        return exc.code, err.getvalue()
    return 0, err.getvalue()


def test_imports_a_ticket(soc, tmp_path):
    out = io.StringIO()
    call_command("soc", "ticket-import", write(tmp_path, document(affected_services=["Online banking"])),
                 "--as", "bank-analyst", stdout=out)
    ticket = Ticket.objects.get()
    assert ticket.owner == soc.bank and ticket.affected_services.get().name == "Online banking"
    assert f"ticket #{ticket.pk} reported for bank-a" in out.getvalue()


def test_a_malformed_ticket_exits_2_naming_each_place(soc, tmp_path):
    path = write(tmp_path, document(tlp="PURPLE", observables=[{"type": "file", "hashes": {"SHA-256": "x"}}]))
    code, err = exit_code("ticket-import", path, "--as", "bank-analyst")
    assert code == 2
    assert "tlp: 'PURPLE' is not one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED" in err
    assert "observables[0].hashes.SHA-256: not a SHA-256 digest (64 hexadecimal digits)" in err
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(("payload", "username", "message"), [
    ("{not json", "bank-analyst", "not JSON"),
    (json.dumps(document()), "nobody", "--as: no active user 'nobody'"),
    (json.dumps(document()), "hub-analyst", "--as: incident tickets are reported by member institutions"),
])
def test_bad_input_and_bad_users_are_refused(soc, tmp_path, payload, username, message):
    with pytest.raises(CommandError):
        call_command("soc", "ticket-import", write(tmp_path, payload), "--as", username, stderr=io.StringIO())
    code, err = exit_code("ticket-import", write(tmp_path, payload), "--as", username)
    assert code == 2 and message in err
    assert not Ticket.objects.exists()


def test_reextract_applies_a_new_exclusion_to_stored_values(soc):
    from forceb.intel.models import CorrelationExclusion
    from forceb.soc import actions

    ticket = actions.submit_ticket(soc.bank_analyst, document())
    assert ticket.values.filter(value="secure-login-1.example").exists()
    CorrelationExclusion.objects.create(value="secure-login-1.example")
    out = io.StringIO()
    call_command("soc", "reextract", stdout=out)
    assert "1 ticket(s) extracted again" in out.getvalue()
    assert not ticket.values.filter(value="secure-login-1.example").exists()
    assert ticket.values.filter(kind="attack-pattern").exists()


def test_the_reextract_task_runs(soc):
    from forceb.soc import actions
    from forceb.soc.tasks import reextract_tickets_task

    actions.submit_ticket(soc.bank_analyst, document())
    assert reextract_tickets_task.enqueue().return_value == 1
