"""Tile benchmark: OGC API Tiles (MVT) against the paged GeoJSON the maps fetched before,
on the 500,000-zone plan in PostGIS, over HTTP, side by side in one process.

    .venv/bin/python bench/tiles.py [--zones 500000] [--tiles 200] [--baseline 20]
                                    [--zooms 13,14,15,16,17] [--db URL] [--no-browser]

The plan is the one ``bench/stores.py`` generates (``bench/out/plan_<N>``, made with
``zoning_data/kupang/generate.py``); it is loaded into a throwaway PostGIS cluster
(fsync on), or into ``--db`` / ``KKPR_BENCH_DATABASE_URL`` where the same package is
not loaded yet. A uvicorn worker serves it (``KKPR_DATABASE_URL``). For each zoom,
``--tiles`` tiles are taken around random zones and fetched one after another:

* MVT: ``GET /ogc/collections/zones/tiles/WebMercatorQuad/{z}/{y}/{x}`` (ST_AsMVT);
* baseline: the same tile's area as GeoJSON, ``/ogc/collections/zones/items?bbox=...``
  pages of 1,000 followed to the end (what ``mapbase.js`` did), for the first
  ``--baseline`` tiles of the zoom (it is slow: bounded).

Then, unless ``--no-browser``, the plan's validation report (which the staff page also
asks for, made once per version and kept) is made, and headless Chromium logs in to
``/staf`` at 1280x800: the staff map's first paint is the time from the page's
navigation to the first zone tile drawn (``window.kkpr.firstPaint``, set by
``staff.js``), and to every zone tile of the view drawn (``window.kkpr.zonesDrawn``),
for ``--paints`` loads, each in a fresh browser context (no cache). Prints a rich table and the same as Markdown.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from stores import PG_OPTIONS, plan_for  # noqa: E402

from kkpr.plan.package import checksum  # noqa: E402
from kkpr.records.checks import open_records, records_url  # noqa: E402
from kkpr.records.keys import KeyStore  # noqa: E402
from kkpr.settings import Settings  # noqa: E402
from kkpr.store import tiles  # noqa: E402
from kkpr.store.load import load_package  # noqa: E402
from kkpr.store.postgis_sql import connect  # noqa: E402

console = Console()
VIEW = {"width": 1280, "height": 800}


def loaded(url: str, folder: Path) -> bool:
    """Whether ``url`` already serves this package as its active version."""
    try:
        conn = connect(url, autocommit=True)
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
    conn = connect(url, autocommit=True)
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


def bench_zoom(
    client: httpx.Client, z: int, points: list[tuple[float, float]], baseline_n: int
) -> dict[str, float]:
    mvt_ms, mvt_kb, base_ms, base_kb, feats = [], [], [], [], []
    for i, (lon, lat) in enumerate(points):
        x, y = tiles.tile_of(lon, lat, z)
        start = time.perf_counter()
        r = client.get(f"/ogc/collections/zones/tiles/WebMercatorQuad/{z}/{y}/{x}")
        mvt_ms.append((time.perf_counter() - start) * 1000)
        if r.status_code not in (200, 204):
            raise SystemExit(f"tile {z}/{y}/{x}: HTTP {r.status_code} {r.text[:300]}")
        mvt_kb.append(len(r.content) / 1024)
        if i < baseline_n:
            s, size, n = geojson_tile(client, z, x, y)
            base_ms.append(s * 1000)
            base_kb.append(size / 1024)
            feats.append(n)
    return {
        "tiles": len(points),
        "mvt_p50": percentile(mvt_ms, 50),
        "mvt_p99": percentile(mvt_ms, 99),
        "mvt_kb": statistics.fmean(mvt_kb),
        "base_n": len(base_ms),
        "base_p50": percentile(base_ms, 50),
        "base_p99": percentile(base_ms, 99),
        "base_kb": statistics.fmean(base_kb) if base_kb else float("nan"),
        "zones": statistics.fmean(feats) if feats else float("nan"),
    }


def first_paints(base_url: str, key: str, n: int) -> list[tuple[float, float]]:
    """(first zone tile drawn, every zone tile of the view drawn) in ms, per load."""
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            for _ in range(n):
                context = browser.new_context(viewport=VIEW)  # a fresh cache each time
                page = context.new_page()
                page.set_default_timeout(120_000)
                page.goto(f"{base_url}/staf")
                page.fill("#key", key)
                page.click("#login button[type=submit]")
                page.wait_for_url("**/staf")
                page.wait_for_function("window.kkpr && window.kkpr.zonesDrawn")
                first, drawn = page.evaluate("[window.kkpr.firstPaint, window.kkpr.zonesDrawn]")
                out.append((float(first), float(drawn)))
                context.close()
        finally:
            browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--zones", type=int, default=500_000)
    ap.add_argument("--tiles", type=int, default=200, help="MVT tiles per zoom")
    ap.add_argument("--baseline", type=int, default=20, help="GeoJSON tiles per zoom")
    ap.add_argument("--zooms", default="13,14,15,16,17")
    ap.add_argument("--paints", type=int, default=5, help="staff map loads")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--db", default=os.environ.get("KKPR_BENCH_DATABASE_URL"))
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    from tests.api.conftest import start_server, stop_server
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
        with httpx.Client(base_url=web.url, timeout=120) as client:
            for lon, lat in points[:5]:  # connections and caches warm, not measured
                client.get(f"/ogc/collections/zones/tiles/WebMercatorQuad/15/"
                           f"{tiles.tile_of(lon, lat, 15)[1]}/{tiles.tile_of(lon, lat, 15)[0]}")  # fmt: skip
            for z in zooms:
                row = bench_zoom(client, z, points, args.baseline)
                rows.append((z, row))
                console.print(
                    f"z{z}: MVT p50 {row['mvt_p50']:.1f} ms p99 {row['mvt_p99']:.1f} ms "
                    f"{row['mvt_kb']:.0f} KB | GeoJSON p50 {row['base_p50']:.0f} ms "
                    f"p99 {row['base_p99']:.0f} ms {row['base_kb']:.0f} KB, "
                    f"{row['zones']:.0f} zones"
                )
        paints: list[tuple[float, float]] = []
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
            paints = first_paints(web.url, key, args.paints)
    finally:
        if web is not None:
            stop_server(web)
        if server is not None:
            server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    report(rows, paints, args)


def report(
    rows: list[tuple[int, dict[str, float]]], paints: list[float], args: argparse.Namespace
) -> None:
    title = (
        f"kkpr tiles — {args.zones:,} zones in PostGIS, one uvicorn worker, sequential HTTP; "
        f"baseline: the tile's area as GeoJSON pages of 1,000"
    )
    head = ["zoom", "MVT tiles", "MVT p50 ms", "MVT p99 ms", "MVT KB", "GeoJSON tiles",
            "GeoJSON p50 ms", "GeoJSON p99 ms", "GeoJSON KB", "zones per tile"]  # fmt: skip
    table = Table(*head, title=title)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for z, r in rows:
        cells = [
            str(z), f"{r['tiles']:.0f}", f"{r['mvt_p50']:.1f}", f"{r['mvt_p99']:.1f}",
            f"{r['mvt_kb']:.0f}", f"{r['base_n']:.0f}", f"{r['base_p50']:.0f}",
            f"{r['base_p99']:.0f}", f"{r['base_kb']:.0f}", f"{r['zones']:.0f}",
        ]  # fmt: skip
        table.add_row(*cells)
        lines.append("| " + " | ".join(cells) + " |")
    console.print(table)
    print("\n" + title + "\n\n" + "\n".join(lines))
    if paints:
        text = (
            f"\nStaff map after login (Chromium {VIEW['width']}x{VIEW['height']}, browser cache "
            f"empty, {len(paints)} loads in this order), ms from navigation to the first zone "
            "tile drawn / to every zone tile of the view drawn: "
            + ", ".join(f"{a:.0f} / {b:.0f}" for a, b in paints)
            + f"; median {statistics.median(a for a, _ in paints):.0f} / "
            f"{statistics.median(b for _, b in paints):.0f}"
        )
        console.print(text)
        print(text)


if __name__ == "__main__":
    main()
