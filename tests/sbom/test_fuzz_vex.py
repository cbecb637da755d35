"""Fuzzing the VEX reader (XML above all, and JSON-shaped CycloneDX VEX and OpenVEX): whatever the
bytes, a VexDocument or one VexError with a message, never another exception."""

import json
import os
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forceb.sbom.choices import FindingStatus
from forceb.sbom.readers import SbomError, read_sbom
from forceb.sbom.vex import VexDocument, VexError, read_vex
from tests.mutation import mutate

SEEDS = [p.read_bytes() for p in sorted((Path(__file__).parent / "data" / "vex").glob("*.xml"))]
FUZZ = settings(max_examples=int(os.environ.get("FORCEB_FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def _outcome(data: bytes):
    try:
        document = read_vex(data)
    except VexError as exc:
        assert str(exc)
        return None
    assert isinstance(document, VexDocument)
    for statement in document.statements:
        assert statement.vulnerability and statement.status in FindingStatus.values and statement.where
    return document


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_after_an_angle_bracket(data):
    _outcome(b"<" + data)


@FUZZ
@given(st.sampled_from(SEEDS), st.data())
def test_mutated_fixtures(seed, data):
    """Flip, cut and splice bytes of the real and broken XML fixtures."""
    splices = [
        b"<", b">", b"</vulnerability>", b"<analysis>", b"&x;", b"&amp;", b"\x00", b"<![CDATA[x]]>",
        b"<!ENTITY a 'b'>", b"<!DOCTYPE bom>", b"<?pi x?>", b'xmlns="urn:x"', b"\xff\xfe"]
    _outcome(mutate(seed, data, splices))


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
_state = st.sampled_from(["resolved", "resolved_with_pedigree", "exploitable", "in_triage", "false_positive",
                          "not_affected", "", "maybe"])
_justification = st.sampled_from(["", "code_not_present", "code_not_reachable", "requires_environment", "nope"])


@st.composite
def _vulnerability(draw):
    parts = []
    if draw(st.booleans()):
        parts.append(f"<id>{escape(draw(_text))}</id>")
    if draw(st.booleans()):
        analysis = [f"<state>{draw(_state)}</state>"]
        if draw(st.booleans()):
            analysis.append(f"<justification>{draw(_justification)}</justification>")
        if draw(st.booleans()):
            analysis.append(f"<detail>{escape(draw(_text))}</detail>")
        parts.append(f"<analysis>{''.join(analysis)}</analysis>")
    targets = draw(st.lists(_text, max_size=3))
    if targets:
        parts.append("<affects>" + "".join(f"<target><ref>{escape(t)}</ref></target>" for t in targets) + "</affects>")
    refs = draw(st.lists(_text, max_size=2))
    if refs:
        parts.append("<references>" + "".join(f"<reference><id>{escape(r)}</id></reference>" for r in refs)
                     + "</references>")
    return f"<vulnerability>{''.join(draw(st.permutations(parts)))}</vulnerability>"


@FUZZ
@given(st.sampled_from(["1.3", "1.4", "1.5", "1.6", "1.7", "2.0"]), st.lists(_vulnerability(), max_size=5),
       st.lists(st.tuples(_text, _text), max_size=3))
def test_generated_cyclonedx_vex(spec, vulnerabilities, components):
    parts = "".join(f'<component type="library" bom-ref="{escape(r, {chr(34): "&quot;"})}"><name>x</name>'
                    f"<purl>{escape(p)}</purl></component>" for r, p in components)
    body = (f'<bom xmlns="http://cyclonedx.org/schema/bom/{spec}" version="1"><components>{parts}</components>'
            f"<vulnerabilities>{''.join(vulnerabilities)}</vulnerabilities></bom>")
    _outcome(body.encode())



@pytest.mark.parametrize("encoding", ["TF-8", "cp932", "x" * 300])
def test_an_encoding_expat_cannot_read_is_an_error_not_a_crash(encoding):
    """Found by the fuzzer; the SBOM reader shares the parser and the fix."""
    data = f'<?xml version="1.0" encoding="{encoding}"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>'.encode()
    with pytest.raises(VexError, match="line 1: the XML declaration names an encoding that cannot be read"):
        read_vex(data)
    with pytest.raises(SbomError, match="line 1: the XML declaration names an encoding that cannot be read"):
        read_sbom(data)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12),
                     lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children,
                                                                                        max_size=3), max_leaves=12)


@FUZZ
@given(st.lists(st.fixed_dictionaries({}, optional={
    "id": _json | st.text(max_size=8), "analysis": _json | st.fixed_dictionaries({}, optional={
        "state": _json | _state, "justification": _json | _justification, "detail": _json}),
    "affects": _json, "references": _json}), max_size=4), _json)
def test_generated_cyclonedx_vex_json(vulnerabilities, components):
    _outcome(json.dumps({"bomFormat": "CycloneDX", "vulnerabilities": vulnerabilities,
                         "components": components}).encode())


@FUZZ
@given(st.lists(st.fixed_dictionaries({}, optional={
    "vulnerability": _json, "status": _json | st.sampled_from(["fixed", "affected", "not_affected"]),
    "justification": _json, "products": _json, "impact_statement": _json}), max_size=4))
def test_generated_openvex(statements):
    _outcome(json.dumps({"@context": "https://openvex.dev/ns/v0.2.0", "statements": statements}).encode())
