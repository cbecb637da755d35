"""Fuzzing the readers: whatever the bytes, the answer is an Sbom or one SbomError, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forceb.sbom.readers import Sbom, SbomError, read_sbom
from tests.mutation import mutate

HERE = Path(__file__).parent / "data"
SEEDS = [p.read_bytes() for p in sorted(HERE.iterdir()) if p.suffix in (".json", ".xml", ".spdx")]

FUZZ = settings(max_examples=int(__import__("os").environ.get("FORCEB_FUZZ_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=30,
)
cdx_keys = st.sampled_from(["components", "dependencies", "metadata", "name", "version", "purl", "bom-ref",
                            "licenses", "hashes", "supplier", "ref", "dependsOn", "timestamp", "authors", "tools"])
spdx_keys = st.sampled_from(["packages", "relationships", "creationInfo", "SPDXID", "name", "versionInfo",
                             "externalRefs", "checksums", "supplier", "documentDescribes", "created", "creators"])


def _outcome(data):
    try:
        result = read_sbom(data)
    except SbomError as exc:
        assert str(exc)  # the message is never empty
        return None
    assert isinstance(result, Sbom)
    for c in result.components:
        assert isinstance(c.name, str) and c.name
        assert len({x.ref for x in result.components}) == len(result.components)  # refs stay unique
    return result


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    _outcome(data)


@FUZZ
@given(st.dictionaries(cdx_keys, json_values, max_size=6), st.sampled_from(["1.4", "1.5", "1.6", 1.5, None]))
def test_cyclonedx_shaped_json(body, spec):
    doc = {"bomFormat": "CycloneDX", "specVersion": spec, **body}
    _outcome(json.dumps(doc).encode())


@FUZZ
@given(st.dictionaries(spdx_keys, json_values, max_size=6), st.sampled_from(["SPDX-2.2", "SPDX-2.3", "SPDX-9"]))
def test_spdx_shaped_json(body, spec):
    _outcome(json.dumps({"spdxVersion": spec, **body}).encode())


@FUZZ
@given(st.sampled_from(SEEDS), st.data())
def test_mutated_fixtures(seed, data):
    """Flip, cut and splice bytes of the real fixtures (valid and broken ones)."""
    splices = [b"{", b"}", b"[", b"<", b">", b'"', b"&x;", b"\x00",
        b"<!ENTITY a 'b'>", b"PackageName: x\n", b"\n"]
    _outcome(mutate(seed, data, splices))


@FUZZ
@given(st.lists(st.sampled_from(["SPDXVersion: SPDX-2.2", "PackageName: p", "SPDXID: SPDXRef-p",
                                 "PackageVersion: 1", "Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-p",
                                 "Created: 2022-01-01T00:00:00Z", "Creator: Tool: t", "FileName: f",
                                 "ExternalRef: PACKAGE-MANAGER purl pkg:pypi/x@1", "PackageLicenseConcluded: (MIT",
                                 "garbage line", "PackageChecksum: SHA1: zz", ""]), max_size=25))
def test_tag_value_lines(lines):
    _outcome(("SPDXVersion: SPDX-2.2\n" + "\n".join(lines)).encode())
