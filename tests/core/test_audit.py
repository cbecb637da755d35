"""The audit trail: every change recorded with before and after, and a chain that detects tampering."""

import pytest
from django.core.management import call_command
from django.db import connection

from forceb.core import audit
from forceb.core.models import AuditEntry
from forceb.inventory.models import BusinessService


def _create_service(sector, name="Payments"):
    with audit.acting_as(sector.bank_admin):
        return BusinessService.objects.create(owner=sector.bank, name=name, criticality="critical")


def test_create_update_delete_are_recorded_with_before_and_after(sector):
    service = _create_service(sector)
    with audit.acting_as(sector.bank_admin):
        service.criticality = "high"
        service.save()
        service.delete()
    entries = list(AuditEntry.objects.filter(object_type="inventory.businessservice").order_by("seq"))
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert entries[0].actor == sector.bank_admin
    assert entries[1].before["criticality"] == "critical"
    assert entries[1].after["criticality"] == "high"
    assert entries[2].before["name"] == "Payments"


def test_password_hash_never_enters_the_trail(sector):
    entry = AuditEntry.objects.filter(object_type="core.user", object_id=str(sector.bank_admin.pk)).first()
    assert entry is not None
    assert "password" not in entry.after


def test_entries_cannot_be_changed_through_the_orm(sector):
    entry = AuditEntry.objects.order_by("seq").first()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="login")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_verify_passes_on_an_intact_chain(sector):
    _create_service(sector)
    report = audit.verify()
    assert report.intact
    assert report.entries == AuditEntry.objects.count()


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verify_names_the_altered_entry(sector):
    _create_service(sector)
    victim = AuditEntry.objects.order_by("seq")[3]
    _raw(f"UPDATE {AuditEntry._meta.db_table} SET object_repr = %s WHERE id = %s", ["forged", victim.pk])
    report = audit.verify()
    assert not report.intact
    assert report.first_bad_seq == victim.seq
    assert f"#{victim.seq}" in report.message and "altered" in report.message


def test_verify_names_a_removed_entry(sector):
    _create_service(sector)
    victim = AuditEntry.objects.order_by("seq")[2]
    _raw(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [victim.pk])
    report = audit.verify()
    assert not report.intact
    assert report.first_bad_seq == victim.seq
    assert "removed" in report.message


def test_verify_notices_a_truncated_tail(sector):
    last = AuditEntry.objects.order_by("-seq").first()
    _raw(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [last.pk])
    report = audit.verify()
    assert not report.intact
    assert report.first_bad_seq == last.seq


def test_cli_exit_code_follows_the_chain(sector, capsys):
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    victim = AuditEntry.objects.order_by("seq").first()
    _raw(f"UPDATE {AuditEntry._meta.db_table} SET action = %s WHERE id = %s", ["login", victim.pk])
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    assert f"#{victim.seq}" in capsys.readouterr().err
