"""Plan versions in PostGIS: load a package, activate, roll back, list.

A load validates the package (the same validation as ``kkpr plan validate``), then
writes the whole version in ONE transaction: zones, overlays and RTRW are COPYed into
fresh partitions that are indexed and attached, the rules tables are filled, rasters
are copied, and (unless told not to) the version is activated, all before the one
commit. Whatever stops it (bad data, a killed process, a lost connection) rolls all of
it back: the previously active version stays active and untouched. Only a small
``loading`` row is written beforehand, in its own transaction, so that ``kkpr plan
list`` can show a load in progress, or one that died.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kkpr.errors import Conflict, NotFound, PlanError, Problem
from kkpr.model import PlanRules
from kkpr.plan.kugi import FLAG_JENIS, INTENSITY_FIELDS, flag_is_set
from kkpr.plan.package import Plan, read_plan
from kkpr.plan.validate import errors_of, validate
from kkpr.settings import Settings
from kkpr.store.features import _fid_key as fid_key
from kkpr.store.features import _json_value as json_value
from kkpr.store.memory import _num, _text
from kkpr.store.postgis import connect, db_errors, not_migrated, srid_of, unavailable

CHUNK_ROWS = 20_000
# Tests kill a load half-way: with this set, the load sleeps that many seconds after
# sending half of the zones (inside the open COPY), announcing it on stderr first.
PAUSE_ENV = "KKPR_LOAD_PAUSE_MIDWAY_S"
PAUSE_MARK = "kkpr-load: paused mid-COPY"

ZONE_COLUMNS = (
    "vid", "seq", "frank", "fid", "kodszn", "namszn", "kodzon", "namzon", "kodblk", "kodsbl",
    "wadmkc", "wadmkd", "flags", *INTENSITY_FIELDS, "attrs", "pieced", "geom",
)  # fmt: skip
OVERLAY_COLUMNS = (
    "vid", "seq", "frank", "fid", "jenis", "keterangan", "tb", "efek", "attrs", "pieced", "geom",
)  # fmt: skip
RTRW_COLUMNS = ("vid", "seq", "frank", "fid", "namobj", "jnsrpr", "attrs", "pieced", "geom")
# polygons with more vertices than this are also stored cut into pieces of at most this
PIECE_VERTICES = 256


# ---------------------------------------------------------------- load


def load_package(
    url: str,
    plan_dir: Path | str,
    *,
    loaded_by: str,
    activate: bool = True,
    data_dir: Path | None = None,
    progress: bool | None = None,
) -> str:
    """Validate and load ``plan_dir`` as a new version of its plan; return the version.

    Raises PlanError (with ``problems``) when validation finds errors, StoreError
    when the database fails; in both cases nothing of the version is kept. The
    validation runs beside the COPY (GEOS works outside the GIL, the server parses in
    its own process) and is waited for before anything is committed.
    """
    plan_dir = Path(plan_dir)
    plan = read_plan(plan_dir)
    srid = srid_of(plan.meta.crs)
    data_dir = data_dir if data_dir is not None else Settings().data_dir
    console = Console(stderr=True)
    show = console.is_terminal if progress is None else progress
    pool = ThreadPoolExecutor(1, thread_name_prefix="kkpr-validate")
    checked = pool.submit(lambda: errors_of(validate(plan)))
    raster_dir: Path | None = None
    vid: int | None = None
    conn: Any = None
    try:
        conn = connect(url)
        vid, version = _register(conn, url, plan, loaded_by, plan_dir, srid)
        raster_dir = (data_dir / "rasters" / plan.meta.id / version).resolve()
        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not show,
        )
        with bar, conn.cursor() as cur:
            _write_version(cur, bar, plan, vid, srid, raster_dir)
            task = bar.add_task("validasi / validation", total=None)
            errors = checked.result()
            bar.update(task, total=1, completed=1)
            if errors:
                raise refusal(plan_dir, errors)
            if activate:
                _activate_vid(cur, plan.meta.id, vid, "load", loaded_by)
        conn.commit()
        return version
    except BaseException as exc:
        _abandon(conn, url, vid, raster_dir, exc)
        broken = checked.done() and not checked.exception() and checked.result()
        if broken and not isinstance(exc, PlanError):
            # a broken package explains more than whatever broke after it
            raise refusal(plan_dir, checked.result()) from exc
        if isinstance(exc, db_errors()):
            raise unavailable(url, exc) from exc
        raise
    finally:
        if conn is not None:
            conn.close()
        pool.shutdown(wait=False, cancel_futures=True)


def refusal(plan_dir: Path, errors: list[Problem]) -> PlanError:
    return PlanError(
        f"Paket rencana tidak sah ({len(errors)} galat); tidak dimuat",
        f"The plan package is not valid ({len(errors)} errors); not loaded",
        where=str(plan_dir),
        hint_id="Perbaiki galat yang dilaporkan (kkpr plan validate) lalu muat ulang",
        hint_en="Fix the reported errors (kkpr plan validate) and load again",
        problems=errors,
    )


def _write_version(
    cur: Any, bar: Progress, plan: Plan, vid: int, srid: int, raster_dir: Path
) -> None:
    """Everything of the version, inside the load's transaction; status ready."""
    cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
    pause = os.environ.get(PAUSE_ENV)
    zones, overlays = plan.zones, plan.overlays
    rtrw = plan.rtrw if plan.rtrw is not None else _no_rtrw(plan.meta.crs)
    _copy_layer(
        cur, bar, "zones", vid, ZONE_COLUMNS, _zone_rows(plan, vid, srid), len(zones),
        float(pause) if pause else None,
    )  # fmt: skip
    _copy_layer(
        cur, bar, "overlays", vid, OVERLAY_COLUMNS, _overlay_rows(plan, vid, srid), len(overlays)
    )
    _copy_layer(cur, bar, "rtrw", vid, RTRW_COLUMNS, _rtrw_rows(rtrw, vid, srid), len(rtrw))
    _insert_rules(cur, vid, plan.rules)
    _copy_rasters(cur, vid, plan, raster_dir)
    cur.execute(
        "UPDATE kkpr.plan_versions SET status = 'ready', ready_at = now(), load_pid = NULL, "
        "zones_count = %s, overlays_count = %s, rtrw_count = %s, zones_bbox = %s, "
        "overlays_bbox = %s, rtrw_bbox = %s WHERE vid = %s",
        (
            len(zones), len(overlays), len(rtrw),
            _bounds(zones), _bounds(overlays), _bounds(rtrw), vid,
        ),
    )  # fmt: skip


