"""The check's JSON: what writing a CheckResult's canonical text costs.

    .venv/bin/python bench/canonical.py [--sites 500] [--repeat 5] --base DIR [--cpu 0]

The check log stores, hashes and answers ``kkpr.records.checks.canonical(result)``:
``json.dumps(plain(result), sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
byte for byte, written by orjson with the numbers below 1e-4 written again as json.dumps
writes them. The results are those of the sites of ``bench/stores.py`` on the Kupang
sample (as ``bench/rules.py``), each checked once before timing and its lazy parts (the
sentences, the conforming geometry) rendered once, so that only the writing is timed.
Side by side, in one process, on the same results:

* ``json.dumps(plain(result))``: the definition;
* ``canonical`` of ``--base`` (a checkout of the code before, e.g. ``git worktree add
  /work/wt/canon-base main``): its ``kkpr/records/checks.py`` loaded as a module of its
  own beside this tree's ``kkpr``, so that the two differ only in the writing;
* ``canonical`` of this tree;
* orjson's encoding alone (what ``canonical`` runs before it looks at small numbers):
  the floor of this way of writing;
* what the check log does with a check before it stores it, before and now: the
  canonical texts of the request (a ``POST /v1/checks`` body as the API dumps it) and
  of the result, and the content hash of the two.

Every result's texts are compared, byte for byte, before anything is timed. The paths
take turns on each result, and a result's time is the least of ``--repeat`` runs.
Prints p50 and p99 in µs per result, for all results and for those whose text holds a
number that json.dumps writes otherwise than orjson, as Markdown.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from stores import sites_for  # noqa: E402

from kkpr.check import check  # noqa: E402
from kkpr.model import Proposal  # noqa: E402
from kkpr.plan.package import read_plan  # noqa: E402
from kkpr.records import checks  # noqa: E402
from kkpr.store.memory import MemoryStore  # noqa: E402

Fn = Callable[[Any], object]


def base_module(tree: Path) -> ModuleType:
    """``kkpr/records/checks.py`` of ``tree``, imported beside this tree's ``kkpr``."""
    path = tree / "kkpr" / "records" / "checks.py"
    spec = importlib.util.spec_from_file_location("canonical_base_checks", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def definition(value: Any) -> str:
    return json.dumps(
        checks.plain(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def orjson_alone(value: Any) -> bytes:
    return orjson.dumps(value, default=checks._shallow_plain, option=checks._ORJSON_OPTIONS)


# a request as ``api.routers.checks`` dumps it (``CheckIn.model_dump(mode="json")``)
INPUTS = {
    "kbli": "47111",
    "site": {"type": "Point", "coordinates": [123.6, -10.17]},
    "crs": "EPSG:4326",
    "plan_id": None,
    "ref": "oss-2024-000123",
    "proposal": {"floors": 2, "footprint_m2": 120.0, "floor_area_m2": 240.0},
}


def log_texts_before(base: ModuleType) -> Fn:
    def texts_and_hash(result: Any) -> object:
        inputs, text = base.NewCheck(INPUTS, result, "k", "1").texts()
        return inputs, text, base._hash_of_texts(inputs, text)

    return texts_and_hash


def log_texts_now(result: Any) -> object:
    (inputs, inputs_utf8), (text, utf8) = (
        checks._canonical_utf8(INPUTS),
        checks._canonical_utf8(result),
    )
    return inputs, text, checks._hash_of_utf8(inputs_utf8, utf8)


def timed(paths: list[Fn], values: list[Any], repeat: int) -> np.ndarray:
    """Seconds per value (the least of ``repeat`` runs), per path, taking turns."""
    for value in values[:50]:
        for fn in paths:
            fn(value)
    times = np.full((len(paths), len(values)), np.inf)
    for i, value in enumerate(values):
        for k, fn in enumerate(paths):
            for _ in range(repeat):
                t = time.perf_counter()
                fn(value)
                times[k, i] = min(times[k, i], time.perf_counter() - t)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sites", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--base", type=Path, required=True, help="a checkout of the code before")
    ap.add_argument("--cpu", default="0")
    args = ap.parse_args()
    os.sched_setaffinity(0, {int(args.cpu)})
    base = base_module(args.base.resolve())
    plan = read_plan(ROOT / "zoning_data" / "kupang")
    store = MemoryStore(plan)
    results = []
    for site, kbli, p in sites_for(plan, args.sites):
        # the proposals' figures as the API gives them: Python numbers, not numpy's
        proposal = Proposal(**{k: v.item() if isinstance(v, np.generic) else v
                               for k, v in vars(p).items()})  # fmt: skip
        results.append(check(store, site, kbli, proposal))
    # the same texts, byte for byte, before anything is timed (and the lazy parts drawn)
    rewritten = []
    for i, result in enumerate(results):
        text = definition(result)
        assert base.canonical(result) == text, f"site {i}: the base differs from json.dumps"
        assert checks.canonical(result) == text, f"site {i}: this tree differs from json.dumps"
        rewritten.append(orjson_alone(result).decode() != text)
        assert log_texts_before(base)(result) == log_texts_now(result), f"site {i}: hash"
    paths = [
        ("json.dumps(plain(result)): the definition", definition),
        ("canonical, before", base.canonical),
        ("canonical, now", checks.canonical),
        ("orjson's encoding alone (the floor)", orjson_alone),
        ("the log's texts and content hash, before", log_texts_before(base)),
        ("the log's texts and content hash, now", log_texts_now),
    ]
    times = timed([fn for _label, fn in paths], results, args.repeat) * 1e6
    some = np.asarray(rewritten)
    title = (
        f"the canonical text of a check's result — Kupang sample, one CPU, "
        f"{len(results):,} results ({int(some.sum())} with a number written again), "
        f"least of {args.repeat} runs, µs per result"
    )
    head = ["path", "p50", "p99", "p50, numbers written again", "p99, numbers written again"]
    lines = [f"**{title}**", "", "| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for (label, _fn), row in zip(paths, times, strict=True):
        figures = [*np.percentile(row, [50, 99]), *np.percentile(row[some], [50, 99])]
        lines.append("| " + " | ".join([label, *(f"{f:.1f}" for f in figures)]) + " |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
