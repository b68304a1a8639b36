"""The rules of ``kkpr.rules.outcome``, over whole arrays of sites: the bulk path.

``evaluate`` decides one site from Python objects (a ``Located``, a ``CheckResult``
with its parts, findings and sentences), which is right for one check and costs about
a quarter of a millisecond per site. A re-check of a million sites needs only what
decides: the outcome, the form, and the reasons with their codes and effects. Here
the same rules run over numpy arrays, a few whole-array operations per rule:

* zone parts: one STRtree query and one intersection-area call for every
  (site, zone) pair; the ITBX cell of each pair from a (activity × sub-zone) matrix;
* the PKKPR path: covered and outside areas per site;
* conditions: the codes of the deciding cells, first occurrence per site, and their
  T limits against the proposal columns;
* overlays: the layer cut into small pieces once (a 5,000-vertex coast buffer
  would otherwise be intersected whole), plus the KUGI flags of the zone parts;
* intensity: the strictest limit per rule over the deciding parts and height caps;
* rasters: the screen of ``kkpr.store.rasters`` (summed-area tables of each raster's
  valid and above-threshold cells, the single check's screen too) settles every site
  whose cells are all alike (share 0 or 1, bit for bit what exactextract gives); the
  rest are measured by ``kkpr.store.rasters.many_stats``.

The reasons come out in ``evaluate``'s order, with its codes and effects, so the
outcome, form and reason codes of every site are those of ``kkpr.check.check``
(``tests/bulk/test_vector.py`` compares them on thousands of random sites). The
sentences are not written here: a caller that wants them for some sites (the
changed ones) runs ``evaluate`` on those. The RTRW indications, and their classes by
the RTRW's general zoning matrix (``rtrw.itbx.*``), are informative only and are left
to that path too.

Sites the exact path must answer (an empty, invalid or too detailed geometry, a site
outside every plan region, a KBLI the plan does not map) are flagged ``exact`` and
get no verdict here, so that their error comes from the one place errors are made.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from kkpr.bulk.clip import Rings, convex, overlap_areas
from kkpr.bulk.sites import PROPOSAL_COLUMNS
from kkpr.kugi import kind_of
from kkpr.model import Effect, Form, Intensity, Outcome, PlanRules, SetbackRow
from kkpr.plan.rasters import ground_elevation
from kkpr.rules import bonus as bonus_rules
from kkpr.rules import classes as class_rules
from kkpr.rules.activity_groups import group_effect
from kkpr.rules.deciding import decides
from kkpr.rules.effects import RANK, SEVERITY, efek_effect, group_efek
from kkpr.rules.intensity import RULES as INTENSITY_RULES
from kkpr.rules.intensity import WEIGHTED
from kkpr.rules.itbx import CLASS_EFFECT, parse_cell
from kkpr.rules.order import (
    ConditionSlot,
    FeatureSlot,
    IntensityGroup,
    OverlaySource,
    Stage,
)
from kkpr.rules.outcome import NO_INTENSITY
from kkpr.rules.overlays import elevation_kinds, groups_of
from kkpr.rules.setbacks import frontage_key, road_key, row_for
from kkpr.site import is_geographic, to_crs_many
from kkpr.store.memory import BulkArrays, MemoryStore
from kkpr.store.rasters import Grid, many_stats, screen

EFFECTS = list(SEVERITY)  # an effect rank (kkpr.rules.effects.RANK) -> its effect
OUTCOMES = [Outcome.SESUAI, Outcome.SESUAI_BERSYARAT, Outcome.PERLU_KAJIAN, Outcome.TIDAK_SESUAI]
FORMS = [Form.KKKPR, Form.PKKPR]
# intensity rules in evaluate's order: (rule, Intensity field, the stricter is min?),
# from the single check's table (kkpr.rules.intensity.RULES)
INTENSITY = tuple(
    (rule, attr, how == "min") for rule, (attr, how, _unit) in INTENSITY_RULES.items()
)
LIMITS = ("max_floor_area_m2", "max_site_area_m2", "max_floors")
EPS = 1e-9  # the float slack evaluate allows on every limit
# an area (m²) this close to a tolerance is measured by GEOS (numpy clipping agrees
# with it to ~1e-7 m²): a performance knob, not a rule of the plan
AREA_MARGIN = 1e-4
RASTER_EPS = 1e-12  # and on a raster's tolerated share
# overlay polygons with more vertices than this are cut into tiles of PIECE_M metres:
# a performance knob (pieces sum to the same overlap area), not a rule of the plan
PIECE_VERTICES = 64
PIECE_M = 250.0
# the reason stages, in evaluate's order
PART, OUTSIDE, CONDITION, OVERLAY, INTENS, SETBACK, RASTER = (
    Stage.PART,
    Stage.OUTSIDE,
    Stage.CONDITION,
    Stage.OVERLAY,
    Stage.INTENSITY,
    Stage.SETBACK,
    Stage.RASTER,
)


# ---------------------------------------------------------------- the plan as arrays


class _Codes:
    """Reason codes as small integers."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.index: dict[str, int] = {}

    def __call__(self, code: str) -> int:
        i = self.index.get(code)
        if i is None:
            i = self.index[code] = len(self.names)
            self.names.append(code)
        return i