def _register(
    conn: Any, url: str, plan: Plan, loaded_by: str, plan_dir: Path, srid: int
) -> tuple[int, str]:
    """The version's ``loading`` row, committed on its own; returns (vid, version)."""
    import psycopg2

    m = plan.meta
    try:
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO kkpr.plans (id, name, region_code) VALUES (%s, %s, %s) "
                "ON CONFLICT (id) DO NOTHING",
                (m.id, m.name, m.region_code),
            )
            cur.execute("SELECT id FROM kkpr.plans WHERE id = %s FOR UPDATE", (m.id,))
            cur.execute(
                "SELECT coalesce(max(n), 0) + 1 FROM kkpr.plan_versions WHERE plan_id = %s", (m.id,)
            )
            n = int(cur.fetchone()[0])
            version = f"v{n}"
            cur.execute(
                "INSERT INTO kkpr.plan_versions (plan_id, n, version, name, region_code, "
                "legal_basis, effective_from, crs, srid, sliver_m2, sliver_share, "
                "overlay_effects, subzones, checksum, source_dir, loaded_by, load_pid) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                "pg_backend_pid()) RETURNING vid",
                (
                    m.id, n, version, m.name, m.region_code, m.legal_basis, m.effective_from,
                    m.crs, srid, m.tolerance.sliver_m2, m.tolerance.sliver_share,
                    json.dumps(m.overlay_effects), list(plan.rules.subzones), m.checksum,
                    str(plan_dir.resolve()), loaded_by,
                ),
            )  # fmt: skip
            vid = int(cur.fetchone()[0])
        conn.commit()
    except (psycopg2.errors.UndefinedTable, psycopg2.errors.InvalidSchemaName) as exc:
        raise not_migrated(url) from exc
    return vid, version


