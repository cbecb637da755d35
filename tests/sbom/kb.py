"""A small, hand-written knowledge base and SBOM for the Django-layer tests of the SBOM capability.

Three advisories whose ranking is known by construction: GO-TEST-3 is known exploited (KEV),
GHSA-test-2 has the higher EPSS, PYSEC-TEST-1 the higher CVSS. So the order is GO, GHSA, PYSEC.
"""

import json
from pathlib import Path

from forceb.core import actions as core_actions
from forceb.inventory.models import BusinessService, Dependency, System
from forceb.sbom import actions

CVSS_CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"  # 9.8
CVSS_HIGH = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"  # 7.5


def advisory(vid, ecosystem, name, fixed, *, aliases=(), cvss=None, introduced="0", withdrawn=None):
    record = {
        "id": vid, "modified": "2024-01-01T00:00:00Z", "aliases": list(aliases),
        "summary": f"test vulnerability {vid} in {name}",
        "affected": [{"package": {"ecosystem": ecosystem, "name": name},
                      "ranges": [{"type": "ECOSYSTEM" if ecosystem == "PyPI" else "SEMVER",
                                  "events": [{"introduced": introduced}, {"fixed": fixed}]}]}],
    }
    if cvss:
        record["severity"] = [{"type": "CVSS_V3", "score": cvss}]
    if withdrawn:
        record["withdrawn"] = withdrawn
    return record


ADVISORIES = [
    advisory("PYSEC-TEST-1", "PyPI", "Django", "3.2.5", aliases=["CVE-2099-0001"], cvss=CVSS_CRITICAL),
    advisory("GHSA-test-2", "npm", "lodash", "4.17.21", aliases=["CVE-2099-0002"], cvss=CVSS_HIGH),
    advisory("GO-TEST-3", "Go", "github.com/gin-gonic/gin", "1.6.0", aliases=["CVE-2099-0003"]),
    advisory("PYSEC-TEST-4", "PyPI", "requests", "2.0.0", aliases=["CVE-2099-0004"]),  # nobody uses 1.x
]
KEV = {"catalogVersion": "2099.01.01", "dateReleased": "2099-01-01T00:00:00Z", "vulnerabilities": [
    {"cveID": "CVE-2099-0003", "vendorProject": "gin", "product": "gin", "vulnerabilityName": "test",
     "dateAdded": "2099-01-01", "dueDate": "2099-01-22", "knownRansomwareCampaignUse": "Known",
     "requiredAction": "upgrade"}]}
EPSS = "#model_version:v2025.03.14,score_date:2099-01-02T00:00:00Z\ncve,epss,percentile\n" \
       "CVE-2099-0001,0.10000,0.50000\nCVE-2099-0002,0.90000,0.99000\n"


def write_feeds(folder: Path, advisories=None) -> Path:
    """OSV JSONL, KEV JSON and EPSS CSV in ``folder``, as an air-gapped site would copy them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "osv.jsonl").write_text("\n".join(json.dumps(a) for a in (advisories or ADVISORIES)) + "\n")
    (folder / "known_exploited_vulnerabilities.json").write_text(json.dumps(KEV))
    (folder / "epss.csv").write_text(EPSS)
    return folder


def load(tmp_path: Path):
    return actions.import_feeds(write_feeds(tmp_path / "feeds"))


def cyclonedx(name="payments-api", django="3.2.0", lodash="4.17.15", gin="1.5.0", extra=()):
    """A CycloneDX 1.5 SBOM: django, lodash, gin (vulnerable at the defaults), a Debian package
    (an ecosystem the knowledge base does not cover) and a component without purl."""
    components = [
        {"bom-ref": "django", "type": "library", "name": "Django", "version": django,
         "purl": f"pkg:pypi/django@{django}", "supplier": {"name": "DSF"}},
        {"bom-ref": "lodash", "type": "library", "name": "lodash", "version": lodash,
         "purl": f"pkg:npm/lodash@{lodash}", "licenses": [{"license": {"id": "MIT"}}]},
        {"bom-ref": "gin", "type": "library", "name": "gin", "version": gin,
         "purl": f"pkg:golang/github.com/gin-gonic/gin@v{gin}"},
        {"bom-ref": "openssl", "type": "library", "name": "openssl", "version": "3.0.2-0ubuntu1",
         "purl": "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1"},
        {"bom-ref": "vendored", "type": "library", "name": "vendored-thing", "version": "1.0"},
        *extra,
    ]
    return json.dumps({
        "bomFormat": "CycloneDX", "specVersion": "1.5", "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {"timestamp": "2024-05-01T10:00:00Z", "authors": [{"name": "Bank A build"}],
                     "component": {"bom-ref": "app", "type": "application", "name": name, "version": "1.0"}},
        "components": components,
        "dependencies": [{"ref": "app", "dependsOn": ["django", "lodash", "vendored"]},
                         {"ref": "django", "dependsOn": ["gin"]}, {"ref": "lodash", "dependsOn": ["openssl"]}],
    }).encode()


def system(owner, name="Payments API", criticality="critical"):
    """A system with a business service depending on it."""
    sys_ = core_actions.save_object(System(owner=owner, name=name))
    service = core_actions.save_object(BusinessService(owner=owner, name=f"{name} service", criticality=criticality))
    core_actions.save_object(Dependency(owner=owner, source_service=service, target_system=sys_))
    return sys_
