"""The isolation matrix: every route × every role × own and other organisations' rows.

Each route's access policy (``forceb.core.access``) is a promise; this module checks it for one
person of every role and for anonymous visitors, against rows of every organisation, rows shared
with the hub (TLP:AMBER) and rows shared with the community (TLP:GREEN):

- a route without a policy fails the build (``test_every_route_declares_an_access_policy``);
- ``PUBLIC``: 200 for everyone (a signed-in person may be redirected, e.g. away from the login page);
- ``SIGNED_IN``: anonymous visitors are sent to the login page (UI) or get 401/403 (API, TAXII: 401);
  signed-in people get 200;
- ``roles(...)``: the named roles get 200, the others 404;
- ``owned(Model)``: for a ``pk`` route, a row the person may see gives 200, any other row 404;
- every 200 is searched for the marks of the rows the person may not see: none may appear.

Routes with URL arguments other than an owned ``pk`` are resolved by ``tests/security/targets.py``:
a new route of that kind fails until someone writes down who may reach which object through it.

The sector is built once per module (``world``) inside a transaction that is rolled back at the
end; each test runs in its own savepoint, so the write probes cannot leak into the next test.
"""

import inspect
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.urls import reverse

from forceb.core import audit
from forceb.core.choices import WRITER_ROLES
from forceb.core.models import OwnedModel

from .factories import missing_factories
from .routes import API_PREFIXES, TAXII_PREFIX, Route, walk
from .targets import TARGETS
from .world import PEOPLE, World

ROUTES = walk()
WITH_POLICY = [r for r in ROUTES if r.policy is not None]
REDIRECTS = {301, 302, 303}
WRITE_METHODS = ("put", "patch", "delete")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield World()
        transaction.set_rollback(True)


def test_every_route_declares_an_access_policy():
    missing = [f"/{r.pattern}  ({r.id})" for r in ROUTES if r.policy is None]
    assert not missing, (
        "routes without an access policy (decorate the view with @access.policy(...) or set "
        "access_policy on the view class; see forceb/core/access.py):\n  " + "\n  ".join(missing))


def test_every_route_has_a_name():
    unnamed = [f"/{r.pattern}" for r in ROUTES if r.name is None]
    assert not unnamed, "name these routes so that the isolation matrix can reach them:\n  " + "\n  ".join(unnamed)


def test_every_owned_model_has_a_factory():
    missing = missing_factories()
    assert not missing, (
        "owned models without a factory in tests/security/factories.py (the isolation matrix must build "
        "one of each for every organisation; see the docstring there): " + ", ".join(missing))


def _owned_targets(world, route: Route, user):
    model = route.policy.model
    own = world.private[model].get(user.organization_id) if user is not None else None
    other = world.private[model].get(world.other_member(user).pk if user is not None else world.sector.bank.pk)
    rows = [row for row in (own, other, world.to_hub[model], world.to_community[model]) if row is not None]
    targets = []
    for row in rows:
        if route.policy.write_roles or not route.allows("get"):
            # A page that changes the row (or an action that only writes): only its owner's people reach it.
            reach = user is not None and row.owner_id == user.organization_id
        else:
            reach = world.visible(user, row)
        targets.append((f"{model.__name__} of {row.owner.slug} ({world.build.marks[row]})", {"pk": row.pk}, reach))
    return targets


def _targets(world, route: Route, user):
    """The paths to probe for ``route`` as ``user``; an error message when the route cannot be resolved."""
    if route.name in TARGETS:
        probe_as = user or world.people["bank_admin"]  # anonymous visitors probe what a member could reach
        return TARGETS[route.name](world, probe_as), None
    if not route.kwargs:
        return [("", {}, True)], None
    if route.kwargs == {"pk"} and route.policy.kind == "owned":
        if not issubclass(route.policy.model, OwnedModel):
            return [], f"owned({route.policy.model.__name__}) names a model that is not an OwnedModel"
        if route.policy.model not in world.private:
            return [], f"no factory for {route.policy.model._meta.label} in tests/security/factories.py"
        return _owned_targets(world, route, user), None
    return [], (f"URL arguments {sorted(route.kwargs)} of {route.id} are not known to the isolation matrix: "
                "register the route in tests/security/targets.py, saying who may reach which object through it")


# --- the promise of each policy ----------------------------------------------------------------


def _is_login_redirect(response) -> bool:
    login = resolve_url(settings.LOGIN_URL)
    return response.status_code in REDIRECTS and response.get("Location", "").startswith(login)


def _anonymous_refused(path: str, response, policy) -> bool:
    if path.startswith(TAXII_PREFIX):
        return response.status_code == 401
    if path.startswith(API_PREFIXES):
        return response.status_code in (401, 403) or (policy.kind == "roles" and response.status_code == 404)
    return _is_login_redirect(response) or (policy.kind == "roles" and response.status_code == 404)