def _abandon(
    conn: Any, url: str, vid: int | None, raster_dir: Path | None, exc: BaseException
) -> None:
    """After a failed load: roll back, drop copied rasters, and mark the version failed
    (or, for a package refused by validation, forget it was ever begun)."""
    import psycopg2

    if conn is not None:
        with contextlib.suppress(psycopg2.Error):
            conn.rollback()
    if raster_dir is not None and raster_dir.exists():
        shutil.rmtree(raster_dir, ignore_errors=True)
    if vid is None:
        return
    try:  # best effort on a fresh connection: the old one may be the thing that broke
        with connect(url) as other, other.cursor() as cur:
            if isinstance(exc, PlanError):
                cur.execute(
                    "WITH gone AS (DELETE FROM kkpr.plan_versions WHERE vid = %s "
                    "RETURNING plan_id) DELETE FROM kkpr.plans p USING gone "
                    "WHERE p.id = gone.plan_id AND NOT EXISTS ("
                    "SELECT 1 FROM kkpr.plan_versions v WHERE v.plan_id = p.id AND v.vid <> %s)",
                    (vid, vid),
                )
            else:
                cur.execute(
                    "UPDATE kkpr.plan_versions SET status = 'failed', load_pid = NULL, "
                    "error = %s WHERE vid = %s AND status = 'loading'",
                    (f"{type(exc).__name__}: {exc}"[:2000], vid),
                )
        other.close()
    except Exception:  # a dead load shows as failed in listings anyway
        pass


# ---------------------------------------------------------------- COPY


class _Chunks:
    """A file-like reader over CSV chunks, for ``copy_expert``; advances a progress task."""

    def __init__(
        self,
        chunks: Iterator[tuple[str, int]],
        bar: Progress,
        task: Any,
        total: int,
        pause_s: float | None = None,
    ) -> None:
        self._chunks = chunks
        self._bar, self._task, self._total = bar, task, total
        self._sent = 0
        self._pause_s = pause_s

    def read(self, size: int = -1) -> str:
        if self._pause_s and self._sent and self._sent * 2 >= self._total:
            # half of the rows are with the server, inside the open COPY
            sys.stderr.write(PAUSE_MARK + "\n")
            sys.stderr.flush()
            time.sleep(self._pause_s)
            self._pause_s = None
        try:
            text, rows = next(self._chunks)
        except StopIteration:
            return ""
        self._sent += rows
        self._bar.advance(self._task, rows)
        return text


def _copy_layer(
    cur: Any,
    bar: Progress,
    name: str,
    vid: int,
    columns: tuple[str, ...],
    chunks: Iterator[tuple[str, int]],
    total: int,
    pause_s: float | None = None,
) -> None:
    """COPY a layer into a new partition, index it, attach it to ``kkpr.<name>``."""
    part = f"kkpr.{name}_v{vid}"
    cur.execute(f"CREATE TABLE {part} (LIKE kkpr.{name} INCLUDING DEFAULTS, CHECK (vid = {vid}))")
    task = bar.add_task(f"{name} (COPY)", total=max(total, 1))
    cur.copy_expert(
        f"COPY {part} ({', '.join(columns)}) FROM STDIN",
        _Chunks(chunks, bar, task, total, pause_s),
        size=1 << 20,
    )
    bar.update(task, completed=max(total, 1), description=f"{name} (indeks / index)")
    cur.execute(f"ALTER TABLE {part} ADD PRIMARY KEY (vid, seq)")
    cur.execute(f"CREATE INDEX ON {part} USING gist (geom)")
    cur.execute(f"CREATE INDEX ON {part} (vid, frank)")
    cur.execute(f"CREATE INDEX ON {part} (vid, fid)")
    cur.execute(f"ANALYZE {part}")
    pieces = f"kkpr.{name}_pieces_v{vid}"
    cur.execute(
        f"CREATE TABLE {pieces} (LIKE kkpr.{name}_pieces INCLUDING DEFAULTS, CHECK (vid = {vid}))"
    )
    cur.execute(
        f"INSERT INTO {pieces} (vid, seq, geom) "
        f"SELECT vid, seq, ST_Subdivide(geom, {PIECE_VERTICES}) FROM {part} WHERE pieced"
    )
    cur.execute(f"CREATE INDEX ON {pieces} USING gist (geom)")
    cur.execute(f"ANALYZE {pieces}")
    cur.execute(f"ALTER TABLE kkpr.{name} ATTACH PARTITION {part} FOR VALUES IN ({vid})")
    cur.execute(f"ALTER TABLE kkpr.{name}_pieces ATTACH PARTITION {pieces} FOR VALUES IN ({vid})")
    bar.update(task, description=f"{name} ✓")


