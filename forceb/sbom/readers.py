"""Read CycloneDX (1.4-1.6, JSON and XML) and SPDX (2.2/2.3, JSON and tag-value) SBOMs into plain data.

Reading is lenient but correct. Strict validators reject most real SBOMs (fractional-second
timestamps, empty checksums, elements out of order), so this module checks only the structure it
relies on (a component needs a name; a purl must parse; the document must be one of the formats
above) and lists everything it skipped in :attr:`Sbom.warnings`. Input it cannot trust at all
raises :class:`SbomError`, whose message names the problem and the place (JSON pointer, line and
column, XML element), and nothing is returned half-read.

Parsing is done by kept libraries: ``json``, ``defusedxml`` (DTDs, entity declarations and external
references are refused), the ``spdx_tools`` tag-value grammar (its lexer and parser, run leniently)
and ``packageurl``. Sizes and nesting depth are bounded before and after parsing.

Also here: :func:`check_ntia` (NTIA minimum elements) and :func:`diff` between two SBOMs.
"""

from __future__ import annotations

import codecs
import json
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException
from packageurl import PackageURL

from forceb.sbom.versions import ecosystem_for_purl_type

__all__ = [
    "MAX_BYTES",
    "MAX_COMPONENTS",
    "MAX_DEPTH",
    "Component",
    "Dependency",
    "Hash",
    "NtiaElement",
    "NtiaReport",
    "Sbom",
    "SbomDiff",
    "SbomError",
    "check_ntia",
    "detect_format",
    "diff",
    "parse_xml",
    "read_sbom",
    "read_sbom_file",
]

MAX_BYTES = 128 * 1024 * 1024
MAX_DEPTH = 64
MAX_COMPONENTS = 1_000_000
CDX_SUPPORTED = ("1.4", "1.5", "1.6")
SPDX_SUPPORTED = ("SPDX-2.2", "SPDX-2.3")


class SbomError(ValueError):
    """An SBOM that cannot be read: ``problem`` says what, ``where`` says where (may be empty)."""

    def __init__(self, problem: str, where: str = ""):
        self.problem = problem
        self.where = where
        super().__init__(f"{where}: {problem}" if where else problem)


@dataclass(frozen=True, slots=True)
class Hash:
    alg: str
    value: str


@dataclass(frozen=True, slots=True)
class Component:
    """One component (CycloneDX component or SPDX package)."""

    ref: str  # bom-ref / SPDXID, or a stable stand-in (purl, name@version) when absent
    name: str
    version: str | None = None
    purl: str | None = None  # canonical form; None when absent or malformed (see warnings)
    ecosystem: str | None = None  # OSV ecosystem from the purl type (None when unknown)
    purl_type: str | None = None
    type: str | None = None  # library, application, container, ...
    licenses: tuple[str, ...] = ()
    hashes: tuple[Hash, ...] = ()
    supplier: str | None = None
    author: str | None = None
    cpe: str | None = None


@dataclass(frozen=True, slots=True)
class Dependency:
    """A directed edge: ``ref`` depends on (or contains) ``depends_on``."""

    ref: str
    depends_on: str
    kind: str = "depends_on"  # depends_on, contains, build, dev, test, optional, runtime, ...


@dataclass(frozen=True)
class Sbom:
    """An SBOM document reduced to what the platform keeps."""

    format: str  # "CycloneDX" or "SPDX"
    encoding: str  # "json", "xml" or "tag-value"
    spec_version: str  # "1.5", "SPDX-2.3", ...
    serial: str | None = None  # CycloneDX serialNumber or SPDX documentNamespace
    name: str | None = None
    version: str | None = None
    supplier: str | None = None
    authors: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    timestamp: datetime | None = None
    timestamp_raw: str | None = None
    root_refs: tuple[str, ...] = ()
    components: tuple[Component, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    warnings: tuple[str, ...] = ()

    def purls(self) -> list[str]:
        return [c.purl for c in self.components if c.purl]

    def component(self, ref: str) -> Component | None:
        return next((c for c in self.components if c.ref == ref), None)


# --------------------------------------------------------------------------------------------
# helpers shared by the formats


class _Builder:
    """Collects components with unique refs, edges and warnings while one document is read."""

    def __init__(self) -> None:
        self.components: list[Component] = []
        self.refs: set[str] = set()
        self.ref_alias: dict[str, str] = {}
        self.edges: list[Dependency] = []
        self.warnings: list[str] = []

    def warn(self, where: str, message: str) -> None:
        if len(self.warnings) < 1000:
            self.warnings.append(f"{where}: {message}" if where else message)
        elif len(self.warnings) == 1000:
            self.warnings.append("more warnings not shown")

    def purl(self, raw: Any, where: str) -> tuple[str | None, str | None]:
        if raw is None or raw == "":
            return None, None
        if not isinstance(raw, str):
            self.warn(where, "purl is not a string; ignored")
            return None, None
        try:
            p = PackageURL.from_string(raw.strip())
        except ValueError as exc:
            self.warn(where, f"invalid purl {raw[:200]!r} ({exc}); component kept without purl")
            return None, None
        return p.to_string(), p.type

    def add(self, where: str, ref: str | None, name: Any, version: Any, purl_raw: Any, **kw: Any) -> None:
        if len(self.components) >= MAX_COMPONENTS:
            raise SbomError(f"more than {MAX_COMPONENTS} components", where)
        if not isinstance(name, str) or not name.strip():
            self.warn(where, "component without a name; skipped")
            return
        if version is not None and not isinstance(version, str):
            version = str(version)
        purl, ptype = self.purl(purl_raw, f"{where}/purl")
        given = ref if isinstance(ref, str) and ref else None
        stable = given or purl or (f"{name}@{version}" if version else name)
        unique, n = stable, 1
        while unique in self.refs:
            n += 1
            unique = f"{stable}#{n}"
        if given and unique != given:
            self.warn(where, f"duplicate ref {given!r}; renamed {unique!r}")
        self.refs.add(unique)
        if given and given not in self.ref_alias:
            self.ref_alias[given] = unique
        self.components.append(
            Component(
                ref=unique,
                name=name.strip(),
                version=version.strip() if isinstance(version, str) and version.strip() else None,
                purl=purl,
                ecosystem=ecosystem_for_purl_type(ptype),
                purl_type=ptype,
                **kw,
            )
        )

    def edge(self, ref: Any, dep: Any, kind: str, where: str, known: set[str] | None = None) -> None:
        if not isinstance(ref, str) or not isinstance(dep, str):
            self.warn(where, "dependency refs must be strings; edge skipped")
            return
        ref, dep = self.ref_alias.get(ref, ref), self.ref_alias.get(dep, dep)
        if known is not None and (ref not in known or dep not in known):
            return
        self.edges.append(Dependency(ref, dep, kind))


def _parse_time(raw: Any, where: str, builder: _Builder) -> datetime | None:
    if not raw:
        return None
    text = str(raw).strip()
    norm = re.sub(r"(\.\d{6})\d+", r"\1", text)  # more than microseconds: truncate
    try:
        value = datetime.fromisoformat(norm)
    except ValueError:
        builder.warn(where, f"timestamp {text!r} is not ISO 8601; ignored")
        return None
    if value.tzinfo is None:
        builder.warn(where, f"timestamp {text!r} has no time zone; taken as UTC")
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _check_depth(root: Any, limit: int) -> None:
    """Iteratively bound the nesting depth of decoded JSON (and name where it was exceeded)."""
    stack: list[tuple[Any, int, str]] = [(root, 1, "")]
    while stack:
        node, depth, path = stack.pop()
        if depth > limit:
            raise SbomError(f"nesting deeper than {limit} levels", path or "/")
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, dict | list):
                    stack.append((v, depth + 1, f"{path}/{k}"))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, dict | list):
                    stack.append((v, depth + 1, f"{path}/{i}"))