def _api_writers(route: Route):
    """The roles an API view lets write (its ``write_roles``, else the platform's writer roles)."""
    declared = inspect.getattr_static(route.view_class, "write_roles", None)
    return declared if isinstance(declared, set | frozenset) else WRITER_ROLES


def _expected(route: Route, user, reach: bool, method: str) -> set[int]:
    """The statuses that keep the promise of the route's policy for ``user`` (a signed-in person)."""
    policy = route.policy
    # A POST without a body that is answered 400 got past the access check, which is what is probed.
    success = {200} if method == "get" else {200, 201, 204, 400} | REDIRECTS
    if policy.kind == "public":
        return success | REDIRECTS
    if policy.kind == "roles" and user.role not in policy.roles:
        return {404}
    if method == "post" and route.drf_actions is not None and user.role not in _api_writers(route):
        return {403, 404}  # an API action that writes refuses readers' roles before looking anything up
    if not reach:
        return {404}
    if policy.write_roles and user.role not in policy.write_roles:
        return {403, 404}
    return success


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("route", WITH_POLICY, ids=[r.id for r in WITH_POLICY])
def test_route_keeps_its_policy_promise(world, db, route):
    # A route without GET (sign-out) is probed with POST, each time with a fresh session.
    method = "get" if route.allows("get") else "post"
    failures = []
    for who in (None, *PEOPLE):
        user = world.people.get(who) if who else None
        targets, problem = _targets(world, route, user)
        if problem:
            pytest.fail(problem)
        hidden = world.hidden_marks(user)
        for label, kwargs, reach, *query in targets:
            path = reverse(route.name, kwargs=kwargs)
            if query:
                path += "?" + urlencode(query[0])
            response = world.request(who, method, path, fresh=method == "post")
            if response.status_code == 405 and method == "get":
                # A function view that only takes POST (it cannot say so before it is called).
                method = "post"
                response = world.request(who, method, path, fresh=True)
            where = f"{method.upper()} {path} {label} as {world.role_of(user)}{' ' + who if who else ''}"
            if user is None:
                if route.policy.kind == "public":
                    ok = response.status_code == 200 or (
                        response.status_code in REDIRECTS and not _is_login_redirect(response))
                else:
                    ok = _anonymous_refused(path, response, route.policy)
                if not ok:
                    failures.append(f"{where}: {response.status_code}, expected to be refused")
                    continue
            else:
                expected = _expected(route, user, reach, method)
                if response.status_code not in expected:
                    failures.append(f"{where}: {response.status_code}, expected {sorted(expected)}")
                    continue
            if response.status_code != 200:
                continue
            body = _body(response)
            leaked = [f"{m} ({row._meta.label} of {row.owner.slug})" for m, row in hidden.items() if m in body]
            if leaked:
                failures.append(f"{where}: shows rows outside the person's reach: {', '.join(leaked)}")
            if route.policy.kind == "owned" and route.drf_actions and route.drf_actions.get("get") == "list":
                mark = world.own_mark(user, route.policy.model)
                if mark and mark not in body:
                    failures.append(f"{where}: the list lacks the organisation's own row {mark}")
    assert not failures, f"{route.id} breaks its policy {route.policy}:\n  " + "\n  ".join(failures)


# --- writes through the API ---------------------------------------------------------------------

OWNED_API = [r for r in WITH_POLICY if r.policy.kind == "owned" and r.drf_actions and r.pattern.startswith("api/")]
OWNED_API_COLLECTIONS = [r for r in OWNED_API if "post" in r.drf_actions and not r.kwargs]
OWNED_API_DETAILS = [r for r in OWNED_API if r.kwargs == {"pk"} and set(WRITE_METHODS) & set(r.drf_actions)]


def _state(model, pk):
    row = model.objects.filter(pk=pk).first()
    return audit.snapshot(row) if row is not None else None


def _tampered(representation: dict, mark: str) -> dict:
    """The owner's own representation with every text carrying the row's mark changed."""
    return {k: (v.replace(mark, "tampered") if isinstance(v, str) else v) for k, v in representation.items()}


def _require_factory(world, model):
    if model not in world.private:
        pytest.fail(f"no factory for {model._meta.label} in tests/security/factories.py")