def _copy_chunks(frame: pd.DataFrame) -> Iterator[tuple[str, int]]:
    """``frame`` in COPY's text format, CHUNK_ROWS rows at a time, built column-wise
    (many times faster than a CSV writer) and chunk by chunk, so that the server
    parses one chunk while the next is made."""
    for start in range(0, len(frame), CHUNK_ROWS):
        part = frame.iloc[start : start + CHUNK_ROWS]
        columns = [_copy_text(part[c]) for c in part.columns]
        yield "".join(f"{line}\n" for line in map("\t".join, zip(*columns, strict=True))), len(part)


def _escape(value: Any) -> str:
    if value is None:
        return "\\N"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _copy_text(column: pd.Series) -> list[str]:
    """One column's values as COPY text fields (\\N for NULL)."""
    if column.name == "geom":  # EWKB hex: nothing to escape
        return column.tolist()
    if column.name == "attrs":  # JSON: no raw tabs or newlines, only backslashes
        return [text.replace("\\", "\\\\") for text in column.tolist()]
    if pd.api.types.is_bool_dtype(column.dtype):
        return ["t" if v else "f" for v in column.to_numpy()]
    if pd.api.types.is_integer_dtype(column.dtype):
        return column.to_numpy().astype(str).tolist()
    if pd.api.types.is_float_dtype(column.dtype):
        values = column.to_numpy(dtype="float64")
        text = values.astype(str)  # the shortest repr that reads back to the same double
        return np.where(np.isnan(values), "\\N", text).tolist()
    return list(_mapped(column, _escape))


def _no_rtrw(crs: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"namobj": [], "jnsrpr": []}, geometry=gpd.GeoSeries([], crs=crs)
    ).rename_axis("fid")


def _bounds(frame: gpd.GeoDataFrame) -> list[float] | None:
    return [float(v) for v in frame.total_bounds] if len(frame) else None


def _geometry(out: pd.DataFrame, geoms: Any, srid: int) -> None:
    """The ``pieced`` flag and the EWKB of each geometry, into ``out``."""
    arr = np.asarray(geoms, dtype=object)
    out["pieced"] = shapely.get_num_coordinates(arr) > PIECE_VERTICES
    out["geom"] = _ewkb(arr, srid)


def _ewkb(geoms: Any, srid: int) -> np.ndarray:
    arr = shapely.set_srid(np.asarray(geoms, dtype=object), srid)
    return np.asarray(shapely.to_wkb(arr, hex=True, include_srid=True, output_dimension=2))


