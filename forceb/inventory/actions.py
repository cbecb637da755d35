"""Writes of the inventory that are more than one row: the bulk import of CSV and JSON files.

Single rows are created, changed and deleted through ``forceb.core.actions.save_object`` /
``delete_object`` (the CRUD screens and API). An import is all or nothing: every row is checked,
references are resolved by natural key (see ``io``), rows are upserted in one transaction, and if
anything is wrong the transaction is rolled back and ``ImportRejected`` lists every problem.
The audit trail records each row by signal, plus one ``import`` entry summing the counts.
"""

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from forceb.core import audit
from forceb.core.choices import AuditAction, OrganizationKind, Role

from . import io
from .io import Document, Entry, ImportRejected, Problem
from .models import BusinessService, Dependency, Supplier, SupplierRelationship, System

# Who may import: the people who write a member organisation's own inventory.
IMPORT_ROLES = frozenset({Role.MEMBER_ADMIN, Role.MEMBER_ANALYST})

Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    """What an import did, kind by kind; ``notes`` are remarks that did not refuse the file."""

    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(io.KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(io.KINDS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(io.KINDS, 0))
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "notes": self.notes, "dry_run": self.dry_run}

    def summary(self) -> str:
        return (f"{sum(self.created.values())} created, {sum(self.updated.values())} updated, "
                f"{sum(self.unchanged.values())} unchanged")


def may_import(user) -> bool:
    return (user is not None and user.is_authenticated and user.is_active and user.role in IMPORT_ROLES
            and user.organization_id is not None and user.organization.kind == OrganizationKind.MEMBER)


class _DryRun(Exception):  # noqa: N818 (control flow: unwinds the transaction of a trial import)
    def __init__(self, result: ImportResult):
        self.result = result


def import_inventory(actor, payload: bytes | str, *, fmt: str, kind: str | None = None, dry_run: bool = False,
                     progress: Progress | None = None) -> ImportResult:
    """Import a CSV file (one ``kind``) or a JSON document into the actor's organisation.

    All or nothing: raises ``ImportRejected`` listing every problem (row and field named) and
    stores nothing; with ``dry_run`` everything is checked and written, then rolled back.
    """
    if not may_import(actor):
        raise PermissionDenied("only an admin or analyst of a member organisation may import its inventory")
    document = io.read(payload, fmt=fmt, kind=kind)
    same_actor = getattr(audit.current_actor().user, "pk", None) == actor.pk
    with nullcontext() if same_actor else audit.acting_as(actor):
        try:
            with transaction.atomic():
                result = load_inventory(actor.organization, document, progress=progress)
                if dry_run:
                    result.dry_run = True
                    raise _DryRun(result)
                audit.record(AuditAction.IMPORT, object_type_label="inventory.import",
                             object_id=actor.organization.slug,
                             object_repr=f"{fmt} import{' of ' + kind if kind else ''}: {result.summary()}",
                             after={"format": fmt, "kind": kind, **result.as_dict()})
        except _DryRun as trial:
            return trial.result
    return result


def load_inventory(organization, document: Document, *, curate_registry: bool = False,
                   progress: Progress | None = None) -> ImportResult:
    """Upsert a checked document's records into ``organization``, in one transaction.

    Members may add suppliers to the sector-wide registry but not change existing entries (the
    hub curates them): with ``curate_registry`` False a differing entry is kept and noted.
    """
    loader = _Loader(organization, document, curate_registry, progress)
    try:
        with transaction.atomic():
            loader.run()
            if loader.problems:
                raise ImportRejected(loader.problems)
    except IntegrityError as exc:
        # Only a concurrent writer can get here: every key was looked up first.
        raise ImportRejected([Problem("file", "", f"the inventory changed during the import ({exc}); try again")]) \
            from exc
    return loader.result


# Where a model's validation error lands in a record.
_RECORD_FIELD = {"source_service": "source", "source_system": "source", "source_supplier": "source",
                 "target_system": "target", "target_supplier": "target"}
_SERVICE_FIELDS = ("name", "description", "criticality", "customers_served", "impact_tolerance_minutes",
                   "rto_minutes", "rpo_minutes")
