"""The engine is importable and useful with no server and no database library loaded."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "kkpr", "kkpr.check", "kkpr.model", "kkpr.rules.outcome", "kkpr.plan.validate",
    "kkpr.store.memory", "kkpr.store.postgis", "kkpr.records.checks", "kkpr.pipeline.applications",
    "kkpr.bulk.recheck", "kkpr.revision.diff", "kkpr.plan.importer", "kkpr.cli",
]  # fmt: skip
ADAPTERS = ["fastapi", "starlette", "uvicorn", "psycopg2", "folium"]


def test_core_modules_do_not_load_adapter_libraries() -> None:
    code = (
        "import importlib, sys\n"
        f"for m in {CORE!r}: importlib.import_module(m)\n"
        f"print(','.join(a for a in {ADAPTERS!r} if a in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
