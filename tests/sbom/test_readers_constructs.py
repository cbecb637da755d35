"""SBOM readers on constructs real generators emit: each test builds the smallest document showing one."""

from __future__ import annotations

import json

import pytest

from forceb.sbom import readers
from forceb.sbom.readers import SbomError, check_ntia, read_sbom

TV_HEAD = """SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: constructs
DocumentNamespace: https://example.org/constructs
Creator: Tool: hand
Created: 2025-03-01T10:00:00Z
"""


def test_tagvalue_package_without_download_location_is_kept():
    # Trivy's tag-value output has no PackageDownloadLocation; the library would drop every package.
    s = read_sbom(TV_HEAD + """
PackageName: zlib
SPDXID: SPDXRef-zlib
PackageVersion: 1.3
ExternalRef: PACKAGE-MANAGER purl pkg:deb/debian/zlib1g@1.3?arch=amd64

Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-zlib
""")
    assert [(c.ref, c.name, c.version, c.purl) for c in s.components] == [
        ("SPDXRef-zlib", "zlib", "1.3", "pkg:deb/debian/zlib1g@1.3?arch=amd64")
    ]
    assert s.root_refs == ("SPDXRef-zlib",)
    assert s.warnings == ()


def test_tagvalue_package_with_one_bad_line_keeps_the_rest():
    s = read_sbom(TV_HEAD + """
PackageName: left
SPDXID: SPDXRef-left
PackageVersion: NOASSERTION
PackageDownloadLocation: NOASSERTION
ExternalRef: PACKAGE-MANAGER purl pkg:npm/left@2.0.0
PackageLicenseDeclared: MIT

PackageName: right
SPDXID: SPDXRef-right
PackageVersion: 4.1
PackageDownloadLocation: NOASSERTION
PackageChecksum: SHA1 colon-missing
PackageChecksum: SHA256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08

Relationship: SPDXRef-left DEPENDS_ON SPDXRef-right
""")
    by_ref = {c.ref: c for c in s.components}
    assert set(by_ref) == {"SPDXRef-left", "SPDXRef-right"}
    assert by_ref["SPDXRef-left"].version is None and by_ref["SPDXRef-left"].purl == "pkg:npm/left@2.0.0"
    assert by_ref["SPDXRef-left"].licenses == ("MIT",)
    assert [h.alg for h in by_ref["SPDXRef-right"].hashes] == ["SHA256"]
    assert [(d.ref, d.depends_on) for d in s.dependencies] == [("SPDXRef-left", "SPDXRef-right")]
    assert any("SPDXRef-left" in w and "PackageVersion" in w and "Line: 11" in w for w in s.warnings)
    assert any("SPDXRef-right" in w and "PackageChecksum" in w for w in s.warnings)


def spdx_json(packages: list[dict], relationships: list[dict], **extra) -> str:
    doc = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "constructs",
        "documentNamespace": "https://example.org/constructs-json",
        "creationInfo": {"created": "2025-03-01T10:00:00Z", "creators": ["Tool: hand"]},
        "packages": packages,
        "relationships": relationships,
        **extra,
    }
    return json.dumps(doc)


def pkg(spdx_id: str, name: str, version: str | None = None, purl: str | None = None, **extra) -> dict:
    out = {"SPDXID": spdx_id, "name": name, "downloadLocation": "NOASSERTION", **extra}
    if version is not None:
        out["versionInfo"] = version
    if purl:
        out["externalRefs"] = [
            {"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": purl}
        ]
    return out


def rel(a: str, kind: str, b: str) -> dict:
    return {"spdxElementId": a, "relationshipType": kind, "relatedSpdxElement": b}


def test_spdx_static_and_dynamic_links_are_dependencies():
    s = read_sbom(spdx_json(
        [pkg("SPDXRef-app", "app", "1"), pkg("SPDXRef-libc", "libc", "2.36"), pkg("SPDXRef-zstd", "zstd", "1.5")],
        [rel("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-app"),
         rel("SPDXRef-app", "DYNAMIC_LINK", "SPDXRef-libc"),
         rel("SPDXRef-app", "STATIC_LINK", "SPDXRef-zstd"),
         rel("SPDXRef-app", "GENERATED_FROM", "SPDXRef-zstd")],
    ))
    assert {(d.ref, d.depends_on, d.kind) for d in s.dependencies} == {
        ("SPDXRef-app", "SPDXRef-libc", "dynamic_link"),
        ("SPDXRef-app", "SPDXRef-zstd", "static_link"),
    }
    assert check_ntia(s).as_dict()["elements"]["dependency relationship"]["ok"]