_SYSTEM_FIELDS = ("name", "description", "hosting", "region", "environment", "owner_team", "site", "admin_domain")
_SUPPLIER_FIELDS = ("registry_kind", "registry_id", "name", "kind", "country", "services_provided")
_RELATIONSHIP_FIELDS = ("services", "criticality", "contract_reference", "data_access", "notes")
_DEPENDENCY_FIELDS = ("impact", "alternative", "alternative_switchover_minutes")


class _Unresolved(Exception):  # noqa: N818
    """A reference that does not resolve; ``problem`` is None when the referenced row was itself refused."""

    def __init__(self, problem: Problem | None):
        self.problem = problem


class _Loader:
    def __init__(self, organization, document: Document, curate_registry: bool, progress: Progress | None):
        self.org = organization
        self.doc = document
        self.curate_registry = curate_registry
        self.progress = progress
        self.problems: list[Problem] = list(document.problems)
        self.result = ImportResult()
        self.done = 0
        self.total = len(document)
        self.suppliers = self._registry()
        self.services = {s.name: s for s in BusinessService.objects.filter(owner=organization)}
        self.systems = {s.name: s for s in System.objects.filter(owner=organization)}
        self.relationships = {r.supplier_id: r for r in SupplierRelationship.objects.filter(owner=organization)}
        self.dependencies = {self._edge_key(d): d for d in Dependency.objects.filter(owner=organization)}
        self.kept_registry = 0

    def _registry(self) -> dict:
        """The registry entries the document names, by natural key (one query per 500 ids)."""
        wanted = set()
        for entry in self.doc.entries["suppliers"]:
            wanted.add(io.supplier_key(entry.data))
        for entry in self.doc.entries["systems"]:
            wanted.add(io.supplier_key(entry.data.get("cloud_provider")))
        for entry in self.doc.entries["relationships"]:
            wanted.add(io.supplier_key(entry.data.get("supplier")))
        for entry in self.doc.entries["dependencies"]:
            for end in (entry.data["source"], entry.data["target"]):
                wanted.add(io.supplier_key(end) if end.get("type") == "supplier" else None)
        wanted.discard(None)
        ids = sorted({ident for _, ident in wanted})
        found = {}
        for start in range(0, len(ids), 500):
            for supplier in Supplier.objects.filter(registry_id__in=ids[start:start + 500]):
                found[(supplier.registry_kind, supplier.registry_id)] = supplier
        return found

    @staticmethod
    def _edge_key(d: Dependency) -> tuple:
        return (d.kind, d.source_service_id or d.source_system_id or d.source_supplier_id,
                d.target_system_id or d.target_supplier_id)

    def run(self) -> None:
        steps = {"suppliers": self._supplier, "services": self._service, "systems": self._system,
                 "relationships": self._relationship, "dependencies": self._dependency}
        for kind in io.KINDS:
            for entry in self.doc.entries[kind]:
                try:
                    steps[kind](entry)
                except _Unresolved as missing:
                    if missing.problem is not None:
                        self.problems.append(missing.problem)
                self.done += 1
                if self.progress is not None:
                    self.progress(self.done, self.total)
        if self.kept_registry:
            self.result.notes.append(
                f"{self.kept_registry} supplier registry entr{'y' if self.kept_registry == 1 else 'ies'} "
                "differ from the file and were kept as they are: the hub curates the registry")

    # -- one row of each kind

    def _supplier(self, entry: Entry) -> None:
        key = io.supplier_key(entry.data)
        values = {name: entry.data[name] for name in _SUPPLIER_FIELDS if name in entry.data}
        existing = self.suppliers.get(key)
        if existing is not None and not self.curate_registry:
            if _differs(existing, values):
                self.kept_registry += 1
            self.result.unchanged["suppliers"] += 1
            return
        saved = self._upsert(entry, existing or Supplier(), values)
        if saved is not None:
            self.suppliers[key] = saved

    def _service(self, entry: Entry) -> None:
        name = entry.data["name"]
        values = {n: entry.data[n] for n in _SERVICE_FIELDS if n in entry.data}
        saved = self._upsert(entry, self.services.get(name) or BusinessService(owner=self.org), values)
        if saved is not None:
            self.services[name] = saved

    def _system(self, entry: Entry) -> None:
        name = entry.data["name"]
        values = {n: entry.data[n] for n in _SYSTEM_FIELDS if n in entry.data}
        if "cloud_provider" in entry.data:
            ref = entry.data["cloud_provider"]
            values["cloud_provider"] = None if ref is None else self._supplier_ref(entry, ("cloud_provider",), ref)
        saved = self._upsert(entry, self.systems.get(name) or System(owner=self.org), values)
        if saved is not None:
            self.systems[name] = saved

    def _relationship(self, entry: Entry) -> None:
        supplier = self._supplier_ref(entry, ("supplier",), entry.data["supplier"])
        values = {n: entry.data[n] for n in _RELATIONSHIP_FIELDS if n in entry.data}
        existing = self.relationships.get(supplier.pk)
        saved = self._upsert(entry, existing or SupplierRelationship(owner=self.org, supplier=supplier), values)
        if saved is not None:
            self.relationships[supplier.pk] = saved

    def _dependency(self, entry: Entry) -> None:
        ends = {}
        for side in ("source", "target"):
            end = entry.data[side]
            ends[f"{side}_{end['type']}"] = self._endpoint(entry, side, end)
        edge = Dependency(owner=self.org, **ends)
        try:
            edge.kind = edge.derive_kind()
        except ValidationError as exc:
            self.problems.extend(entry.problem(("target", "type"), m) for m in exc.messages)
            return
        values = {n: entry.data[n] for n in _DEPENDENCY_FIELDS if n in entry.data}
        key = self._edge_key(edge)
        saved = self._upsert(entry, self.dependencies.get(key) or edge, values)
        if saved is not None:
            self.dependencies[key] = saved

    # -- references

    def _supplier_ref(self, entry: Entry, path: tuple, ref: dict) -> Supplier:
        key = io.supplier_key(ref)
        supplier = self.suppliers.get(key)
        if supplier is not None:
            return supplier
        if key in self.doc.declared["suppliers"]:
            raise _Unresolved(None)
        raise _Unresolved(entry.problem((*path, "registry_id"),
                                        f"no supplier {key[0]} {key[1]!r} in this file or in the registry"))

    def _endpoint(self, entry: Entry, side: str, end: dict):
        if end["type"] == "supplier":
            return self._supplier_ref(entry, (side,), end)
        known, kind = (self.services, "services") if end["type"] == "service" else (self.systems, "systems")
        found = known.get(end["name"])
        if found is not None:
            return found
        if end["name"] in self.doc.declared[kind]:
            raise _Unresolved(None)
        raise _Unresolved(entry.problem((side, "name"), f"no {end['type']} named {end['name']!r} in this file "
                                                        "or in your organisation"))

    # -- writing

    def _upsert(self, entry: Entry, instance, values: dict):
        """Set ``values`` on ``instance``, validate and save it; None when the row was refused."""
        created = instance.pk is None
        if not created and not _differs(instance, values):
            self.result.unchanged[entry.kind] += 1
            return instance
        for name, value in values.items():
            setattr(instance, name, value)
        try:
            # Uniqueness was settled by the natural-key lookups above and every related row was
            # loaded or saved by this import: skip the per-row queries that would check them again.
            instance.full_clean(exclude=_relation_fields(instance), validate_unique=False,
                                validate_constraints=False)
        except ValidationError as exc:
            self.problems.extend(self._model_problems(entry, exc))
            return None
        instance.save()
        (self.result.created if created else self.result.updated)[entry.kind] += 1
        return instance

    def _model_problems(self, entry: Entry, exc: ValidationError) -> list[Problem]:
        problems = []
        for name, messages in exc.message_dict.items():
            outer = _RECORD_FIELD.get(name, name)
            if name == "__all__":
                path = ("target",) if entry.kind == "dependencies" else ()
            elif outer in ("source", "target"):
                end = entry.data[outer]
                path = (outer, "registry_id" if end["type"] == "supplier" else "name")
            elif outer in ("cloud_provider", "supplier"):
                path = (outer, "registry_id")
            else:
                path = (outer,)
            problems.extend(entry.problem(path, message) for message in messages)
        return problems


def _relation_fields(instance) -> list[str]:
    return [f.name for f in instance._meta.concrete_fields if f.is_relation]


def _differs(instance, values: dict) -> bool:
    for name, value in values.items():
        model_field = instance._meta.get_field(name)
        if model_field.is_relation:
            if getattr(instance, model_field.attname) != (value.pk if value is not None else None):
                return True
        elif getattr(instance, name) != value:
            return True
    return False
