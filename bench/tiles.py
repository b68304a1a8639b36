"""Tile benchmark: OGC API Tiles (MVT) of the 500,000-zone plan in PostGIS, before and
after the stored EPSG:3857 geometry, the generalisation by zoom and the tile cache, side
by side in one process; and the first paint of the maps in Chromium.

    .venv/bin/python bench/tiles.py [--zones 500000] [--tiles 200] [--baseline 0]
                                    [--zooms 13,14,15,16,17] [--db URL] [--no-browser]
                                    [--no-tiles] [--paints 5] [--before DIR]

The plan is the one ``bench/stores.py`` generates (``bench/out/plan_<N>``, made with
``zoning_data/kupang/generate.py``); it is loaded into a throwaway PostGIS cluster
(fsync on), or into ``--db`` / ``KKPR_BENCH_DATABASE_URL`` where the same package is
not loaded yet. For each zoom the distinct tiles holding ``--tiles`` random zones are
made:

* SQL before / after, on one connection, each tile by both statements in turn (so the
  machine's load falls on both alike): before is the statement the store ran until
  migration 0007 (``BEFORE_SQL``: each zone reprojected to EPSG:3857 in the tile, no
  generalisation); after is ``kkpr.store.postgis_features.tile_sql`` (the stored, indexed
  ``geom_3857``; slivers under a pixel left out and simplification below zoom 13);
* HTTP cold / warm: ``GET /ogc/collections/zones/tiles/WebMercatorQuad/{z}/{y}/{x}``
  from a uvicorn worker (``KKPR_DATABASE_URL``), first asked (made by PostGIS), then
  asked again (from the store's tile cache; a browser would not even ask: the maps
  send ``?v=<version>`` and the answer is immutable);
* optionally (``--baseline N``) the first N tiles' area as paged GeoJSON, what the
  maps fetched before tiles.

Then, unless ``--no-browser``, headless Chromium at 1280x800 opens the staff map (after
login; the plan's validation report, which the page also asks for, is made first) with
its files bundled (``api.bundle``) and one by one (a second worker with
``KKPR_BUNDLE_ASSETS=false``), with ``--before DIR`` as a checkout of older code serves
it (a third worker, e.g. ``git archive <commit> | tar -x -C DIR``), and the public
pre-check map, ``--paints`` times each, in turn, in a fresh context (empty cache): first
paint is the time from navigation to the first zone tile drawn
(``window.kkpr.firstPaint``), and to every zone tile of the view drawn
(``window.kkpr.zonesDrawn``); from the performance entries, how many scripts and
stylesheets the page asked for, when the last arrived and when the first zone tile was
asked for. ``--no-tiles``: the paints only. The load average is printed with the
figures (the machine is shared). Prints rich tables and the same as Markdown.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from psycopg2 import sql as pg  # noqa: E402
from stores import PG_OPTIONS, plan_for  # noqa: E402

from kkpr.db.pool import connect as db_connect  # noqa: E402
from kkpr.plan.package import checksum  # noqa: E402
from kkpr.records.checks import open_records, records_url  # noqa: E402
from kkpr.records.keys import KeyStore  # noqa: E402
from kkpr.settings import Settings  # noqa: E402
from kkpr.store import postgis_features as pf  # noqa: E402
from kkpr.store import tiles  # noqa: E402
from kkpr.store.load import load_package  # noqa: E402
from kkpr.store.postgis_sql import unavailable  # noqa: E402
from tests.server import Server, start_server, stop_server  # noqa: E402

console = Console()
VIEW = {"width": 1280, "height": 800}

# The tile statement before migration 0007: each feature cut in the plan CRS, then
# reprojected to EPSG:3857 in every tile it is drawn in ($1 vid, $2 srid, $3 z, $4 x,
# $5 y, $6 the layer's name).
BEFORE_SQL = """
WITH env AS MATERIALIZED (
    SELECT ST_TileEnvelope($3, $4, $5) AS tile,
           ST_Transform(ST_TileEnvelope($3, $4, $5, margin => {margin}), $2)
               AS box
),
t AS MATERIALIZED (
    SELECT CASE WHEN x.fid ~ '^[0-9]{{1,18}}$' THEN x.fid::bigint END AS id,
           jsonb_strip_nulls({properties}) AS props,
           ST_AsMVTGeom(ST_Transform(ST_ClipByBox2D(x.geom, env.box), 3857), env.tile,
                        {extent}, {buffer}, true) AS geom
    FROM {source}, env
    WHERE x.vid = $1 AND x.geom && env.box
)
SELECT ST_AsMVT(t.*, $6, {extent}, 'geom', 'id') FROM t WHERE t.geom IS NOT NULL
"""


def before_sql() -> Any:
    """BEFORE_SQL composed by the driver, as the store composes the statement after."""
    return pg.SQL(BEFORE_SQL).format(
        source=pf.source("zones"),
        properties=pf.tile_properties("zones"),
        margin=pg.Literal(tiles.BUFFER / tiles.EXTENT),
        extent=pg.Literal(tiles.EXTENT),
        buffer=pg.Literal(tiles.BUFFER),
    )


def connect(url: str) -> Any:
    """A connection of the benchmark's own (autocommit), made as the pool makes them."""
    conn = db_connect(
        url, connect_timeout_s=Settings().db_connect_timeout_s, unavailable=unavailable
    )
    conn.autocommit = True
    return conn