def test_spdx_noassertion_version_is_no_version():
    s = read_sbom(spdx_json([pkg("SPDXRef-a", "a", "NOASSERTION", "pkg:npm/a"), pkg("SPDXRef-b", "b", "0.9")], []))
    assert {c.ref: c.version for c in s.components} == {"SPDXRef-a": None, "SPDXRef-b": "0.9"}


CDX_XML = """<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
  <metadata>
    <tools>
      <components><component type="application"><name>builder</name><version>3.1</version></component></components>
      <services><service><name>scan-service</name></service></services>
    </tools>
  </metadata>
  <components>
    <component type="library" bom-ref="lib">
      <name>lib</name>
      <version>0.4</version>
      <authors><author><name>Jane Roe</name></author></authors>
      <manufacturer><name>Lib Makers</name></manufacturer>
    </component>
  </components>
</bom>"""


def test_cyclonedx_16_xml_authors_manufacturer_and_tool_services():
    s = read_sbom(CDX_XML)
    (lib,) = s.components
    assert (lib.author, lib.supplier) == ("Jane Roe", "Lib Makers")
    assert s.tools == ("builder 3.1", "scan-service")


def test_cyclonedx_16_json_manufacturer_is_the_supplier_when_none_is_named():
    s = read_sbom(json.dumps({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "components": [
            {"type": "library", "name": "made", "version": "1", "manufacturer": {"name": "Maker Ltd"}},
            {"type": "library", "name": "both", "version": "1", "manufacturer": {"name": "Maker Ltd"},
             "supplier": {"name": "Reseller"}},
        ],
    }))
    assert {c.name: c.supplier for c in s.components} == {"made": "Maker Ltd", "both": "Reseller"}


def test_cyclonedx_xml_without_namespace_is_read_with_a_warning():
    s = read_sbom('<bom version="1"><components><component type="library"><name>bare</name>'
                  "<version>2</version></component></components></bom>")
    assert [(c.name, c.version) for c in s.components] == [("bare", "2")]
    assert s.spec_version == ""
    assert any("without a spec version" in w for w in s.warnings)


def test_xml_bom_of_another_namespace_is_refused():
    with pytest.raises(SbomError, match="not a CycloneDX <bom>") as exc:
        read_sbom('<bom xmlns="urn:example:other"><components/></bom>')
    assert exc.value.where == "element bom"


TV_TWO_PACKAGES = TV_HEAD + """
PackageName: core
SPDXID: SPDXRef-core
PackageVersion: 5.0
PackageDownloadLocation: NOASSERTION
PackageLicenseDeclared: Apache-2.0
ExternalRef: PACKAGE-MANAGER purl pkg:maven/org.example/core@5.0

PackageName: util
SPDXID: SPDXRef-util
PackageVersion: 1.2
PackageDownloadLocation: NOASSERTION

Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-core
Relationship: SPDXRef-core DEPENDS_ON SPDXRef-util
"""


def test_tagvalue_with_windows_line_endings_reads_as_with_unix_ones():
    unix = read_sbom(TV_TWO_PACKAGES)
    windows = read_sbom(TV_TWO_PACKAGES.replace("\n", "\r\n").encode())
    assert windows.components == unix.components
    assert windows.components[0].licenses == ("Apache-2.0",)
    assert windows.dependencies == unix.dependencies == (
        readers.Dependency("SPDXRef-core", "SPDXRef-util", "depends_on"),
    )
    assert windows.timestamp == unix.timestamp is not None
    assert windows.warnings == unix.warnings == ()


@pytest.mark.parametrize("bad", ["Relationship:", "Relationship: <text>no ids</text>"])
def test_tagvalue_relationship_line_without_ids_is_a_warning_not_a_crash(bad):
    s = read_sbom(TV_TWO_PACKAGES + bad + "\n")
    assert {c.ref for c in s.components} == {"SPDXRef-core", "SPDXRef-util"}
    assert len(s.dependencies) == 1
    assert any("Relationship" in w and "Line: 23" in w for w in s.warnings)


