"""The demo sector's SBOMs: the knowledge base from ``../shared/data/vuln`` when present, and a
CycloneDX SBOM of real open-source packages for the application systems of every member.

Package versions are drawn per member (``context.rng_for``), so some members run vulnerable
versions and others fixed ones, and a few systems carry packages in CISA's KEV catalogue (salt,
apache-airflow, pyspark, wazuh), so the dashboards and the sector view have something to show.
Seeding is idempotent: a system that already has an SBOM is left alone.
"""

import json
from pathlib import Path

from django.conf import settings

from forceb.inventory.models import System

from . import actions
from .models import Advisory, Sbom

# (purl type, namespace/name, versions to draw from: older, often vulnerable, first)
PROFILES = {
    "web": [
        ("pypi", "django", ["3.2.0", "4.2.11", "5.0.6"]),
        ("pypi", "requests", ["2.19.0", "2.31.0"]),
        ("pypi", "jinja2", ["2.10", "3.1.4"]),
        ("pypi", "urllib3", ["1.24.1", "2.2.2"]),
        ("pypi", "pyyaml", ["5.3", "6.0.1"]),
        ("npm", "lodash", ["4.17.15", "4.17.21"]),
        ("npm", "handlebars", ["4.0.0", "4.7.8"]),
        ("npm", "marked", ["0.3.5", "4.3.0"]),
        ("npm", "express", ["4.18.2"]),
        ("npm", "react", ["17.0.2", "18.2.0"]),
        ("deb", "debian/openssl", ["3.0.11-1~deb12u2"]),
    ],
    "go": [
        ("golang", "github.com/gin-gonic/gin", ["v1.5.0", "v1.9.1"]),
        ("golang", "golang.org/x/net", ["v0.0.0-20210405180319-a5a99cb37ef4", "v0.23.0"]),
        ("golang", "golang.org/x/crypto", ["v0.0.0-20200622213623-75b288015ac9", "v0.21.0"]),
        ("golang", "github.com/dgrijalva/jwt-go", ["v3.2.0+incompatible"]),
        ("golang", "google.golang.org/grpc", ["v1.50.0", "v1.63.2"]),
        ("golang", "github.com/sirupsen/logrus", ["v1.8.1", "v1.9.3"]),
        ("golang", "gopkg.in/yaml.v2", ["v2.2.2", "v2.4.0"]),
        ("golang", "stdlib", ["v1.20.0", "v1.22.3"]),
        ("apk", "alpine/busybox", ["1.36.1-r15"]),
    ],
    "security": [
        ("pypi", "salt", ["3000.1", "3006.8"]),
        ("pypi", "apache-airflow", ["1.10.10", "2.9.1"]),
        ("pypi", "pyspark", ["3.2.1", "3.5.1"]),
        ("golang", "github.com/wazuh/wazuh", ["v4.5.0+incompatible", "v4.9.1+incompatible"]),
        ("pypi", "cryptography", ["3.2", "42.0.7"]),
        ("rpm", "redhat/openssl", ["3.0.7-27.el9"]),
    ],
    "enterprise": [
        ("maven", "org.springframework/spring-core", ["5.3.20"]),
        ("maven", "com.fasterxml.jackson.core/jackson-databind", ["2.13.3"]),
        ("pypi", "requests", ["2.19.0", "2.31.0"]),
        ("pypi", "pillow", ["8.0.0", "10.3.0"]),
        ("pypi", "flask", ["0.12", "3.0.3"]),
        ("npm", "lodash", ["4.17.15", "4.17.21"]),
    ],
}
SYSTEM_PROFILES = {
    "Internet banking platform": "web", "Customer portal": "web", "Open banking API gateway": "web",
    "Mobile banking backend": "go", "Mobile trading backend": "go", "Wallet platform": "go", "Top-up gateway": "go",
    "Security monitoring (SIEM)": "security", "Identity and access management": "security",
    "Payment gateway": "enterprise", "Claims platform": "enterprise", "Trading platform": "enterprise",
    "Policy administration system": "enterprise", "Merchant acquiring switch": "enterprise",
}


def seed(context) -> None:
    """Load the knowledge base if it is empty, then give each application system an SBOM."""
    _knowledge_base(context)
    systems = list(System.objects.filter(owner__in=context.members, name__in=SYSTEM_PROFILES)
                   .exclude(pk__in=Sbom.objects.values("system_id")).select_related("owner").order_by("owner", "name"))
    for done, system in enumerate(systems, start=1):
        rng = context.rng_for(f"sbom:{system.owner.slug}:{system.name}")
        profile = PROFILES[SYSTEM_PROFILES[system.name]]
        if rng.random() < 0.3:
            # An earlier release first: the SBOM page then shows what the current one changed.
            older = [(t, n, versions[:1]) for t, n, versions in profile]
            actions.ingest_sbom(None, system, cyclonedx(system, older, rng, release="1.0"), "release-1.0.cdx.json")
        document = cyclonedx(system, profile, rng, release="1.1")
        actions.ingest_sbom(None, system, document, "release-1.1.cdx.json")
        context.progress("SBOMs", done, len(systems))


def _knowledge_base(context) -> None:
    if Advisory.objects.exists():
        return
    folder = Path(settings.FORCEB_SHARED_DATA) / "vuln"
    for part in ("osv", "kev", "epss"):
        if (folder / part).is_dir():
            actions.import_feeds(folder / part, lambda label, done, total: context.progress(
                "knowledge base", done, total or done), rematch=False)


def cyclonedx(system, profile, rng, *, release: str) -> bytes:
    """A CycloneDX 1.5 SBOM of ``system``'s application, with versions drawn from ``profile``."""
    app_ref = f"app:{system.owner.slug}:{system.pk}"
    components, refs = [], []
    for purl_type, name, versions in profile:
        version = rng.choice(versions)
        namespace, _, short = name.rpartition("/")
        purl = f"pkg:{purl_type}/{namespace + '/' if namespace else ''}{short}@{version}"
        ref = purl
        refs.append(ref)
        components.append({"bom-ref": ref, "type": "library", "name": short, "version": version, "purl": purl,
                           "supplier": {"name": f"{short} maintainers"}})
    direct, transitive = refs[: len(refs) // 2 + 1], refs[len(refs) // 2 + 1:]
    return json.dumps({
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {"timestamp": "2025-05-01T09:00:00Z", "authors": [{"name": f"{system.owner.name} build pipeline"}],
                     "component": {"bom-ref": app_ref, "type": "application", "name": system.name,
                                   "version": release, "supplier": {"name": system.owner.name}}},
        "components": components,
        "dependencies": [{"ref": app_ref, "dependsOn": direct},
                         {"ref": direct[0], "dependsOn": transitive}],
    }).encode()
