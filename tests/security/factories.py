"""Minimal valid instances of every owned model, for the isolation matrix and the sharing tests.

Every subclass of ``OwnedModel`` needs one factory here, or the isolation matrix fails and names
the model. A factory is a function ``(build, owner, mark) -> saved instance``:

- ``owner`` is the organisation that must own the new row;
- ``mark`` is a unique string the factory must put in one of the row's text fields (a name,
  a title, a description): the matrix looks for it in every response to prove that nothing of
  an organisation leaks to people outside its reach. Put it in the row's own fields only: a
  sector-wide row it refers to (a registry supplier, an advisory of the knowledge base) is seen
  by everyone and must not carry it, or the matrix reports a leak that is not one;
- ``build`` makes related rows: ``build.make(OtherModel, owner)`` for an owned one of the same
  owner, ``build.supplier()`` for a registry supplier, and ``build.save(instance)`` validates
  (``full_clean``) and saves.

Register it with the decorator, in this file, beside the others::

    @factory(Finding)
    def _finding(build, owner, mark):
        return build.save(Finding(owner=owner, title=f"finding {mark}",
                                  component=build.make(Component, owner)))

An app may instead keep its factories beside its own tests, in ``tests/<app>/factories.py``, inside
a function ``register_security_factories()`` that applies the same decorator; ``discover()`` calls it.

A factory may return ``None`` when organisations of ``owner.kind`` cannot own such a row (for
example a row only members hold); the matrix then checks only other organisations' rows for them.
"""

import importlib
import itertools
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.db import models

from forceb.core import actions
from forceb.core.models import Organization, OwnedModel
from forceb.intel.models import Collection, Subscription
from forceb.inventory.models import BusinessService, Dependency, Supplier, SupplierRelationship, System

Factory = Callable[["Builder", Organization, str], models.Model | None]
FACTORIES: dict[type[models.Model], Factory] = {}


def factory(model: type[models.Model]):
    """Register the factory of ``model``."""

    def register(fn: Factory) -> Factory:
        FACTORIES[model] = fn
        return fn

    return register


def discover() -> None:
    """Let each app's tests register the factories of its own models: a ``tests/<app>/factories.py``
    may define ``register_security_factories()``, which registers them with ``@factory``."""
    for path in sorted(Path(__file__).resolve().parent.parent.glob("*/factories.py")):
        if path.parent.name == "security":
            continue
        module = importlib.import_module(f"tests.{path.parent.name}.factories")
        register = getattr(module, "register_security_factories", None)
        if register is not None:
            register()


def owned_models() -> list[type[models.Model]]:
    """Every concrete owned model of the project, in a stable order."""
    return sorted(
        (m for m in apps.get_models() if issubclass(m, OwnedModel) and not m._meta.proxy),
        key=lambda m: m._meta.label,
    )


def missing_factories() -> list[str]:
    discover()
    return [m._meta.label for m in owned_models() if m not in FACTORIES]


class Builder:
    """Makes rows with unique marks; remembers every owned row made with its mark."""

    def __init__(self, prefix: str = "zq"):
        self._numbers = itertools.count(1)
        self.prefix = prefix
        self.marks: dict[models.Model, str] = {}

    def mark(self) -> str:
        # Letters only around the number, so a mark never appears inside another one ("…x1y" vs "…x11y").
        return f"{self.prefix}x{next(self._numbers)}y"

    @staticmethod
    def save(instance: models.Model) -> models.Model:
        return actions.save_object(instance)

    def make(self, model: type[models.Model], owner: Organization) -> models.Model | None:
        if model not in FACTORIES:
            raise LookupError(
                f"no factory for {model._meta.label}: register one with @factory({model.__name__}) in "
                "tests/security/factories.py (see its docstring)")
        mark = self.mark()
        instance = FACTORIES[model](self, owner, mark)
        if instance is None:
            return None
        if instance.pk is None:
            raise AssertionError(f"the factory of {model._meta.label} must save the row it returns")
        if not _carries(instance, mark):
            raise AssertionError(
                f"the factory of {model._meta.label} must put its mark {mark!r} in a text field of the row")
        self.marks[instance] = mark
        return instance

    def supplier(self) -> Supplier:
        mark = self.mark()
        return self.save(Supplier(name=f"supplier {mark}", registry_id=mark))


def _carries(instance: models.Model, mark: str) -> bool:
    return any(
        mark in str(getattr(instance, f.attname) or "")
        for f in instance._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
    )


# --- the inventory ---------------------------------------------------------------------------


@factory(BusinessService)
def _service(build, owner, mark):
    return build.save(BusinessService(owner=owner, name=f"service {mark}", criticality="critical",
                                      impact_tolerance_minutes=240, rto_minutes=60))


@factory(System)
def _system(build, owner, mark):
    return build.save(System(owner=owner, name=f"system {mark}", hosting="on-premises"))


@factory(SupplierRelationship)
def _relationship(build, owner, mark):
    return build.save(SupplierRelationship(owner=owner, supplier=build.supplier(), services=f"hosting {mark}"))


@factory(Dependency)
def _dependency(build, owner, mark):
    return build.save(Dependency(owner=owner, source_service=build.make(BusinessService, owner),
                                 target_system=build.make(System, owner), impact=f"outage {mark}"))


# --- the intelligence hub ----------------------------------------------------------------------


@factory(Collection)
def _collection(build, owner, mark):
    # Collections are the hub's in practice (intel.actions.create_collection); the model lets any
    # organisation own one, and its reach is its owner plus the organisations named on it.
    return build.save(Collection(owner=owner, title=f"collection {mark}"))


@factory(Subscription)
def _subscription(build, owner, mark):
    return build.save(Subscription(owner=owner, name=f"subscription {mark}", collection=build.make(Collection, owner)))