@dataclass
class Compiled:
    """A memory store's plan, compiled once into the arrays the rules run over."""

    store: MemoryStore
    arrays: BulkArrays  # the store's plan as arrays (its public, read-only view)
    rules: PlanRules
    codes: _Codes
    zone_sz: NDArray[np.int64]  # sub-zone index of each zone polygon
    zone_limits: NDArray[np.float64]  # (zones, 5): KDB KLB KDH JLB TB, merged; NaN unset
    zone_flag_ptr: NDArray[np.int64]  # CSR of the KUGI flags of each zone polygon
    zone_flag_kind: NDArray[np.int64]
    activity: dict[str, int]  # KBLI -> activity row
    cells: NDArray[np.int64]  # (activities, sub-zones) -> cell id, -1 when silent
    cell_text: list[str | None]  # the raw cell of each cell id (None: silent)
    cell_code: NDArray[np.int64]  # reason code of a deciding part in that cell
    cell_rank: NDArray[np.int64]
    cell_cond_ptr: NDArray[np.int64]  # CSR: condition indices of each cell, in order
    cell_cond: NDArray[np.int64]
    cond_code: NDArray[np.int64]  # reason code of each condition (missing or its kind)
    cond_rank: NDArray[np.int64]
    cond_limits: NDArray[np.float64]  # (conditions, 3) in LIMITS order, NaN unset
    limit_codes: NDArray[np.int64]  # (3, 2): exceeded, unverified code per limit
    kinds: list[str]  # overlay kinds (jenis)
    kind_code: NDArray[np.int64]
    kind_flag_rank: NDArray[np.int64]  # effect rank of a kind as a zone flag
    ov_kind: NDArray[np.int64]
    ov_rank: NDArray[np.int64]  # effect rank of each overlay feature (its EFEK)
    ov_tb: NDArray[np.float64]
    piece_geoms: NDArray[np.object_]
    piece_tree: shapely.STRtree
    piece_ov: NDArray[np.int64]
    piece_rings: Rings
    zone_rings: Rings
    grids: list[Grid]
    raster_codes: NDArray[np.int64]
    code_sliver: int  # zone.sliver: a part under the tolerance
    code_outside: int  # site.outside_rdtr
    intensity_codes: NDArray[np.int64]  # intensity.<rule>.exceeded, in INTENSITY order
    zone_gsb: NDArray[np.float64]  # GSB of each zone polygon, merged; NaN unset
    road_group: NDArray[np.int64]  # frontage of each road (name, function, class, status)
    road_gsb: NDArray[np.float64]  # GSB of each road by gsb.csv; NaN: no row gives one
    setback_codes: tuple[int, int, int]  # setback.gsb, setback.gsb.unknown, setback.subzone

    def group_ranks(self, kbli: NDArray[np.str_]) -> NDArray[np.int64]:
        """(kinds, len(kbli)): the effect rank a kind has on that KBLI's activity group
        (LP2B does not restrict farming: 0), -1 where no group of the kind holds it."""
        out = np.full((len(self.kinds), len(kbli)), -1, dtype=np.int64)
        for k, jenis in enumerate(self.kinds):
            groups = groups_of(jenis, self.rules.meta)
            if not groups:
                continue
            for i, code in enumerate(kbli.tolist()):
                found = group_effect(groups, code)
                if found is not None:
                    out[k, i] = _efek_rank(group_efek(found[1]))
        return out


def compile_store(store: MemoryStore) -> Compiled:
    """The compiled plan of ``store``, built on first use and kept on it."""
    cached = store.__dict__.get("_compiled")
    if cached is None:
        cached = store.__dict__["_compiled"] = _compile(store)
    return cached


def _rank(effect: Effect) -> int:
    return RANK[effect]


