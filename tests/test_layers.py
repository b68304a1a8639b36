"""The layers hold: no module imports what its layer must not know.

* the rules (``kkpr.rules``) are pure: they know the plain data (``kkpr.model``), the
  catalogue (``kkpr.kugi``) and the wording (``kkpr.text``), never the plan reader
  (``kkpr.plan``) nor a store (``kkpr.store``);
* the core (``kkpr`` but its command line) never imports an adapter: the API
  (``api``) or the command line (``kkpr.cli``);
* the core never imports an adapter's library: the web framework (``fastapi``,
  ``starlette``, ``uvicorn``) never, the PostgreSQL driver (``psycopg2``) only in the
  database layer (``kkpr.db``) and the PostGIS store's modules, the map library
  (``folium``) only in the diff's map that ``kkpr plan diff --map`` draws;
* the adapters do not import each other: the API not the command line, the command
  line not the API.

Every import counts, at the top of a module or inside a function (a lazy import is a
dependency all the same). Read from the source with ``ast``: nothing is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# the modules that speak to PostgreSQL: the database layer and the PostGIS store's
POSTGRESQL = (
    "kkpr.db",
    "kkpr.store.postgis",
    "kkpr.store.postgis_sql",
    "kkpr.store.postgis_features",
    "kkpr.store.load",
    "kkpr.store.activation",
)

# (importer prefix, imported prefix, unless the importer is under one of these)
FORBIDDEN: list[tuple[str, str, tuple[str, ...]]] = [
    ("kkpr.rules", "kkpr.plan", ()),
    ("kkpr.rules", "kkpr.store", ()),
    ("kkpr", "api", ("kkpr.cli",)),
    ("kkpr", "kkpr.cli", ("kkpr.cli",)),
    ("kkpr.cli", "api", ()),
    ("api", "kkpr.cli", ()),
    ("kkpr", "fastapi", ()),
    ("kkpr", "starlette", ()),
    ("kkpr", "uvicorn", ()),
    ("kkpr", "psycopg2", POSTGRESQL),
    ("kkpr", "folium", ("kkpr.revision.mapping",)),
]


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(root: Path, path: Path) -> set[str]:
    """Every module ``path`` imports (relative imports resolved, names of ``from x
    import y`` counted both as ``x`` and ``x.y``, for ``y`` may be a module)."""
    name = module_name(root, path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return found


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(root: Path) -> list[str]:
    out = []
    for top in ("kkpr", "api"):
        for path in sorted((root / top).rglob("*.py")):
            name = module_name(root, path)
            for imported in sorted(imports(root, path)):
                for src, dst, unless in FORBIDDEN:
                    if (
                        under(name, src)
                        and under(imported, dst)
                        and not any(under(name, u) for u in unless)
                    ):
                        out.append(f"{name} imports {imported} ({src} must not import {dst})")
    return out


def test_no_module_imports_across_a_forbidden_layer() -> None:
    assert violations(ROOT) == []


@pytest.mark.parametrize(
    ("where", "source", "found"),
    [
        ("kkpr/rules/new.py", "from kkpr.plan.kugi import FLAG_JENIS\n", "kkpr.plan.kugi"),
        ("kkpr/rules/new.py", "def f():\n    import kkpr.store.memory\n", "kkpr.store.memory"),
        ("kkpr/rules/new.py", "from ..store import memory\n", "kkpr.store"),
        ("kkpr/model2.py", "from api.main import create_app\n", "api.main"),
        ("kkpr/plan/new.py", "from kkpr.cli import main\n", "kkpr.cli"),
        ("api/new.py", "from kkpr.cli.plan import load\n", "kkpr.cli.plan"),
        ("kkpr/cli/new.py", "import api.deps\n", "api.deps"),
        ("kkpr/rules/new.py", "from fastapi import Depends\n", "fastapi"),
        ("kkpr/pipeline/new.py", "def f():\n    import psycopg2\n", "psycopg2"),
        ("kkpr/records/new.py", "from psycopg2 import sql\n", "psycopg2"),
        ("kkpr/revision/new.py", "import folium\n", "folium"),
        ("kkpr/bulk/new.py", "from starlette.requests import Request\n", "starlette"),
    ],
)
def test_a_forbidden_import_is_found(tmp_path: Path, where: str, source: str, found: str) -> None:
    for top in ("kkpr", "api"):
        (tmp_path / top).mkdir()
    path = tmp_path / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    assert any(
        v.startswith(f"{module_name(tmp_path, path)} imports {found}") for v in violations(tmp_path)
    )


def test_allowed_imports_are_not_flagged(tmp_path: Path) -> None:
    (tmp_path / "api").mkdir()
    path = tmp_path / "kkpr" / "rules" / "new.py"
    path.parent.mkdir(parents=True)
    path.write_text("from kkpr.model import Effect\nfrom kkpr.kugi import FLAG_JENIS\n")
    (tmp_path / "kkpr" / "cli").mkdir()
    (tmp_path / "kkpr" / "cli" / "run.py").write_text("from kkpr.store.memory import MemoryStore\n")
    assert violations(tmp_path) == []


# ------------------------------------------------------------ private attributes

# packages that may reach a store only through its public interface (for the memory
# store's arrays: ``MemoryStore.bulk_arrays()``)
PUBLIC_ONLY = ("kkpr/bulk",)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_reads(root: Path) -> list[str]:
    """Every read of another object's private attribute (``x._name``, or
    ``getattr(x, "_name")``) in the packages of ``PUBLIC_ONLY``; ``self._name`` and
    ``cls._name`` (a class's own) are allowed."""
    out = []
    for top in PUBLIC_ONLY:
        for path in sorted((root / top).rglob("*.py")):
            where = path.relative_to(root)
            for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
                if isinstance(node, ast.Attribute) and _private(node.attr):
                    owner = node.value
                    if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                        continue
                    out.append(f"{where}:{node.lineno} reads .{node.attr}")
                elif (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in ("getattr", "hasattr")
                    and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant)
                    and isinstance(node.args[1].value, str)
                    and _private(node.args[1].value)
                ):
                    out.append(f"{where}:{node.lineno} reads .{node.args[1].value}")
    return out


def test_bulk_reads_no_private_attribute_of_a_store() -> None:
    assert private_reads(ROOT) == []


@pytest.mark.parametrize(
    "source",
    [
        "def f(store):\n    return store._zone_rows\n",
        "def f(c):\n    return c.store._zone_tree.query(1)\n",
        "def f(store):\n    return getattr(store, '_raster_grids')\n",
    ],
)
def test_a_private_read_is_found(tmp_path: Path, source: str) -> None:
    path = tmp_path / "kkpr" / "bulk" / "new.py"
    path.parent.mkdir(parents=True)
    path.write_text(source)
    assert len(private_reads(tmp_path)) == 1


def test_own_and_dunder_attributes_are_not_flagged(tmp_path: Path) -> None:
    path = tmp_path / "kkpr" / "bulk" / "new.py"
    path.parent.mkdir(parents=True)
    path.write_text(
        "class A:\n    def f(self):\n        return self._x, type(self).__name__\n"
        "def g(store):\n    return store.bulk_arrays().zone_rows, store.__dict__\n"
    )
    assert private_reads(tmp_path) == []