@pytest.mark.parametrize("route", OWNED_API_COLLECTIONS, ids=[r.id for r in OWNED_API_COLLECTIONS])
def test_readers_cannot_create(world, db, route):
    model = route.policy.model
    _require_factory(world, model)
    before = model.objects.count()
    failures = []
    for who in ("bank_auditor", "supervisor"):
        response = world.request(who, "post", reverse(route.name), data={})
        if response.status_code != 403:
            failures.append(f"POST as {who}: {response.status_code}, expected 403")
    assert model.objects.count() == before, "a refused create still created a row"
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("route", OWNED_API_DETAILS, ids=[r.id for r in OWNED_API_DETAILS])
def test_writes_outside_reach_are_refused_and_change_nothing(world, db, route):
    model = route.policy.model
    _require_factory(world, model)
    s = world.sector
    cases = [  # (who, row, expected status)
        ("bank_auditor", world.private[model].get(s.bank.pk), 403),
        ("supervisor", world.private[model].get(world.fsc.pk), 403),
        ("supervisor", world.private[model].get(s.bank.pk), 403),
        ("insurer_admin", world.private[model].get(s.bank.pk), 404),
        ("insurer_analyst", world.to_hub[model], 404),
        ("hub_analyst", world.to_hub[model], 404),  # shared with the hub to read, not to change
        ("platform_admin", world.private[model].get(s.bank.pk), 404),
        ("bank_admin", world.to_community[model], 404),
    ]
    failures = []
    for who, row, expected in cases:
        if row is None:
            continue
        path = reverse(route.name, kwargs={"pk": row.pk})
        owner = next(n for n, u in world.people.items() if u.organization_id == row.owner_id)
        representation = world.request(owner, "get", path).json()
        body = _tampered(representation, world.build.marks[row])
        for method in WRITE_METHODS:
            if method not in route.drf_actions:
                continue
            before = _state(model, row.pk)
            response = world.request(who, method, path, data=None if method == "delete" else body)
            if response.status_code != expected:
                failures.append(f"{method.upper()} {path} ({row.owner.slug}'s) as {who}: "
                                f"{response.status_code}, expected {expected}")
            if _state(model, row.pk) != before:
                failures.append(f"{method.upper()} {path} ({row.owner.slug}'s) as {who} changed the row")
    # The control: the owner's writer may change its own row through the same route.
    own = world.private[model][s.bank.pk]
    response = world.request("bank_admin", "patch", reverse(route.name, kwargs={"pk": own.pk}), data={})
    if "patch" in route.drf_actions and response.status_code != 200:
        failures.append(f"control: PATCH {{}} on bank's own row as bank_admin gave {response.status_code}")
    assert not failures, "\n".join(failures)


def _owned_relations(route: Route):
    """Fields of the route's serializer that point at owned rows: name → (model, many)."""
    serializer_class = getattr(route.callback.cls, "serializer_class", None)
    if serializer_class is None:
        return {}
    found = {}
    for name, field in serializer_class().fields.items():
        if field.read_only:
            continue
        relation = getattr(field, "child_relation", field)
        queryset = getattr(relation, "queryset", None)
        if queryset is not None and issubclass(queryset.model, OwnedModel):
            found[name] = (queryset.model, relation is not field)
    return found


@pytest.mark.parametrize("route", OWNED_API_DETAILS, ids=[r.id for r in OWNED_API_DETAILS])
def test_no_reference_to_rows_outside_reach(world, db, route):
    """A row may not be made to point at a row its writer may not change (another organisation's,
    or one merely shared with it): the reference is refused as unknown and nothing changes."""
    if "patch" not in route.drf_actions:
        pytest.skip("no partial update on this route")
    model = route.policy.model
    _require_factory(world, model)
    s = world.sector
    failures = []
    for field, (related, many) in _owned_relations(route).items():
        _require_factory(world, related)
        for who, org, foreign in (("bank_admin", s.bank, world.private[related].get(s.insurer.pk)),
                                  ("hub_analyst", s.hub, world.to_hub[related])):
            row = world.private[model].get(org.pk)
            if row is None or foreign is None:
                continue
            path = reverse(route.name, kwargs={"pk": row.pk})
            before = _state(model, row.pk)
            response = world.request(who, "patch", path, data={field: [foreign.pk] if many else foreign.pk})
            if response.status_code != 400:
                failures.append(f"PATCH {path} {field}={foreign.owner.slug}'s {related.__name__} as {who}: "
                                f"{response.status_code}, expected 400")
            if _state(model, row.pk) != before:
                failures.append(f"PATCH {path} {field}=… as {who} changed the row")
    assert not failures, "\n".join(failures)


def test_no_api_lets_a_row_change_its_owner():
    """``owner`` is set from the requesting organisation; a writable one would let a member create
    rows in another organisation's name, or hand its rows over."""
    writable = []
    for route in OWNED_API:
        serializer_class = getattr(route.callback.cls, "serializer_class", None)
        field = serializer_class().fields.get("owner") if serializer_class is not None else None
        if field is not None and not field.read_only:
            writable.append(f"{route.id}: {serializer_class.__name__}.owner")
    assert not writable, "writable owner fields:\n  " + "\n  ".join(sorted(set(writable)))