def loaded(url: str, folder: Path) -> bool:
    """Whether ``url`` already serves this package as its active version."""
    try:
        conn = connect(url)
    except Exception:
        return False
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT 1 FROM kkpr.plan_versions WHERE active AND checksum = %s",
                (checksum(folder),),
            )
            return cur.fetchone() is not None
    except Exception:
        return False
    finally:
        conn.close()


def sample_lonlats(url: str, n: int, seed: int) -> list[tuple[float, float]]:
    conn = connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT setseed(%s)", (seed / 1000.0,))
            cur.execute(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_PointOnSurface(z.geom), "
                "4326) AS p FROM kkpr.zones z JOIN kkpr.plan_versions v ON v.vid = z.vid "
                "AND v.active ORDER BY random() LIMIT %s) s",
                (n,),
            )
            return [(float(x), float(y)) for x, y in cur.fetchall()]
    finally:
        conn.close()


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def geojson_tile(client: httpx.Client, z: int, x: int, y: int) -> tuple[float, int, int]:
    """The baseline: a tile's area as GeoJSON pages; (seconds, bytes, features)."""
    from kkpr.site import transformer

    minx, miny, maxx, maxy = tiles.tile_bounds(z, x, y)
    t = transformer(tiles.WEB_MERCATOR, "EPSG:4326")
    lon1, lat1 = t.transform(minx, miny)
    lon2, lat2 = t.transform(maxx, maxy)
    url: str | None = (
        f"/ogc/collections/zones/items?limit=1000&bbox={lon1:.6f},{lat1:.6f},{lon2:.6f},{lat2:.6f}"
    )
    size = count = 0
    start = time.perf_counter()
    while url:
        r = client.get(url)
        r.raise_for_status()
        size += len(r.content)
        page = r.json()
        count += len(page["features"])
        nxt = next((link for link in page["links"] if link["rel"] == "next"), None)
        url = nxt["href"] if nxt else None
    return time.perf_counter() - start, size, count


def distinct_tiles(points: list[tuple[float, float]], z: int) -> list[tuple[int, int]]:
    seen: dict[tuple[int, int], None] = {}
    for lon, lat in points:
        seen.setdefault(tiles.tile_of(lon, lat, z))
    return list(seen)


def bench_sql(url: str, z: int, cells: list[tuple[int, int]]) -> dict[str, float]:
    """Each tile by the statement before and the one after, in turn, on one connection."""
    conn = connect(url)
    before_ms, after_ms, before_kb, after_kb = [], [], [], []
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT vid, srid FROM kkpr.plan_versions WHERE active LIMIT 1")
            vid, srid = cur.fetchone()
            cur.execute(
                pg.SQL("PREPARE before_tile (bigint, integer, integer, integer, integer, text) ")
                + pg.SQL("AS ")
                + before_sql()
            )
            after = pf.tile_sql(pf.source("zones"), pf.tile_properties("zones"))
            cur.execute(
                pg.SQL(
                    "PREPARE after_tile (bigint, integer, integer, integer, text, float8, float8) "
                )
                + pg.SQL("AS ")
                + after
            )
            for i, (x, y) in enumerate(cells):
                for which in ("before", "after") if i % 2 == 0 else ("after", "before"):
                    start = time.perf_counter()
                    if which == "before":
                        cur.execute(
                            "EXECUTE before_tile (%s, %s, %s, %s, %s, %s)",
                            (vid, srid, z, x, y, "zones"),
                        )
                    else:
                        cur.execute(
                            "EXECUTE after_tile (%s, %s, %s, %s, %s, %s, %s)",
                            (vid, z, x, y, "zones", tiles.sliver_m(z), tiles.simplify_m(z)),
                        )
                    body = cur.fetchone()[0]
                    ms = (time.perf_counter() - start) * 1000
                    kb = len(bytes(body)) / 1024 if body else 0.0
                    (before_ms if which == "before" else after_ms).append(ms)
                    (before_kb if which == "before" else after_kb).append(kb)
    finally:
        conn.close()
    return {
        "before_p50": percentile(before_ms, 50),
        "before_p99": percentile(before_ms, 99),
        "after_p50": percentile(after_ms, 50),
        "after_p99": percentile(after_ms, 99),
        "before_kb": statistics.fmean(before_kb),
        "after_kb": statistics.fmean(after_kb),
    }


