"""Re-checking many sites against a plan, on this machine or on a Dask cluster.

One function, ``check_frame``, checks a frame of sites and, given an older plan, says
which sites changed outcome and why. On a plan package (the memory store) every site
is decided by the array rules of ``kkpr.bulk.vector`` (the same outcome, form and
reason codes as ``kkpr.check.check``, proven by a differential test), and the sites
worth reading about are explained by ``kkpr.check.check`` itself: with ``explain=
"changed"`` (the default) those whose outcome, form or deciding reasons a revision
changed and those that could not be checked; with ``explain="all"`` every site. On
PostGIS every site goes through ``kkpr.check.check_many``.

The local runner maps ``check_frame`` over chunks on a process pool; the Dask runner
maps it over the partitions of a dask-geopandas frame. Either way each worker process
builds a plan's store once and keeps it, keyed by the plan checksum.
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kkpr.bulk.sites import PROPOSAL_COLUMNS
from kkpr.bulk.vector import compile_store, evaluate_sites, parts_text
from kkpr.check import check, check_many
from kkpr.errors import KkprError, PlanError
from kkpr.model import CheckResult, Effect, Proposal, Site
from kkpr.plan.package import checksum, read_plan
from kkpr.store.base import Store
from kkpr.store.memory import MemoryStore

if TYPE_CHECKING:
    from kkpr.store.postgis import PostgisStore

RESULT_COLUMNS = [
    "site_id",
    "kbli",
    "outcome",
    "form",
    "parts",
    "reasons",
    "reasons_id",
    "reasons_en",
]
CHANGE_COLUMNS = ["old_outcome", "old_form", "changed", "reasons_removed", "reasons_added"]
ERROR = "error"  # the outcome column of a site that could not be checked
DEFAULT_CHUNK = 2000
EXPLAIN = ("changed", "all")  # which sites get their sentences and result JSON


@dataclass(frozen=True)
class PlanRef:
    """How a worker finds a plan: a package folder (memory store) or a PostGIS URL."""

    path: str | None = None
    checksum: str | None = None
    url: str | None = None
    plan_id: str | None = None

    @classmethod
    def of(cls, plan: str | Path, url: str | None = None) -> PlanRef:
        """``plan`` is a package folder; with ``url`` it may also be a plan id."""
        folder = Path(plan)
        if url is not None:
            plan_id = read_plan(folder).meta.id if folder.is_dir() else str(plan)
            return cls(url=url, plan_id=plan_id)
        if not folder.is_dir():
            raise PlanError(
                "Folder paket rencana tidak ditemukan",
                "Plan package folder not found",
                where=str(plan),
            )
        return cls(path=str(folder.resolve()), checksum=checksum(folder))

    @property
    def key(self) -> tuple[str | None, ...]:
        return (self.path, self.checksum, self.url, self.plan_id)


_STORES: dict[tuple[str | None, ...], Store] = {}
_DATABASE_STORES: list[PostgisStore] = []  # those of _STORES that hold connections


def store_for(ref: PlanRef) -> Store:
    """The store of ``ref`` in this process, built on first use and kept."""
    store = _STORES.get(ref.key)
    if store is not None:
        return store
    if ref.url is not None:
        from kkpr.store.postgis import PostgisStore  # psycopg2 only when asked for

        store = PostgisStore(ref.url)
        _DATABASE_STORES.append(store)
    else:
        assert ref.path is not None
        plan = read_plan(ref.path)
        if plan.meta.checksum != ref.checksum:
            raise PlanError(
                "Paket rencana berubah selama pemeriksaan ulang",
                "The plan package changed during the re-check",
                where=ref.path,
                hint_id="Jalankan ulang setelah paket selesai disunting",
                hint_en="Run again once the package is no longer being edited",
            )
        store = MemoryStore(plan)
        compile_store(store)  # the plan as arrays for the array rules, once per process
        # a plan is millions of long-lived objects: keep the cyclic GC from walking
        # them again at every collection while sites are checked
        gc.freeze()
    _STORES[ref.key] = store
    return store


def close_stores() -> None:
    """Close the PostGIS stores this process keeps (their pools' connections) and forget
    them: the next use opens them again. Memory stores hold no connection and stay."""
    while _DATABASE_STORES:
        store = _DATABASE_STORES.pop()
        for key in [k for k, s in _STORES.items() if s is store]:
            del _STORES[key]
        store.close()


def warm(*refs: PlanRef | None) -> None:
    """Build the stores of ``refs`` now (before forking, or as a pool initializer)."""
    for ref in refs:
        if ref is not None and ref.url is None:
            store_for(ref)


# ---------------------------------------------------------------- the one function


def check_frame(
    frame: pd.DataFrame, new: PlanRef, old: PlanRef | None = None, explain: str = "changed"
) -> pd.DataFrame:
    """Results of every site of ``frame`` (columns of ``read_sites``), in its order.

    With ``old``, also the outcome under the old plan and what changed. ``explain``
    says which sites get their sentences (``reasons_id``, ``reasons_en``) and their
    full result JSON: ``"changed"`` (changed and unchecked sites) or ``"all"``.
    """
    if explain not in EXPLAIN:
        raise ValueError(f"explain must be one of {EXPLAIN}, not {explain!r}")
    stores = [store_for(new)] + ([store_for(old)] if old is not None else [])
    if explain == "all" or not all(isinstance(s, MemoryStore) for s in stores):
        requests = list(_requests(frame))
        out = _results(frame, _check_all(stores[0], requests, new.plan_id))
        if old is not None:
            before = _results(frame, _check_all(stores[1], requests, old.plan_id))
            out = compare(before, out)
        return out
    out = _decided(frame, stores[0], new)  # type: ignore[arg-type]
    if old is None:
        return out
    before = _decided(frame, stores[1], old)  # type: ignore[arg-type]
    # explain what differs: the outcome, the form, or the deciding reasons
    differs = np.flatnonzero(
        (out["outcome"] != before["outcome"]).to_numpy()
        | (out["form"].fillna("") != before["form"].fillna("")).to_numpy()
        | (out["reasons"] != before["reasons"]).to_numpy()
    )
    unexplained = (out["result_json"].isna() | before["result_json"].isna()).to_numpy()
    todo = [int(i) for i in differs if unexplained[i]]
    if todo:
        part = frame.iloc[todo]
        requests = list(_requests(part))
        for table, store, ref in ((out, stores[0], new), (before, stores[1], old)):
            explained = _results(part, _check_all(store, requests, ref.plan_id))
            for col in ("outcome", "form", "parts", "reasons", "reasons_id", "reasons_en",
                        "result_json"):  # fmt: skip
                table.loc[table.index[todo], col] = explained[col].to_numpy()
    return compare(before, out, explained=differs)


def _decided(frame: pd.DataFrame, store: MemoryStore, ref: PlanRef) -> pd.DataFrame:
    """Every site decided by the array rules; the sites they leave to the exact path
    (bad geometry, unmapped KBLI, outside every region) answered by it."""
    crs = _frame_crs(frame)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    proposal = {
        c: frame[c].to_numpy(dtype=float, na_value=np.nan)
        for c in PROPOSAL_COLUMNS
        if c in frame.columns
    }
    v = evaluate_sites(store, geoms, crs, frame["kbli"].astype(str).to_numpy(), proposal)
    out = pd.DataFrame(
        {
            "site_id": frame["site_id"].to_numpy(),
            "kbli": frame["kbli"].to_numpy(),
            "outcome": v.outcomes(),
            "form": v.forms(),
            "parts": parts_text(store, v),
            "reasons": v.joined(),
            "reasons_id": None,
            "reasons_en": None,
            "result_json": None,
        },
        columns=result_columns(False),
    ).astype(object)
    exact = np.flatnonzero(v.exact)
    if len(exact):
        part = frame.iloc[exact]
        answers = _results(part, _check_all(store, list(_requests(part)), ref.plan_id))
        out.loc[out.index[exact], list(out.columns)] = answers[list(out.columns)].to_numpy()
    # the text columns as the exact path's table has them (missing is NaN)
    return out.astype(dict.fromkeys(out.columns, "str"))


def result_columns(against: bool) -> list[str]:
    return [*RESULT_COLUMNS, *(CHANGE_COLUMNS if against else []), "result_json"]


def _frame_crs(frame: pd.DataFrame) -> str:
    crs = str(frame.crs) if isinstance(frame, gpd.GeoDataFrame) and frame.crs else "EPSG:4326"
    return _epsg(crs)


def _requests(frame: pd.DataFrame) -> Iterator[tuple[Site, str, Proposal]]:
    crs = _frame_crs(frame)
    cols = {c: frame[c].to_numpy() for c in frame.columns if c in Proposal.__dataclass_fields__}
    for i, (geom, kbli) in enumerate(zip(frame.geometry.values, frame["kbli"], strict=True)):
        values = {c: _value(v[i]) for c, v in cols.items()}
        if values.get("floors") is not None:
            values["floors"] = int(values["floors"])
        # a row without a geometry is refused by the check like an empty one
        site = Site(geometry=geom if geom is not None else shapely.Polygon(), crs=crs)
        yield site, str(kbli), Proposal(**values)


def _check_all(
    store: Store, requests: list[tuple[Site, str, Proposal]], plan_id: str | None
) -> list[CheckResult | KkprError]:
    """check_many in one call; when a site fails, each site on its own."""
    try:
        return list(check_many(store, requests, plan_id=plan_id))
    except KkprError:
        pass
    out: list[CheckResult | KkprError] = []
    for site, kbli, proposal in requests:
        try:
            out.append(check(store, site, kbli, proposal, plan_id=plan_id))
        except KkprError as exc:
            out.append(exc)
    return out


def _results(frame: pd.DataFrame, results: list[CheckResult | KkprError]) -> pd.DataFrame:
    rows = []
    for site_id, kbli, r in zip(frame["site_id"], frame["kbli"], results, strict=True):
        if isinstance(r, KkprError):
            rows.append(
                {
                    "site_id": site_id,
                    "kbli": kbli,
                    "outcome": ERROR,
                    "form": None,
                    "parts": "",
                    "reasons": r.kind,
                    "reasons_id": r.message_id,
                    "reasons_en": r.message_en,
                    "result_json": json.dumps(
                        {"error": r.to_dict()}, ensure_ascii=False, default=str
                    ),
                }
            )
            continue
        deciding = [x for x in r.reasons if x.effect != Effect.INFO]
        rows.append(
            {
                "site_id": site_id,
                "kbli": kbli,
                "outcome": str(r.outcome),
                "form": str(r.form),
                "parts": "; ".join(f"{p.kodszn} {p.share:.0%} {p.cell or '—'}" for p in r.parts),
                "reasons": "; ".join(x.code for x in deciding),
                "reasons_id": " | ".join(x.id for x in deciding),
                "reasons_en": " | ".join(x.en for x in deciding),
                "result_json": json.dumps(r.to_dict(), ensure_ascii=False, default=str),
            }
        )
    return pd.DataFrame(rows, columns=result_columns(False))


def compare(
    before: pd.DataFrame, after: pd.DataFrame, explained: np.ndarray | None = None
) -> pd.DataFrame:
    """``after`` with the old outcome, whether it changed, and the reasons that differ
    (of the rows in ``explained``, all by default: the others have no sentences)."""
    out = after.copy()
    out.insert(len(RESULT_COLUMNS), "old_outcome", before["outcome"].to_numpy())
    out.insert(len(RESULT_COLUMNS) + 1, "old_form", before["form"].to_numpy())
    changed = (out["outcome"] != out["old_outcome"]) | (
        out["form"].fillna("") != out["old_form"].fillna("")
    )
    out.insert(len(RESULT_COLUMNS) + 2, "changed", changed.to_numpy())
    removed, added = [""] * len(out), [""] * len(out)
    rows = range(len(out)) if explained is None else explained
    for i in rows:
        ra = _reason_set(str(before["result_json"].iat[i]))
        rb = _reason_set(str(after["result_json"].iat[i]))
        removed[i] = " | ".join(f"{c}: {t}" for c, t in ra if (c, t) not in rb)
        added[i] = " | ".join(f"{c}: {t}" for c, t in rb if (c, t) not in ra)
    out.insert(len(RESULT_COLUMNS) + 3, "reasons_removed", removed)
    out.insert(len(RESULT_COLUMNS) + 4, "reasons_added", added)
    return out


def _reason_set(result_json: str) -> list[tuple[str, str]]:
    data = json.loads(result_json)
    if "error" in data:
        return [(data["error"]["kind"], data["error"]["message_id"])]
    return [(r["code"], r["id"]) for r in data["reasons"] if r["code"] != "outcome"]


# ---------------------------------------------------------------- runners


def run_local(
    sites: gpd.GeoDataFrame,
    new: PlanRef,
    old: PlanRef | None = None,
    *,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
    explain: str = "changed",
) -> pd.DataFrame:
    """``check_frame`` over chunks of ``sites`` on a process pool (one process: inline)."""
    workers = workers or os.cpu_count() or 1
    chunks = [sites.iloc[i : i + chunk_size] for i in range(0, len(sites), chunk_size)]
    if workers == 1 or len(chunks) <= 1:
        parts = []
        for chunk in chunks:
            parts.append(check_frame(chunk, new, old, explain))
            if progress:
                progress(len(chunk))
        return _concat(parts, old is not None)
    # stores are built before forking so that every worker shares them (copy on write)
    warm(new, old)
    ctx = get_context("fork") if "fork" in _start_methods() else get_context("spawn")
    results: dict[int, pd.DataFrame] = {}
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=warm, initargs=(new, old)
    ) as pool:
        futures = {pool.submit(check_frame, c, new, old, explain): k for k, c in enumerate(chunks)}
        for fut in as_completed(futures):
            k = futures[fut]
            results[k] = fut.result()
            if progress:
                progress(len(chunks[k]))
    return _concat([results[k] for k in range(len(chunks))], old is not None)


def run_dask(
    sites: gpd.GeoDataFrame,
    new: PlanRef,
    old: PlanRef | None = None,
    *,
    scheduler: Any,
    partitions: int | None = None,
    explain: str = "changed",
) -> pd.DataFrame:
    """``check_frame`` over partitions of ``sites`` on a Dask cluster.

    ``scheduler`` is an address (``tcp://host:8786``), a ``LocalCluster`` or a
    ``Client``. The plan folder must be readable at the same path on every worker.
    """
    import dask_geopandas
    from distributed import Client

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)  # type: ignore[no-untyped-call]
    try:
        n = partitions or max(1, min(len(sites) // DEFAULT_CHUNK + 1, 4 * _cores(client)))
        frame = dask_geopandas.from_geopandas(sites, npartitions=n)
        meta = pd.DataFrame({c: pd.Series(dtype=object) for c in result_columns(old is not None)})
        if old is not None:
            meta["changed"] = meta["changed"].astype(bool)
        results = frame.map_partitions(check_frame, new, old, explain, meta=meta).compute()
    finally:
        if client is not scheduler:
            client.close()  # type: ignore[no-untyped-call]
    return pd.DataFrame(results).reset_index(drop=True)


def _concat(parts: list[pd.DataFrame], against: bool) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=result_columns(against))
    return pd.concat(parts, ignore_index=True)


def _cores(client: Any) -> int:
    return max(1, int(sum(client.nthreads().values())))


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def _epsg(crs: str) -> str:
    from pyproj import CRS

    code = CRS.from_user_input(crs).to_epsg()
    return f"EPSG:{code}" if code else crs


def _value(v: Any) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return v.item() if isinstance(v, np.generic) else v


# ---------------------------------------------------------------- the whole job


@dataclass
class Recheck:
    """What ``recheck`` did: the results (with geometry) and the files written."""

    results: gpd.GeoDataFrame
    files: list[Path]
    against: bool

    @property
    def changed(self) -> gpd.GeoDataFrame:
        if not self.against:
            return self.results.iloc[0:0]
        return self.results[self.results["changed"].astype(bool)]

    def counts(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self.results["outcome"].value_counts().items()}


def recheck(
    sites: gpd.GeoDataFrame,
    new: PlanRef,
    old: PlanRef | None = None,
    *,
    out: Path | None = None,
    scheduler: Any = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    explain: str = "changed",
) -> Recheck:
    """Check ``sites`` (from ``read_sites``) against ``new`` (and ``old``); write ``out``."""
    if scheduler is not None:
        table = run_dask(sites, new, old, scheduler=scheduler, explain=explain)
    else:
        table = run_local(sites, new, old, workers=workers, progress=progress, explain=explain)
    results = gpd.GeoDataFrame(table, geometry=sites.geometry.values, crs=sites.crs)
    job = Recheck(results=results, files=[], against=old is not None)
    if out is not None:
        job.files = write_results(job, Path(out))
    return job


def write_results(job: Recheck, out: Path) -> list[Path]:
    """All results to ``out``; with an old plan, the changed sites beside them (a
    ``changed`` layer of a GeoPackage, or ``<name>_changed`` for Parquet and CSV)."""
    from kkpr.bulk.sites import file_format, write_table

    if out.exists() and file_format(out) == "gpkg":
        out.unlink()
    files = [write_table(job.results, out, layer="results")]
    if job.against:
        changed = job.changed[
            [
                "site_id",
                "kbli",
                "old_outcome",
                "outcome",
                "old_form",
                "form",
                "reasons_removed",
                "reasons_added",
                "geometry",
            ]
        ]
        if file_format(out) == "gpkg":
            write_table(changed, out, layer="changed")
        else:
            files.append(write_table(changed, out.with_name(f"{out.stem}_changed{out.suffix}")))
    return files