def _mapped(series: pd.Series, fn: Any) -> np.ndarray:
    """``fn`` of every value, computed once per distinct value (columns repeat a lot)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    # tolist: plain Python values in one call (iterating Arrow strings one by one is slow)
    values = np.array([fn(u) for u in uniques.tolist()] + [fn(None)], dtype=object)
    return values[codes]


def _json_fragments(key: str, series: pd.Series) -> np.ndarray:
    """``"key":value`` JSON text of a column's values, as the memory store's features
    show them (kkpr.store.features: non-finite numbers are null)."""
    head = json.dumps(key, ensure_ascii=False) + ":"
    if pd.api.types.is_bool_dtype(series.dtype) and not series.hasnans:
        return np.where(series.to_numpy(dtype=bool), head + "true", head + "false")
    if pd.api.types.is_integer_dtype(series.dtype) and not series.hasnans:
        return np.char.add(head, series.to_numpy().astype(str)).astype(object)
    if pd.api.types.is_float_dtype(series.dtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        text = np.char.add(head, values.astype(str)).astype(object)
        text[~np.isfinite(values)] = head + "null"
        return text
    dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    return _mapped(series, lambda v: head + dumps(json_value(v)))


def _attrs(frame: gpd.GeoDataFrame) -> list[str]:
    """Every attribute of each feature, as a JSON object (the features' properties)."""
    plain = frame.drop(columns=frame.geometry.name)
    columns = [_json_fragments(str(k), plain[k]) for k in plain.columns]
    if not columns:
        return ["{}"] * len(frame)
    return ["{" + ",".join(row) + "}" for row in zip(*columns, strict=True)]


def _base(frame: gpd.GeoDataFrame, vid: int) -> pd.DataFrame:
    fids = [str(f) for f in frame.index]
    order = sorted(range(len(fids)), key=lambda i: fid_key(fids[i]))
    rank = np.empty(len(fids), dtype=np.int64)
    rank[order] = np.arange(len(fids))
    return pd.DataFrame(
        {"vid": np.full(len(fids), vid), "seq": np.arange(len(fids)), "frank": rank, "fid": fids}
    )


def _zone_rows(plan: Plan, vid: int, srid: int) -> Iterator[tuple[str, int]]:
    # the same values the memory store derives row by row (kkpr.store.memory), vectorised
    zones = plan.zones
    out = _base(zones, vid)
    out["kodszn"] = [str(v) for v in _mapped(zones["kodszn"], lambda v: "<NA>" if v is None else v)]
    for name in ("namszn", "kodzon", "namzon", "kodblk", "kodsbl", "wadmkc", "wadmkd"):
        out[name] = _mapped(zones[name], _text)
    flag_cols = list(zones.attrs.get("flag_columns", []))
    sets = [_mapped(zones[c], flag_is_set).astype(bool) for c in flag_cols]
    out["flags"] = [
        "{" + ",".join(FLAG_JENIS[c] for c, s in zip(flag_cols, row, strict=True) if s) + "}"
        for row in (zip(*sets, strict=True) if sets else [()] * len(zones))
    ]
    for name in INTENSITY_FIELDS:
        out[name] = pd.to_numeric(zones[name], errors="coerce").astype("float64").to_numpy()
    out["attrs"] = _attrs(zones)
    _geometry(out, zones.geometry.values, srid)
    return _copy_chunks(out)


def _overlay_rows(plan: Plan, vid: int, srid: int) -> Iterator[tuple[str, int]]:
    ov = plan.overlays
    out = _base(ov, vid)
    out["jenis"] = [str(v) for v in ov["jenis"]]
    out["keterangan"] = [_text(v) for v in ov["keterangan"]]
    out["tb"] = np.array([_num(v) for v in ov["tb"]], dtype="float64")
    out["efek"] = [_text(v) for v in ov["efek"]]
    out["attrs"] = _attrs(ov)
    _geometry(out, ov.geometry.values, srid)
    return _copy_chunks(out)


def _rtrw_rows(rtrw: gpd.GeoDataFrame, vid: int, srid: int) -> Iterator[tuple[str, int]]:
    out = _base(rtrw, vid)
    out["namobj"] = [str(v) for v in rtrw["namobj"]] if len(rtrw) else []
    out["jnsrpr"] = [_text(v) for v in rtrw["jnsrpr"]] if len(rtrw) else []
    out["attrs"] = _attrs(rtrw)
    _geometry(out, rtrw.geometry.values, srid)
    return _copy_chunks(out)


# ---------------------------------------------------------------- rules, rasters


def _insert_rules(cur: Any, vid: int, rules: PlanRules) -> None:
    from psycopg2.extras import execute_values

    def put(table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            execute_values(
                cur, f"INSERT INTO kkpr.{table} ({columns}) VALUES %s", rows, page_size=1000
            )

    put(
        "activities",
        "vid, seq, kode, kegiatan",
        [(vid, i, a.kode, a.kegiatan) for i, a in enumerate(rules.activities.values())],
    )
    put(
        "itbx",
        "vid, seq, kode_kegiatan, kodszn, cell",
        [(vid, i, k, z, cell) for i, ((k, z), cell) in enumerate(rules.itbx.items())],
    )
    put(
        "kbli",
        "vid, seq, kbli, judul, kode_kegiatan",
        [(vid, i, e.kbli, e.judul, e.kode_kegiatan) for i, e in enumerate(rules.kbli.values())],
    )
    put(
        "conditions",
        "vid, seq, kode, teks, max_floor_area_m2, max_site_area_m2, max_floors",
        [
            (vid, i, c.kode, c.teks, c.max_floor_area_m2, c.max_site_area_m2, c.max_floors)
            for i, c in enumerate(rules.conditions.values())
        ],
    )
    put(
        "intensity",
        f"vid, seq, kodszn, {', '.join(INTENSITY_FIELDS)}",
        [
            (vid, i, code, *(getattr(v, f) for f in INTENSITY_FIELDS))
            for i, (code, v) in enumerate(rules.intensity.items())
        ],
    )


def _copy_rasters(cur: Any, vid: int, plan: Plan, dest: Path) -> None:
    """Copy the package's rasters (and their side files) under ``dest``; record them."""
    rows = []
    for i, spec in enumerate(plan.meta.rasters):
        source = plan.raster_path(spec)
        target = dest / spec.path
        target.parent.mkdir(parents=True, exist_ok=True)
        for side in source.parent.glob(f"{source.stem}.*"):
            shutil.copy2(side, target.parent / side.name)
        rows.append(
            (
                vid, i, spec.id, spec.path, str(target), spec.kind, spec.label_id, spec.label_en,
                spec.jenis, spec.threshold, spec.slope_limit_pct, spec.max_share, spec.efek,
            )
        )  # fmt: skip
    for row in rows:
        cur.execute(
            "INSERT INTO kkpr.rasters (vid, seq, id, path, stored_path, kind, label_id, label_en, "
            "jenis, threshold, slope_limit_pct, max_share, efek) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            row,
        )


# ---------------------------------------------------------------- activation


def _activate_vid(cur: Any, plan_id: str, vid: int, action: str, by: str) -> bool:
    """Make ``vid`` the active version of ``plan_id`` and log it; False if it already was."""
    cur.execute("SELECT id FROM kkpr.plans WHERE id = %s FOR UPDATE", (plan_id,))
    cur.execute("SELECT vid FROM kkpr.plan_versions WHERE plan_id = %s AND active", (plan_id,))
    row = cur.fetchone()
    previous = int(row[0]) if row else None
    if previous == vid:
        return False
    cur.execute(
        "UPDATE kkpr.plan_versions SET active = false WHERE plan_id = %s AND active", (plan_id,)
    )
    cur.execute("UPDATE kkpr.plan_versions SET active = true WHERE vid = %s", (vid,))
    cur.execute(
        "UPDATE kkpr.plans p SET name = v.name, region_code = v.region_code "
        "FROM kkpr.plan_versions v WHERE v.vid = %s AND p.id = v.plan_id",
        (vid,),
    )
    cur.execute(
        "INSERT INTO kkpr.activations (plan_id, from_vid, to_vid, action, by) "
        "VALUES (%s, %s, %s, %s, %s)",
        (plan_id, previous, vid, action, by),
    )
    return True


def _ready_vid(cur: Any, plan_id: str, version: str) -> int:
    cur.execute(
        f"SELECT vid, {STATUS_SQL} FROM kkpr.plan_versions v WHERE plan_id = %s AND version = %s",
        (plan_id, version),
    )
    row = cur.fetchone()
    if row is None:
        cur.execute(
            "SELECT version FROM kkpr.plan_versions WHERE plan_id = %s ORDER BY n", (plan_id,)
        )
        known = ", ".join(r[0] for r in cur.fetchall()) or "—"
        raise NotFound(
            f"Versi {version!r} dari rencana {plan_id!r} tidak ada",
            f"Version {version!r} of plan {plan_id!r} does not exist",
            where=f"{plan_id} {version}",
            hint_id=f"Versi yang ada: {known}",
            hint_en=f"Existing versions: {known}",
        )
    if row[1] != "ready":
        raise Conflict(
            f"Versi {version} berstatus {row[1]}; hanya versi yang siap dapat diaktifkan",
            f"Version {version} is {row[1]}; only a ready version can be activated",
            where=f"{plan_id} {version}",
            hint_id="Muat ulang paketnya: kkpr plan load",
            hint_en="Load the package again: kkpr plan load",
        )
    return int(row[0])


def activate(url: str, plan_id: str, version: str, *, by: str) -> None:
    """Make ``version`` the active version of ``plan_id`` (logged for rollback)."""
    _in_transaction(
        url,
        lambda cur: _activate_vid(cur, plan_id, _ready_vid(cur, plan_id, version), "activate", by),
    )


def rollback(url: str, plan_id: str, *, by: str) -> str:
    """Re-activate the version that was active before the current one; return it.

    The activation log is read as a stack: each load or activation pushes a version,
    each rollback pops one, so repeated rollbacks walk further back in time.
    """

    def run(cur: Any) -> str:
        cur.execute("SELECT id FROM kkpr.plans WHERE id = %s FOR UPDATE", (plan_id,))
        if cur.fetchone() is None:
            raise NotFound(
                f"Rencana {plan_id!r} tidak ada", f"Plan {plan_id!r} does not exist", where=plan_id
            )
        cur.execute(
            "SELECT to_vid, action FROM kkpr.activations WHERE plan_id = %s ORDER BY id", (plan_id,)
        )
        stack: list[int] = []
        for to_vid, action in cur.fetchall():
            if action == "rollback" and stack:
                stack.pop()
                if not stack or stack[-1] != to_vid:
                    stack.append(to_vid)
            else:
                stack.append(to_vid)
        if len(stack) < 2:
            raise Conflict(
                f"Tidak ada versi sebelumnya untuk rencana {plan_id!r}",
                f"Plan {plan_id!r} has no earlier version to roll back to",
                where=plan_id,
                hint_id="Lihat versi: kkpr plan list; aktifkan versi tertentu: kkpr plan activate",
                hint_en="See versions: kkpr plan list; activate one: kkpr plan activate",
            )
        target = stack[-2]
        _activate_vid(cur, plan_id, target, "rollback", by)
        cur.execute("SELECT version FROM kkpr.plan_versions WHERE vid = %s", (target,))
        return str(cur.fetchone()[0])

    return _in_transaction(url, run)


def _in_transaction(url: str, fn: Any) -> Any:
    import psycopg2

    conn = connect(url)
    try:
        with conn, conn.cursor() as cur:
            return fn(cur)
    except (psycopg2.errors.UndefinedTable, psycopg2.errors.InvalidSchemaName) as exc:
        raise not_migrated(url) from exc
    except psycopg2.Error as exc:
        raise unavailable(url, exc) from exc
    finally:
        conn.close()


# ---------------------------------------------------------------- listing

# a ``loading`` row whose session is gone is a load that died (killed, disconnected)
STATUS_SQL = """CASE WHEN v.status = 'loading' AND NOT EXISTS (
    SELECT 1 FROM pg_stat_activity a
    WHERE a.pid = v.load_pid AND a.backend_start <= v.loaded_at) THEN 'failed'
    ELSE v.status END"""


def list_plans(cur: Any) -> list[dict[str, Any]]:
    cur.execute(
        "SELECT p.id, p.name, p.region_code, a.version, count(v.vid) "
        "FROM kkpr.plans p LEFT JOIN kkpr.plan_versions v ON v.plan_id = p.id "
        "LEFT JOIN kkpr.plan_versions a ON a.plan_id = p.id AND a.active "
        "GROUP BY p.id, p.name, p.region_code, a.version ORDER BY p.id"
    )
    return [
        {
            "id": r[0],
            "name": r[1],
            "region_code": r[2],
            "active_version": r[3],
            "versions": int(r[4]),
        }
        for r in cur.fetchall()
    ]


def list_versions(cur: Any, plan_id: str) -> list[dict[str, Any]]:
    cur.execute(
        f"SELECT v.version, v.active, {STATUS_SQL}, v.loaded_at, v.loaded_by, v.checksum, "
        "v.effective_from, v.legal_basis, v.zones_count, v.overlays_count, "
        "CASE WHEN v.status = 'loading' THEN coalesce(v.error, 'interrupted') ELSE v.error END, "
        "a.at, a.by FROM kkpr.plan_versions v LEFT JOIN LATERAL ("
        " SELECT at, by FROM kkpr.activations WHERE to_vid = v.vid ORDER BY id DESC LIMIT 1"
        ") a ON true WHERE v.plan_id = %s ORDER BY v.n DESC",
        (plan_id,),
    )
    out = []
    for r in cur.fetchall():
        status = r[2]
        out.append(
            {
                "version": r[0],
                "active": bool(r[1]),
                "status": status,
                "loaded_at": r[3].isoformat() if r[3] else None,
                "loaded_by": r[4],
                "activated_at": r[11].isoformat() if r[11] else None,
                "activated_by": r[12],
                "checksum": r[5],
                "effective_from": r[6].isoformat() if r[6] else None,
                "legal_basis": r[7],
                "zones": r[8],
                "overlays": r[9],
                "error": r[10] if status == "failed" else None,
            }
        )
    return out
