"""The memory store under concurrency: many threads checking at once do not crash it.

The API serves checks from a threadpool, and shapely releases the GIL inside GEOS. A
GEOS prepared geometry shared by those threads (the overlays and the plan region were
``shapely.prepare``d once, in place) was corrupted by concurrent use and the server
died with SIGSEGV after a few thousand checks (issue 15, finding 1). The hammering runs
in a child process so that a crash fails this test instead of killing the suite.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import shapely

from kkpr.store.prepared import PerThreadPrepared

ROOT = Path(__file__).resolve().parents[2]

# 16 threads check sites on the edges and insides of every overlay of the Kupang
# sample (so the prepared overlays' lazy indexes are built and used concurrently),
# each for a bounded number of checks; before the fix this died in 3 of 3 runs
HAMMER = textwrap.dedent(
    """
    import sys, threading
    import numpy as np, shapely
    from kkpr.model import Site
    from kkpr.plan.package import read_plan
    from kkpr.settings import SAMPLE_PLAN_DIR
    from kkpr.store.memory import MemoryStore

    threads, per_thread = int(sys.argv[1]), int(sys.argv[2])
    plan = read_plan(SAMPLE_PLAN_DIR)
    store = MemoryStore(plan)
    points = []
    for g in plan.overlays.to_crs("EPSG:4326").geometry.values:
        ring = shapely.get_exterior_ring(shapely.get_geometry(g, 0) if g.geom_type != "Polygon" else g)
        points += [ring.interpolate(f, normalized=True) for f in np.linspace(0, 1, 30)]
        points.append(g.representative_point())
    sites = [Site(geometry=p.buffer(0.0004), crs="EPSG:4326") for p in points]
    overlays = [0]
    lock = threading.Lock()

    def work(k):
        hits = 0
        for i in range(per_thread):
            hits += len(store.locate(sites[(k + 7 * i) % len(sites)]).overlays)
        with lock:
            overlays[0] += hits

    ts = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("overlay hits", overlays[0])
    """
)


def test_many_threads_checking_at_once_do_not_crash_the_store() -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", HAMMER, "16", "300"],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"the store crashed ({proc.returncode}):\n{proc.stderr[-3000:]}"
    hits = int(proc.stdout.split()[-1])
    assert hits > 1000  # the sites did reach the overlays


def test_each_thread_gets_its_own_prepared_copy_of_the_same_geometries() -> None:
    geoms = np.array([shapely.box(0, 0, 10, 10), shapely.Point(5, 5).buffer(3)], dtype=object)
    shared = PerThreadPrepared(geoms)
    seen: dict[str, np.ndarray] = {}

    def take(name: str) -> None:
        seen[name] = shared.get()

    for name in ("a", "b"):
        t = threading.Thread(target=take, args=(name,))
        t.start()
        t.join()
    take("main")
    assert shared.get() is seen["main"]  # one copy per thread, made once
    for copy in seen.values():
        assert all(shapely.is_prepared(copy))
        assert list(shapely.equals_exact(copy, geoms, tolerance=0))
    assert not any(shapely.is_prepared(geoms))  # the shared originals stay unprepared
    assert len({id(g) for copy in seen.values() for g in copy}) == 6


def test_a_memory_store_pickles_for_dask_workers() -> None:
    """The bulk path sends the store to Dask workers pickled; the per-thread prepared
    copies (a thread-local) could not be pickled, so ``bench/bulk.py``'s Dask rows died."""
    from kkpr.model import Site
    from kkpr.plan.package import read_plan
    from kkpr.settings import SAMPLE_PLAN_DIR
    from kkpr.store.memory import MemoryStore

    store = MemoryStore(read_plan(SAMPLE_PLAN_DIR))
    site = Site(geometry=shapely.Point(123.5803, -10.1704).buffer(0.0003), crs="EPSG:4326")
    store.locate(site)  # the prepared copies of this thread exist now
    copy = pickle.loads(pickle.dumps(store))
    assert copy.locate(site) == store.locate(site)


