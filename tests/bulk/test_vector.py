"""The array rules (``kkpr.bulk.vector``) decide every site as ``kkpr.check.check`` does.

Differential tests: thousands of random sites (rectangles of 10 m² to 5 ha across zone
boundaries, sites of a few m² under the tolerance, at the plan's edge and outside it, slivers, multipolygons, points, bad
geometries, unmapped KBLI codes, proposals with and without figures) are decided by
both paths; the outcome, the form and every reason (code and effect, in order) must
agree, and the sites the array path leaves to the exact path must be exactly those the
exact path refuses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely

from kkpr.bulk.vector import PROPOSAL_COLUMNS, Verdicts, evaluate_sites
from kkpr.check import check
from kkpr.errors import KkprError
from kkpr.model import Effect, Proposal, Site
from kkpr.plan.package import Plan, read_plan
from kkpr.store.memory import MemoryStore
from tests.mini_plan import with_lot_classes, with_overlay, write_mini_plan
from tests.roads_plan import roads_frame, write_roads_plan
from tests.rules.test_kkop_elevation import kkop_plan
from tests.rules.test_rtrw import rtrw_plan

# written by the exact path only (informative): the RTRW indications, and their classes
# by the RTRW's general zoning matrix (rtrw.itbx.*, issue 18 item 9)
INFO_ONLY_ELSEWHERE = {"rtrw.indication"}
INFO_ONLY_PREFIX = "rtrw.itbx."


def random_sites(plan: Plan, n: int, seed: int) -> dict[str, Any]:
    """Random sites and requests over ``plan`` (plan CRS), with every awkward case."""
    rng = np.random.default_rng(seed)
    zones = plan.zones.geometry.values
    area = shapely.area(zones)
    pick = rng.choice(len(zones), n, p=area / area.sum())
    centre = shapely.get_coordinates(shapely.point_on_surface(zones[pick]))
    reach = np.sqrt(area[pick])
    centre += rng.uniform(-1, 1, (n, 2)) * reach[:, None]
    site_area = np.exp(rng.uniform(np.log(10.0), np.log(50_000.0), n))
    aspect = rng.uniform(1.0, 4.0, n)
    w, h = np.sqrt(site_area * aspect), np.sqrt(site_area / aspect)
    angle = rng.uniform(0, np.pi, n)
    geoms = []
    for i in range(n):
        box = shapely.box(-w[i] / 2, -h[i] / 2, w[i] / 2, h[i] / 2)
        g = shapely.affinity.rotate(box, angle[i], use_radians=True)
        g = shapely.affinity.translate(g, *centre[i])
        kind = rng.random()
        if kind < 0.06:
            g = shapely.Point(centre[i])
        elif kind < 0.09:  # two parts
            g = shapely.MultiPolygon([g, shapely.affinity.translate(g, w[i] * 2, 0)])
        elif kind < 0.10:  # a bow tie: invalid
            x, y = centre[i]
            g = shapely.Polygon([(x, y), (x + 30, y + 30), (x + 30, y), (x, y + 30)])
        elif kind < 0.11:  # far outside every region
            g = shapely.affinity.translate(g, 1e6, 0)
        elif kind < 0.12:
            g = shapely.Polygon()
        elif kind < 0.18:  # concave: an L
            x, y = centre[i]
            g = shapely.box(x - w[i], y - h[i], x + w[i], y + h[i]).difference(
                shapely.box(x, y, x + w[i] + 1, y + h[i] + 1)
            )
        elif kind < 0.24:  # convex with more corners
            g = shapely.Point(centre[i]).buffer(np.sqrt(site_area[i] / np.pi), quad_segs=2)
        geoms.append(g)
    x0, y0, x1, y1 = plan.zones.total_bounds
    for i in range(0, n, 25):  # across the edge of the plan
        side = rng.integers(4)
        cx, cy = [(x0, y0 + (y1 - y0) * rng.random()), (x1, y0 + (y1 - y0) * rng.random()),
                  (x0 + (x1 - x0) * rng.random(), y0), (x0 + (x1 - x0) * rng.random(), y1)][side]  # fmt: skip
        s = rng.uniform(20, 300)
        geoms[i] = shapely.box(cx - s, cy - s, cx + s, cy + s)
    for i in range(7, n, 40):  # a site of a few m², under the m² tolerance
        tiny = rng.uniform(1.0, 6.0)
        inner = shapely.point_on_surface(zones[pick[i]])
        edge = shapely.line_interpolate_point(
            zones[pick[i]].boundary, rng.random(), normalized=True
        )
        cx, cy = shapely.get_coordinates(edge if i % 80 == 7 else inner)[0]  # half on an edge
        w2, h2 = np.sqrt(tiny * 2) / 2, np.sqrt(tiny / 2) / 2
        geoms[i] = shapely.box(cx - w2, cy - h2, cx + w2, cy + h2)
    kbli_codes = sorted(plan.rules.kbli)
    farming = [k for k in kbli_codes if k[:2] in ("01", "02", "03")]
    kbli = rng.choice(kbli_codes, n).astype(object)
    farm = rng.random(n) < 0.15
    kbli[farm] = rng.choice(farming or kbli_codes, int(farm.sum()))
    kbli[rng.random(n) < 0.02] = "99999"
    proposal: dict[str, Any] = {}
    for col, lo, hi in (
        ("land_area_m2", 50, 5000),
        ("footprint_m2", 20, 3000),
        ("floor_area_m2", 20, 8000),
        ("floors", 1, 12),
        ("height_m", 3, 60),
        ("green_area_m2", 0, 2000),
    ):
        v = rng.uniform(lo, hi, n)
        if col == "floors":
            v = np.floor(v)
        values = v.astype(object)
        values[rng.random(n) < 0.3] = None
        proposal[col] = values
    return {"geoms": np.array(geoms, dtype=object), "kbli": kbli, "proposal": proposal}


def exact_answers(store: MemoryStore, sites: dict[str, Any], crs: str) -> list[Any]:
    out: list[Any] = []
    for i, g in enumerate(sites["geoms"]):
        values = {k: sites["proposal"][k][i] for k in PROPOSAL_COLUMNS}
        if values["floors"] is not None:
            values["floors"] = int(values["floors"])
        if "tod_bonus" in sites["proposal"]:  # asked for the TOD bonus (issue 18 item 8)
            values["tod_bonus"] = bool(sites["proposal"]["tod_bonus"][i])
        try:
            out.append(check(store, Site(g, crs), str(sites["kbli"][i]), Proposal(**values)))
        except KkprError as exc:
            out.append(exc)
    return out


def assert_same(verdicts: Verdicts, exact: list[Any]) -> None:
    reasons = verdicts.reasons()
    outcomes, forms = verdicts.outcomes(), verdicts.forms()
    mismatches: list[Any] = []
    for i, r in enumerate(exact):
        if isinstance(r, KkprError):
            if not verdicts.exact[i]:
                mismatches.append((i, "exact path refused it", r.kind, outcomes[i]))
            continue
        if verdicts.exact[i]:
            mismatches.append((i, "left to the exact path, which answered", str(r.outcome)))
            continue
        want = [
            (x.code, x.effect)
            for x in r.reasons
            if x.code != "outcome"
            and x.code not in INFO_ONLY_ELSEWHERE
            and not x.code.startswith(INFO_ONLY_PREFIX)
        ]
        got = (outcomes[i], forms[i], reasons[i])
        if got != (str(r.outcome), str(r.form), want):
            mismatches.append((i, got, (str(r.outcome), str(r.form), want)))
    assert not mismatches, f"{len(mismatches)} of {len(exact)} differ; first: {mismatches[:3]}"


@pytest.fixture(scope="module")
def sample_store(sample_plan: Plan) -> MemoryStore:
    return MemoryStore(sample_plan)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_sample_plan_is_decided_alike_on_random_sites(
    sample_store: MemoryStore, sample_plan: Plan, seed: int
) -> None:
    sites = random_sites(sample_plan, 1500, seed)
    crs = sample_plan.meta.crs
    verdicts = evaluate_sites(sample_store, sites["geoms"], crs, sites["kbli"], sites["proposal"])
    exact = exact_answers(sample_store, sites, crs)
    assert_same(verdicts, exact)
    # the draw covers what it should: every outcome, both forms, errors, rasters, overlays
    seen = {o for o in verdicts.outcomes() if o}
    assert seen == {"sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian"}
    assert set(verdicts.forms()) >= {"KKKPR", "PKKPR"}
    codes = {c for site in verdicts.reasons() for c, _e in site}
    assert {"raster.banjir", "raster.dem", "site.outside_rdtr", "zone.sliver"} <= codes
    assert any(c.startswith("overlay.") for c in codes)
    assert any(c.startswith("condition.") and c.endswith(".exceeded") for c in codes)
    assert any(c.startswith("intensity.") for c in codes)
    assert {"setback.gsb", "setback.subzone"} <= codes  # the sample's roads and GSB table
    assert verdicts.exact.sum() > 0


def test_sites_in_geographic_coordinates_are_decided_alike(
    sample_store: MemoryStore, sample_plan: Plan
) -> None:
    sites = random_sites(sample_plan, 400, 3)
    crs = sample_plan.meta.crs
    from kkpr.site import to_crs

    sites["geoms"] = np.array(
        [to_crs(g, crs, "EPSG:4326") if not g.is_empty else g for g in sites["geoms"]],
        dtype=object,
    )
    verdicts = evaluate_sites(
        sample_store, sites["geoms"], "EPSG:4326", sites["kbli"], sites["proposal"]
    )
    assert_same(verdicts, exact_answers(sample_store, sites, "EPSG:4326"))


def test_the_mini_plan_is_decided_alike(mini_plan_dir: Path) -> None:
    plan = read_plan(mini_plan_dir)
    store = MemoryStore(plan)
    sites = random_sites(plan, 600, 4)
    verdicts = evaluate_sites(
        store, sites["geoms"], plan.meta.crs, sites["kbli"], sites["proposal"]
    )
    assert_same(verdicts, exact_answers(store, sites, plan.meta.crs))


def test_reasons_join_into_the_deciding_codes(sample_store: MemoryStore, sample_plan: Plan) -> None:
    sites = random_sites(sample_plan, 200, 5)
    verdicts = evaluate_sites(
        sample_store, sites["geoms"], sample_plan.meta.crs, sites["kbli"], sites["proposal"]
    )
    joined = verdicts.joined()
    for i, site in enumerate(verdicts.reasons()):
        assert joined[i] == "; ".join(c for c, e in site if e != Effect.INFO)


def test_a_plan_with_rule_options_is_decided_alike(tmp_path: Path) -> None:
    root = write_mini_plan(tmp_path / "strict")
    with (root / "plan.toml").open("a") as f:
        f.write('[rules]\nmixed_intensity = "strictest"\nempty_cell = "X"\n')
    plan = read_plan(root)
    assert plan.meta.rule_options.mixed_intensity == "strictest"
    store = MemoryStore(plan)
    sites = random_sites(plan, 400, 6)
    verdicts = evaluate_sites(
        store, sites["geoms"], plan.meta.crs, sites["kbli"], sites["proposal"]
    )
    assert_same(verdicts, exact_answers(store, sites, plan.meta.crs))


def test_a_plan_with_intensity_classes_is_decided_alike(tmp_path: Path) -> None:
    """K-1 by lot-size class (issue 18 item 4): the class each lot takes, and the lots in
    no class, give the same reasons and outcomes on both paths."""
    plan = read_plan(with_lot_classes(write_mini_plan(tmp_path / "classes")))
    assert plan.rules.intensity_classes["K-1"][1].luas_min == 101
    store = MemoryStore(plan)
    sites = random_sites(plan, 600, 7)
    verdicts = evaluate_sites(
        store, sites["geoms"], plan.meta.crs, sites["kbli"], sites["proposal"]
    )
    assert_same(verdicts, exact_answers(store, sites, plan.meta.crs))
    codes = {c for site in verdicts.reasons() for c, _e in site}
    assert {"intensity.class.area", "intensity.class.none"} <= codes


def test_overlay_effects_by_activity_group_are_decided_alike(tmp_path: Path) -> None:
    """A protected rice field (LSD) over Z1 and Z2 with the plan's groups (issue 18 item
    8): minimarkets conditional, restaurants forbidden, farming let through."""
    root = with_overlay(write_mini_plan(tmp_path / "lsd"), "LSD", (0, 0, 150, 60), "X")
    with (root / "plan.toml").open("a") as f:
        f.write('[overlay.LSD]\nefek_kegiatan = { "47" = "B", I = "X" }\n')
        f.write('[overlay.KKOP]\nefek_kegiatan = { "56101" = "B" }\n')  # a flag's kind too
    plan = read_plan(root)
    store = MemoryStore(plan)
    sites = random_sites(plan, 600, 8)
    verdicts = evaluate_sites(
        store, sites["geoms"], plan.meta.crs, sites["kbli"], sites["proposal"]
    )
    assert_same(verdicts, exact_answers(store, sites, plan.meta.crs))


def test_a_plan_with_an_rtrw_matrix_is_decided_alike(tmp_path: Path) -> None:
    """The RTRW matrix informs staff only (issue 18 item 9): outcomes, forms and every
    other reason agree; its indications are informative, written by the exact path."""
    plan = read_plan(rtrw_plan(tmp_path / "rtrw"))
    assert plan.rules.rtrw_matrix is not None
    store = MemoryStore(plan)
    sites = random_sites(plan, 300, 9)
    exact = exact_answers(store, sites, plan.meta.crs)
    verdicts = evaluate_sites(
        store, sites["geoms"], plan.meta.crs, sites["kbli"], sites["proposal"]
    )
    assert_same(verdicts, exact)
    told = [x for r in exact if not isinstance(r, Exception) for x in r.reasons]
    assert any(x.code.startswith("rtrw.itbx.") and x.effect == "info" for x in told)


def test_the_tod_bonus_asked_for_or_not_is_decided_alike(tmp_path: Path) -> None:
    """A TOD area with a KLB bonus over Z1 and Z2, flagged zones too (issue 18 item 8)."""
    root = with_overlay(write_mini_plan(tmp_path / "tod"), "TOD", (50, 0, 150, 100), None)
    with (root / "plan.toml").open("a") as f:
        f.write("[overlay.TOD]\nklb_bonus = 1.5\n[overlay.KKOP]\nklb_bonus = 0.5\n")
    plan = read_plan(root)
    store = MemoryStore(plan)
    sites = random_sites(plan, 600, 10)
    sites["proposal"]["tod_bonus"] = np.random.default_rng(11).random(600) < 0.5
    verdicts = evaluate_sites(
        store, sites["geoms"], plan.meta.crs, sites["kbli"], sites["proposal"]
    )
    assert_same(verdicts, exact_answers(store, sites, plan.meta.crs))
    codes = {c for site in verdicts.reasons() for c, _e in site}
    assert {"tod.bonus.applied", "tod.bonus.available", "tod.bonus.not_applicable"} <= codes


def test_a_plan_with_roads_is_decided_alike(tmp_path: Path) -> None:
    """The setbacks of the array rules: without a footprint, the GSB of each frontage
    (segments of one road are one), the sub-zone's where no road is near, and the
    frontages whose GSB nothing gives, in the single check's order."""
    plan = read_plan(write_roads_plan(tmp_path / "roads"))
    store = MemoryStore(plan)
    sites = random_sites(plan, 600, 8)
    verdicts = evaluate_sites(
        store, sites["geoms"], plan.meta.crs, sites["kbli"], sites["proposal"]
    )
    assert_same(verdicts, exact_answers(store, sites, plan.meta.crs))
    codes = [c for site in verdicts.reasons() for c, _e in site]
    assert {"setback.gsb", "setback.gsb.unknown", "setback.subzone"} <= set(codes)
    # some site fronts two roads (a corner, or both ends of the plan)
    per_site = [sum(c == "setback.gsb" for c, _e in site) for site in verdicts.reasons()]
    assert max(per_site) >= 2
    # unnamed roads: each segment a frontage of its own, on both paths
    root = write_roads_plan(tmp_path / "unnamed")
    roads_frame(
        NAMRJL=[None] * 5,
        FGSRJL=["Arteri Sekunder", "Arteri Sekunder", "Lokal Sekunder", None, "Lingkungan"],
    ).to_file(root / "jaringan_jalan.gpkg", driver="GPKG")
    plan = read_plan(root)
    store = MemoryStore(plan)
    sites = random_sites(plan, 300, 12)
    verdicts = evaluate_sites(
        store, sites["geoms"], plan.meta.crs, sites["kbli"], sites["proposal"]
    )
    assert_same(verdicts, exact_answers(store, sites, plan.meta.crs))


