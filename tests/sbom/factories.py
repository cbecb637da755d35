"""Rows of the SBOM capability for the isolation matrix (``tests/security/factories.py`` discovers
``register_security_factories`` here); each row carries the matrix's mark in a text field."""

from forceb.inventory.models import System
from forceb.sbom.models import Advisory, Component, Finding, Sbom


def register_security_factories():
    from tests.security.factories import factory

    @factory(Sbom)
    def _sbom(build, owner, mark):
        sbom = build.save(Sbom(owner=owner, system=build.make(System, owner), subject=f"sbom {mark}",
                               sha256="0" * 64, format="CycloneDX", encoding="json", spec_version="1.5"))
        Component.objects.create(sbom=sbom, ref="root", name=f"component of sbom {sbom.pk}")  # reached through it
        return sbom

    @factory(Finding)
    def _finding(build, owner, mark):
        # The component and the advisory carry no mark: advisories are public, and the mark must
        # show only where the finding itself is shown.
        sbom = build.make(Sbom, owner)
        number = Finding.objects.count() + 1
        component = Component.objects.create(sbom=sbom, ref=f"component-{number}", name=f"demo-{number}",
                                             version="1.0", purl=f"pkg:pypi/demo-{number}@1.0", ecosystem="PyPI",
                                             package=f"demo-{number}")
        advisory = Advisory.objects.create(osv_id=f"PYSEC-ISOLATION-{number}", digest=str(number))
        return build.save(Finding(owner=owner, sbom=sbom, component=component, advisory=advisory,
                                  vuln_id=advisory.osv_id, reason=f"finding {mark}"))