def _text_of(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SbomError(f"not UTF-8 text ({exc.reason})", f"byte {exc.start}") from exc


# --------------------------------------------------------------------------------------------
# format detection and entry points


def detect_format(data: bytes) -> tuple[str, str]:
    """``(format, encoding)`` from the first bytes: JSON and XML by syntax, tag-value by its tags.

    For JSON the exact format is decided after decoding (see :func:`read_sbom`); this returns
    ``("json", "json")`` then.
    """
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head and not data[4096:].strip():
        raise SbomError("the document is empty", "byte 0")
    if head[:1] in (b"{", b"["):
        return "json", "json"
    if head[:1] == b"<":
        return "xml", "xml"
    if re.search(rb"^\s*SPDXVersion\s*:", data[:65536], re.MULTILINE):
        return "SPDX", "tag-value"
    if yaml := re.search(rb"^[ \t]*[\"']?spdxVersion[\"']?[ \t]*:", data[:65536], re.MULTILINE):
        line = data[: yaml.start()].count(b"\n") + 1
        raise SbomError("SPDX YAML is not supported; use SPDX JSON or tag-value", f"line {line}")
    raise SbomError("not a recognised SBOM: neither JSON, XML nor SPDX tag-value", "byte 0")


def read_sbom_file(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> Sbom:
    """Read an SBOM file; the error message starts with the file name."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise SbomError(f"file is {size} bytes, more than the limit of {max_bytes}", str(p))
        data = p.read_bytes()
    except OSError as exc:
        raise SbomError(f"cannot read: {exc.strerror or exc}", str(p)) from exc
    try:
        return read_sbom(data, max_bytes=max_bytes, max_depth=max_depth)
    except SbomError as exc:
        where = f"{p}: {exc.where}" if exc.where else str(p)
        raise SbomError(exc.problem, where) from exc


def read_sbom(data: bytes | str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Sbom:
    """Detect the format of ``data`` and read it into an :class:`Sbom` (or raise :class:`SbomError`)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise SbomError(f"document is {len(data)} bytes, more than the limit of {max_bytes}")
    utf8, unicode_form = _as_utf8(data)
    fmt, encoding = detect_format(utf8)
    if encoding == "json":
        sbom = _read_json(utf8, max_depth)
    elif encoding == "xml":
        sbom = _read_xml(data, max_depth)  # expat reads a UTF-16 document itself, by its byte order mark
    else:
        sbom = _read_spdx_tagvalue(_text_of(utf8))
    if unicode_form:
        note = f"document is {unicode_form} (with a byte order mark), not UTF-8; read as {unicode_form}"
        sbom = replace(sbom, warnings=(note, *sbom.warnings))
    return sbom


_UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),  # before UTF-16 LE, whose mark begins the same way
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _as_utf8(data: bytes) -> tuple[bytes, str | None]:
    """``data`` as UTF-8, and the Unicode form it came in when its byte order mark names another.

    Windows PowerShell 5 writes a redirected ``syft ... > sbom.json`` as UTF-16 with a byte order
    mark, so such files are common; without a mark, the text is taken to be UTF-8."""
    for bom, form in _UNICODE_BOMS:
        if data.startswith(bom):
            try:
                return data.decode(form.lower()).encode("utf-8"), form
            except UnicodeDecodeError as exc:
                raise SbomError(f"not {form} text although it starts with a {form} byte order mark ({exc.reason})",
                                f"byte {exc.start}") from exc
    return data, None


def _read_json(data: bytes, max_depth: int) -> Sbom:
    try:
        doc = json.loads(_text_of(data))
    except json.JSONDecodeError as exc:
        raise SbomError(f"invalid JSON: {exc.msg}", f"line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:
        raise SbomError(f"nesting deeper than the JSON parser allows (limit {max_depth})") from exc
    _check_depth(doc, max_depth)
    if not isinstance(doc, dict):
        raise SbomError(f"an SBOM is a JSON object, found {type(doc).__name__}", "/")
    if doc.get("bomFormat") == "CycloneDX" or ("specVersion" in doc and "bomFormat" not in doc and (
        "components" in doc or "metadata" in doc
    )):
        return _read_cdx_json(doc)
    if "spdxVersion" in doc:
        return _read_spdx_json(doc)
    if list(doc) == ["sbom"] and isinstance(doc["sbom"], dict) and "spdxVersion" in doc["sbom"]:
        # GitHub's REST API (/repos/{owner}/{repo}/dependency-graph/sbom, what `gh api` saves)
        return _read_inside(doc["sbom"], "/sbom", "SPDX document inside GitHub's REST API answer")
    if "in-toto.io/Statement" in str(doc.get("_type")) and isinstance(doc.get("predicate"), dict):
        # what `syft attest`, `docker buildx --sbom` and `cosign download attestation` give, once unwrapped
        kind = str(doc.get("predicateType"))[:200]
        return _read_inside(doc["predicate"], "/predicate", f"predicate ({kind}) of an in-toto statement, "
                            "whose subject and signature are not checked")
    if {"payloadType", "payload", "signatures"} <= doc.keys():
        raise SbomError("a signed DSSE envelope: verify it (e.g. cosign verify-attestation) and give the "
                        "SBOM or the in-toto statement inside", "/payload")
    if "@context" in doc and "spdx" in json.dumps(doc.get("@context"))[:500].lower():
        raise SbomError("SPDX 3.0 (JSON-LD) is not supported; use SPDX 2.2/2.3", "/@context")
    if "bomFormat" in doc:
        raise SbomError(f"bomFormat {doc['bomFormat']!r} is not 'CycloneDX'", "/bomFormat")
    # the scanners' own report formats, given by mistake for their SBOM output
    if "artifacts" in doc and "anchore/syft" in str(doc.get("schema"))[:300]:
        raise SbomError("Syft's own JSON is not an SBOM standard; have Syft write CycloneDX or SPDX "
                        "(-o cyclonedx-json or -o spdx-json)", "/schema")
    if "SchemaVersion" in doc and "Results" in doc:
        raise SbomError("a Trivy scan report, not an SBOM; have Trivy write one (--format cyclonedx or "
                        "--format spdx-json)", "/SchemaVersion")
    raise SbomError("JSON object is neither CycloneDX (bomFormat/specVersion) nor SPDX (spdxVersion)", "/")


def _read_inside(inner: dict[str, Any], pointer: str, what: str) -> Sbom:
    """Read the SBOM a wrapper holds; places in warnings and errors are named in the whole file."""
    if inner.get("bomFormat") == "CycloneDX":
        read = _read_cdx_json
    elif "spdxVersion" in inner:
        read = _read_spdx_json
    else:
        raise SbomError(f"the {what} is neither CycloneDX (bomFormat) nor SPDX 2.x (spdxVersion)", pointer)
    try:
        sbom = read(inner)
    except SbomError as exc:
        raise SbomError(exc.problem, f"{pointer}{exc.where}" if exc.where.startswith("/") else exc.where) from exc
    warnings = tuple(f"{pointer}{w}" if w.startswith("/") else w for w in sbom.warnings)
    return replace(sbom, warnings=(f"{pointer}: {what}; read as the document", *warnings))


# --------------------------------------------------------------------------------------------
# CycloneDX JSON


def _cdx_licenses(raw: Any, where: str, b: _Builder) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        b.warn(where, "licenses is not a list; ignored")
        return ()
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            b.warn(f"{where}/{i}", "licence entry is not an object; ignored")
        elif isinstance(item.get("expression"), str):
            out.append(item["expression"])
        elif isinstance(item.get("license"), dict):
            lic = item["license"]
            value = lic.get("id") or lic.get("name")
            if isinstance(value, str) and value:
                out.append(value)
    return _licences(*out)  # NOASSERTION / NONE, which converters from SPDX write, name no licence


def _cdx_hashes(raw: Any, where: str, b: _Builder) -> tuple[Hash, ...]:
    if not isinstance(raw, list):
        return ()
    out = []
    for i, h in enumerate(raw):
        if isinstance(h, dict) and isinstance(h.get("alg"), str) and isinstance(h.get("content"), str):
            out.append(Hash(h["alg"], h["content"]))
        else:
            b.warn(f"{where}/{i}", "hash needs string 'alg' and 'content'; ignored")
    return tuple(out)


def _entity_name(raw: Any) -> str | None:
    if isinstance(raw, dict) and isinstance(raw.get("name"), str) and raw["name"].strip():
        return raw["name"].strip()
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    return None


def _cdx_components(raw: Any, where: str, b: _Builder) -> None:
    if raw is None:
        return
    if not isinstance(raw, list):
        raise SbomError("'components' must be a list", where)
    for i, comp in enumerate(raw):
        cw = f"{where}/{i}"
        if not isinstance(comp, dict):
            b.warn(cw, "component is not an object; skipped")
            continue
        authors = comp.get("authors")
        author = _entity_name(comp.get("author"))
        if author is None and isinstance(authors, list) and authors:
            author = _entity_name(authors[0])
        b.add(
            cw,
            comp.get("bom-ref"),
            comp.get("name"),
            comp.get("version"),
            comp.get("purl"),
            type=comp.get("type") if isinstance(comp.get("type"), str) else None,
            licenses=_cdx_licenses(comp.get("licenses"), f"{cw}/licenses", b),
            hashes=_cdx_hashes(comp.get("hashes"), f"{cw}/hashes", b),
            supplier=_entity_name(comp.get("supplier")) or _entity_name(comp.get("manufacturer"))
            or _entity_name(comp.get("publisher")),
            author=author,
            cpe=comp.get("cpe") if isinstance(comp.get("cpe"), str) else None,
        )
        if comp.get("components"):
            _cdx_components(comp["components"], f"{cw}/components", b)


def _cdx_tools(raw: Any) -> tuple[str, ...]:
    items: list[Any] = []
    if isinstance(raw, list):
        items = raw
    elif isinstance(raw, dict):
        items = [*(raw.get("components") or []), *(raw.get("services") or [])]
    out = []
    for t in items:
        if isinstance(t, dict) and isinstance(t.get("name"), str):
            out.append(" ".join(str(t[k]) for k in ("vendor", "name", "version") if isinstance(t.get(k), str)))
    return tuple(out)


def _spec_warning(fmt: str, version: str | None, supported: tuple[str, ...], b: _Builder, where: str) -> None:
    if not version:
        b.warn(where, f"{fmt} document without a spec version; read as the newest supported")
    elif version not in supported:
        b.warn(where, f"{fmt} {version} is outside the supported {', '.join(supported)}; read on a best-effort basis")


def _read_cdx_json(doc: dict[str, Any]) -> Sbom:
    b = _Builder()
    spec = doc.get("specVersion")
    spec = str(spec) if spec is not None else ""
    _spec_warning("CycloneDX", spec, CDX_SUPPORTED, b, "/specVersion")
    meta = doc.get("metadata") or {}
    if not isinstance(meta, dict):
        raise SbomError("'metadata' must be an object", "/metadata")
    root = meta.get("component") if isinstance(meta.get("component"), dict) else None
    root_refs: list[str] = []
    if root is not None:
        _cdx_components([root], "/metadata/component", b)
        if b.components:
            root_refs.append(b.components[-1].ref)
    _cdx_components(doc.get("components"), "/components", b)
    known = b.refs
    deps = doc.get("dependencies")
    if deps is not None and not isinstance(deps, list):
        raise SbomError("'dependencies' must be a list", "/dependencies")
    for i, dep in enumerate(deps or []):
        dw = f"/dependencies/{i}"
        if not isinstance(dep, dict) or not isinstance(dep.get("ref"), str):
            b.warn(dw, "dependency without a string 'ref'; skipped")
            continue
        targets = dep.get("dependsOn") or []
        if not isinstance(targets, list):
            b.warn(f"{dw}/dependsOn", "not a list; skipped")
            continue
        for j, target in enumerate(targets):
            if isinstance(target, dict):  # 1.0-1.1 style {"ref": ...}
                target = target.get("ref")
            b.edge(dep["ref"], target, "depends_on", f"{dw}/dependsOn/{j}")
    unknown = {e.ref for e in b.edges if e.ref not in known} | {e.depends_on for e in b.edges if e.depends_on not in known}
    if unknown:
        b.warn("/dependencies", f"{len(unknown)} refs name no component (e.g. {sorted(unknown)[0]!r}); edges kept")
    authors = tuple(
        n for n in (_entity_name(a) for a in meta.get("authors") or [] if isinstance(meta.get("authors"), list)) if n
    )
    supplier = _entity_name(meta.get("supplier")) or _entity_name(meta.get("manufacturer")) or _entity_name(
        meta.get("manufacture")
    )
    if supplier is None and root is not None:
        supplier = _entity_name(root.get("supplier"))
    return Sbom(
        format="CycloneDX",
        encoding="json",
        spec_version=spec,
        serial=doc.get("serialNumber") if isinstance(doc.get("serialNumber"), str) else None,
        name=root.get("name") if root and isinstance(root.get("name"), str) else None,
        version=root.get("version") if root and isinstance(root.get("version"), str) else None,
        supplier=supplier,
        authors=authors,
        tools=_cdx_tools(meta.get("tools")),
        timestamp=_parse_time(meta.get("timestamp"), "/metadata/timestamp", b),
        timestamp_raw=str(meta["timestamp"]) if meta.get("timestamp") else None,
        root_refs=tuple(root_refs),
        components=tuple(b.components),
        dependencies=tuple(b.edges),
        warnings=tuple(b.warnings),
    )


# --------------------------------------------------------------------------------------------
# CycloneDX XML


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el: Element, name: str) -> Element | None:
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _children(el: Element | None, name: str) -> Iterator[Element]:
    if el is None:
        return
    for c in el:
        if _local(c.tag) == name:
            yield c


def _text(el: Element | None, name: str) -> str | None:
    c = _child(el, name) if el is not None else None
    if c is None or c.text is None:
        return None
    return c.text.strip() or None


def _xml_depth(root: Element, limit: int) -> None:
    stack = [(root, 1, _local(root.tag))]
    while stack:
        el, depth, path = stack.pop()
        if depth > limit:
            raise SbomError(f"nesting deeper than {limit} levels", f"element {path}")
        for c in el:
            stack.append((c, depth + 1, f"{path}/{_local(c.tag)}"))


def parse_xml(data: bytes, max_depth: int = MAX_DEPTH) -> Element:
    """Parse an XML document safely (no DTD, no entity declarations, no external references) and
    bound its nesting depth; the VEX reader shares this with the SBOM reader."""
    try:
        root = DefusedET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SbomError(f"XML refused for safety: {exc} (DTDs and entity declarations are not accepted)") from exc
    except DefusedET.ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise SbomError(f"invalid XML: {exc.msg if hasattr(exc, 'msg') else exc}", f"line {line} column {col}") from exc
    except (LookupError, ValueError) as exc:  # expat: an unknown or a multi-byte encoding declared
        raise SbomError(f"the XML declaration names an encoding that cannot be read ({str(exc)[:120]}); "
                        "use UTF-8", "line 1") from exc
    _xml_depth(root, max_depth)
    return root


def _read_xml(data: bytes, max_depth: int) -> Sbom:
    root = parse_xml(data, max_depth)
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    # a <bom> with no namespace at all is CycloneDX written by hand or by a careless generator:
    # read like JSON without specVersion (with a warning), while a <bom> of another namespace is refused
    if _local(root.tag) != "bom" or (ns and "cyclonedx.org/schema/bom" not in ns):
        if "spdx" in ns.lower() or _local(root.tag) == "RDF":
            raise SbomError("SPDX RDF/XML is not supported; use SPDX JSON or tag-value", f"element {_local(root.tag)}")
        if _child(root, "spdxVersion") is not None:
            raise SbomError("SPDX XML is not supported; use SPDX JSON or tag-value", f"element {_local(root.tag)}")
        raise SbomError("XML root is not a CycloneDX <bom> element", f"element {_local(root.tag)}")
    spec = ns.rsplit("/", 1)[-1] if re.fullmatch(r".*/\d+(\.\d+)*", ns) else ""
    b = _Builder()
    _spec_warning("CycloneDX", spec, CDX_SUPPORTED, b, "/bom/@xmlns")
    meta = _child(root, "metadata")
    root_refs: list[str] = []
    root_comp = _child(meta, "component") if meta is not None else None
    if root_comp is not None:
        _xml_components([root_comp], "/bom/metadata/component", b)
        if b.components:
            root_refs.append(b.components[-1].ref)
    comps = _child(root, "components")
    if comps is not None:
        _xml_components(list(_children(comps, "component")), "/bom/components/component", b)
    # the XSD's dependencyType nests: a <dependency> inside a <dependency> may list its own
    # dependencies in turn, a tree written inline (depth is already bounded by parse_xml)
    pending = [(dep, f"/bom/dependencies/dependency[{i}]")
               for i, dep in enumerate(_children(_child(root, "dependencies"), "dependency"))]
    for dep, where in pending:  # grows while read: the outer list in document order, then the nested ones
        for j, target in enumerate(_children(dep, "dependency")):
            b.edge(dep.get("ref"), target.get("ref"), "depends_on", f"{where}/dependency[{j}]")
            pending.append((target, f"{where}/dependency[{j}]"))
    authors: list[str] = []
    tools: list[str] = []
    supplier = None
    timestamp_raw = None
    if meta is not None:
        authors = [n for a in _children(_child(meta, "authors"), "author") if (n := _text(a, "name"))]
        tools_el = _child(meta, "tools")
        for t in _children(tools_el, "tool"):
            tools.append(" ".join(x for x in (_text(t, "vendor"), _text(t, "name"), _text(t, "version")) if x))
        for kind in ("components", "services"):  # 1.5 form
            for t in _children(_child(tools_el, kind) if tools_el is not None else None, kind[:-1]):
                tools.append(" ".join(x for x in (_text(t, "name"), _text(t, "version")) if x))
        for tag in ("supplier", "manufacturer", "manufacture"):
            el = _child(meta, tag)
            if el is not None and _text(el, "name"):
                supplier = _text(el, "name")
                break
        if supplier is None and root_comp is not None:
            supplier = _text(_child(root_comp, "supplier"), "name") if _child(root_comp, "supplier") is not None else None
        timestamp_raw = _text(meta, "timestamp")
    return Sbom(
        format="CycloneDX",
        encoding="xml",
        spec_version=spec,
        serial=root.get("serialNumber"),
        name=_text(root_comp, "name") if root_comp is not None else None,
        version=_text(root_comp, "version") if root_comp is not None else None,
        supplier=supplier,
        authors=tuple(authors),
        tools=tuple(tools),
        timestamp=_parse_time(timestamp_raw, "/bom/metadata/timestamp", b),
        timestamp_raw=timestamp_raw,
        root_refs=tuple(root_refs),
        components=tuple(b.components),
        dependencies=tuple(b.edges),
        warnings=tuple(b.warnings),
    )


def _xml_components(elements: Iterable[Element], where: str, b: _Builder) -> None:
    for i, comp in enumerate(elements):
        cw = f"{where}[{i}]"
        licenses = []
        for lic in _child(comp, "licenses") or []:
            if _local(lic.tag) == "expression" and lic.text and lic.text.strip():
                licenses.append(lic.text.strip())
            elif _local(lic.tag) == "license":
                value = _text(lic, "id") or _text(lic, "name")
                if value:
                    licenses.append(value)
        hashes = tuple(
            Hash(h.get("alg") or "", (h.text or "").strip())
            for h in _children(_child(comp, "hashes"), "hash")
            if h.get("alg") and (h.text or "").strip()
        )
        supplier = next((n for tag in ("supplier", "manufacturer") if (n := _text(_child(comp, tag), "name"))), None)
        # 1.6 deprecates <author> for <authors><author><name>, as the JSON reader already reads
        author = _text(comp, "author") or next(
            (n for a in _children(_child(comp, "authors"), "author") if (n := _text(a, "name"))), None
        )
        b.add(
            cw,
            comp.get("bom-ref"),
            _text(comp, "name"),
            _text(comp, "version"),
            _text(comp, "purl"),
            type=comp.get("type"),
            licenses=_licences(*licenses),
            hashes=hashes,
            supplier=supplier or _text(comp, "publisher"),
            author=author,
            cpe=_text(comp, "cpe"),
        )
        nested = _child(comp, "components")
        if nested is not None:
            _xml_components(list(_children(nested, "component")), f"{cw}/components/component", b)


# --------------------------------------------------------------------------------------------
# SPDX (JSON and tag-value share the relationship rules)

_SPDX_EDGE_FORWARD = {
    "DEPENDS_ON": "depends_on",
    "CONTAINS": "contains",
    "HAS_PREREQUISITE": "prerequisite",
    # "A links B": the binary needs the library, a dependency as real as DEPENDS_ON
    "STATIC_LINK": "static_link",
    "DYNAMIC_LINK": "dynamic_link",
}
_SPDX_EDGE_REVERSE = {
    "DEPENDENCY_OF": "depends_on",
    "CONTAINED_BY": "contains",
    "PREREQUISITE_FOR": "prerequisite",
    "BUILD_DEPENDENCY_OF": "build",
    "DEV_DEPENDENCY_OF": "dev",
    "OPTIONAL_DEPENDENCY_OF": "optional",
    "PROVIDED_DEPENDENCY_OF": "provided",
    "TEST_DEPENDENCY_OF": "test",
    "RUNTIME_DEPENDENCY_OF": "runtime",
}


def _spdx_actor(raw: Any) -> str | None:
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    if not raw or raw.upper() in ("NOASSERTION", "NONE"):
        return None
    _, sep, rest = raw.partition(":")
    name = rest if sep and _ in ("Organization", "Person", "Tool") else raw
    name = re.sub(r"\s*\([^)]*\)\s*$", "", name).strip()  # drop "(email)"
    return name or None


def _spdx_relationships(rels: Iterable[tuple[str, str, str, str]], b: _Builder, doc_id: str) -> list[str]:
    """Turn (element, type, related, where) into edges; return the refs the document describes."""
    roots: list[str] = []
    known = set(b.refs)
    skipped = 0
    for elem, rtype, related, where in rels:
        rtype = rtype.upper().replace("-", "_")
        if rtype == "DESCRIBES" and elem == doc_id:
            roots.append(b.ref_alias.get(related, related))
        elif rtype == "DESCRIBED_BY" and related == doc_id:
            roots.append(b.ref_alias.get(elem, elem))
        elif rtype in _SPDX_EDGE_FORWARD:
            before = len(b.edges)
            b.edge(elem, related, _SPDX_EDGE_FORWARD[rtype], where, known)
            skipped += len(b.edges) == before
        elif rtype in _SPDX_EDGE_REVERSE:
            before = len(b.edges)
            b.edge(related, elem, _SPDX_EDGE_REVERSE[rtype], where, known)
            skipped += len(b.edges) == before
    if skipped:
        b.warn("relationships", f"{skipped} dependency relationships name files or unknown elements; not kept")
    return [r for r in dict.fromkeys(roots) if r in known]


def _spdx_finish(b: _Builder, spec: str, encoding: str, info: dict[str, Any], roots: list[str]) -> Sbom:
    creators = [c for c in info.get("creators", []) if isinstance(c, str)]
    authors = tuple(n for c in creators if not c.startswith("Tool") and (n := _spdx_actor(c)))
    tools = tuple(n for c in creators if c.startswith("Tool") and (n := _spdx_actor(c)))
    root = next((c for c in b.components if roots and c.ref == roots[0]), None)
    created = info.get("created")
    if isinstance(created, datetime):
        ts = created if created.tzinfo else created.replace(tzinfo=UTC)
        raw = created.isoformat()
    else:
        raw = str(created) if created else None
        ts = _parse_time(raw, "creationInfo/created", b)
    return Sbom(
        format="SPDX",
        encoding=encoding,
        spec_version=spec,
        serial=info.get("namespace"),
        name=info.get("name"),
        version=root.version if root else None,
        supplier=root.supplier if root else None,
        authors=authors,
        tools=tools,
        timestamp=ts,
        timestamp_raw=raw,
        root_refs=tuple(roots),
        components=tuple(b.components),
        dependencies=tuple(b.edges),
        warnings=tuple(b.warnings),
    )


def _spdx_external_ref(refs: Iterable[tuple[str, str]]) -> tuple[str | None, str | None]:
    purl = cpe = None
    for rtype, locator in refs:
        if rtype == "purl" and purl is None:
            purl = locator
        elif rtype in ("cpe23Type", "cpe22Type") and cpe is None:
            cpe = locator
    return purl, cpe


def _spdx_version(raw: Any) -> Any:
    """versionInfo has no NOASSERTION in the spec, yet generators write it for "unknown"; as a
    version it would be matched against advisories' ranges."""
    if isinstance(raw, str) and raw.strip().upper() in ("NOASSERTION", "NONE"):
        return None
    return raw


def _licences(*values: Any) -> tuple[str, ...]:
    out = []
    for v in values:
        text = str(v).strip() if v is not None else ""
        if text and text.upper() not in ("NOASSERTION", "NONE") and text not in out:
            out.append(text)
    return tuple(out)


def _read_spdx_json(doc: dict[str, Any]) -> Sbom:
    b = _Builder()
    spec = str(doc.get("spdxVersion") or "")
    if spec.startswith("SPDX-3"):
        raise SbomError("SPDX 3.0 is not supported; use SPDX 2.2/2.3", "/spdxVersion")
    _spec_warning("SPDX", spec, SPDX_SUPPORTED, b, "/spdxVersion")
    packages = doc.get("packages")
    if packages is None:  # Go generators write a nil list as null
        packages = []
    if not isinstance(packages, list):
        raise SbomError("'packages' must be a list", "/packages")
    for i, pkg in enumerate(packages):
        pw = f"/packages/{i}"
        if not isinstance(pkg, dict):
            b.warn(pw, "package is not an object; skipped")
            continue
        refs = []
        for j, r in enumerate(pkg.get("externalRefs") or []):
            if isinstance(r, dict) and isinstance(r.get("referenceType"), str) and isinstance(
                r.get("referenceLocator"), str
            ):
                refs.append((r["referenceType"], r["referenceLocator"]))
            else:
                b.warn(f"{pw}/externalRefs/{j}", "needs string referenceType and referenceLocator; ignored")
        purl, cpe = _spdx_external_ref(refs)
        hashes = []
        for j, c in enumerate(pkg.get("checksums") or []):
            if isinstance(c, dict) and isinstance(c.get("algorithm"), str) and c.get("checksumValue"):
                hashes.append(Hash(c["algorithm"], str(c["checksumValue"])))
            else:
                b.warn(f"{pw}/checksums/{j}", "empty or malformed checksum; ignored")
        spdx_id = pkg.get("SPDXID")
        if not isinstance(spdx_id, str) or not spdx_id:
            b.warn(pw, "package without SPDXID; relationships cannot reach it")
            spdx_id = None
        b.add(
            pw,
            spdx_id,
            pkg.get("name"),
            _spdx_version(pkg.get("versionInfo")),
            purl,
            type=pkg.get("primaryPackagePurpose") if isinstance(pkg.get("primaryPackagePurpose"), str) else None,
            licenses=_licences(pkg.get("licenseConcluded"), pkg.get("licenseDeclared")),
            hashes=tuple(hashes),
            supplier=_spdx_actor(pkg.get("supplier")),
            author=_spdx_actor(pkg.get("originator")),
            cpe=cpe,
        )
    rels: list[tuple[str, str, str, str]] = []
    raw_rels = doc.get("relationships") or []
    if not isinstance(raw_rels, list):
        raise SbomError("'relationships' must be a list", "/relationships")
    for i, r in enumerate(raw_rels):
        if isinstance(r, dict) and all(
            isinstance(r.get(k), str) for k in ("spdxElementId", "relationshipType", "relatedSpdxElement")
        ):
            rels.append((r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"], f"/relationships/{i}"))
        else:
            b.warn(f"/relationships/{i}", "malformed relationship; skipped")
    doc_id = doc.get("SPDXID") if isinstance(doc.get("SPDXID"), str) else "SPDXRef-DOCUMENT"
    described = doc.get("documentDescribes")
    for i, ref in enumerate(described if isinstance(described, list) else []):
        if isinstance(ref, str):
            rels.append((doc_id, "DESCRIBES", ref, f"/documentDescribes/{i}"))
    roots = _spdx_relationships(rels, b, doc_id)
    ci = doc.get("creationInfo") if isinstance(doc.get("creationInfo"), dict) else {}
    if not ci:
        b.warn("/creationInfo", "missing; no creators or creation time")
    creators = ci.get("creators") if isinstance(ci.get("creators"), list) else []
    info = {
        "namespace": doc.get("documentNamespace") if isinstance(doc.get("documentNamespace"), str) else None,
        "name": doc.get("name") if isinstance(doc.get("name"), str) else None,
        "creators": creators,
        "created": ci.get("created"),
    }
    return _spdx_finish(b, spec, "json", info, roots)


def _read_spdx_tagvalue(text: str) -> Sbom:
    # spdx_tools' own grammar does the parsing. Its strict entry point refuses whole documents
    # for one out-of-place tag, so the parser is driven directly and its complaints become warnings.
    from ply import yacc
    from spdx_tools.spdx.model import ActorType, SpdxNoAssertion, SpdxNone
    from spdx_tools.spdx.parser.tagvalue.lexer import SPDXLexer

    _cache_licensing()
    parser = _lenient_tagvalue_parser()(write_tables=False, debug=False, errorlog=yacc.NullLogger())
    # universal newlines, as spdx_tools' own file reader opens the file: with CRLF line endings the
    # grammar takes the carriage return into each value and refuses licences, dates and relationships
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        parser.yacc.parse(text, lexer=parser.lex)
        parser.construct_current_element()
    except (RecursionError, ValueError, TypeError) as exc:  # the grammar is LALR: no deep recursion expected
        raise SbomError(f"SPDX tag-value could not be parsed: {exc}") from exc
    b = _Builder()
    for msg in parser.logger.get_messages():
        b.warn("tag-value", str(msg))
    info_raw = parser.creation_info
    ci_logger = info_raw.get("logger")
    if ci_logger is not None:
        for msg in ci_logger.get_messages():
            # the grammar wants whole seconds; a Created it refuses is read again below, and warned
            # about there only if it is no time at all
            if not str(msg).startswith("Error while parsing Created:"):
                b.warn("tag-value creation info", str(msg))
    spec = str(info_raw.get("spdx_version") or "")
    if not spec:
        raise SbomError("SPDXVersion tag missing or unreadable", "line 1")
    if spec.startswith("SPDX-3"):
        raise SbomError("SPDX 3.0 is not supported; use SPDX 2.2/2.3", "SPDXVersion")
    _spec_warning("SPDX", spec, SPDX_SUPPORTED, b, "SPDXVersion")

    def actor(value: Any) -> str | None:
        if value is None or isinstance(value, SpdxNoAssertion | SpdxNone):
            return None
        return getattr(value, "name", None) or None

    def lic(value: Any) -> Any:
        return None if value is None or isinstance(value, SpdxNoAssertion | SpdxNone) else value

    for i, pkg in enumerate(parser.elements_built.get("packages", [])):
        purl, cpe = _spdx_external_ref((r.reference_type, r.locator) for r in pkg.external_references)
        if not pkg.spdx_id:
            b.warn(f"package {i} ({pkg.name})", "package without SPDXID; relationships cannot reach it")
        b.add(
            f"package {i} ({pkg.spdx_id or pkg.name})",
            pkg.spdx_id or None,
            pkg.name,
            pkg.version,
            purl,
            type=pkg.primary_package_purpose.name if pkg.primary_package_purpose else None,
            licenses=_licences(lic(pkg.license_concluded), lic(pkg.license_declared)),
            hashes=tuple(Hash(c.algorithm.name.replace("_", "-"), c.value) for c in pkg.checksums if c.value),
            supplier=actor(pkg.supplier),
            author=actor(pkg.originator),
            cpe=cpe,
        )
    doc_id = str(info_raw.get("spdx_id") or "SPDXRef-DOCUMENT")
    rels = [
        (r.spdx_element_id, r.relationship_type.name, str(r.related_spdx_element_id), f"Relationship {i}")
        for i, r in enumerate(parser.elements_built.get("relationships", []))
    ]
    roots = _spdx_relationships(rels, b, doc_id)
    creators = []
    for c in info_raw.get("creators", []):
        kind = {ActorType.TOOL: "Tool", ActorType.PERSON: "Person"}.get(c.actor_type, "Organization")
        creators.append(f"{kind}: {c.name}")
    created = info_raw.get("created")
    if created is None:
        created = _tagvalue_created(text, SPDXLexer)
    info = {
        "namespace": info_raw.get("document_namespace"),
        "name": info_raw.get("name"),
        "creators": creators,
        "created": created,
    }
    return _spdx_finish(b, spec, "tag-value", info, roots)


@lru_cache(maxsize=1)
def _lenient_tagvalue_parser() -> type:
    """spdx_tools' tag-value parser whose packages survive a bad line.

    The library drops a whole package when one of its lines does not match the grammar (a
    ``PackageVersion: NOASSERTION``, a checksum it cannot read) or when ``PackageDownloadLocation``
    is missing, as Trivy's tag-value output leaves it: the component then vanishes from the SBOM.
    Here the package is built from the lines that did parse, and each line left out is a warning.
    """
    from spdx_tools.spdx.model import Package, Relationship, SpdxNoAssertion
    from spdx_tools.spdx.parser.logger import Logger
    from spdx_tools.spdx.parser.tagvalue.parser import Parser

    class LenientParser(Parser):
        def p_current_element_error(self, p: Any) -> None:
            # The library's recovery looks the tag up in a table Relationship is missing from, and a
            # KeyError ends the whole parse (a "Relationship:" line with no value, or with a stray
            # carriage return): the bad relationship is dropped here with a warning instead.
            if p[1] == "Relationship":
                self.initialize_new_current_element(Relationship)
                self.current_element["logger"].append(
                    f"Error while parsing Relationship: Token did not match specified grammar rule. Line: {p.lineno(1)}"
                )
                return
            super().p_current_element_error(p)

        p_current_element_error.__doc__ = Parser.p_current_element_error.__doc__  # ply reads the rule from it

        def construct_current_element(self) -> None:
            element = self.current_element
            if element.get("class") is Package:
                # the platform does not keep the download location; its absence is no reason to lose the package
                element.setdefault("download_location", SpdxNoAssertion())
                element.setdefault("spdx_id", "")  # kept as the JSON reader keeps it, warned about below
                logger = element.get("logger")
                if logger is not None and logger.has_messages():
                    name = element.get("spdx_id") or element.get("name") or "?"
                    self.logger.extend(f"package {name}: {m}; read without that line" for m in logger.get_messages())
                    element["logger"] = Logger()
            super().construct_current_element()

    return LenientParser


@lru_cache(maxsize=1)
def _cache_licensing() -> None:
    """spdx_tools' tag-value parser rebuilds the whole SPDX licence index (about 40 ms) for every
    licence line it reads, which makes a 1,000-package document take a minute. The index is the
    same every time, so the parser module is given a cached builder once."""
    from spdx_tools.spdx.parser.tagvalue import parser as tagvalue_parser

    builder = tagvalue_parser.get_spdx_licensing
    tagvalue_parser.get_spdx_licensing = lru_cache(maxsize=1)(builder)


def _tagvalue_created(text: str, lexer_cls: Any) -> str | None:
    """The raw ``Created:`` value when the grammar refused its format (e.g. nanoseconds)."""
    lexer = lexer_cls()
    lexer.build(reflags=re.UNICODE)
    lexer.input(text)
    seen_created = False
    while (tok := lexer.token()) is not None:
        if seen_created:
            return str(tok.value)
        seen_created = tok.type == "CREATED"
    return None


# --------------------------------------------------------------------------------------------
# NTIA minimum elements


@dataclass(frozen=True, slots=True)
class NtiaElement:
    """One NTIA minimum element: met or not, how many components have it, which lack it."""

    element: str
    ok: bool
    detail: str
    present: int = 0
    total: int = 0
    missing: tuple[str, ...] = ()  # component refs lacking it (first 50)


@dataclass(frozen=True)
class NtiaReport:
    elements: tuple[NtiaElement, ...]

    @property
    def ok(self) -> bool:
        return all(e.ok for e in self.elements)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "elements": {
                e.element: {"ok": e.ok, "detail": e.detail, "present": e.present, "total": e.total,
                            "missing": list(e.missing)}
                for e in self.elements
            },
        }


def _per_component(name: str, sbom: Sbom, has: Any) -> NtiaElement:
    total = len(sbom.components)
    missing = [c.ref for c in sbom.components if not has(c)]
    present = total - len(missing)
    ok = total > 0 and not missing
    detail = f"{present} of {total} components" if total else "no components"
    return NtiaElement(name, ok, detail, present, total, tuple(missing[:50]))


def check_ntia(sbom: Sbom) -> NtiaReport:
    """Check the NTIA minimum elements (2021): supplier, component name, version, other unique
    identifiers (purl or CPE), dependency relationship, author of the SBOM data, timestamp."""
    kinds = {"depends_on", *_SPDX_EDGE_FORWARD.values(), *_SPDX_EDGE_REVERSE.values()}
    deps = [d for d in sbom.dependencies if d.kind in kinds]
    with_edges = {d.ref for d in deps}
    if deps:
        roots_ok = not sbom.root_refs or any(r in with_edges for r in sbom.root_refs)
        dep_detail = f"{len(deps)} relationships" + ("" if roots_ok else "; the primary component has none")
        dep = NtiaElement("dependency relationship", roots_ok, dep_detail, len(with_edges), len(sbom.components))
    else:
        dep = NtiaElement("dependency relationship", False, "no dependency relationships", 0, len(sbom.components))
    if sbom.authors:
        author = NtiaElement("author", True, ", ".join(sbom.authors[:3]))
    elif sbom.tools:
        author = NtiaElement("author", True, f"only tools named: {', '.join(sbom.tools[:3])}")
    else:
        author = NtiaElement("author", False, "no author, creator or tool named")
    ts = NtiaElement(
        "timestamp",
        sbom.timestamp is not None,
        sbom.timestamp.isoformat() if sbom.timestamp else f"missing or unreadable ({sbom.timestamp_raw!r})",
    )
    return NtiaReport(
        (
            _per_component("supplier name", sbom, lambda c: bool(c.supplier)),
            _per_component("component name", sbom, lambda c: bool(c.name)),
            _per_component("version", sbom, lambda c: bool(c.version)),
            _per_component("unique identifier", sbom, lambda c: bool(c.purl or c.cpe)),
            dep,
            author,
            ts,
        )
    )


# --------------------------------------------------------------------------------------------
# diff


@dataclass(frozen=True)
class SbomDiff:
    """Components added, removed, and changed (same package, other version) between two SBOMs."""

    added: tuple[Component, ...] = ()
    removed: tuple[Component, ...] = ()
    changed: tuple[tuple[Component, Component], ...] = ()
    unchanged: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _identity(c: Component) -> str:
    if c.purl:
        p = PackageURL.from_string(c.purl)
        return PackageURL(type=p.type, namespace=p.namespace, name=p.name).to_string()
    return f"name:{c.name.lower()}"


def diff(old: Sbom, new: Sbom) -> SbomDiff:
    """Compare two SBOMs by package identity (purl without version, else name).

    A package present in both with other versions is "changed"; when one SBOM holds several
    versions of a package, equal versions cancel out and the rest pair up in sorted order.
    """
    before: dict[str, list[Component]] = defaultdict(list)
    after: dict[str, list[Component]] = defaultdict(list)
    for c in old.components:
        before[_identity(c)].append(c)
    for c in new.components:
        after[_identity(c)].append(c)
    added: list[Component] = []
    removed: list[Component] = []
    changed: list[tuple[Component, Component]] = []
    unchanged = 0
    for ident in sorted(set(before) | set(after)):
        olds = sorted(before.get(ident, []), key=lambda c: c.version or "")
        news = sorted(after.get(ident, []), key=lambda c: c.version or "")
        new_versions = [c.version for c in news]
        rest_old = []
        for c in olds:
            if c.version in new_versions:
                new_versions.remove(c.version)
                unchanged += 1
            else:
                rest_old.append(c)
        rest_new = []
        pool = [c.version for c in olds]
        for c in news:
            if c.version in pool:
                pool.remove(c.version)
            else:
                rest_new.append(c)
        pairs = min(len(rest_old), len(rest_new))
        changed.extend(zip(rest_old[:pairs], rest_new[:pairs], strict=True))
        removed.extend(rest_old[pairs:])
        added.extend(rest_new[pairs:])
    return SbomDiff(tuple(added), tuple(removed), tuple(changed), unchanged)

