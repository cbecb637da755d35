"""The inventory's exchange format: reading CSV and JSON files into checked records, and exporting.

The format is documented in ``docs/inventory-import.md`` and fixed by the JSON Schema
``schemas/inventory.schema.json`` (also served at ``/api/inventory/schema/``). A JSON document holds
any of the five kinds; a CSV file holds one kind, its columns being the JSON fields flattened with
``_`` (``cloud_provider.registry_id`` becomes ``cloud_provider_registry_id``). So both formats go
through one validator, and every problem is reported with its row (CSV line, JSON pointer) and field.

Rows refer to each other by natural keys, never database ids, so a file exported from one
installation imports into another: a service or system by its name within the importing
organisation, a supplier by ``registry_kind`` + ``registry_id``, a relationship by its supplier, a
dependency by its source and target.

Reading is pure (no database): ``read`` returns a ``Document`` of records with the problems found
so far; ``actions.load_inventory`` resolves references and writes. Exporting reads through
``restrict``.
"""

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from django.conf import settings
from django.utils import timezone

from .models import BusinessService, Dependency, Supplier, SupplierRelationship, System

FORMAT = "forceb-inventory"
VERSION = 1
FORMATS = ("csv", "json")
# The order in which kinds are written: a row may refer only to kinds loaded before it (or to itself).
KINDS = ("suppliers", "services", "systems", "relationships", "dependencies")
# Above this, a file is refused before it is parsed (settings.FORCEB_IMPORT_MAX_BYTES overrides).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# CSV cells starting with one of these are formulas to a spreadsheet; the export defuses them
# with a leading apostrophe and the import takes it off again (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_MESSAGE = 200
# The model's own words (BusinessService.clean), so that a problem found twice is listed once.
RTO_ABOVE_TOLERANCE = "RTO must not exceed the impact tolerance"


