"""Schemathesis against the API's own OpenAPI schema, in-process over WSGI: every operation, as a
member admin (who writes) and as an auditor (who only reads), must never answer 5xx and must
answer what the schema promises.

Bounded (a handful of examples per operation) so that both runs take a minute or two; raise
FORCEB_FUZZ_EXAMPLES for a longer hunt.
"""

import os
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from forceb.core import actions
from forceb.core.models import ApiToken

from .world import World

# pytest-django creates the test database only for the databases its marked tests ask for.
pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FORCEB_FUZZ_EXAMPLES", "4"))
AUDITOR_WRITES = ("/api/core/tokens/", "/api/core/notifications/")
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@contextmanager
def _connections_kept_open():
    """As Django's test client does: a request's end must not close the connection that holds the
    test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class _Application:
    """The project's WSGI application, each request in its own savepoint: a request that fails
    with a server error leaves nothing behind for the next one (PostgreSQL would refuse every
    later query in an aborted transaction)."""

    def __init__(self):
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        status = {}

        def remember(line, headers, exc_info=None):
            status["code"] = int(line.split()[0])
            return start_response(line, headers, exc_info)

        with transaction.atomic():
            result = self.handler(environ, remember)
            if status.get("code", 500) >= 500:
                transaction.set_rollback(True)
        return result


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), _connections_kept_open(), transaction.atomic():
        yield World()
        transaction.set_rollback(True)


# Loaded when the module is collected: serving the schema needs no database. Requests of the
# tests themselves then go through the savepoint-per-request application.
# The coverage phase (every boundary value and unsupported method of every operation) is left out
# to keep the run bounded; the fuzzing phase generates valid and invalid data alike.
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), config=CONFIG)
schema.app = _Application()
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate])


def _token_of(world, name: str) -> str:
    """The person's token; a new one if fuzzing revoked it (DELETE /api/core/tokens/{id}/ is fair game)."""
    token = world.tokens[name]
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).exists():
        return world.raw_tokens[name]
    world.tokens[name], world.raw_tokens[name] = actions.create_token(world.people[name], name="fuzz")
    return world.raw_tokens[name]


@pytest.mark.slow
@schema.parametrize()
@FUZZ
def test_api_as_member_admin(fuzz_world, case):
    case.call_and_validate(headers={"Authorization": f"Token {_token_of(fuzz_world, 'bank_admin')}"},
                           checks=CHECKS)


@pytest.mark.slow
@schema.parametrize()
@FUZZ
def test_api_as_auditor(fuzz_world, case):
    response = case.call_and_validate(headers={"Authorization": f"Token {_token_of(fuzz_world, 'bank_auditor')}"},
                                      checks=CHECKS)
    if case.method.upper() in ("POST", "PUT", "PATCH", "DELETE") and response.status_code < 300:
        # An auditor only reads; its own writes are its API tokens and marking its notifications read.
        assert case.path.startswith(AUDITOR_WRITES), f"an auditor wrote: {case.method} {case.formatted_path}"
