"""``forceb resilience``: the JSON shape of simulate, export, import and their exit codes."""

import io
import json
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from forceb.resilience.management.commands.resilience import Command
from forceb.resilience.models import BusinessImpactAnalysis, Scenario

from .factories import small_sector

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("resilience", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _connections_stay_open():
    """run_from_argv closes every connection when it ends, which on PostgreSQL would end the test's
    own transaction; the command behaves the same without that clean-up."""
    with mock.patch("django.core.management.base.connections.close_all"):
        yield


def exit_code(*args) -> int:
    """The status the ``forceb`` command exits with."""
    try:
        Command(stdout=io.StringIO(), stderr=io.StringIO()).run_from_argv(["forceb", "resilience", *args])
    except SystemExit as exc:
        return exc.code
    return 0


@pytest.fixture
def library(sector):
    small_sector(sector)
    run("import", "--defaults")
    return sector


def test_simulate_json_gives_each_service_breached_time_data_and_reasons(library):
    out, _ = run("simulate", "--scenario", "ransomware", "--org", "bank-a", "--format", "json")
    result = json.loads(out)
    assert result["scenario"] == "ransomware"
    [payments] = result["services"]
    assert payments["name"] == "Payments"
    assert payments["breached"] is True
    assert payments["time_to_recover_minutes"] == 180
    assert payments["data_lost_minutes"] == 60
    assert any(r["kind"] == "restored_from_layer" for r in payments["reasons"])


def test_simulate_without_org_covers_the_sector(library):
    out, _ = run("simulate", "--scenario", "core-banking-vendor-outage", "--format", "json")
    services = {s["name"]: s for s in json.loads(out)["services"]}
    assert set(services) == {"Payments", "Claims"}
    # Vendor out for its longest evidenced recovery (720 min): both critical services breach.
    assert services["Claims"]["breached"] is True and services["Payments"]["breached"] is True
    assert all(isinstance(s["breached"], bool) for s in services.values())


def test_simulate_table_names_the_services(library):
    out, _ = run("simulate", "--scenario", "ransomware", "--org", "bank-a")
    assert "bank-a/Payments" in out and "RTO, RPO" in out


def test_unknown_scenario_or_org_exits_2(library):
    assert exit_code("simulate", "--scenario", "no-such", "--org", "bank-a") == 2
    assert exit_code("simulate", "--scenario", "ransomware", "--org", "nobody") == 2
    with pytest.raises(CommandError, match="nothing was changed"):
        run("simulate", "--scenario", "no-such")


def test_export_lists_named_scenarios_and_bias_and_imports_back(library, tmp_path):
    run("import", "--defaults")
    from forceb.resilience import actions
    actions.record_bia(None, library_services(library)["Payments"],
                       impacts=[{"at_minutes": 60, "customers": 2}, {"at_minutes": 240, "customers": 4}],
                       rto_minutes=120, rpo_minutes=15)
    out, _ = run("export")
    document = json.loads(out)
    names = [s["name"] for s in document["scenarios"]]
    assert "ransomware" in names and all(isinstance(n, str) for n in names)
    [bia] = document["bias"]
    assert bia["service"] == "bank-a/Payments" and bia["impact_tolerance_minutes"] == 240
    path = tmp_path / "library.json"
    path.write_text(out)
    before = Scenario.objects.count()
    out, _ = run("import", str(path))
    assert Scenario.objects.count() == before  # same names: updated in place
    assert BusinessImpactAnalysis.objects.filter(service__name="Payments").count() == 2


def library_services(sector):
    from forceb.inventory.models import BusinessService
    return {s.name: s for s in BusinessService.objects.filter(owner=sector.bank)}


@pytest.mark.parametrize("document, named", [
    ({"scenarios": [{"name": "x", "effects": [{"type": "supplier_outage", "suppliers": ["tax-id:404"]}]}]},
     "scenario x: effects[0].suppliers: no supplier 'tax-id:404'"),
    ({"scenarios": [{"name": "dup", "effects": [{"type": "telecom_outage"}]},
                    {"name": "dup", "effects": [{"type": "telecom_outage"}]}]}, "scenario dup"),
    ({"scenarios": [{"name": "neg", "duration_minutes": -5, "effects": [{"type": "telecom_outage"}]}]},
     "scenario neg"),
    ({"scenarios": [], "bias": [{"service": "bank-a/Payments", "rto_minutes": -1}]},
     "bias[0] (bank-a/Payments): rto_minutes: negative time -1"),
    ({"scenarios": [], "bias": [{"service": "bank-a/Nothing"}]}, "bias[0] (bank-a/Nothing)"),
])
def test_bad_import_exits_2_names_the_item_and_stores_nothing(library, tmp_path, document, named):
    # A valid scenario travels with the bad item: it must not be stored either.
    document["scenarios"].append({"name": "valid-one", "effects": [{"type": "telecom_outage"}]})
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    scenarios, bias = Scenario.objects.count(), BusinessImpactAnalysis.objects.count()
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        Command(stdout=io.StringIO(), stderr=err).run_from_argv(["forceb", "resilience", "import", str(path)])
    assert exited.value.code == 2
    assert named in err.getvalue()
    assert (Scenario.objects.count(), BusinessImpactAnalysis.objects.count()) == (scenarios, bias)
    assert not Scenario.objects.filter(name="valid-one").exists()


def test_import_of_a_missing_or_malformed_file_exits_2(library, tmp_path):
    assert exit_code("import", str(tmp_path / "absent.json")) == 2
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert exit_code("import", str(broken)) == 2