def max_bytes() -> int:
    return int(getattr(settings, "FORCEB_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class Column:
    """One field of a record: where it sits in a JSON record and what type a CSV cell becomes."""

    path: tuple[str, ...]
    type: str = "text"  # text | choice | integer | boolean

    @property
    def header(self) -> str:
        return "_".join(self.path)


def _columns(*spec: str) -> tuple[Column, ...]:
    """``"name"``, ``"rto_minutes:integer"``, ``"cloud_provider.registry_id"`` → columns."""
    columns = []
    for item in spec:
        dotted, _, kind = item.partition(":")
        columns.append(Column(tuple(dotted.split(".")), kind or "text"))
    return tuple(columns)


# The CSV header of each kind, in order; the JSON record of each kind has the same fields.
COLUMNS = {
    "suppliers": _columns("registry_kind", "registry_id", "name", "kind:choice", "country", "services_provided"),
    "services": _columns("name", "description", "criticality:choice", "customers_served:integer",
                         "impact_tolerance_minutes:integer", "rto_minutes:integer", "rpo_minutes:integer"),
    "systems": _columns("name", "description", "hosting:choice", "cloud_provider.registry_kind",
                        "cloud_provider.registry_id", "region", "environment:choice", "owner_team", "site",
                        "admin_domain"),
    "relationships": _columns("supplier.registry_kind", "supplier.registry_id", "services", "criticality:choice",
                              "contract_reference", "data_access:boolean", "notes"),
    "dependencies": _columns("source.type", "source.name", "source.registry_kind", "source.registry_id",
                             "target.type", "target.name", "target.registry_kind", "target.registry_id",
                             "impact", "alternative", "alternative_switchover_minutes:integer"),
}
# The columns a CSV file of each kind must have: its natural key.
KEY_COLUMNS = {
    "suppliers": ("registry_kind", "registry_id"),
    "services": ("name",),
    "systems": ("name",),
    "relationships": ("supplier_registry_kind", "supplier_registry_id"),
    "dependencies": ("source_type", "target_type"),
}
# The $defs entry of the schema that checks one record of each kind.
RECORD_DEFS = {"suppliers": "supplier", "services": "service", "systems": "system",
               "relationships": "relationship", "dependencies": "dependency"}
INTEGER = re.compile(r"-?[0-9]{1,18}")
TRUE_WORDS = {"true", "yes", "1"}
FALSE_WORDS = {"false", "no", "0", ""}


@dataclass(frozen=True)
class Problem:
    """One reason a file was refused: the row (``line 4`` or a JSON pointer), the field, the message."""

    row: str
    field: str
    message: str
    order: tuple = ()

    def __str__(self) -> str:
        return f"{self.row}, field {self.field}: {self.message}" if self.field else f"{self.row}: {self.message}"

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}


class ImportRejected(Exception):  # noqa: N818 (a verdict, not a programming error)
    """The file was refused as a whole; ``problems`` lists every reason found, and nothing was stored."""

    def __init__(self, problems: Iterable[Problem]):
        # A problem found both while reading and by the model is listed once.
        self.problems = sorted(dict.fromkeys(problems), key=lambda p: p.order)
        super().__init__(f"{len(self.problems)} problem(s); nothing was imported")

    def __str__(self) -> str:
        return "\n".join([super().__str__(), *(str(p) for p in self.problems)])


def _file_problem(message: str, row: str = "file") -> ImportRejected:
    return ImportRejected([Problem(row, "", message)])


@dataclass
class Entry:
    """One record read from the file, with where it came from (for the messages)."""

    kind: str
    data: dict
    row: str  # "line 4" or "/services/2"
    order: tuple
    csv: bool

    def field_name(self, path: Iterable[str]) -> str:
        return ("_" if self.csv else "/").join(path)

    def problem(self, path: Iterable[str], message: str) -> Problem:
        return Problem(self.row, self.field_name(path), message[:MAX_MESSAGE], self.order)


@dataclass
class Document:
    """The records of a file, kind by kind, and the problems found while reading them.

    ``entries`` holds only records that passed the schema; ``declared`` holds the natural keys of
    every record, valid or not, so that a reference to a refused row is not reported twice.
    """

    entries: dict[str, list[Entry]] = field(default_factory=lambda: {k: [] for k in KINDS})
    problems: list[Problem] = field(default_factory=list)
    # natural key → the row that first declared it, per kind
    declared: dict[str, dict] = field(default_factory=lambda: {k: {} for k in KINDS})

    def __len__(self) -> int:
        return sum(len(e) for e in self.entries.values())


@cache
def schema() -> dict:
    """The JSON Schema of the exchange document (the file shipped in ``schemas/``)."""
    text = resources.files("forceb.inventory.schemas").joinpath("inventory.schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def _validator(definition: str | None = None):
    # Imported on first use: jsonschema's import compiles grammars for a second or more, which
    # every web process and CLI command would otherwise pay at start-up.
    from jsonschema import Draft202012Validator

    root = schema()
    if definition is None:
        return Draft202012Validator(root)
    # A record's definition, checked on its own but resolving $refs against the whole schema.
    return Draft202012Validator({"$defs": root["$defs"], "$ref": f"#/$defs/{definition}"})


# -- reading ------------------------------------------------------------------------------------------

def read(payload: bytes | str, *, fmt: str, kind: str | None = None) -> Document:
    """Parse and check a file. Raises ``ImportRejected`` when it cannot be read at all; otherwise the
    document carries the problems of individual records (the caller decides, after resolving
    references, whether to refuse the whole)."""
    if fmt not in FORMATS:
        raise _file_problem(f"unknown format {fmt!r}: use csv or json")
    if kind is not None and kind not in KINDS:
        raise _file_problem(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    text = _decode(payload)
    if fmt == "csv":
        if kind is None:
            raise _file_problem(f"a CSV file holds one kind: name it ({', '.join(KINDS)})")
        return _read_csv(text, kind)
    return _read_json(text, kind)


def from_data(data: dict) -> Document:
    """Check a document already in memory (the demo seeder builds its inventory this way)."""
    return _document_from_json(data, None)


def _decode(payload: bytes | str) -> str:
    limit = max_bytes()
    if isinstance(payload, str):
        try:
            payload = payload.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _file_problem(f"the text holds characters that are not valid Unicode ({exc.reason})") from exc
    if len(payload) > limit:
        raise _file_problem(f"the file is larger than {limit} bytes; split it")
    if not payload.strip():
        raise _file_problem("the file is empty")
    if payload.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _file_problem("the file is UTF-16; save it as UTF-8")
    try:
        # utf-8-sig drops the byte-order mark that spreadsheet programs put in front.
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = payload[: exc.start].count(b"\n") + 1
        raise _file_problem(f"not UTF-8 (byte {exc.start}); save the file as UTF-8", row=f"line {line}") from exc


def _text_problem(value: str) -> str | None:
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains characters that are not valid Unicode"
    return None


# CSV

def _read_csv(text: str, kind: str) -> Document:
    doc = Document()
    columns = {c.header: c for c in COLUMNS[kind]}
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise _file_problem(f"unreadable CSV header: {exc}", row="line 1") from exc
    header = [h.strip() for h in header]
    header_problems = []
    for position, name in enumerate(header, start=1):
        if name not in columns:
            header_problems.append(Problem("line 1", name or f"column {position}",
                                           f"unknown column; the columns of {kind} are {', '.join(columns)}",
                                           (0, position)))
        elif header.index(name) != position - 1:
            header_problems.append(Problem("line 1", name, "column given twice", (0, position)))
    missing_keys = [Problem("line 1", name, "required column missing", (0, 0))
                    for name in KEY_COLUMNS[kind] if name not in header]
    if missing_keys:
        # Without its natural key no row can be checked; report the header alone.
        raise ImportRejected(header_problems + missing_keys)
    doc.problems.extend(header_problems)

    validator = _validator(RECORD_DEFS[kind])
    line = reader.line_num
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            doc.problems.append(Problem(f"line {start}", "", f"unreadable CSV: {exc}", (start,)))
            break
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        entry = Entry(kind, {}, f"line {start}", (start,), csv=True)
        if len(cells) != len(header):
            doc.problems.append(entry.problem((), f"has {len(cells)} cells, the header has {len(header)}"))
            continue
        problems = []
        for position, (name, cell) in enumerate(zip(header, cells, strict=True)):
            column = columns.get(name)
            if column is None or header.index(name) != position:
                continue  # already reported with the header
            trouble = _text_problem(cell)
            if trouble:
                problems.append(entry.problem(column.path, trouble))
                continue
            _put(entry.data, column, _cell_value(cell, column))
        problems += _schema_problems(validator, entry) + _rule_problems(entry)
        _accept(doc, entry, problems)
    return doc


def _cell_value(cell: str, column: Column):
    if column.type == "integer":
        stripped = cell.strip()
        if not stripped:
            return None
        # Anything but a plain whole number stays text, for the schema to name the problem.
        return int(stripped) if INTEGER.fullmatch(stripped) else cell
    if column.type == "choice":
        return cell.strip() or None  # an empty choice leaves the field as it is (or at its default)
    if column.type == "boolean":
        word = cell.strip().lower()
        if word in TRUE_WORDS:
            return True
        return False if word in FALSE_WORDS else cell
    if cell.startswith("'") and cell[1:2] and cell[1] in FORMULA_START:
        return cell[1:]
    return cell


def _put(record: dict, column: Column, value) -> None:
    if len(column.path) == 1:
        if value is not None or column.type != "choice":
            record[column.path[0]] = value
        return
    # A reference spread over columns: empty cells are left out, and all-empty means "none".
    outer, inner = column.path
    part = record.setdefault(outer, None)
    if value in ("", None):
        return
    if part is None:
        part = record[outer] = {}
    part[inner] = value


# JSON

def _read_json(text: str, kind: str | None) -> Document:
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except _DuplicateKey as exc:
        raise _file_problem(f"an object names {exc.args[0]!r} twice") from exc
    except json.JSONDecodeError as exc:
        raise _file_problem(f"not valid JSON: {exc.msg} (column {exc.colno})", row=f"line {exc.lineno}") from exc
    except (ValueError, RecursionError) as exc:
        raise _file_problem(f"not valid JSON: {str(exc)[:MAX_MESSAGE]}") from exc
    return _document_from_json(data, kind)


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _no_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def _document_from_json(data, kind: str | None) -> Document:
    doc = Document()
    top = [p for p in _schema_problems_top(data)]
    if top:
        raise ImportRejected(top)
    if kind is not None:
        others = [k for k in KINDS if k != kind and data.get(k)]
        if others:
            raise _file_problem(f"asked to import {kind} only, but the document also holds {', '.join(others)}")
    for position, name in enumerate(KINDS):
        validator = _validator(RECORD_DEFS[name])
        for index, record in enumerate(data.get(name, [])):
            entry = Entry(name, record if isinstance(record, dict) else {}, f"/{name}/{index}",
                          (position, index), csv=False)
            if not isinstance(record, dict):
                doc.problems.append(entry.problem((), "must be an object"))
                continue
            problems = [entry.problem(path, trouble) for path, trouble in _walk_text(record)]
            if not problems:
                problems = _schema_problems(validator, entry) + _rule_problems(entry)
            _accept(doc, entry, problems)
    return doc


def _walk_text(value, path=()):
    if isinstance(value, str):
        trouble = _text_problem(value)
        if trouble:
            yield path, trouble
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_text(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_text(item, (*path, str(index)))


def _schema_problems_top(data) -> list[Problem]:
    """Problems with the document's frame: what it is, its version, the kinds' lists (not the rows)."""
    if not isinstance(data, dict):
        return [Problem("/", "", "the document must be a JSON object")]
    problems = []
    frame = {k: v for k, v in data.items() if k not in KINDS}
    frame.update({k: [] for k, v in data.items() if k in KINDS and isinstance(v, list)})
    for k in KINDS:
        if k in data and not isinstance(data[k], list):
            problems.append(Problem("/", k, "must be a list of records", (-1,)))
    for error in _validator().iter_errors(frame):
        for path, message in _describe(error):
            problems.append(Problem("/", "/".join(path), message, (-1,)))
    return problems


def _schema_problems(validator, entry: Entry) -> list[Problem]:
    problems = []
    for error in validator.iter_errors(entry.data):
        for path, message in _describe(error):
            problem = entry.problem(path, message)
            if problem not in problems:  # minLength and pattern both say "empty"
                problems.append(problem)
    return problems


def _rule_problems(entry: Entry) -> list[Problem]:
    """Rules across fields that JSON Schema cannot say, checked even on a row with other problems
    so that the list is complete (the model checks them again against stored values)."""
    rto, tolerance = entry.data.get("rto_minutes"), entry.data.get("impact_tolerance_minutes")
    if entry.kind == "services" and _number(rto) and _number(tolerance) and rto > tolerance:
        return [entry.problem(("rto_minutes",), RTO_ABOVE_TOLERANCE)]
    return []


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _describe(error) -> list[tuple[tuple[str, ...], str]]:
    """A jsonschema error as (field path, short message) pairs, in the words of the format."""
    path = tuple(str(p) for p in error.absolute_path)
    instance = error.instance
    if error.validator == "required":
        missing = [name for name in error.validator_value if isinstance(instance, dict) and name not in instance]
        return [((*path, name), "required") for name in missing]
    if error.validator == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        return [((*path, str(name)), "unknown field") for name in instance if name not in known]
    if error.validator == "enum":
        return [(path, f"{_short(instance)} is not one of {', '.join(map(str, error.validator_value))}")]
    if error.validator == "const":
        return [(path, f"must be {error.validator_value!r}")]
    if error.validator == "type":
        wanted = error.validator_value if isinstance(error.validator_value, str) else " or ".join(
            error.validator_value)
        return [(path, f"{_short(instance)} is not of type {wanted}")]
    if error.validator == "minimum":
        return [(path, f"must be at least {error.validator_value}, not {_short(instance)}")]
    if error.validator == "maximum":
        return [(path, f"must be at most {error.validator_value}")]
    if error.validator == "maxLength":
        return [(path, f"longer than {error.validator_value} characters")]
    if error.validator in ("minLength", "pattern") and error.schema.get("pattern") == "\\S":
        return [(path, "must not be empty")]
    if error.validator == "pattern":
        return [(path, f"{_short(instance)} is not in the expected form")]
    return [(path, error.message[:MAX_MESSAGE])]


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _accept(doc: Document, entry: Entry, problems: list[Problem]) -> None:
    key = natural_key(entry.kind, entry.data)
    if key is not None:
        first = doc.declared[entry.kind].setdefault(key, entry.row)
        if first != entry.row:
            problems.append(entry.problem(KEY_FIELD[entry.kind], f"the same {_key_words(entry.kind)} as {first}"))
    if problems:
        doc.problems.extend(problems)
        return
    doc.entries[entry.kind].append(_coerced(entry))


KEY_FIELD = {"suppliers": ("registry_id",), "services": ("name",), "systems": ("name",),
             "relationships": ("supplier",), "dependencies": ("target",)}


def _key_words(kind: str) -> str:
    return {"suppliers": "registry key", "services": "name", "systems": "name", "relationships": "supplier",
            "dependencies": "source and target"}[kind]


def _coerced(entry: Entry) -> Entry:
    # JSON allows 3.0 for an integer; the database wants 3.
    for column in COLUMNS[entry.kind]:
        if column.type == "integer" and isinstance(entry.data.get(column.path[0]), float):
            entry.data[column.path[0]] = int(entry.data[column.path[0]])
    return entry


def supplier_key(ref) -> tuple[str, str] | None:
    if not isinstance(ref, dict):
        return None
    kind, ident = ref.get("registry_kind"), ref.get("registry_id")
    return (kind, ident) if isinstance(kind, str) and isinstance(ident, str) else None


def endpoint_key(end) -> tuple | None:
    if not isinstance(end, dict) or not isinstance(end.get("type"), str):
        return None
    if end["type"] == "supplier":
        key = supplier_key(end)
        return ("supplier", key) if key else None
    name = end.get("name")
    return (end["type"], name) if isinstance(name, str) else None


def natural_key(kind: str, data: dict):
    """The natural key of a record, or None when the record is too broken to have one."""
    if kind == "suppliers":
        return supplier_key(data)
    if kind in ("services", "systems"):
        name = data.get("name")
        return name if isinstance(name, str) else None
    if kind == "relationships":
        return supplier_key(data.get("supplier"))
    source, target = endpoint_key(data.get("source")), endpoint_key(data.get("target"))
    return (source, target) if source and target else None


# -- exporting -----------------------------------------------------------------------------------------

def export_inventory(user, *, fmt: str, kind: str | None = None) -> str:
    """The user's organisation's own inventory as a CSV file (one kind) or a JSON document.

    Reads through ``restrict(user, "view")`` and keeps only the organisation's own rows: objects
    other organisations shared with it stay theirs, and their names would not resolve on import.
    Registry suppliers are those the exported rows refer to.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use csv or json")
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    if fmt == "csv" and kind is None:
        raise ValueError(f"a CSV file holds one kind: name it ({', '.join(KINDS)})")
    records = export_records(user, kinds=[kind] if kind else KINDS)
    if fmt == "csv":
        return render_csv(kind, records[kind])
    document = {"format": FORMAT, "version": VERSION,
                "organization": user.organization.slug if user.organization_id else "",
                "exported_at": timezone.now().isoformat(timespec="seconds")}
    document.update(records)
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def export_records(user, *, kinds: Iterable[str] = KINDS) -> dict[str, list[dict]]:
    def own(model):
        return model.objects.restrict(user, "view").filter(owner_id=user.organization_id)

    services = own(BusinessService).order_by("name")
    systems = own(System).select_related("cloud_provider").order_by("name")
    relationships = own(SupplierRelationship).select_related("supplier")
    dependencies = own(Dependency).select_related("source_service", "source_system", "source_supplier",
                                                  "target_system", "target_supplier")
    out = {}
    kinds = list(kinds)
    if "services" in kinds:
        out["services"] = [_service_record(s) for s in services]
    if "systems" in kinds:
        out["systems"] = [_system_record(s) for s in systems]
    if "relationships" in kinds:
        out["relationships"] = sorted((_relationship_record(r) for r in relationships),
                                      key=lambda r: (r["supplier"]["registry_kind"], r["supplier"]["registry_id"]))
    if "dependencies" in kinds:
        out["dependencies"] = sorted((_dependency_record(d) for d in dependencies),
                                     key=lambda r: json.dumps([r["source"], r["target"]], sort_keys=True))
    if "suppliers" in kinds:
        used = Supplier.objects.filter(
            pk__in=[*systems.exclude(cloud_provider=None).values_list("cloud_provider_id", flat=True),
                    *relationships.values_list("supplier_id", flat=True),
                    *dependencies.exclude(source_supplier=None).values_list("source_supplier_id", flat=True),
                    *dependencies.exclude(target_supplier=None).values_list("target_supplier_id", flat=True)]
        ).order_by("registry_kind", "registry_id")
        out["suppliers"] = [_supplier_record(s) for s in used]
    return {k: out[k] for k in KINDS if k in out}


def _ref(supplier: Supplier | None) -> dict | None:
    return None if supplier is None else {"registry_kind": supplier.registry_kind,
                                          "registry_id": supplier.registry_id}


def _supplier_record(s: Supplier) -> dict:
    return {"registry_kind": s.registry_kind, "registry_id": s.registry_id, "name": s.name, "kind": s.kind,
            "country": s.country, "services_provided": s.services_provided}


def _service_record(s: BusinessService) -> dict:
    return {"name": s.name, "description": s.description, "criticality": s.criticality,
            "customers_served": s.customers_served, "impact_tolerance_minutes": s.impact_tolerance_minutes,
            "rto_minutes": s.rto_minutes, "rpo_minutes": s.rpo_minutes}


def _system_record(s: System) -> dict:
    return {"name": s.name, "description": s.description, "hosting": s.hosting,
            "cloud_provider": _ref(s.cloud_provider), "region": s.region, "environment": s.environment,
            "owner_team": s.owner_team, "site": s.site, "admin_domain": s.admin_domain}


def _relationship_record(r: SupplierRelationship) -> dict:
    return {"supplier": _ref(r.supplier), "services": r.services, "criticality": r.criticality,
            "contract_reference": r.contract_reference, "data_access": r.data_access, "notes": r.notes}


def _endpoint(obj, type_: str) -> dict:
    if type_ == "supplier":
        return {"type": "supplier", **_ref(obj)}
    return {"type": type_, "name": obj.name}


def _dependency_record(d: Dependency) -> dict:
    if d.source_service_id:
        source = _endpoint(d.source_service, "service")
    elif d.source_system_id:
        source = _endpoint(d.source_system, "system")
    else:
        source = _endpoint(d.source_supplier, "supplier")
    target = _endpoint(d.target_system, "system") if d.target_system_id else _endpoint(d.target_supplier, "supplier")
    return {"source": source, "target": target, "impact": d.impact, "alternative": d.alternative,
            "alternative_switchover_minutes": d.alternative_switchover_minutes}


def render_csv(kind: str, records: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = COLUMNS[kind]
    writer.writerow([c.header for c in columns])
    for record in records:
        writer.writerow([_cell(_get(record, c.path)) for c in columns])
    return out.getvalue()


def _get(record: dict, path: tuple[str, ...]):
    value = record
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return "'" + value if value.startswith(FORMULA_START) else value