def test_utf16_documents_with_a_byte_order_mark_are_read():
    doc = json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5",
                      "components": [{"type": "library", "name": "wide", "version": "1", "purl": "pkg:pypi/wide@1"}]})
    for raw in (doc.encode("utf-16"), doc.encode("utf-16-be").join([b"\xfe\xff", b""])):
        s = read_sbom(raw)
        assert [c.purl for c in s.components] == ["pkg:pypi/wide@1"]
        assert s.warnings[0].startswith("document is UTF-16")
    tv = read_sbom(TV_TWO_PACKAGES.replace("\n", "\r\n").encode("utf-16"))
    assert len(tv.components) == 2 and len(tv.dependencies) == 1
    xml = read_sbom(CDX_XML.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    assert [c.name for c in xml.components] == ["lib"]


@pytest.mark.parametrize(("raw", "problem"), [
    (b"", "the document is empty"),
    (b"  \r\n", "the document is empty"),
    (b"\xff\xfe{\x00\x00\xd8", "not UTF-16 text"),
])
def test_empty_or_broken_unicode_is_refused_by_name(raw, problem):
    with pytest.raises(SbomError, match=problem) as exc:
        read_sbom(raw)
    assert exc.value.where.startswith("byte")


def test_spdx_xml_is_refused_as_spdx():
    with pytest.raises(SbomError, match="SPDX XML is not supported") as exc:
        read_sbom("<Document><SPDXID>SPDXRef-DOCUMENT</SPDXID><spdxVersion>SPDX-2.3</spdxVersion></Document>")
    assert exc.value.where == "element Document"


def test_tagvalue_created_with_fractions_of_a_second_is_read_without_a_warning():
    s = read_sbom(TV_TWO_PACKAGES.replace("Created: 2025-03-01T10:00:00Z", "Created: 2025-03-01T10:00:00.123456Z"))
    assert s.timestamp is not None and s.timestamp.microsecond == 123456
    assert s.warnings == ()
    bad = read_sbom(TV_TWO_PACKAGES.replace("Created: 2025-03-01T10:00:00Z", "Created: yesterday"))
    assert bad.timestamp is None and any("'yesterday' is not ISO 8601" in w for w in bad.warnings)


def test_github_rest_api_answer_is_read_as_the_spdx_document_inside():
    inner = json.loads(spdx_json(
        [pkg("SPDXRef-repo", "acme/web", "main", "pkg:github/acme/web@main"),
         pkg("SPDXRef-npm-left-pad", "npm:left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0"),
         {"SPDXID": "SPDXRef-nameless", "downloadLocation": "NOASSERTION"}],
        [rel("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-repo"),
         rel("SPDXRef-repo", "DEPENDS_ON", "SPDXRef-npm-left-pad")],
    ))
    s = read_sbom(json.dumps({"sbom": inner}))
    assert s.format == "SPDX" and s.root_refs == ("SPDXRef-repo",)
    assert [c.purl for c in s.components] == ["pkg:github/acme/web@main", "pkg:npm/left-pad@1.3.0"]
    assert [(d.ref, d.depends_on) for d in s.dependencies] == [("SPDXRef-repo", "SPDXRef-npm-left-pad")]
    assert "/sbom/packages/2: component without a name; skipped" in s.warnings
    inner["packages"] = {}
    with pytest.raises(SbomError, match="'packages' must be a list") as exc:
        read_sbom(json.dumps({"sbom": inner}))
    assert exc.value.where == "/sbom/packages"


def test_cyclonedx_xml_dependencies_nested_inline_are_all_kept():
    s = read_sbom("""<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
  <components>
    <component type="application" bom-ref="app"><name>app</name></component>
    <component type="library" bom-ref="web"><name>web</name></component>
    <component type="library" bom-ref="codec"><name>codec</name></component>
    <component type="library" bom-ref="log"><name>log</name></component>
  </components>
  <dependencies>
    <dependency ref="app">
      <dependency ref="web"><dependency ref="codec"><dependency ref="log"/></dependency></dependency>
      <dependency ref="log"/>
    </dependency>
  </dependencies>
</bom>""")
    assert sorted((d.ref, d.depends_on) for d in s.dependencies) == [
        ("app", "log"), ("app", "web"), ("codec", "log"), ("web", "codec"),
    ]
    assert s.warnings == ()


def test_tagvalue_reference_categories_multiline_text_and_other_documents():
    s = read_sbom(TV_HEAD + """DocumentComment: <text>First line.
Second line: a colon inside text is no tag.
</text>

PackageName: one
SPDXID: SPDXRef-one
PackageVersion: 1
PackageDownloadLocation: NOASSERTION
PackageDescription: <text>several
lines</text>
ExternalRef: PACKAGE_MANAGER purl pkg:golang/example.org/one@v1.0.0#cmd/tool

PackageName: two
SPDXID: SPDXRef-two
PackageVersion: 2
PackageDownloadLocation: NOASSERTION
ExternalRef: PACKAGE-MANAGER purl pkg:maven/org.example/two@2?type=pom&classifier=dist

Relationship: SPDXRef-one DEPENDS_ON SPDXRef-two
Relationship: SPDXRef-one DEPENDS_ON DocumentRef-base:SPDXRef-three
""")
    assert [c.purl for c in s.components] == [
        "pkg:golang/example.org/one@v1.0.0#cmd/tool",
        "pkg:maven/org.example/two@2?classifier=dist&type=pom",
    ]
    assert [(d.ref, d.depends_on) for d in s.dependencies] == [("SPDXRef-one", "SPDXRef-two")]
    assert s.warnings == ("relationships: 1 dependency relationships name files or unknown elements; not kept",)


def test_in_toto_statement_is_read_by_its_predicate_and_a_dsse_envelope_is_refused():
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.5",
           "components": [{"type": "library", "name": "attested", "version": "3", "purl": "pkg:cargo/attested@3"},
                          {"type": "library"}]}
    statement = {"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://cyclonedx.org/bom",
                 "subject": [{"name": "image", "digest": {"sha256": "00" * 32}}], "predicate": bom}
    s = read_sbom(json.dumps(statement))
    assert [c.purl for c in s.components] == ["pkg:cargo/attested@3"]
    assert s.warnings[0].startswith("/predicate: predicate (https://cyclonedx.org/bom) of an in-toto statement")
    assert "/predicate/components/1: component without a name; skipped" in s.warnings
    statement["predicate"] = {"something": "else"}
    with pytest.raises(SbomError, match="neither CycloneDX") as exc:
        read_sbom(json.dumps(statement))
    assert exc.value.where == "/predicate"
    envelope = {"payloadType": "application/vnd.in-toto+json", "payload": "e30=", "signatures": [{"sig": "AA=="}]}
    with pytest.raises(SbomError, match="signed DSSE envelope") as exc:
        read_sbom(json.dumps(envelope))
    assert exc.value.where == "/payload"


