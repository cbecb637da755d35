"""SBOM readers: formats, leniency with warnings, safe refusal of bad input, NTIA check, diff."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from packageurl import PackageURL

from forceb.sbom.readers import (
    SbomError,
    check_ntia,
    detect_format,
    diff,
    read_sbom,
    read_sbom_file,
)
from tests.conftest import shared_data

HERE = Path(__file__).parent / "data"


def shared_vuln() -> Path:
    return shared_data("vuln")


# --- our own fixtures ---------------------------------------------------------------------------


def test_cyclonedx_15_json():
    s = read_sbom_file(HERE / "cdx-1.5-app.json")
    raw = json.loads((HERE / "cdx-1.5-app.json").read_text())
    assert (s.format, s.encoding, s.spec_version) == ("CycloneDX", "json", "1.5")
    assert s.serial == raw["serialNumber"]
    assert s.name == "payments-api" and s.supplier == "Example Bank" and s.authors == ("Ops Team",)
    assert s.tools == ("hand-written 1",)
    assert s.timestamp is not None and s.timestamp.tzinfo is not None  # nanoseconds truncated, not refused
    refs = {c.ref for c in s.components}
    assert "lodash.merge" in refs  # nested components are read
    django = s.component("django")
    assert django.purl == "pkg:pypi/django@3.2.0" and django.ecosystem == "PyPI"
    assert django.licenses == ("BSD-3-Clause",) and django.hashes[0].alg == "SHA-256"
    assert s.component("angular-core").purl == "pkg:npm/%40angular/core@11.0.0"
    assert s.component("lodash").licenses == ("MIT",)
    assert ("lodash", "lodash.merge") in {(d.ref, d.depends_on) for d in s.dependencies}
    assert s.root_refs == ("app",)
    assert s.warnings == ()


def test_cyclonedx_16_xml():
    s = read_sbom_file(HERE / "cdx-1.6-service.xml")
    assert (s.format, s.encoding, s.spec_version) == ("CycloneDX", "xml", "1.6")
    assert s.supplier == "Example Bank" and s.authors == ("Platform Team",)
    gin = s.component("gin")
    assert gin.ecosystem == "Go" and gin.licenses == ("MIT",) and gin.supplier == "gin-gonic"
    docker = s.component("docker")
    assert docker.version == "v20.10.12+incompatible"
    assert PackageURL.from_string(docker.purl).version == "v20.10.12+incompatible"
    assert {(d.ref, d.depends_on) for d in s.dependencies} == {("svc", "gin"), ("svc", "requests"), ("gin", "docker")}


def test_spdx_23_json_is_read_leniently_with_warnings():
    s = read_sbom_file(HERE / "spdx-2.3-lenient.json")
    assert (s.format, s.encoding, s.spec_version) == ("SPDX", "json", "SPDX-2.3")
    assert s.serial == "https://example.org/spdx/batch-jobs-1"
    assert s.root_refs == ("SPDXRef-root",)
    assert s.authors == ("Example Bank",) and s.tools == ("hand-written",)
    names = {c.name for c in s.components}
    assert names == {"batch-jobs", "PyYAML", "Jinja2", "bad-purl"}
    assert s.component("SPDXRef-bad").purl is None
    assert s.component("SPDXRef-jinja").supplier is None  # NOASSERTION is not a supplier
    edges = {(d.ref, d.depends_on, d.kind) for d in s.dependencies}
    assert edges == {("SPDXRef-root", "SPDXRef-pyyaml", "depends_on"), ("SPDXRef-root", "SPDXRef-jinja", "runtime")}
    text = "\n".join(s.warnings)
    assert "/packages/1/checksums/0" in text  # empty checksum skipped, not fatal
    assert "/packages/3/purl: invalid purl" in text
    assert "/packages/4: component without a name" in text


def test_spdx_22_tag_value_through_spdx_tools_grammar():
    s = read_sbom_file(HERE / "spdx-2.2-tagvalue.spdx")
    assert (s.format, s.encoding, s.spec_version) == ("SPDX", "tag-value", "SPDX-2.2")
    assert s.timestamp is not None and s.timestamp.year == 2022  # nanosecond Created recovered
    gin = s.component("SPDXRef-gin")
    assert gin.purl == "pkg:golang/github.com/gin-gonic/gin@v1.5.0" and gin.licenses == ("MIT",)
    assert [(d.ref, d.depends_on) for d in s.dependencies] == [("SPDXRef-root", "SPDXRef-gin")]
    assert s.root_refs == ("SPDXRef-root",)


def test_format_detection():
    assert detect_format(b'  {"bomFormat": "CycloneDX"}') == ("json", "json")
    assert detect_format(b"\xef\xbb\xbf<bom/>") == ("xml", "xml")
    assert detect_format(b"SPDXVersion: SPDX-2.2\n") == ("SPDX", "tag-value")
    with pytest.raises(SbomError, match="not a recognised SBOM"):
        detect_format(b"hello")


# --- deliberately broken input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken-truncated.json", r"line 2 column 1: invalid JSON"),
        ("broken-wrong-schema.json", r"/components: 'components' must be a list"),
        ("broken-not-an-sbom.json", r"neither CycloneDX .* nor SPDX"),
        ("broken-billion-laughs.xml", r"XML refused for safety"),
        ("broken-xxe.xml", r"XML refused for safety"),
        ("broken-mismatched.xml", r"line 4 column \d+: invalid XML: mismatched tag"),
        ("broken-spdx3.spdx", r"SPDX 3.0 is not supported"),
    ],
)
def test_broken_inputs_raise_one_clear_error(name, message):
    with pytest.raises(SbomError, match=message) as info:
        read_sbom_file(HERE / name)
    assert name in str(info.value)


def test_entity_expansion_is_refused_even_without_a_dtd_keyword_in_the_root():
    bomb = (HERE / "broken-billion-laughs.xml").read_bytes()
    with pytest.raises(SbomError):
        read_sbom(bomb)
    assert b"&lol3;" in bomb  # the fixture really is an expansion attack


def test_size_and_depth_limits():
    with pytest.raises(SbomError, match="more than the limit"):
        read_sbom(b'{"bomFormat": "CycloneDX"}', max_bytes=10)
    deep = '{"bomFormat": "CycloneDX", "specVersion": "1.5", "metadata": {"x": ' + "[" * 200 + "]" * 200 + "}}"
    with pytest.raises(SbomError, match="nesting deeper than 64 levels") as info:
        read_sbom(deep)
    assert info.value.where.startswith("/metadata/x")
    very_deep = "[" * 200_000 + "]" * 200_000
    with pytest.raises(SbomError, match="nesting"):
        read_sbom(very_deep)
    xml = '<bom xmlns="http://cyclonedx.org/schema/bom/1.5">' + "<a>" * 100 + "</a>" * 100 + "</bom>"
    with pytest.raises(SbomError, match="nesting deeper"):
        read_sbom(xml)


def test_non_utf8_is_refused_with_position():
    with pytest.raises(SbomError, match="not UTF-8"):
        read_sbom(b'{"bomFormat": "\xff"}')


# --- NTIA minimum elements ----------------------------------------------------------------------


def test_ntia_reports_each_element():
    s = read_sbom_file(HERE / "cdx-1.6-service.xml")
    report = {e.element: e for e in check_ntia(s).elements}
    assert set(report) == {"supplier name", "component name", "version", "unique identifier",
                           "dependency relationship", "author", "timestamp"}
    assert not report["supplier name"].ok and report["supplier name"].missing == ("svc",)
    assert report["component name"].ok and report["version"].ok
    assert not report["unique identifier"].ok  # the root service has neither purl nor CPE
    assert report["dependency relationship"].ok and report["author"].ok and report["timestamp"].ok
    # fill the gaps and the report turns green
    fixed = replace(s, components=tuple(replace(c, supplier=c.supplier or "Example Bank",
                                                purl=c.purl or "pkg:generic/ledger-service@5.0.0")
                                        for c in s.components))
    assert check_ntia(fixed).ok


def test_ntia_without_author_timestamp_or_edges():
    s = read_sbom(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.4",
                              "components": [{"name": "a", "version": "1", "purl": "pkg:npm/a@1"}]}))
    report = {e.element: e for e in check_ntia(s).elements}
    assert not report["author"].ok and not report["timestamp"].ok and not report["dependency relationship"].ok
    assert report["unique identifier"].ok


# --- diff ---------------------------------------------------------------------------------------


def test_diff_added_removed_changed():
    old = read_sbom_file(HERE / "cdx-1.5-app.json")
    raw = json.loads((HERE / "cdx-1.5-app.json").read_text())
    raw["components"][0]["version"] = "3.2.19"
    raw["components"][0]["purl"] = "pkg:pypi/django@3.2.19"
    del raw["components"][2]  # angular
    raw["components"].append({"bom-ref": "pyyaml", "name": "PyYAML", "version": "6.0", "purl": "pkg:pypi/pyyaml@6.0"})
    new = read_sbom(json.dumps(raw))
    d = diff(old, new)
    assert [(a.version, b.version) for a, b in d.changed] == [("3.2.0", "3.2.19")]
    assert [c.name for c in d.added] == ["PyYAML"]
    assert [c.name for c in d.removed] == ["core"]
    assert diff(old, old).is_empty


def test_diff_with_several_versions_of_one_package():
    def doc(*versions):
        return read_sbom(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
            {"name": "lodash", "version": v, "purl": f"pkg:npm/lodash@{v}"} for v in versions]}))

    d = diff(doc("3.10.1", "4.17.4"), doc("4.17.4", "4.17.21"))
    assert [(a.version, b.version) for a, b in d.changed] == [("3.10.1", "4.17.21")]
    assert d.unchanged == 1 and not d.added and not d.removed


# --- real SBOMs and the official examples -------------------------------------------------------


def _raw_cdx_count(doc) -> int:
    def walk(items):
        return sum(1 + walk(c.get("components") or []) for c in items)

    root = (doc.get("metadata") or {}).get("component")
    return walk([root] if root else []) + walk(doc.get("components") or [])


def _real_files():
    root = shared_vuln() / "sbom-real"
    return sorted(p for p in root.rglob("*") if p.suffix in (".json", ".xml", ".spdx"))


@pytest.mark.slow
def test_real_sboms_all_22_read_or_refused_clearly():
    files = _real_files()
    assert len(files) == 22
    refused = []
    for path in files:
        try:
            s = read_sbom_file(path)
        except SbomError as exc:
            refused.append((path.name, str(exc)))
            continue
        if path.suffix == ".json":
            raw = json.loads(path.read_text())
            if s.format == "CycloneDX":
                assert len(s.components) == _raw_cdx_count(raw), path.name
                want = {PackageURL.from_string(c["purl"]).to_string() for c in raw.get("components", []) if c.get("purl")}
            else:
                assert len(s.components) == len(raw["packages"]), path.name
                want = {PackageURL.from_string(r["referenceLocator"]).to_string()
                        for p in raw["packages"] for r in p.get("externalRefs", []) if r["referenceType"] == "purl"}
            assert want <= set(s.purls()), path.name
        elif path.suffix == ".spdx":
            assert len(s.components) == path.read_text().count("\nPackageName:"), path.name
        else:
            assert len(s.components) == path.read_text().count("<component "), path.name
        assert s.timestamp is not None or s.format == "CycloneDX", path.name
    # bashrc2 is a scanner's output mislabelled as CycloneDX (SOURCE.md: malformed on purpose)
    assert [name for name, _ in refused] == ["bashrc2-sbom-cdx.json"]
    assert "neither CycloneDX" in refused[0][1]


@pytest.mark.slow
def test_official_examples_read():
    root = shared_vuln() / "sbom-examples"
    read = 0
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".json", ".xml", ".spdx") or "spdx3" in str(path) or "/spdx3.0/" in str(path):
            continue
        s = read_sbom_file(path)
        assert s.format in ("CycloneDX", "SPDX")
        read += 1
    assert read > 80
