"""Read VEX documents (CycloneDX VEX in JSON or XML, OpenVEX) into plain statements, and tell
which findings they speak of.

A statement names a vulnerability (and maybe its aliases), what it is about (purls, bom-refs,
or the product the SBOM describes) and a status in the platform's words, translated from either
vocabulary with the tables of :mod:`forceb.sbom.choices`. JSON is parsed with the standard
library, XML as the SBOM reader parses it (defusedxml: no DTD, no entities, bounded depth); both
are bounded in size, and anything unreadable raises :class:`VexError` naming the place.
"""

import json
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from packageurl import PackageURL

from .choices import (
    FROM_CYCLONEDX_STATE,
    FROM_OPENVEX_JUSTIFICATION,
    FROM_OPENVEX_STATUS,
    DecisionSource,
    Justification,
)
from .readers import SbomError, parse_xml

MAX_BYTES = 32 * 1024 * 1024


class VexError(ValueError):
    """A VEX document that cannot be read; the message names the problem and where."""


@dataclass(frozen=True)
class Statement:
    vulnerability: str
    status: str  # a FindingStatus value
    aliases: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()  # purls or bom-refs; empty: the whole document's subject
    subcomponents: tuple[str, ...] = ()  # OpenVEX: narrows a product statement to these components
    justification: str = ""  # a Justification value
    detail: str = ""
    where: str = ""  # the statement's place in its document, for messages


@dataclass(frozen=True)
class VexDocument:
    source: str  # DecisionSource.CYCLONEDX_VEX or DecisionSource.OPENVEX
    statements: tuple[Statement, ...] = field(default_factory=tuple)


