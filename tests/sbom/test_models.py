"""Model invariants of the SBOM capability, and the demo seed that fills its pages."""

import pytest
from django.db import IntegrityError, transaction

from forceb.core import demo as core_demo
from forceb.sbom import actions
from forceb.sbom.models import Finding, Sbom
from tests.conftest import shared_data

from . import kb


def test_a_system_has_one_current_sbom(sector, tmp_path):
    kb.load(tmp_path)
    system = kb.system(sector.bank)
    first = actions.ingest_sbom(sector.bank_analyst, system, kb.cyclonedx(), "a")
    actions.ingest_sbom(sector.bank_analyst, system, kb.cyclonedx(), "b")
    with pytest.raises(IntegrityError), transaction.atomic():
        Sbom.objects.filter(pk=first.pk).update(is_current=True)
    assert str(first) == "payments-api (Payments API)"


def test_findings_default_order_is_the_ranking(sector, tmp_path):
    kb.load(tmp_path)
    sbom = actions.ingest_sbom(sector.bank_analyst, kb.system(sector.bank), kb.cyclonedx(), "a")
    ranked = Finding.objects.filter(sbom=sbom).with_priority()
    assert [f.priority for f in ranked] == [1, 2, 3]
    assert [f.vuln_id for f in ranked] == ["GO-TEST-3", "GHSA-test-2", "PYSEC-TEST-1"]
    # a rank counts every finding of the SBOM, whatever narrows the query around it
    assert ranked.get(vuln_id="PYSEC-TEST-1").priority == 3
    assert Finding.objects.filter(vuln_id="PYSEC-TEST-1").with_priority().get(sbom=sbom).priority == 3


@pytest.mark.slow
def test_demo_seed_gives_every_application_system_an_sbom_and_is_idempotent(db):
    shared_data("vuln", "osv")
    from forceb.inventory import demo as inventory_demo
    from forceb.sbom import demo

    context = core_demo.DemoContext(password="demo-password-123")
    core_demo.seed(context)
    inventory_demo.seed(context)
    demo.seed(context)
    sboms = Sbom.objects.filter(is_current=True)
    assert sboms.count() >= 60
    assert Finding.objects.filter(kev=True).exists() and Finding.objects.exclude(severity="unknown").exists()
    assert Sbom.objects.filter(is_current=False).exists()  # some systems show a diff to an earlier release
    before = (Sbom.objects.count(), Finding.objects.count())
    demo.seed(context)
    assert (Sbom.objects.count(), Finding.objects.count()) == before
