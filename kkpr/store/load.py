"""Loading a plan package into PostGIS as a new version (``kkpr plan load``).

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
import dataclasses
import json
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kkpr.db.pool import connect as db_connect
from kkpr.errors import PlanError, Problem, StoreError
from kkpr.model import PlanRules
from kkpr.plan.kugi import INTENSITY_FIELDS
from kkpr.plan.package import Plan, read_plan
from kkpr.plan.validate import errors_of, validate
from kkpr.settings import Settings
from kkpr.store import copy_text, rule_tables
from kkpr.store import postgis_features as pf
from kkpr.store.activation import activate_vid
from kkpr.store.memory import _text as road_text
from kkpr.store.postgis_sql import db_errors, not_migrated, srid_of, unavailable

CHUNK_ROWS = 20_000


@dataclass(frozen=True)
class LoadStep:
    """Where a load is: ``task`` (``zones``, ``overlays``, ``rtrw``, ``validation``)
    stands at ``done`` of ``total`` (None: not known yet); ``label`` says it to a person.

    A load reports every step to the ``progress`` callback it is given; it draws
    nothing itself (``kkpr plan load`` draws a bar, see ``kkpr.cli.output``). The
    callback runs inside the load's transaction (during a COPY, between chunks).
    """

    task: str
    label: str
    done: int
    total: int | None


LoadProgress = Callable[[LoadStep], None]


def _silent(step: LoadStep) -> None:
    pass


# ---------------------------------------------------------------- load


def load_package(
    url: str,
    plan_dir: Path | str,
    *,
    loaded_by: str,
    activate: bool = True,
    data_dir: Path | None = None,
    progress: LoadProgress | None = None,
) -> str:
    """Validate and load ``plan_dir`` as a new version of its plan; return the version.

    Raises PlanError (with ``problems``) when validation finds errors, StoreError
    when the database fails; in both cases nothing of the version is kept. The
    validation runs beside the COPY (GEOS works outside the GIL, the server parses in
    its own process) and is waited for before anything is committed. ``progress``
    hears of every step (``LoadStep``).
    """
    plan_dir = Path(plan_dir)
    plan = read_plan(plan_dir)
    srid = srid_of(plan.meta.crs)
    data_dir = data_dir if data_dir is not None else Settings().data_dir
    report = progress or _silent
    pool = ThreadPoolExecutor(1, thread_name_prefix="kkpr-validate")
    checked = pool.submit(lambda: errors_of(validate(plan)))
    raster_dir: Path | None = None
    vid: int | None = None
    conn: Any = None
    try:
        conn = _connect(url)
        vid, version = _register(conn, url, plan, loaded_by, plan_dir, srid)
        raster_dir = (data_dir / "rasters" / plan.meta.id / version).resolve()
        with conn.cursor() as cur:
            _write_version(cur, report, plan, vid, srid, raster_dir)
            report(LoadStep("validation", "validasi / validation", 0, None))
            errors = checked.result()
            report(LoadStep("validation", "validasi / validation", 1, 1))
            if errors:
                raise refusal(plan_dir, errors)
            if activate:
                activate_vid(cur, plan.meta.id, vid, "load", loaded_by)
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


def _connect(url: str) -> Any:
    """A connection of the load's own (kkpr.db.pool.connect), not one of a pool's: a
    load holds its transaction for minutes, which would starve the checks' pool."""
    return db_connect(
        url, connect_timeout_s=Settings().db_connect_timeout_s, unavailable=unavailable
    )


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
    cur: Any, report: LoadProgress, plan: Plan, vid: int, srid: int, raster_dir: Path
) -> None:
    """Everything of the version, inside the load's transaction; status ready."""
    cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
    zones, overlays = plan.zones, plan.overlays
    rtrw = plan.rtrw if plan.rtrw is not None else copy_text.no_rtrw(plan.meta.crs)
    _copy_layer(cur, report, "zones", vid, copy_text.zones(plan, vid, srid))
    _copy_layer(cur, report, "overlays", vid, copy_text.overlays(plan, vid, srid))
    _copy_layer(cur, report, "rtrw", vid, copy_text.rtrw(rtrw, vid, srid))
    for name in ("zones", "overlays", "rtrw"):  # the low zooms' tiles, made once
        pf.prerender(cur, name, vid, pf.source(name), pf.tile_properties(name))
    _insert_rules(cur, vid, plan.rules)
    _insert_roads(cur, vid, plan, srid)
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


