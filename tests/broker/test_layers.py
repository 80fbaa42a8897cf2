"""The broker's layers, checked from its source: routes → services → repository → models.

Queries live in ``repository/`` only, and imports point down the layers: nothing below the
HTTP API imports it, and the repository imports neither services nor the API.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

import pact_pipeline.broker

BROKER = Path(pact_pipeline.broker.__file__).parent
PACKAGE = "pact_pipeline.broker"

#: Modules outside ``repository/`` allowed to build SQL, and why.
SQL_ALLOWED = {
    # Connection set-up: SQLite pragmas and PostgreSQL's advisory lock around migrations.
    "db.py",
}
#: Alembic's schema migrations are DDL, not queries of the broker's data.
SQL_ALLOWED_DIRS = ("migrations",)
#: Calls that build or run a query.
QUERY_FUNCTIONS = frozenset({"select", "text"})
QUERY_METHODS = frozenset({"query", "execute", "scalars", "scalar"})

#: Modules that must not import the HTTP API (``api/``): everything below it.
BELOW_API = ("services", "repository", "models.py", "matrix", "selection", "middleware.py")


def _modules() -> list[Path]:
    return sorted(p for p in BROKER.rglob("*.py") if "__pycache__" not in p.parts)


def _relative(path: Path) -> str:
    return path.relative_to(BROKER).as_posix()


def _in_repository(path: Path) -> bool:
    return _relative(path).startswith("repository/")


def _may_build_sql(path: Path) -> bool:
    relative = _relative(path)
    return relative in SQL_ALLOWED or relative.startswith(SQL_ALLOWED_DIRS)


def query_calls(source: str) -> list[str]:
    """The query-building calls in ``source``: ``select(``, ``text(`` and ``.query(``,
    ``.execute(``, ``.scalars(``, ``.scalar(``, with their line, ignoring strings and
    comments."""
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE)
    ]
    found: list[str] = []
    for before, name, after in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if name.type != tokenize.NAME or after.string != "(":
            continue
        is_method = before.string == "."
        if (is_method and name.string in QUERY_METHODS) or (
            not is_method and name.string in QUERY_FUNCTIONS
        ):
            found.append(
                f"line {name.start[0]}: {before.string if is_method else ''}{name.string}("
            )
    return found


def imported_modules(path: Path) -> set[str]:
    """The absolute names of the broker modules that ``path`` imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n for n in names if n.startswith(PACKAGE)}


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, id=_relative(p)) for p in _modules() if not _in_repository(p)],
)
def test_only_the_repository_builds_queries(path: Path) -> None:
    if _may_build_sql(path):
        return
    assert query_calls(path.read_text()) == [], f"{_relative(path)} builds queries"


def test_the_check_finds_queries() -> None:
    source = "rows = session.scalars(select(Tag).where(Tag.id == 1))\nq = text('SELECT 1')\n"
    assert query_calls(source) == ["line 1: .scalars(", "line 1: select(", "line 2: text("]
    assert query_calls("# select(x)\ndoc = 'text(y)'\nselection.apply(z)\n") == []


def test_the_repository_holds_queries() -> None:
    repository = [p for p in _modules() if _in_repository(p)]
    assert any(query_calls(p.read_text()) for p in repository)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, id=_relative(p))
        for p in _modules()
        if _relative(p).startswith(BELOW_API) or _relative(p) in BELOW_API
    ],
)
def test_lower_layers_do_not_import_the_api(path: Path) -> None:
    upward = {m for m in imported_modules(path) if m.startswith(f"{PACKAGE}.api")}
    assert upward == set(), f"{_relative(path)} imports {sorted(upward)}"


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=_relative(p)) for p in _modules() if _in_repository(p)]
)
def test_the_repository_imports_neither_services_nor_the_api(path: Path) -> None:
    upward = {
        m for m in imported_modules(path) if m.startswith((f"{PACKAGE}.services", f"{PACKAGE}.api"))
    }
    assert upward == set(), f"{_relative(path)} imports {sorted(upward)}"


def _imports_anything(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, id=_relative(p))
        for p in _modules()
        if _relative(p).startswith("api/representations/")
    ],
)
def test_representations_only_render(path: Path) -> None:
    """Representations get loaded objects and facts: no session, no repository, no database."""
    forbidden = {
        m
        for m in _imports_anything(path)
        if m.startswith(("sqlalchemy", f"{PACKAGE}.repository", f"{PACKAGE}.db"))
    }
    assert forbidden == set(), f"{_relative(path)} imports {sorted(forbidden)}"
    assert "Session" not in path.read_text(), f"{_relative(path)} mentions a Session"


# --- sizes ------------------------------------------------------------------------------------

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
#: Declarative table definitions: one statement per table, nothing to split.
LONG_FUNCTIONS_ALLOWED = {"migrations/versions/0001_initial_schema.py:upgrade"}
TESTS = Path(__file__).parent


def _long_functions(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            where = f"{_relative(path)}:{node.name}"
            if size > MAX_FUNCTION_LINES and where not in LONG_FUNCTIONS_ALLOWED:
                found.append(f"{where} ({size} lines)")
    return found


def test_broker_modules_and_functions_stay_small() -> None:
    too_long = [
        f"{_relative(p)} ({n} lines)"
        for p in _modules()
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    assert too_long == []
    assert [f for p in _modules() for f in _long_functions(p)] == []


def test_broker_test_modules_stay_small() -> None:
    too_long = [
        f"{p.name} ({n} lines)"
        for p in sorted(TESTS.glob("test_*.py"))
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    assert too_long == []