def _compile(store: MemoryStore) -> Compiled:
    rules = store.plan.rules
    codes = _Codes()
    arrays = store.bulk_arrays()
    rows = arrays.zone_rows

    # sub-zones: every one the zones or the matrix name
    subzones = sorted({r["kodszn"] for r in rows} | {s for _k, s in rules.itbx})
    sz_index = {s: i for i, s in enumerate(subzones)}
    zone_sz = np.array([sz_index[r["kodszn"]] for r in rows], dtype=np.int64)
    # intensity: a zone's own value where set (as MemoryStore reads it), else its
    # sub-zone's default (Intensity.over)
    zones = store.plan.zones
    own = np.full((len(rows), 5), np.nan)
    base = np.full((len(subzones), 5), np.nan)
    for j, (_rule, attr, _min) in enumerate(INTENSITY):
        if attr in zones.columns:
            own[:, j] = pd.to_numeric(zones[attr], errors="coerce").to_numpy(dtype=float)
        for k, sz in enumerate(subzones):
            v = getattr(rules.intensity.get(sz, NO_INTENSITY), attr)
            if v is not None:
                base[k, j] = float(v)
    limits = np.where(np.isnan(own), base[zone_sz], own)
    own_gsb = (
        pd.to_numeric(zones["gsb"], errors="coerce").to_numpy(dtype=float)
        if "gsb" in zones.columns
        else np.full(len(rows), np.nan)
    )
    base_gsb = np.array(
        [np.nan if (v := rules.intensity.get(sz, NO_INTENSITY).gsb) is None else v
         for sz in subzones],
        dtype=float,
    ).reshape(-1)  # fmt: skip
    zone_gsb = np.where(np.isnan(own_gsb), base_gsb[zone_sz], own_gsb)
    road_group, road_gsb = _roads(arrays, rules.setbacks)

    # overlay kinds: from flags and from the layer
    kinds: list[str] = []
    kind_index: dict[str, int] = {}

    def kind(jenis: str) -> int:
        if jenis not in kind_index:
            kind_index[jenis] = len(kinds)
            kinds.append(jenis)
        return kind_index[jenis]

    flag_ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    flag_kind: list[int] = []
    for i, r in enumerate(rows):
        flag_kind.extend(kind(j) for j in r["flags"])
        flag_ptr[i + 1] = len(flag_kind)

    ov_rows = arrays.ov_rows
    ov_kind = np.array([kind(h.jenis) for h in ov_rows], dtype=np.int64)
    ov_rank = np.array([_efek_rank(h.efek) for h in ov_rows], dtype=np.int64)
    ov_tb = np.array([np.nan if h.tb is None else float(h.tb) for h in ov_rows])
    kind_code = np.array([codes(f"overlay.{j.lower()}") for j in kinds], dtype=np.int64)
    kind_flag_rank = np.array(
        [_efek_rank(rules.meta.overlay_effects.get(j, kind_of(j).efek)) for j in kinds],
        dtype=np.int64,
    )

    # activities and the matrix
    act_names = sorted({k for k, _s in rules.itbx} | {e.kode_kegiatan for e in rules.kbli.values()})
    act_index = {a: i for i, a in enumerate(act_names)}
    activity = {kbli: act_index[e.kode_kegiatan] for kbli, e in rules.kbli.items()}
    cells = np.full((len(act_names), len(subzones)), -1, dtype=np.int64)
    cell_ids: dict[str, int] = {}
    cell_text: list[str | None] = []
    cell_code: list[int] = []
    cell_rank: list[int] = []
    cell_cond_ptr = [0]
    cell_cond: list[int] = []
    cond_index: dict[str, int] = {}
    cond_code: list[int] = []
    cond_rank: list[int] = []
    cond_limits: list[list[float]] = []

    def condition(code: str) -> int:
        if code not in cond_index:
            cond_index[code] = len(cond_code)
            cond = rules.conditions.get(code)
            if cond is None:
                cond_code.append(codes("condition.missing"))
                cond_rank.append(_rank(Effect.REVIEW))
                cond_limits.append([np.nan] * 3)
            else:
                cond_code.append(codes(f"condition.{cond.kind.lower()}"))
                cond_rank.append(_rank(Effect.CONDITION))
                cond_limits.append(
                    [np.nan if (v := getattr(cond, k)) is None else float(v) for k in LIMITS]
                )
        return cond_index[code]

    def cell_id(raw: str | None) -> int:
        if not raw:
            return -1
        if raw not in cell_ids:
            cls, conds = parse_cell(raw)
            cell_ids[raw] = len(cell_code)
            cell_text.append(raw)
            cell_code.append(codes(f"itbx.{cls or 'silent'}"))
            cell_rank.append(_rank(CLASS_EFFECT[cls]))
            cell_cond.extend(condition(c) for c in conds)
            cell_cond_ptr.append(len(cell_cond))
        return cell_ids[raw]

    for (kode, kodszn), _raw in rules.itbx.items():
        cells[act_index[kode], sz_index[kodszn]] = cell_id(rules.cell(kode, kodszn))
    # an empty cell reads as the plan declares ([rules] empty_cell)
    declared = rules.meta.rule_options.empty_cell
    if declared:
        cells[cells < 0] = cell_id(declared)
    # else it decides like an unparseable one: itbx.silent, REVIEW
    silent = len(cell_code)
    cell_text.append(None)
    cell_code.append(codes("itbx.silent"))
    cell_rank.append(_rank(CLASS_EFFECT[None]))
    cell_cond_ptr.append(len(cell_cond))
    cells[cells < 0] = silent

    limit_codes = np.array(
        [[codes(f"condition.{k}.exceeded"), codes(f"condition.{k}.unverified")] for k in LIMITS],
        dtype=np.int64,
    )
    pieces, piece_ov = _pieces(arrays.ov_geoms)
    grids = arrays.raster_grids
    compiled = Compiled(
        store=store,
        arrays=arrays,
        rules=rules,
        codes=codes,
        zone_sz=zone_sz,
        zone_limits=limits,
        zone_flag_ptr=flag_ptr,
        zone_flag_kind=np.array(flag_kind, dtype=np.int64),
        activity=activity,
        cells=cells,
        cell_text=cell_text,
        cell_code=np.array(cell_code, dtype=np.int64),
        cell_rank=np.array(cell_rank, dtype=np.int64),
        cell_cond_ptr=np.array(cell_cond_ptr, dtype=np.int64),
        cell_cond=np.array(cell_cond, dtype=np.int64),
        cond_code=np.array(cond_code, dtype=np.int64),
        cond_rank=np.array(cond_rank, dtype=np.int64),
        cond_limits=np.array(cond_limits, dtype=np.float64).reshape(-1, 3),
        limit_codes=limit_codes,
        kinds=kinds,
        kind_code=kind_code,
        kind_flag_rank=kind_flag_rank,
        ov_kind=ov_kind,
        ov_rank=ov_rank,
        ov_tb=ov_tb,
        piece_geoms=pieces,
        piece_tree=shapely.STRtree(pieces),
        piece_ov=piece_ov,
        piece_rings=Rings.of(pieces),
        zone_rings=Rings.of(arrays.zone_geoms),
        grids=list(grids),
        raster_codes=np.array([codes(f"raster.{g.spec.id}") for g in grids], dtype=np.int64),
        code_sliver=codes("zone.sliver"),
        code_outside=codes("site.outside_rdtr"),
        intensity_codes=np.array(
            [codes(f"intensity.{rule.lower()}.exceeded") for rule, _a, _m in INTENSITY],
            dtype=np.int64,
        ),
        zone_gsb=zone_gsb,
        road_group=road_group,
        road_gsb=road_gsb,
        setback_codes=(
            codes("setback.gsb"),
            codes("setback.gsb.unknown"),
            codes("setback.subzone"),
        ),
    )
    shapely.prepare(compiled.piece_geoms)
    return compiled