def _bounds(frame: Any) -> list[float] | None:
    return [float(v) for v in frame.total_bounds] if len(frame) else None


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
                "overlay_effects, subzones, checksum, source_dir, loaded_by, rule_options, "
                "rdtr_integrated, "
                "load_pid) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                "pg_backend_pid()) RETURNING vid",
                (
                    m.id, n, version, m.name, m.region_code, m.legal_basis, m.effective_from,
                    m.crs, srid, m.tolerance.sliver_m2, m.tolerance.sliver_share,
                    json.dumps(m.overlay_effects), list(plan.rules.subzones), m.checksum,
                    str(plan_dir.resolve()), loaded_by,
                    json.dumps(dataclasses.asdict(m.rule_options)), m.rdtr_integrated,
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
        with _connect(url) as other, other.cursor() as cur:
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
    """A file-like reader over CSV chunks, for ``copy_expert``; reports the rows sent
    before each read (so a callback that waits, waits inside the open COPY)."""

    def __init__(
        self, chunks: Iterator[tuple[str, int]], report: LoadProgress, name: str, total: int
    ) -> None:
        self._chunks = chunks
        self._report, self._name, self._total = report, name, total
        self._sent = 0

    def read(self, size: int = -1) -> str:
        self._report(LoadStep(self._name, f"{self._name} (COPY)", self._sent, self._total))
        try:
            text, rows = next(self._chunks)
        except StopIteration:
            return ""
        self._sent += rows
        return text


def _copy_layer(
    cur: Any, report: LoadProgress, name: str, vid: int, layer: copy_text.Layer
) -> None:
    """COPY a layer into a new partition, index it, cut its many-vertex polygons into
    pieces, and attach both to ``kkpr.<name>`` and ``kkpr.<name>_pieces``.

    DDL takes no parameters: the partitions' names are identifiers and the version a
    literal, both composed by the driver (``psycopg2.sql``), never pasted as text."""
    from psycopg2 import sql as pg

    total = layer.rows
    parent, part = pg.Identifier("kkpr", name), pg.Identifier("kkpr", f"{name}_v{vid}")
    parent_pieces = pg.Identifier("kkpr", f"{name}_pieces")
    pieces = pg.Identifier("kkpr", f"{name}_pieces_v{vid}")
    version = pg.Literal(vid)

    def run(template: str, **parts: pg.Composable) -> None:
        cur.execute(pg.SQL(template).format(**parts))

    run(
        "CREATE TABLE {part} (LIKE {parent} INCLUDING DEFAULTS, CHECK (vid = {vid}))",
        part=part, parent=parent, vid=version,
    )  # fmt: skip
    columns = pg.SQL(", ").join(pg.Identifier(c) for c in layer.columns)
    cur.copy_expert(
        pg.SQL("COPY {part} ({columns}) FROM STDIN").format(part=part, columns=columns),
        _Chunks(layer.chunks(CHUNK_ROWS), report, name, total),
        size=1 << 20,
    )
    report(LoadStep(name, f"{name} (indeks / index)", total, total))
    # kept in EPSG:3857 too, for vector tiles (migration 0007, kkpr.store.tiles)
    run("UPDATE {part} SET geom_3857 = ST_Transform(geom, 3857)", part=part)
    run("ALTER TABLE {part} ADD PRIMARY KEY (vid, seq)", part=part)
    run("CREATE INDEX ON {part} USING gist (geom)", part=part)
    run("CREATE INDEX ON {part} USING gist (geom_3857)", part=part)
    run("CREATE INDEX ON {part} (vid, frank)", part=part)
    run("CREATE INDEX ON {part} (vid, fid)", part=part)
    run("ANALYZE {part}", part=part)
    run(
        "CREATE TABLE {pieces} (LIKE {parent} INCLUDING DEFAULTS, CHECK (vid = {vid}))",
        pieces=pieces, parent=parent_pieces, vid=version,
    )  # fmt: skip
    run(
        "INSERT INTO {pieces} (vid, seq, geom) "
        "SELECT vid, seq, ST_Subdivide(geom, {vertices}) FROM {part} WHERE pieced",
        pieces=pieces, vertices=pg.Literal(copy_text.PIECE_VERTICES), part=part,
    )  # fmt: skip
    run("CREATE INDEX ON {pieces} USING gist (geom)", pieces=pieces)
    run("ANALYZE {pieces}", pieces=pieces)
    run("ALTER TABLE {parent} ATTACH PARTITION {part} FOR VALUES IN ({vid})",
        parent=parent, part=part, vid=version)  # fmt: skip
    run("ALTER TABLE {parent} ATTACH PARTITION {pieces} FOR VALUES IN ({vid})",
        parent=parent_pieces, pieces=pieces, vid=version)  # fmt: skip
    report(LoadStep(name, f"{name} ✓", total, total))


# ---------------------------------------------------------------- rules, rasters


def _insert_rules(cur: Any, vid: int, rules: PlanRules) -> None:
    from psycopg2 import sql as pg
    from psycopg2.extras import execute_values

    def put(table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            statement = pg.SQL("INSERT INTO {table} ({columns}) VALUES %s").format(
                table=pg.Identifier("kkpr", table),
                columns=pg.SQL(", ").join(pg.Identifier(c) for c in columns.split(", ")),
            )
            execute_values(cur, statement.as_string(cur), rows, page_size=1000)

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
        ", ".join(("vid", "seq", "kodszn", *INTENSITY_FIELDS)),
        [
            (vid, i, code, *(getattr(v, f) for f in INTENSITY_FIELDS))
            for i, (code, v) in enumerate(rules.intensity.items())
        ],
    )
    cur.execute(
        "UPDATE kkpr.plan_versions SET rule_tables = %s WHERE vid = %s",
        (json.dumps(rule_tables.to_json(rules)), vid),
    )


def _insert_roads(cur: Any, vid: int, plan: Plan, srid: int) -> None:
    """The road layer (layer order: the order of hits) and the GSB table."""
    import numpy as np
    import shapely
    from psycopg2.extras import execute_values

    rows = plan.rules.setbacks
    if rows:
        execute_values(
            cur,
            "INSERT INTO kkpr.setbacks (vid, seq, fungsi, kelas, status, gsb, jbb, keterangan) "
            "VALUES %s",
            [
                (vid, i, r.fungsi, r.kelas, r.status, r.gsb, r.jbb, r.keterangan)
                for i, r in enumerate(rows)
            ],
        )
    roads = plan.roads
    if roads is None or not len(roads):
        return
    geoms = shapely.set_srid(np.asarray(roads.geometry.values, dtype=object), srid)
    wkb = shapely.to_wkb(geoms, hex=True, include_srid=True, output_dimension=2)
    execute_values(
        cur,
        "INSERT INTO kkpr.roads (vid, seq, fid, nama, fungsi, kelas, status, geom) VALUES %s",
        [
            (vid, i, str(fid), *(road_text(v) for v in (r.nama, r.fungsi, r.kelas, r.status)), w)
            for i, (fid, r, w) in enumerate(zip(roads.index, roads.itertuples(), wkb, strict=True))
        ],
        template="(%s, %s, %s, %s, %s, %s, %s, %s::geometry)",
        page_size=1000,
    )


def _copy_rasters(cur: Any, vid: int, plan: Plan, dest: Path) -> None:
    """Copy the package's rasters (and their side files) under ``dest``; record them."""
    rows = []
    for i, spec in enumerate(plan.meta.rasters):
        source = plan.raster_path(spec)
        target = dest / spec.path
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            for side in source.parent.glob(f"{source.stem}.*"):
                shutil.copy2(side, target.parent / side.name)
        except OSError as exc:
            raise StoreError(
                f"Raster {spec.id} tidak dapat disalin ke folder data",
                f"Raster {spec.id} cannot be copied into the data folder",
                where=str(target),
                hint_id=f"Periksa KKPR_DATA_DIR dan haknya ({exc})",
                hint_en=f"Check KKPR_DATA_DIR and its permissions ({exc})",
            ) from exc
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