def read_vex(payload: bytes | str) -> VexDocument:
    """Read a CycloneDX VEX (JSON or XML) or OpenVEX document."""
    if isinstance(payload, str):
        payload = payload.encode()
    if len(payload) > MAX_BYTES:
        raise VexError(f"document is {len(payload)} bytes, more than the limit of {MAX_BYTES}")
    if payload.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        return _cyclonedx_xml(payload)
    try:
        doc = json.loads(payload.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise VexError(f"byte {exc.start}: not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise VexError(f"line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}") from exc
    except RecursionError as exc:
        raise VexError("JSON nested too deeply") from exc
    if not isinstance(doc, dict):
        raise VexError("/: a VEX document is a JSON object")
    if doc.get("bomFormat") == "CycloneDX":
        return _cyclonedx(doc)
    context = doc.get("@context")
    if isinstance(context, str) and "openvex" in context:
        return _openvex(doc)
    raise VexError("/: neither CycloneDX VEX (bomFormat) nor OpenVEX (@context openvex.dev)")


def _list(value) -> list:
    # Optional lists of a document that does not follow its schema are read as empty, not iterated.
    return value if isinstance(value, list) else []


def _after_hash(ref: str) -> str:
    # A BOM-Link (urn:cdx:serial/version#bom-ref) names a component of another document by its bom-ref.
    return ref.split("#", 1)[1] if ref.startswith("urn:cdx:") and "#" in ref else ref


def _purls_by_ref(doc: dict) -> dict[str, str]:
    """bom-ref -> purl of the document's own components: its statements name them by bom-ref,
    which means nothing in another SBOM, while the purl does."""
    out, stack = {}, list(_list(doc.get("components")))
    while stack:
        c = stack.pop()
        if not isinstance(c, dict):
            continue
        if isinstance(c.get("bom-ref"), str) and isinstance(c.get("purl"), str):
            out[c["bom-ref"]] = c["purl"]
        stack.extend(_list(c.get("components")))
    return out


def _cyclonedx(doc: dict, place=lambda i: f"/vulnerabilities/{i}") -> VexDocument:
    """Statements of a CycloneDX VEX; ``place(i)`` names the i-th vulnerability in messages
    (a JSON pointer, or an element path when the document was XML)."""
    vulns = doc.get("vulnerabilities")
    if not isinstance(vulns, list):
        raise VexError("/vulnerabilities: a CycloneDX VEX needs a list of vulnerabilities")
    purls = _purls_by_ref(doc)
    statements = []
    for i, v in enumerate(vulns):
        where = place(i)
        if not isinstance(v, dict) or not isinstance(v.get("id"), str) or not v["id"].strip():
            raise VexError(f"{where}: a vulnerability needs an id")
        analysis = v.get("analysis") if isinstance(v.get("analysis"), dict) else {}
        state = analysis.get("state")
        if state is None:
            continue  # no analysis: nothing is stated about it
        if not isinstance(state, str) or state not in FROM_CYCLONEDX_STATE:
            raise VexError(f"{where}/analysis/state: unknown state {state!r}")
        justification = analysis.get("justification") or ""
        if justification and (not isinstance(justification, str) or justification not in Justification.values):
            raise VexError(f"{where}/analysis/justification: unknown justification {justification!r}")
        detail = analysis.get("detail") if isinstance(analysis.get("detail"), str) else ""
        if state == "false_positive":
            detail = detail or "false positive"
        refs = [_after_hash(a["ref"]) for a in _list(v.get("affects"))
                if isinstance(a, dict) and isinstance(a.get("ref"), str)]
        targets = tuple(purls.get(ref, ref) for ref in refs)
        aliases = tuple(r["id"] for r in _list(v.get("references")) if isinstance(r, dict) and isinstance(r.get("id"), str))
        statements.append(Statement(v["id"], FROM_CYCLONEDX_STATE[state], aliases, targets, (), justification, detail,
                                    where))
    return VexDocument(DecisionSource.CYCLONEDX_VEX, tuple(statements))


_CDX_NAMESPACE = re.compile(r"^http://cyclonedx\.org/schema/bom/1\.(\d+)$")


def _cyclonedx_xml(payload: bytes) -> VexDocument:
    """A CycloneDX VEX in XML (1.4 onwards, where vulnerabilities joined the core schema): its
    elements are gathered into the shape of the JSON document, so both are judged by one set of rules."""
    try:
        root = parse_xml(payload)
    except SbomError as exc:
        raise VexError(str(exc)) from exc
    ns, _, local = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    found = _CDX_NAMESPACE.match(ns)
    if local != "bom" or found is None:
        raise VexError(f"element {local}: the root of a CycloneDX VEX in XML is <bom> in the namespace "
                       f"http://cyclonedx.org/schema/bom/1.x, found {ns or 'no namespace'}")
    if int(found.group(1)) < 4:
        raise VexError(f"/bom/@xmlns: CycloneDX 1.{found.group(1)} has no vulnerabilities; VEX needs 1.4 or later")

    def q(name: str) -> str:
        return f"{{{ns}}}{name}"

    def text(el: Element | None, name: str) -> str | None:
        value = el.findtext(q(name)) if el is not None else None
        return value.strip() if value is not None and value.strip() else None

    def component(el: Element) -> dict:
        nested = el.find(q("components"))
        return {"bom-ref": el.get("bom-ref"), "purl": text(el, "purl"),
                "components": [component(c) for c in nested.iterfind(q("component"))] if nested is not None else []}

    def vulnerability(el: Element) -> dict:
        analysis = el.find(q("analysis"))
        return {
            "id": text(el, "id"),
            "analysis": {"state": text(analysis, "state"), "justification": text(analysis, "justification"),
                         "detail": text(analysis, "detail")} if analysis is not None else {},
            "affects": [{"ref": text(target, "ref")} for target in el.iterfind(f"{q('affects')}/{q('target')}")],
            "references": [{"id": text(ref, "id")} for ref in el.iterfind(f"{q('references')}/{q('reference')}")],
        }

    vulnerabilities = root.find(q("vulnerabilities"))
    if vulnerabilities is None:
        raise VexError("/bom/vulnerabilities: a CycloneDX VEX needs a <vulnerabilities> element")
    components = root.find(q("components"))
    doc = {"components": [component(c) for c in components.iterfind(q("component"))] if components is not None else [],
           "vulnerabilities": [vulnerability(v) for v in vulnerabilities.iterfind(q("vulnerability"))]}
    return _cyclonedx(doc, lambda i: f"/bom/vulnerabilities/vulnerability[{i}]")


def _ids(raw, where: str) -> tuple[str, ...]:
    if raw is not None and not isinstance(raw, list):
        raise VexError(f"{where}: a list of products")
    out = []
    for j, item in enumerate(raw or []):
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("@id"), str):
            out.append(item["@id"])
            ids = item.get("identifiers")
            if isinstance(ids, dict):
                out.extend(v for v in ids.values() if isinstance(v, str))
        else:
            raise VexError(f"{where}/{j}: a product is a string or an object with '@id'")
    return tuple(out)