@pytest.mark.parametrize("dem", [True, False])
def test_kkop_limit_elevations_are_decided_alike(tmp_path: Path, dem: bool) -> None:
    """KKOP as a limit elevation against the DEM's ground (issue 18 item 8); without a
    DEM, the same staff review on both paths."""
    plan = read_plan(kkop_plan(tmp_path / "kkop", dem=dem))
    store = MemoryStore(plan)
    sites = random_sites(plan, 400, 12)
    verdicts = evaluate_sites(
        store, sites["geoms"], plan.meta.crs, sites["kbli"], sites["proposal"]
    )
    assert_same(verdicts, exact_answers(store, sites, plan.meta.crs))
    codes = {c for site in verdicts.reasons() for c, _e in site}
    assert ("overlay.kkop.no_ground" in codes) is not dem


def test_intensity_by_road_class_is_decided_alike(tmp_path: Path) -> None:
    """K-1's row by the class of the road a lot fronts (issue 18 item 4), on the roads plan."""
    from tests.rules.test_classes import ROAD_CLASSES

    root = write_roads_plan(tmp_path / "roadclass")
    (root / "intensitas.csv").write_text(ROAD_CLASSES)
    plan = read_plan(root)
    store = MemoryStore(plan)
    sites = random_sites(plan, 500, 13)
    verdicts = evaluate_sites(
        store, sites["geoms"], plan.meta.crs, sites["kbli"], sites["proposal"]
    )
    assert_same(verdicts, exact_answers(store, sites, plan.meta.crs))
    codes = {c for site in verdicts.reasons() for c, _e in site}
    assert {"intensity.class.road", "intensity.class.default"} <= codes
