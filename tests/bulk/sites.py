"""Sites on the mini plan whose outcomes before and after ``tests/revision/revised.py``
are worked out by hand (floor areas in m²)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import geopandas as gpd
from shapely.geometry import Point

from tests.mini_plan import CRS, X0, Y0, sq

# id, geometry, kbli, floor_area_m2, outcome in the mini plan, outcome in the revision
SITES = [
    # K-1 3,000 m² (I) + R-2 3,000 m² (T1: 150 <= 200) -> K-1 4,200 + R-2 1,800, both I
    ("a", sq(50, 20, 150, 80), "47111", 150.0, "sesuai_bersyarat", "sesuai"),
    # x 105..115: R-2 (T1) -> K-1 (I) once the boundary is at x = 120
    ("b", sq(105, 10, 115, 90), "47111", 100.0, "sesuai_bersyarat", "sesuai"),
    # Z5 K-1 with KKOP (informs, TB 20 m) in both
    ("c", sq(110, 110, 190, 140), "56101", 150.0, "sesuai", "sesuai"),
    # RTH-2 farming inside the SEMPADAN buffer (X) in both
    ("d", sq(260, 10, 290, 90), "01121", None, "tidak_sesuai", "tidak_sesuai"),
    # far outside every plan: cannot be checked
    ("e", sq(5000, 5000, 5010, 5010), "47111", None, "error", "error"),
    # a KBLI code the plan does not map
    ("f", sq(10, 10, 20, 20), "99999", None, "error", "error"),
    # R-2 T1 with 300 m² > 200 m² -> R-2 I
    ("g", sq(150, 20, 190, 80), "47111", 300.0, "tidak_sesuai", "sesuai"),
    # Z4 R-2 (T1) in the CAGBUD area (B) -> R-2 I, CAGBUD removed
    ("h", sq(10, 160, 40, 190), "47111", 100.0, "sesuai_bersyarat", "sesuai"),
    # RTH-2 farming (I) -> inside the new KRB area (B)
    ("i", sq(205, 5, 245, 45), "01121", None, "sesuai", "sesuai_bersyarat"),
    # a point in K-1
    ("j", Point(X0 + 50, Y0 + 50), "47111", 100.0, "sesuai", "sesuai"),
]
CHANGED = {s[0] for s in SITES if s[4] != s[5]}


def sites_frame(crs: str = CRS) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "id": [s[0] for s in SITES],
            "kbli": [s[2] for s in SITES],
            "floor_area_m2": [s[3] for s in SITES],
            # one floor in the green zone (RTH-2 allows one), two elsewhere
            "floors": [1.0 if s[2] == "01121" else 2.0 for s in SITES],
        },
        geometry=[s[1] for s in SITES],
        crs=CRS,
    )
    return frame.to_crs(crs)


@contextmanager
def local_dask_cluster() -> Iterator[object]:
    """A real multi-process Dask cluster on this machine: two worker processes."""
    import distributed

    with distributed.LocalCluster(
        processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        yield cluster