def test_spdx_yaml_is_refused_as_spdx_yaml():
    with pytest.raises(SbomError, match="SPDX YAML is not supported") as exc:
        read_sbom("---\nSPDXID: SPDXRef-DOCUMENT\nspdxVersion: SPDX-2.3\npackages: []\n")
    assert exc.value.where == "line 3"
    with pytest.raises(SbomError, match="not a recognised SBOM"):
        read_sbom("name: not an sbom\n")


def test_cyclonedx_noassertion_and_none_licences_name_no_licence():
    s = read_sbom(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
        {"type": "library", "name": "a", "licenses": [{"license": {"name": "NOASSERTION"}}]},
        {"type": "library", "name": "b", "licenses": [{"expression": "NONE"}]},
        {"type": "library", "name": "c", "licenses": [{"license": {"id": "noassertion"}}, {"license": {"id": "BSD-3-Clause"}}]},
    ]}))
    assert {c.name: c.licenses for c in s.components} == {"a": (), "b": (), "c": ("BSD-3-Clause",)}
    xml = read_sbom('<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components>'
                    '<component type="library"><name>d</name><licenses><expression>NOASSERTION</expression>'
                    "</licenses></component></components></bom>")
    assert xml.components[0].licenses == ()


@pytest.mark.parametrize(("doc", "problem", "where"), [
    ({"artifacts": [], "schema": {"version": "16.0.0", "url": "https://raw.githubusercontent.com/anchore/syft/main/x"}},
     "Syft's own JSON", "/schema"),
    ({"SchemaVersion": 2, "ArtifactName": "img", "Results": []}, "a Trivy scan report", "/SchemaVersion"),
])
def test_scanner_reports_given_for_sboms_are_refused_with_the_way_out(doc, problem, where):
    with pytest.raises(SbomError, match=problem) as exc:
        read_sbom(json.dumps(doc))
    assert exc.value.where == where


def test_spdx_null_lists_are_empty_lists_but_an_object_is_refused():
    s = read_sbom(spdx_json([], [], files=None).replace('"packages": []', '"packages": null')
                  .replace('"relationships": []', '"relationships": null'))
    assert s.components == () and s.dependencies == ()
    with pytest.raises(SbomError, match="'packages' must be a list") as exc:
        read_sbom(spdx_json([], []).replace('"packages": []', '"packages": {}'))
    assert exc.value.where == "/packages"


def test_tagvalue_package_without_spdxid_is_kept_like_in_json():
    s = read_sbom(TV_TWO_PACKAGES.replace("SPDXID: SPDXRef-util\n", ""))
    util = next(c for c in s.components if c.name == "util")
    assert (util.ref, util.version) == ("util@1.2", "1.2")
    assert "package 1 (util): package without SPDXID; relationships cannot reach it" in s.warnings
    assert s.dependencies == ()