def bench_http(
    client: httpx.Client, z: int, cells: list[tuple[int, int]], baseline_n: int
) -> dict[str, float]:
    """Each tile asked twice over HTTP: made, then from the store's tile cache."""
    cold, warm, base_ms, base_kb, feats = [], [], [], [], []
    for i, (x, y) in enumerate(cells):
        for times in (cold, warm):
            start = time.perf_counter()
            r = client.get(f"/ogc/collections/zones/tiles/WebMercatorQuad/{z}/{y}/{x}")
            times.append((time.perf_counter() - start) * 1000)
            if r.status_code not in (200, 204):
                raise SystemExit(f"tile {z}/{y}/{x}: HTTP {r.status_code} {r.text[:300]}")
        if i < baseline_n:
            s, size, n = geojson_tile(client, z, x, y)
            base_ms.append(s * 1000)
            base_kb.append(size / 1024)
            feats.append(n)
    return {
        "tiles": len(cells),
        "cold_p50": percentile(cold, 50),
        "cold_p99": percentile(cold, 99),
        "warm_p50": percentile(warm, 50),
        "warm_p99": percentile(warm, 99),
        "base_n": len(base_ms),
        "base_p50": percentile(base_ms, 50),
        "base_p99": percentile(base_ms, 99),
        "base_kb": statistics.fmean(base_kb) if base_kb else float("nan"),
        "zones": statistics.fmean(feats) if feats else float("nan"),
    }


# what a load asked for before its map drew (performance entries): the page's scripts
# and stylesheets (their number, and when the last of them had arrived), and when the
# first zone tile was asked for
ENTRIES = """() => {
  const rs = performance.getEntriesByType("resource");
  const files = rs.filter((r) => r.initiatorType === "script" || r.initiatorType === "link"
    || /\\.(js|css)(\\?|$)/.test(r.name));
  const tiles = rs.filter((r) => r.name.includes("/collections/zones/tiles/"));
  return [window.kkpr.firstPaint, window.kkpr.zonesDrawn, files.length,
          Math.max(0, ...files.map((r) => r.responseEnd)),
          tiles.length ? Math.min(...tiles.map((r) => r.startTime)) : NaN];
}"""


@dataclass(frozen=True)
class Paint:
    first: float  # ms from navigation to the first zone tile drawn
    drawn: float  # to every zone tile of the view drawn
    files: int  # scripts and stylesheets the page asked for
    files_done: float  # the last of them arrived
    tile_asked: float  # the first zone tile asked for


def paint_once(browser: Any, base_url: str, key: str, page_name: str) -> Paint:
    """One load of the staff map (``staf``, after login) or the public pre-check map
    (``precheck``) in a fresh context (an empty cache)."""
    context = browser.new_context(viewport=VIEW)
    try:
        page = context.new_page()
        page.set_default_timeout(120_000)
        if page_name == "staf":
            page.goto(f"{base_url}/staf")
            page.fill("#key", key)
            page.click("#login button[type=submit]")
            page.wait_for_url("**/staf")
        else:
            page.goto(f"{base_url}/")
            # a plan wider than a screen at zoom 10 opens whole, zones not drawn: then
            # zoomed in at its centre, as a visitor would (or as the staff map opens)
            page.wait_for_function("window.kkpr && window.kkpr.map")
            page.evaluate(
                "() => { const m = window.kkpr.map;"
                " if (m.getZoom() < 10) m.setView(m.getCenter(), 13); }"
            )
        page.wait_for_function("window.kkpr && window.kkpr.zonesDrawn")
        first, drawn, files, files_done, tile_asked = page.evaluate(ENTRIES)
        return Paint(float(first), float(drawn), int(files), float(files_done), float(tile_asked))
    finally:
        context.close()