def test_one_site_is_located_as_among_many() -> None:
    """``locate`` answers one site on its own path (the single check: no arrays of one);
    every fact must be the one ``locate_many`` gives the same site among others: zones,
    overlays and their parts, raster statistics, roads, RTRW, place, to the last bit."""
    from kkpr.model import Site
    from kkpr.plan.package import read_plan
    from kkpr.settings import SAMPLE_PLAN_DIR
    from kkpr.store.memory import MemoryStore

    plan = read_plan(SAMPLE_PLAN_DIR)
    store = MemoryStore(plan)
    rng = np.random.default_rng(5)
    zones = np.asarray(plan.zones.geometry.values, dtype=object)
    overlays = np.asarray(plan.overlays.geometry.values, dtype=object)
    # around zones, on overlay edges (parts cut from large geometries) and inside them,
    # beyond the zones (RTRW only), points, and sites given in lon/lat
    centres = list(shapely.centroid(zones[rng.integers(0, len(zones), 120)]))
    centres += list(shapely.point_on_surface(overlays))
    centres += [
        shapely.get_exterior_ring(shapely.get_geometry(g, 0)).interpolate(0.3, normalized=True)
        for g in overlays
    ]
    x0, y0, x1, y1 = plan.zones.total_bounds
    centres += list(
        shapely.points(
            rng.uniform(x0 - 3000, x1 + 3000, (60, 2))[:, 0],
            y0 + rng.uniform(-3000, y1 - y0 + 3000, 60),
        )
    )
    sites = []
    for i, c in enumerate(centres):
        size = float(np.exp(rng.uniform(np.log(8), np.log(250))))
        box = shapely.box(c.x - size, c.y - size / 2, c.x + size, c.y + size / 2)
        geom = c if i % 7 == 0 else shapely.affinity.rotate(box, rng.uniform(0, 90))
        sites.append(Site(geometry=geom, crs=plan.meta.crs))
    lonlat = plan.zones.iloc[:20].geometry.centroid.to_crs("EPSG:4326").values
    sites += [Site(geometry=g, crs="EPSG:4326") for g in shapely.buffer(lonlat, 0.0004)]
    sites = [s for s in sites if shapely.intersects(store.bulk_arrays().region, s.geometry)]
    many = store.locate_many(sites)
    for site, want in zip(sites, many, strict=True):
        got = store.locate(site)
        assert got == want, site.geometry.wkt
        for a, b in zip(got.zones + got.overlays, want.zones + want.overlays, strict=True):
            assert shapely.equals_exact(a.part, b.part, tolerance=0), site.geometry.wkt
        assert [r.geometry for r in got.roads] == [r.geometry for r in want.roads]
    assert sum(bool(located.rtrw) for located in many) > 10
    assert sum(bool(located.overlays) for located in many) > 20
    assert sum(any(s.cells for s in located.rasters) for located in many) > 100
    assert sum(bool(located.roads) for located in many) > 20


def test_the_single_checks_hits_are_the_records_their_constructors_build() -> None:
    """``locate`` builds its zone, overlay and road hits without calling the classes'
    ``__init__`` (``kkpr.store.memory._built``): that is only right while the classes
    are not frozen (issue 21 item 3: no writes into frozen objects), have no
    ``__post_init__`` and no slots, and every field the constructor would set
    (defaults included) is there, with the same value."""
    import dataclasses

    from kkpr.model import OverlayHit, RoadHit, Site, ZoneHit
    from kkpr.plan.package import read_plan
    from kkpr.settings import SAMPLE_PLAN_DIR
    from kkpr.store.memory import MemoryStore

    for cls in (ZoneHit, OverlayHit, RoadHit):
        assert not cls.__dataclass_params__.frozen, cls  # type: ignore[attr-defined]
        assert not hasattr(cls, "__post_init__"), cls
        assert "__slots__" not in vars(cls), cls
    plan = read_plan(SAMPLE_PLAN_DIR)
    store = MemoryStore(plan)
    overlays = np.asarray(plan.overlays.geometry.values, dtype=object)
    centres = list(shapely.point_on_surface(overlays))
    sites = [Site(geometry=c.buffer(40.0), crs=plan.meta.crs) for c in centres]
    sites += [Site(geometry=c, crs=plan.meta.crs) for c in centres]
    seen = {ZoneHit: 0, OverlayHit: 0, RoadHit: 0}
    for site in sites:
        located = store.locate(site)
        for hit in [*located.zones, *located.overlays, *located.roads]:
            cls = type(hit)
            fields = {f.name: getattr(hit, f.name) for f in dataclasses.fields(cls)}
            assert vars(hit) == vars(cls(**fields)), hit
            seen[cls] += 1
    assert all(n > 5 for n in seen.values()), seen