def _roads(
    arrays: BulkArrays, table: tuple[SetbackRow, ...]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The frontage group and the gsb.csv GSB of each road (kkpr.rules.setbacks)."""
    rows = arrays.road_rows
    groups: dict[tuple[str | None, ...], int] = {}
    group = np.zeros(len(rows), dtype=np.int64)
    gsb = np.full(len(rows), np.nan)
    by_class: dict[tuple[str | None, ...], float] = {}  # a layer has few classes
    for j, r in enumerate(rows):
        cls = (road_key(r.fungsi), road_key(r.kelas), road_key(r.status))
        key = frontage_key(r.nama, r.fid, r.fungsi, r.kelas, r.status)
        group[j] = groups.setdefault(key, len(groups))
        value = by_class.get(cls)
        if value is None:
            row = row_for(table, r)
            value = by_class[cls] = np.nan if row is None or row.gsb is None else row.gsb
        gsb[j] = value
    return group, gsb


def _efek_rank(efek: str | None) -> int:
    return RANK[efek_effect(efek)]


def _pieces(geoms: NDArray[np.object_]) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    """Overlay polygons cut into pieces (large ones only), with the feature of each.

    A large polygon is halved across its longer side, again and again, until each
    piece has at most PIECE_VERTICES vertices and spans at most 2 × PIECE_M: each cut
    works on a piece, not the whole polygon, so a coast buffer of thousands of
    vertices over a province is cut in n log n.
    """
    out: list[Any] = []
    owner: list[int] = []
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            continue
        if shapely.get_num_coordinates(g) <= PIECE_VERTICES:
            out.append(g)
            owner.append(i)
            continue
        stack = [g]
        while stack:
            piece = stack.pop()
            x0, y0, x1, y1 = piece.bounds
            w, h = x1 - x0, y1 - y0
            small = shapely.get_num_coordinates(piece) <= PIECE_VERTICES
            if (small and max(w, h) <= 2 * PIECE_M) or max(w, h) <= PIECE_M / 4:
                out.append(piece)
                owner.append(i)
                continue
            if w >= h:
                halves = shapely.box([x0, x0 + w / 2], y0, [x0 + w / 2, x1], y1)
            else:
                halves = shapely.box(x0, [y0, y0 + h / 2], x1, [y0 + h / 2, y1])
            parts = shapely.get_parts(shapely.intersection(piece, halves))
            keep = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 0)
            stack.extend(parts[keep])
    return np.array(out, dtype=object), np.array(owner, dtype=np.int64)


# ---------------------------------------------------------------- the answer


@dataclass
class Verdicts:
    """Outcome, form and reasons of ``n`` sites, as arrays.

    ``reason_*`` is a long table (one row per reason, sites in order, each site's
    reasons in ``evaluate``'s order); ``part_*`` likewise for the zone parts.
    Sites with ``exact`` set have no verdict here (see the module docstring).
    """

    codes: list[str]
    outcome: NDArray[np.int64]  # index into OUTCOMES; -1 where exact
    form: NDArray[np.int64]  # index into FORMS
    exact: NDArray[np.bool_]
    reason_site: NDArray[np.int64]
    reason_code: NDArray[np.int64]
    reason_rank: NDArray[np.int64]  # index into EFFECTS
    part_site: NDArray[np.int64]
    part_zone: NDArray[np.int64]  # zone row of the plan
    part_area: NDArray[np.float64]
    part_share: NDArray[np.float64]
    part_cell: NDArray[np.int64]

    def outcomes(self) -> list[str | None]:
        return [None if o < 0 else str(OUTCOMES[o]) for o in self.outcome.tolist()]

    def forms(self) -> list[str | None]:
        return [
            None if x else str(FORMS[f])
            for f, x in zip(self.form.tolist(), self.exact.tolist(), strict=True)
        ]

    def reasons(self, deciding_only: bool = False) -> list[list[tuple[str, Effect]]]:
        """Per site, its (code, effect) reasons in order."""
        out: list[list[tuple[str, Effect]]] = [[] for _ in range(len(self.outcome))]
        keep = self.reason_rank > 0 if deciding_only else np.ones(len(self.reason_rank), bool)
        names = self.codes
        for s, c, r in zip(
            self.reason_site[keep].tolist(),
            self.reason_code[keep].tolist(),
            self.reason_rank[keep].tolist(),
            strict=True,
        ):
            out[s].append((names[c], EFFECTS[r]))
        return out

    def joined(self, sep: str = "; ") -> list[str]:
        """Per site, its deciding reason codes joined (the ``reasons`` column)."""
        keep = self.reason_rank > 0
        sites = self.reason_site[keep]
        names = np.array(self.codes, dtype=object)[self.reason_code[keep]]
        bounds = np.searchsorted(sites, np.arange(len(self.outcome) + 1))
        return [sep.join(names[a:b]) for a, b in itertools.pairwise(bounds)]


def evaluate_sites(
    store: MemoryStore,
    geoms: NDArray[np.object_],
    crs: str,
    kbli: NDArray[Any],
    proposal: dict[str, NDArray[np.float64]] | None = None,
) -> Verdicts:
    """Outcome, form and reasons of every site (``geoms`` in ``crs``, KBLI codes,
    proposal columns of ``PROPOSAL_COLUMNS`` as floats with NaN for none)."""
    c = compile_store(store)
    n = len(geoms)
    geoms = np.asarray(geoms, dtype=object)
    kbli = np.asarray(kbli).astype(str)
    prop = {k: _column(proposal, k, n) for k in PROPOSAL_COLUMNS}

    # ---- what only the exact path may answer
    exact = _unusual(geoms, crs, store.max_vertices)
    kbli_u, kbli_inv = np.unique(kbli, return_inverse=True)
    act_u = np.array([c.activity.get(k.strip(), -1) for k in kbli_u], dtype=np.int64)
    act = act_u[kbli_inv]
    exact |= act < 0
    todo = np.flatnonzero(~exact)
    g = np.empty(n, dtype=object)
    g[todo] = to_crs_many(geoms[todo], crs, store.crs)
    outside_region = ~shapely.intersects(c.arrays.region, g[todo])
    exact[todo[outside_region]] = True
    todo = todo[~outside_region]

    sub = g[todo]
    m = len(todo)
    point = shapely.get_type_id(sub) == 0
    site_area = shapely.area(sub)
    ratio_area = np.where(point, prop["land_area_m2"][todo], site_area)
    tol = c.rules.meta.tolerance
    out = _Reasons()

    # ---- zone parts
    zone_geoms = c.arrays.zone_geoms
    convex_site = convex(sub)
    ps, pz, parea, cut = zone_parts(c, sub, point, site_area, convex_site)
    # a part or an outside area within AREA_MARGIN of a tolerance: measured by GEOS,
    # as the exact path measures it, so that the decision is the same to the last bit
    margin = AREA_MARGIN
    covered = np.bincount(ps, weights=parea, minlength=m)
    outside = site_area - covered
    fragile = _near(outside, tol.sliver_m2, margin) | _near(
        outside, tol.sliver_share * site_area, margin
    )
    frag_pair = _near(parea, tol.sliver_m2, margin) | _near(
        parea, tol.sliver_share * site_area[ps], margin
    )
    fragile[ps[frag_pair]] = True
    redo = cut[fragile[ps[cut]] & convex_site[ps[cut]]]
    if len(redo):
        parea[redo] = shapely.area(shapely.intersection(zone_geoms[pz[redo]], sub[ps[redo]]))
    keep = point[ps] | (parea > 0)
    ps, pz, parea = ps[keep], pz[keep], parea[keep]
    n_parts = np.bincount(ps, minlength=m)
    with np.errstate(divide="ignore", invalid="ignore"):
        pshare = np.where(site_area[ps] > 0, parea / site_area[ps], 1.0 / n_parts[ps])
    pdec = decides(parea, pshare, tol, point[ps], False)
    covered = np.bincount(ps, weights=parea, minlength=m)
    outside = np.maximum(site_area - covered, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        outside_share = np.where(
            site_area > 0, outside / site_area, np.where(n_parts > 0, 0.0, 1.0)
        )
    pkkpr = (n_parts == 0) | decides(outside, outside_share, tol, False, False)
    # the tolerance never hides a whole site (outcome.whole_site_hidden): where no
    # part and no outside decides, the parts decide by their share alone
    share_only = (n_parts > 0) & ~point & ~pkkpr
    share_only &= np.bincount(ps, weights=pdec, minlength=m) == 0
    pdec = decides(parea, pshare, tol, point[ps], share_only[ps])
    pkkpr = (n_parts == 0) | decides(outside, outside_share, tol, False, share_only)
    pcell = c.cells[act[todo][ps], c.zone_sz[pz]]
    out.add(
        ps,
        PART,
        (np.arange(len(ps)),),
        np.where(pdec, c.cell_code[pcell], c.code_sliver),
        np.where(pdec, c.cell_rank[pcell], 0),
    )

    # ---- outside the RDTR
    s = np.flatnonzero(pkkpr)
    out.add(s, OUTSIDE, (0,), c.code_outside, _rank(Effect.REVIEW))

    # ---- conditions of the deciding cells: first occurrence per site
    dec = np.flatnonzero(pdec)
    counts = c.cell_cond_ptr[pcell[dec] + 1] - c.cell_cond_ptr[pcell[dec]]
    rep = np.repeat(dec, counts)
    within = np.arange(len(rep)) - np.repeat(np.cumsum(counts) - counts, counts)
    cond = c.cell_cond[c.cell_cond_ptr[pcell[rep]] + within]
    csite = ps[rep]
    # evaluate meets them in part order, then cell order: the first meeting counts
    first = np.lexsort((within, rep, cond, csite))
    csite, cond, rep, within = csite[first], cond[first], rep[first], within[first]
    new = np.ones(len(csite), dtype=bool)
    new[1:] = (csite[1:] != csite[:-1]) | (cond[1:] != cond[:-1])
    csite, cond, rep, within = csite[new], cond[new], rep[new], within[new]
    out.add(
        csite,
        CONDITION,
        (rep, within, ConditionSlot.CONDITION),
        c.cond_code[cond],
        c.cond_rank[cond],
    )
    values = (
        prop["floor_area_m2"][todo][csite],
        ratio_area[csite],
        prop["floors"][todo][csite],
    )
    for k, value in enumerate(values):
        limit = c.cond_limits[cond, k]
        has = ~np.isnan(limit)
        unverified = has & np.isnan(value)
        exceeded = has & ~np.isnan(value) & (value > limit + EPS)
        for mask, which, limit_rank in ((exceeded, 0, 3), (unverified, 1, 1)):
            i = np.flatnonzero(mask)
            out.add(
                csite[i],
                CONDITION,
                (rep[i], within[i], ConditionSlot.LIMIT + k),
                c.limit_codes[k, which],
                limit_rank,
            )

    # ---- overlays: the layer's features, then the flags of the zone parts
    os_, oo, oarea = _overlay_hits(c, sub, point, site_area, convex_site)
    with np.errstate(divide="ignore", invalid="ignore"):
        oshare = np.where(site_area[os_] > 0, oarea / site_area[os_], 1.0)
    odec = decides(oarea, oshare, tol, point[os_], share_only[os_])
    grank = c.group_ranks(np.char.strip(kbli_u))
    site_kbli = kbli_inv[todo]
    okind = c.ov_kind[oo]
    og = grank[okind, site_kbli[os_]]
    orank = np.where(odec, np.where(og >= 0, og, c.ov_rank[oo]), 0)
    out.add(os_, OVERLAY, (OverlaySource.FEATURE, oo, FeatureSlot.KIND), c.kind_code[okind], orank)
    caps = odec & ~np.isnan(c.ov_tb[oo])
    cap_tb = _elevation_caps(c, store, sub, os_, oo, okind, caps, out)
    fcount = c.zone_flag_ptr[pz + 1] - c.zone_flag_ptr[pz]
    frep = np.repeat(np.arange(len(ps)), fcount)
    fwithin = np.arange(len(frep)) - np.repeat(np.cumsum(fcount) - fcount, fcount)
    fkind = c.zone_flag_kind[c.zone_flag_ptr[pz[frep]] + fwithin]
    fsite = ps[frep]
    fg = grank[fkind, site_kbli[fsite]]
    frank = np.where(pdec[frep], np.where(fg >= 0, fg, c.kind_flag_rank[fkind]), 0)
    out.add(fsite, OVERLAY, (OverlaySource.FLAG, frep, fwithin), c.kind_code[fkind], frank)

    # ---- intensity: the strictest limit of the deciding parts (and height caps); the
    # lot ratios of parts that differ area-weighted (intensity.combine)
    strict = np.full((m, 5), np.nan)
    weighted = c.rules.meta.rule_options.mixed_intensity == "weighted"
    pgsb = c.zone_gsb[pz].copy()  # each part's GSB, filled by the class rows too
    plim = _class_limits(c, store, sub, ps, pz, dec, ratio_area, out, pgsb)
    for j, (rule, _attr, is_min) in enumerate(INTENSITY):
        ufunc = np.fmin if is_min else np.fmax
        v = plim[dec, j]
        ufunc.at(strict[:, j], ps[dec], v)
        if weighted and rule in WEIGHTED:
            has = ~np.isnan(v)
            s_, a_, v_ = ps[dec][has], parea[dec][has], v[has]
            lo, hi = np.full(m, np.nan), np.full(m, np.nan)
            np.fmin.at(lo, s_, v_)
            np.fmax.at(hi, s_, v_)
            num = np.bincount(s_, weights=v_ * a_, minlength=m)
            den = np.bincount(s_, weights=a_, minlength=m)
            mixed = (lo != hi) & (den > 0)
            strict[mixed, j] = num[mixed] / den[mixed]
    np.fmin.at(strict[:, 4], os_[caps], cap_tb[caps])
    asked = np.nan_to_num(_column(proposal, "tod_bonus", n)[todo]) > 0
    flag_hits = (fsite, fkind, parea[frep], pdec[frep])
    _klb_bonus(c, strict, asked, (os_, c.ov_kind[oo], oarea, odec), flag_hits, site_area, out)
    with np.errstate(divide="ignore", invalid="ignore"):
        ra = np.where(ratio_area > 0, ratio_area, np.nan)
        proposed = (
            prop["footprint_m2"][todo] / ra * 100.0,
            prop["floor_area_m2"][todo] / ra,
            prop["green_area_m2"][todo] / ra * 100.0,
            prop["floors"][todo],
            prop["height_m"][todo],
        )
    for j, (_rule, _attr, is_min) in enumerate(INTENSITY):
        limit, value = strict[:, j], proposed[j]
        with np.errstate(invalid="ignore"):
            bad = value > limit + EPS if is_min else value < limit - EPS
        bad &= ~np.isnan(limit) & ~np.isnan(value)
        s = np.flatnonzero(bad)
        out.add(s, INTENS, (IntensityGroup.LIMIT, j), c.intensity_codes[j], 3)

    # ---- setbacks: no footprint here, so the limits only (kkpr.rules.setbacks): a
    # reason per frontage (the first segment's layer order), else the sub-zone GSB
    site_gsb = np.full(m, np.nan)
    np.fmax.at(site_gsb, ps[dec], pgsb[dec])
    rs, rr = store.road_pairs(sub)
    if len(rs):
        groups = int(c.road_group.max()) + 1
        _u, first = np.unique(rs * groups + c.road_group[rr], return_index=True)
        fs, fr = rs[first], rr[first]
        known = ~np.isnan(c.road_gsb[fr]) | ~np.isnan(site_gsb[fs])
        code = np.where(known, c.setback_codes[0], c.setback_codes[1])
        out.add(fs, SETBACK, (fr,), code, 0)
    fronting = np.zeros(m, dtype=bool)
    fronting[rs] = True
    s = np.flatnonzero(~fronting & ~np.isnan(site_gsb))
    out.add(s, SETBACK, (0,), c.setback_codes[2], 0)

    # ---- rasters
    for r, grid in enumerate(c.grids):
        cells, share = _raster_shares(grid, sub, store.crs)
        spec = grid.spec
        limit = spec.slope_limit_pct if spec.kind == "dem" else spec.threshold
        if limit is None:
            continue
        has = (cells > 0) & ~np.isnan(share)
        exceeded = has & (share > spec.max_share + RASTER_EPS)
        s = np.flatnonzero(has)
        raster_rank = np.where(exceeded[s], _efek_rank(spec.efek), 0)
        out.add(s, RASTER, (r,), c.raster_codes[r], raster_rank)

    # ---- the outcome: the strictest effect
    site_i, code, rank = out.ordered()
    worst = np.zeros(m, dtype=np.int64)
    np.maximum.at(worst, site_i, rank)
    outcome = np.full(n, -1, dtype=np.int64)
    outcome[todo] = worst
    form = np.zeros(n, dtype=np.int64)
    form[todo] = pkkpr.astype(np.int64)
    return Verdicts(
        codes=list(c.codes.names),
        outcome=outcome,
        form=form,
        exact=exact,
        reason_site=todo[site_i],
        reason_code=code,
        reason_rank=rank,
        part_site=todo[ps],
        part_zone=pz,
        part_area=parea,
        part_share=pshare,
        part_cell=pcell,
    )


class _Reasons:
    """The long reason table, built stage by stage, sorted once: by site, then in the
    named ordering of ``kkpr.rules.order`` (the stage, then up to ``KEYS`` keys within
    it, compared left to right; missing keys count as 0)."""

    KEYS = 3

    def __init__(self) -> None:
        self.cols: list[tuple[Any, ...]] = []

    def add(self, site: Any, stage: Stage, key: tuple[Any, ...], code: Any, rank: Any) -> None:
        site = np.asarray(site, dtype=np.int64)
        k = len(site)
        if k == 0:
            return
        if len(key) > self.KEYS:
            raise ValueError(f"a reason key has at most {self.KEYS} parts: {len(key)}")
        keys = [np.broadcast_to(np.asarray(x, dtype=np.int64), (k,)) for x in key]
        keys += [np.zeros(k, dtype=np.int64)] * (self.KEYS - len(key))
        self.cols.append(
            (
                site,
                np.full(k, int(stage), dtype=np.int64),
                *keys,
                np.broadcast_to(np.asarray(code, dtype=np.int64), (k,)),
                np.broadcast_to(np.asarray(rank, dtype=np.int64), (k,)),
            )
        )

    def ordered(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        if not self.cols:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        site, stage, *keys, code, rank = (np.concatenate(x) for x in zip(*self.cols, strict=True))
        order = np.lexsort((*reversed(keys), stage, site))
        return site[order], code[order], rank[order]


def _elevation_caps(
    c: Compiled,
    store: MemoryStore,
    sub: NDArray[np.object_],
    os_: NDArray[np.int64],
    oo: NDArray[np.int64],
    okind: NDArray[np.int64],
    caps: NDArray[np.bool_],
    out: _Reasons,
) -> NDArray[np.float64]:
    """The height cap of each overlay hit: its TB, or, for a limit elevation (KKOP
    surfaces, kkpr.rules.overlays), that elevation less the site's highest ground on
    the DEM; a deciding one without ground is for staff (``.no_ground``). ``caps`` is
    narrowed to the hits that cap."""
    tb = c.ov_tb[oo].copy()
    kinds = [c.kinds.index(j) for j in elevation_kinds(c.rules.meta) if j in c.kinds]
    if not kinds:
        return tb
    elev = np.isin(okind, kinds) & ~np.isnan(tb)
    if not elev.any():
        return tb
    dem = store.dem_source()
    ground = np.full(len(sub), np.nan)
    for i in np.unique(os_[elev]).tolist():
        g = None if dem is None else ground_elevation(dem[0], sub[i], dem[1])
        ground[i] = np.nan if g is None else g
    tb[elev] = tb[elev] - ground[os_[elev]]
    missing = np.flatnonzero(caps & elev & np.isnan(ground[os_]))
    for k in missing.tolist():
        code = c.codes(f"overlay.{c.kinds[okind[k]].lower()}.no_ground")
        out.add(
            [os_[k]],
            OVERLAY,
            (OverlaySource.FEATURE, oo[k], FeatureSlot.CAP),
            code,
            _rank(Effect.REVIEW),
        )
    caps &= ~np.isnan(tb)
    return tb


def _klb_bonus(
    c: Compiled,
    strict: NDArray[np.float64],
    asked: NDArray[np.bool_],
    layer: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.bool_]],
    flags: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.bool_]],
    site_area: NDArray[np.float64],
    out: _Reasons,
) -> None:
    """kkpr.rules.bonus over arrays: the KLB bonus of the first kind (by name) whose
    deciding area a site is in, added to its KLB where asked, and the reason."""
    m = len(strict)
    kinds = bonus_rules.bonus_kinds(c.rules.meta)
    bonus = np.zeros(m)
    share = np.zeros(m)
    found = np.zeros(m, dtype=bool)
    for jenis in sorted(kinds):
        if jenis not in c.kinds:
            continue
        k = c.kinds.index(jenis)
        sums = []
        hit = np.zeros(m, dtype=bool)
        for site, kind, area, dec in (layer, flags):
            pick = dec & (kind == k)
            sums.append(np.bincount(site[pick], weights=area[pick], minlength=m))
            hit[site[pick]] = True
        new = hit & ~found
        with np.errstate(divide="ignore", invalid="ignore"):
            s_ = np.where(site_area > 0, np.maximum(sums[0], sums[1]) / site_area, 1.0)
        share[new] = np.minimum(1.0, s_[new])
        bonus[new] = kinds[jenis]
        found |= new
    has_klb = ~np.isnan(strict[:, 1])
    applied = found & asked & has_klb
    strict[applied, 1] = strict[applied, 1] + bonus[applied] * share[applied]
    for mask, code, rank in (
        (applied, "tod.bonus.applied", 1),
        (found & ~asked, "tod.bonus.available", 0),
        (asked & ~(found & has_klb), "tod.bonus.not_applicable", 0),
    ):
        s = np.flatnonzero(mask)
        out.add(s, INTENS, (IntensityGroup.BONUS,), c.codes(code), rank)


def _class_limits(
    c: Compiled,
    store: MemoryStore,
    sub: NDArray[np.object_],
    ps: NDArray[np.int64],
    pz: NDArray[np.int64],
    dec: NDArray[np.int64],
    ratio_area: NDArray[np.float64],
    out: _Reasons,
    gsb: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """(parts, 5) limits of each part: its zone's, or, in a sub-zone with intensity
    classes, its own values over the class row the lot selects (kkpr.rules.classes,
    the single check's choice, once per site and sub-zone), with that choice's reason.
    ``gsb`` (one per part) gets the selected row's GSB too (kkpr.rules.setbacks)."""
    plim = c.zone_limits[pz]
    classes = c.rules.intensity_classes
    if not classes or not len(dec):
        return plim
    rows = c.arrays.zone_rows
    pick = np.array([rows[z]["kodszn"] in classes for z in pz[dec]], dtype=bool)
    if not pick.any():
        return plim
    plim = plim.copy()
    need_roads = any(r.kelas_jalan for rs in classes.values() for r in rs)
    road_hits = getattr(store, "road_hits", None)
    sites = np.unique(ps[dec[pick]])
    roads: dict[int, Any] = {}
    if need_roads and road_hits is not None:
        roads = dict(zip(sites.tolist(), road_hits(sub[sites]), strict=True))
    seen: dict[tuple[int, str], Intensity] = {}
    for k in dec[pick].tolist():
        i, row = int(ps[k]), rows[pz[k]]
        code = row["kodszn"]
        base = seen.get((i, code))
        if base is None:
            area = None if np.isnan(ratio_area[i]) else float(ratio_area[i])
            sel = class_rules.select(
                code,
                classes[code],
                c.rules.intensity.get(code),
                area,
                class_rules.road_keys(roads.get(i, ())),
                has_road_layer=road_hits is not None,
            )
            base = seen[(i, code)] = sel.intensity or NO_INTENSITY
            out.add([i], INTENS, (IntensityGroup.CLASS, k), c.codes(sel.code), _rank(sel.effect))
        merged = row["intensity"].over(base)
        plim[k] = [np.nan if (v := getattr(merged, a)) is None else v for _r, a, _m in INTENSITY]
        if gsb is not None:
            gsb[k] = np.nan if merged.gsb is None else merged.gsb
    return plim


# ---------------------------------------------------------------- parts


def _column(proposal: dict[str, Any] | None, name: str, n: int) -> NDArray[np.float64]:
    if proposal is None or proposal.get(name) is None:
        return np.full(n, np.nan)
    return np.asarray(proposal[name], dtype=np.float64)  # None becomes NaN


def _unusual(geoms: NDArray[np.object_], crs: str, max_vertices: int | None) -> NDArray[np.bool_]:
    """Sites ``check_site_geometry`` might refuse: left to the exact path."""
    bad: NDArray[np.bool_] = shapely.is_missing(geoms)
    ok = np.flatnonzero(~bad)
    gg = geoms[ok]
    type_id = shapely.get_type_id(gg)
    b = shapely.is_empty(gg) | ~np.isin(type_id, (0, 3, 6))
    coords, index = shapely.get_coordinates(gg, return_index=True)
    nonfinite = np.bincount(index[~np.isfinite(coords).all(axis=1)], minlength=len(gg)) > 0
    b |= nonfinite
    if max_vertices is not None:
        b |= np.bincount(index, minlength=len(gg)) > max_vertices
    if is_geographic(crs):
        wild = (np.abs(coords[:, 0]) > 180) | (np.abs(coords[:, 1]) > 90)
        b |= np.bincount(index[wild], minlength=len(gg)) > 0
    b |= ~shapely.is_valid(gg)
    bad[ok] = b
    return bad


def _overlay_hits(
    c: Compiled,
    sites: NDArray[np.object_],
    point: NDArray[np.bool_],
    site_area: NDArray[np.float64],
    convex_site: NDArray[np.bool_],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """(site, overlay feature, overlap area) of every overlay a site overlaps, ordered.

    As ``MemoryStore._hits(large=True)``, with the features cut into small pieces: a
    site wholly inside a piece, or else inside the whole feature, overlaps it by its
    own area; only a site across a feature's edge is intersected, piece by piece.
    """
    n_ov = len(c.ov_kind)
    if len(c.piece_geoms) == 0 or n_ov == 0:
        e = np.zeros(0, dtype=np.int64)
        return e, e, np.zeros(0)
    k, pi = c.piece_tree.query(sites, predicate="intersects")
    pair, inv = np.unique(k * n_ov + c.piece_ov[pi], return_inverse=True)
    usite, uov = pair // n_ov, pair % n_ov
    poly = ~point[usite]
    inside = np.zeros(len(pair), dtype=bool)
    in_piece = ~point[k] & shapely.contains_properly(c.piece_geoms[pi], sites[k])
    inside[inv[in_piece]] = True
    rest = np.flatnonzero(poly & ~inside)
    ov_prepared = c.store.prepared_overlays()
    whole = shapely.contains_properly(ov_prepared[uov[rest]], sites[usite[rest]])
    inside[rest[whole]] = True
    area = np.zeros(len(pair))
    area[inside] = site_area[usite[inside]]
    edge = np.zeros(len(pair), dtype=bool)
    edge[rest[~whole]] = True
    sel = np.flatnonzero(edge[inv])
    if len(sel):
        parts = pair_areas(
            c.piece_rings, c.piece_geoms, pi[sel], sites[k[sel]], convex_site[k[sel]]
        )
        area += np.bincount(inv[sel], weights=parts, minlength=len(pair))
        # near a tolerance: the whole feature by GEOS, as the exact path measures it
        tol = c.rules.meta.tolerance
        sa = site_area[usite]
        fragile = edge & (
            _near(area, tol.sliver_m2, AREA_MARGIN)
            | _near(area, tol.sliver_share * sa, AREA_MARGIN)
            | (area < AREA_MARGIN)
        )
        f = np.flatnonzero(fragile)
        if len(f):
            whole_geoms = c.arrays.ov_geoms[uov[f]]
            area[f] = shapely.area(shapely.intersection(whole_geoms, sites[usite[f]]))
    keep = point[usite] | (area > 0)
    return usite[keep], uov[keep], area[keep]  # in (site, feature) order, as np.unique


def zone_parts(
    c: Compiled,
    sites: NDArray[np.object_],
    point: NDArray[np.bool_],
    site_area: NDArray[np.float64],
    convex_site: NDArray[np.bool_],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]]:
    """(site, zone, overlap area) of every pair that intersects, in (site, zone) order,
    and the indices of the pairs whose area was cut (not a point, not wholly inside)."""
    zone_geoms = c.arrays.prepared_zones()  # for the inside test of each part
    ps, pz = c.arrays.zone_tree.query(sites, predicate="intersects")
    order = np.lexsort((pz, ps))
    ps, pz = ps[order], pz[order]
    parea = np.zeros(len(ps))
    poly = ~point[ps]
    # a site wholly inside a zone overlaps it by its own area: no intersection to build
    inside = poly & shapely.contains_properly(zone_geoms[pz], sites[ps])
    parea[inside] = site_area[ps[inside]]
    cut = np.flatnonzero(poly & ~inside)
    parea[cut] = pair_areas(c.zone_rings, zone_geoms, pz[cut], sites[ps[cut]], convex_site[ps[cut]])
    return ps, pz, parea, cut


def pair_areas(
    rings: Rings,
    geoms: NDArray[np.object_],
    index: NDArray[np.int64],
    sites: NDArray[np.object_],
    fast: NDArray[np.bool_],
) -> NDArray[np.float64]:
    """Area of ``geoms[index[k]] ∩ sites[k]``: clipped in numpy for convex sites, by
    GEOS for the others."""
    out = np.empty(len(sites))
    f = np.flatnonzero(fast)
    out[f] = overlap_areas(rings, geoms, index[f], sites[f])
    g = np.flatnonzero(~fast)
    out[g] = shapely.area(shapely.intersection(geoms[index[g]], sites[g]))
    return out


def _near(value: NDArray[np.float64], target: Any, margin: float) -> NDArray[np.bool_]:
    near: NDArray[np.bool_] = np.abs(value - target) <= margin
    return near


def _raster_shares(
    grid: Grid, sites: NDArray[np.object_], plan_crs: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per site, covered cells (> 0 or 0) and the share above the limit."""
    n = len(sites)
    cells = np.zeros(n)
    share = np.full(n, np.nan)
    if n == 0:
        return cells, share
    seen = screen(grid, to_crs_many(sites, plan_crs, grid.crs))
    pure = seen.pure
    cells[pure] = 1.0  # some cover, and every covered cell alike
    share[pure] = np.where(seen.above[pure], 1.0, 0.0)
    rest = np.flatnonzero(~pure & ~seen.empty)
    if len(rest):
        stats = many_stats(grid, sites[rest], plan_crs)
        cells[rest] = [st.cells for st in stats]
        share[rest] = [np.nan if st.share_above is None else st.share_above for st in stats]
    return cells, share


def parts_text(store: MemoryStore, v: Verdicts) -> list[str]:
    """Per site, its zone parts as ``kodszn share cell`` (the ``parts`` column)."""
    c = compile_store(store)
    rows = c.arrays.zone_rows
    bounds = np.searchsorted(v.part_site, np.arange(len(v.outcome) + 1))
    words = [
        f"{rows[z]['kodszn']} {share:.0%} {c.cell_text[cell] or '—'}"
        for z, share, cell in zip(
            v.part_zone.tolist(), v.part_share.tolist(), v.part_cell.tolist(), strict=True
        )
    ]
    return ["; ".join(words[a:b]) for a, b in itertools.pairwise(bounds)]