def first_paints(servers: dict[str, str], key: str, n: int) -> dict[str, list[Paint]]:
    """``n`` loads of each ``{label: "<page> <base url>"}``, in turn (load 1 of each,
    then load 2 of each...), so that the machine's load falls on all alike."""
    from playwright.sync_api import sync_playwright

    out: dict[str, list[Paint]] = {label: [] for label in servers}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            for _ in range(n):
                for label, target in servers.items():
                    page_name, base_url = target.split(" ", 1)
                    out[label].append(paint_once(browser, base_url, key, page_name))
        finally:
            browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--zones", type=int, default=500_000)
    ap.add_argument("--tiles", type=int, default=200, help="MVT tiles per zoom")
    ap.add_argument("--baseline", type=int, default=0, help="GeoJSON tiles per zoom")
    ap.add_argument("--zooms", default="13,14,15,16,17")
    ap.add_argument("--paints", type=int, default=5, help="loads of each map")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--db", default=os.environ.get("KKPR_BENCH_DATABASE_URL"))
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-tiles", action="store_true", help="the first paints only")
    ap.add_argument(
        "--before", type=Path, help="a checkout of older code: its staff map painted in turn"
    )
    args = ap.parse_args()
    from tests.fixtures_postgis import PgServer

    folder = plan_for(args.zones)
    data_dir = Path(tempfile.mkdtemp(prefix="kkpr-bench-tiles-"))
    server = None
    url = args.db
    if not (url and loaded(url, folder)):
        server = PgServer(args.db, durable=True, options=PG_OPTIONS)
        url = server.new_database("kkpr_tiles")
        t = time.perf_counter()
        load_package(url, folder, loaded_by="bench", data_dir=data_dir)
        console.print(
            f"loaded {args.zones:,} zones into PostGIS in {time.perf_counter() - t:.0f} s"
        )
    web = None
    others: list[Server] = []
    try:
        settings = Settings(data_dir=data_dir, database_url=url)
        keys = KeyStore(open_records(records_url(settings)))
        _, key = keys.create("bench tiles", "staff", created_by="bench")
        env = {
            "KKPR_PLAN_DIR": str(folder),
            "KKPR_DATA_DIR": str(data_dir),
            "KKPR_DATABASE_URL": url,
            "KKPR_SESSION_SECRET": "bench-tiles",
        }
        web = start_server(env, data_dir / "uvicorn.log")
        zooms = [int(z) for z in args.zooms.split(",") if z]
        points = sample_lonlats(url, args.tiles, args.seed)
        rows = []
        loads = [os.getloadavg()[0]]
        with httpx.Client(base_url=web.url, timeout=120) as client:
            # connections warm, not measured (tiles of another zoom than the measured)
            for lon, lat in points[:5]:
                x, y = tiles.tile_of(lon, lat, 12)
                client.get(f"/ogc/collections/zones/tiles/WebMercatorQuad/12/{y}/{x}")
            for z in [] if args.no_tiles else zooms:
                cells = distinct_tiles(points, z)
                row = bench_sql(url, z, cells) | bench_http(client, z, cells, args.baseline)
                rows.append((z, row))
                console.print(
                    f"z{z}: {len(cells)} tiles; SQL before p50 {row['before_p50']:.1f} "
                    f"p99 {row['before_p99']:.1f} ms, after p50 {row['after_p50']:.1f} "
                    f"p99 {row['after_p99']:.1f} ms; HTTP cold p99 {row['cold_p99']:.1f}, "
                    f"warm p99 {row['warm_p99']:.1f} ms"
                )
        loads.append(os.getloadavg()[0])
        paints: dict[str, list[Paint]] = {}
        if not args.no_browser:
            # the staff page also asks for the plan's validation report, made once per
            # version and then kept: made here first, so that the paints measure the map
            with httpx.Client(base_url=web.url, timeout=1800) as client:
                t = time.perf_counter()
                plan_id = client.get("/v1/plans").json()[0]["id"]
                r = client.get(f"/v1/plans/{plan_id}/validation")
                console.print(
                    f"validation report: HTTP {r.status_code} in {time.perf_counter() - t:.0f} s"
                )
            # the staff map with its files bundled (api.bundle), one by one
            # (KKPR_BUNDLE_ASSETS=false) and, with --before, as the older code serves it
            one_by_one = start_server(
                env | {"KKPR_BUNDLE_ASSETS": "false"}, data_dir / "uvicorn-files.log"
            )
            others.append(one_by_one)
            servers = {
                "staff map, bundled": f"staf {web.url}",
                "staff map, files one by one": f"staf {one_by_one.url}",
            }
            if args.before:
                before = start_server(
                    env, data_dir / "uvicorn-before.log", tree=args.before.resolve()
                )
                others.append(before)
                servers[f"staff map, {args.before.name} (before)"] = f"staf {before.url}"
            servers["public pre-check map, bundled"] = f"precheck {web.url}"
            paints = first_paints(servers, key, args.paints)
            loads.append(os.getloadavg()[0])
    finally:
        for other in others:
            stop_server(other)
        if web is not None:
            stop_server(web)
        if server is not None:
            server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    report(rows, paints, loads, args)


