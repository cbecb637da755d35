"""SBOM readers on constructs real generators emit: each test builds the smallest document showing one."""

from __future__ import annotations

from forceb.sbom.readers import read_sbom

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