def _openvex(doc: dict) -> VexDocument:
    raw = doc.get("statements")
    if not isinstance(raw, list):
        raise VexError("/statements: an OpenVEX document needs a list of statements")
    statements = []
    for i, s in enumerate(raw):
        where = f"/statements/{i}"
        if not isinstance(s, dict):
            raise VexError(f"{where}: a statement is an object")
        vuln = s.get("vulnerability")
        aliases: tuple[str, ...] = ()
        if isinstance(vuln, dict):
            name = vuln.get("name") or vuln.get("@id")
            aliases = tuple(a for a in _list(vuln.get("aliases")) if isinstance(a, str))
        else:
            name = vuln
        if not isinstance(name, str) or not name:
            raise VexError(f"{where}/vulnerability: needs a name")
        status = s.get("status")
        if not isinstance(status, str) or status not in FROM_OPENVEX_STATUS:
            raise VexError(f"{where}/status: unknown status {status!r}")
        justification = s.get("justification") or ""
        if justification and (not isinstance(justification, str) or justification not in FROM_OPENVEX_JUSTIFICATION):
            raise VexError(f"{where}/justification: unknown justification {justification!r}")
        products = s.get("products") or []
        if not isinstance(products, list):
            raise VexError(f"{where}/products: a list of products")
        subcomponents: list[str] = []
        for j, p in enumerate(products):
            if isinstance(p, dict):
                subcomponents.extend(_ids(p.get("subcomponents"), f"{where}/products/{j}/subcomponents"))
        detail = s.get("impact_statement") or s.get("action_statement") or s.get("status_notes") or ""
        statements.append(Statement(
            name, FROM_OPENVEX_STATUS[status], aliases, _ids(products, f"{where}/products"), tuple(subcomponents),
            FROM_OPENVEX_JUSTIFICATION.get(justification, ""), detail if isinstance(detail, str) else "", where))
    return VexDocument(DecisionSource.OPENVEX, tuple(statements))


def _purl_key(value: str) -> tuple | None:
    try:
        p = PackageURL.from_string(value)
    except ValueError:
        return None
    return (p.type, (p.namespace or "").lower(), p.name.lower(), p.version)


def _same_component(target: str, purl: str, ref: str) -> bool:
    if target == ref or (purl and target == purl):
        return True
    if not purl or not target.startswith("pkg:"):
        return False
    want, have = _purl_key(target), _purl_key(purl)
    if want is None or have is None:
        return False
    # A purl without version speaks of every version of the package.
    return want[:3] == have[:3] and (want[3] is None or want[3] == have[3])


def statement_applies(statement: Statement, finding, products: set[str]) -> bool:
    """Whether ``statement`` speaks of ``finding`` (a Finding row with its component).

    ``products`` are the refs/purls of what the SBOM describes: a statement about the product
    covers every component of it (narrowed to its subcomponents when OpenVEX names them).
    """
    ids = {finding.vuln_id.upper(), *(a.upper() for a in finding.aliases)}
    if statement.vulnerability.upper() not in ids and not ids & {a.upper() for a in statement.aliases}:
        return False
    purl, ref = finding.component.purl, finding.component.ref
    if statement.subcomponents:
        return any(_same_component(t, purl, ref) for t in statement.subcomponents)
    if not statement.targets:
        return True
    return any(t in products or _same_component(t, purl, ref) for t in statement.targets)