def report(
    rows: list[tuple[int, dict[str, float]]],
    paints: dict[str, list[Paint]],
    loads: list[float],
    args: argparse.Namespace,
) -> None:
    title = (
        f"kkpr tiles — {args.zones:,} zones in PostGIS; SQL: the statement before migration "
        "0007 and after, in turn on one connection; HTTP: one uvicorn worker, sequential, "
        "each tile made (cold) then asked again (warm, the tile cache)"
    )
    head = ["zoom", "tiles", "SQL before p50", "SQL before p99", "SQL after p50",
            "SQL after p99", "KB before", "KB after", "HTTP cold p50", "HTTP cold p99",
            "HTTP warm p50", "HTTP warm p99"]  # fmt: skip
    if args.baseline:
        head += ["GeoJSON p50", "GeoJSON p99", "GeoJSON KB", "zones per tile"]
    table = Table(*head, title=title)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for z, r in rows:
        cells = [
            str(z), f"{r['tiles']:.0f}", f"{r['before_p50']:.1f}", f"{r['before_p99']:.1f}",
            f"{r['after_p50']:.1f}", f"{r['after_p99']:.1f}", f"{r['before_kb']:.0f}",
            f"{r['after_kb']:.0f}", f"{r['cold_p50']:.1f}", f"{r['cold_p99']:.1f}",
            f"{r['warm_p50']:.1f}", f"{r['warm_p99']:.1f}",
        ]  # fmt: skip
        if args.baseline:
            cells += [f"{r['base_p50']:.0f}", f"{r['base_p99']:.0f}", f"{r['base_kb']:.0f}",
                      f"{r['zones']:.0f}"]  # fmt: skip
        table.add_row(*cells)
        lines.append("| " + " | ".join(cells) + " |")
    console.print(table)
    print("\n" + title + " (ms)\n\n" + "\n".join(lines))
    if paints:
        n = len(next(iter(paints.values())))
        what = (
            f"First paint of the maps (Chromium {VIEW['width']}x{VIEW['height']}, browser "
            f"cache empty, {n} loads of each, in turn), ms from navigation; median (min-max)"
        )
        head = ["page", "first zone tile drawn", "every zone tile of the view drawn",
                "scripts + stylesheets", "last of them arrived", "first zone tile asked"]  # fmt: skip
        table = Table(*head, title=what)
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

        def spread(values: list[float]) -> str:
            return f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})"

        for name, runs in paints.items():
            cells = [
                name,
                spread([p.first for p in runs]),
                spread([p.drawn for p in runs]),
                f"{statistics.median(p.files for p in runs):.0f}",
                spread([p.files_done for p in runs]),
                spread([p.tile_asked for p in runs]),
            ]
            table.add_row(*cells)
            lines.append("| " + " | ".join(cells) + " |")
        console.print(table)
        print("\n" + what + "\n\n" + "\n".join(lines))
    text = (
        "\nLoad average (1 min) at start, after the tiles, after the paints: "
        + ", ".join(f"{v:.1f}" for v in loads)
        + f" on {os.cpu_count()} cores"
    )
    console.print(text)
    print(text)


if __name__ == "__main__":
    main()
