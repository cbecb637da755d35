"""The OpenAPI schema: generated from code, equal to the committed copy, every operation described,
and free of generator warnings.

Regenerate the committed copy after changing the API, and commit it with the change:

    forceb spectacular --file docs/openapi.yaml
"""

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from drf_spectacular.drainage import GENERATOR_STATS

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"
REGENERATE = "forceb spectacular --file docs/openapi.yaml"
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _generate(tmp_path, *options) -> str:
    GENERATOR_STATS.reset()  # warnings are remembered across generations in one process
    out = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(out), *options)
    return out.read_text()


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> str:
    return _generate(tmp_path_factory.mktemp("schema"))


# The integer column limits of the backends Django supports (16, 32 and 64 bits, signed).
BACKEND_LIMITS = {2**15 - 1, 2**15, 2**31 - 1, 2**31, 2**63 - 1, 2**63}


def _without_integer_bounds(text: str):
    """The schema with the bounds of integer fields left out. Django takes those bounds from the
    database backend (SQLite allows 64 bits where PostgreSQL's integer column allows 32), and the
    committed copy is generated on the default SQLite database."""
    document = yaml.safe_load(text)
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in ("minimum", "maximum"):
                if abs(node.get(key) or 0) in BACKEND_LIMITS:
                    del node[key]
            if node.get("format") in ("int32", "int64"):
                del node["format"]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return document


def test_the_committed_schema_is_the_generated_one(generated):
    assert COMMITTED.exists(), f"docs/openapi.yaml is missing; generate it with `{REGENERATE}`"
    committed = COMMITTED.read_text()
    if connection.vendor != "sqlite":
        generated, committed = _without_integer_bounds(generated), _without_integer_bounds(committed)
    assert generated == committed, (
        f"docs/openapi.yaml differs from the schema the code generates: run `{REGENERATE}`, review the "
        "difference and commit it with the API change")


def test_every_operation_has_a_description(generated):
    schema = yaml.safe_load(generated)
    bare = [f"{method.upper()} {path}" for path, item in schema["paths"].items()
            for method, operation in item.items() if method in METHODS and not operation.get("description", "").strip()]
    assert not bare, ("operations without a description (extend_schema(description=...) on the view or action):\n  "
                      + "\n  ".join(bare))


def test_the_schema_is_valid_and_generated_without_warnings(tmp_path, capsys):
    try:
        _generate(tmp_path, "--validate", "--fail-on-warn")
    except Exception as exc:  # SchemaGenerationError or SchemaValidationError, with the generator's report
        warnings = [line for line in capsys.readouterr().err.splitlines() if "Warning" in line or "Error" in line]
        pytest.fail(f"`forceb spectacular --validate --fail-on-warn` fails ({exc}):\n  " + "\n  ".join(warnings))
