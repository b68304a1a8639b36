"""From located facts to a CheckResult: parts, ITBX, conditions, intensity, overlays.

The outcome is the strictest effect of any reason:
tidak_sesuai > perlu_kajian > sesuai_bersyarat > sesuai.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import shapely
from shapely.geometry.base import BaseGeometry

from kkpr.model import (
    ActivityInfo,
    CheckResult,
    Condition,
    ConditionResult,
    Effect,
    Form,
    Intensity,
    ItbxClass,
    KbliEntry,
    Located,
    MatrixCell,
    Outcome,
    OverlayHit,
    PartResult,
    PlanInfo,
    PlanMeta,
    PlanRules,
    Proposal,
    Reason,
    RtrwHit,
    RtrwPart,
    SiteInfo,
)
from kkpr.rules import bonus as bonus_rules
from kkpr.rules import classes as class_rules
from kkpr.rules import conforming as conforming_rules
from kkpr.rules import intensity as intensity_rules
from kkpr.rules import overlays as overlay_rules
from kkpr.rules import rasters as raster_rules
from kkpr.rules import rtrw as rtrw_rules
from kkpr.rules import setbacks as setback_rules
from kkpr.rules.deciding import decides
from kkpr.rules.effects import SEVERITY, forbids
from kkpr.rules.itbx import CLASS_EFFECT, parse_cell
from kkpr.rules.memo import PerObject
from kkpr.rules.order import Stage
from kkpr.text import ITBX_WORDS, num_en, num_id, nums, pct_en, pct_id, pcts

STAGES = tuple(Stage)
ORDER = list(reversed(SEVERITY[1:]))  # the gravest effect a reason has decides
OUTCOME_OF = {
    Effect.FORBIDS: Outcome.TIDAK_SESUAI,
    Effect.REVIEW: Outcome.PERLU_KAJIAN,
    Effect.CONDITION: Outcome.SESUAI_BERSYARAT,
}
SUMMARY = {
    Outcome.SESUAI: (
        "Kegiatan sesuai dengan rencana tata ruang.",
        "The activity conforms to the spatial plan.",
    ),
    Outcome.SESUAI_BERSYARAT: (
        "Kegiatan sesuai dengan syarat yang harus dipenuhi.",
        "The activity conforms, subject to conditions.",
    ),
    Outcome.TIDAK_SESUAI: (
        "Kegiatan tidak sesuai dengan rencana tata ruang.",
        "The activity does not conform to the spatial plan.",
    ),
    Outcome.PERLU_KAJIAN: (
        "Perlu kajian oleh petugas sebelum diputuskan.",
        "Staff review is needed before a decision.",
    ),
}


def is_deciding(
    area: float, share: float, rules: PlanRules, point: bool, share_only: bool = False
) -> bool:
    """Whether a part (of a zone, an overlay, or the outside) decides the outcome.

    ``share_only``: the site is so small that the m² tolerance would hide all of it
    (see ``whole_site_hidden``); its parts are then judged by their share alone.
    """
    return point or decides(area, share, rules.meta.tolerance, False, share_only)


def whole_site_hidden(
    zone_parts: list[tuple[float, float]], outside: tuple[float, float], rules: PlanRules
) -> bool:
    """True when the tolerance would leave no part of a site deciding.

    The tolerance hides a small part of a larger site, never the whole site: a 3.9 m²
    site in one zone is decided by that zone, though 3.9 m² is under ``sliver_m2``.
    ``zone_parts`` and ``outside`` are (area, share) pairs.
    """
    if not zone_parts:
        return False  # wholly outside the RDTR: the outside decides
    return not any(is_deciding(a, s, rules, False) for a, s in [*zone_parts, outside])


def evaluate(
    rules: PlanRules,
    located: Located,
    entry: KbliEntry,
    proposal: Proposal,
    footprint: BaseGeometry | None = None,
) -> CheckResult:
    """``footprint``: the drawn building in the plan CRS, inside the site (kkpr.check
    reads and checks it): KDB from its area, height, floors and T conditions from the
    parts it stands on, and the setbacks checked against it."""
    geometry_type = located.geometry.geom_type
    point = geometry_type == "Point"
    drawn = proposal
    if footprint is not None:
        drawn = dataclasses.replace(proposal, footprint_m2=float(footprint.area))
    site_area = located.area_m2
    ratio_area = proposal.land_area_m2 if point else site_area
    activity = rules.activities.get(entry.kode_kegiatan)
    kegiatan = activity.kegiatan if activity else entry.kode_kegiatan
    # the reasons of each stage; given in the named ordering (kkpr.rules.order.Stage),
    # the one the array rules (kkpr.bulk.vector) sort theirs by
    staged: list[list[Reason]] = [[] for _stage in STAGES]  # indexed by Stage

    # ---- zone parts and their ITBX cells
    parts: list[PartResult] = []
    used_codes: dict[str, list[str]] = {}
    limits = []
    standing: list[intensity_rules.PartLimits] | None = None if footprint is None else []
    standing_codes: dict[str, list[str]] = {}
    shares = [
        (z.area_m2 / site_area) if site_area > 0 else 1.0 / len(located.zones)
        for z in located.zones
    ]
    covered = sum(z.area_m2 for z in located.zones)
    outside = max(site_area - covered, 0.0)
    outside_share = outside / site_area if site_area > 0 else (0.0 if located.zones else 1.0)
    share_only = not point and whole_site_hidden(
        [(z.area_m2, s) for z, s in zip(located.zones, shares, strict=True)],
        (outside, outside_share),
        rules,
    )
    chosen: dict[str, class_rules.Selection] = {}  # intensity class per sub-zone
    cells = _cells_of(rules, entry.kode_kegiatan)
    for z, share in zip(located.zones, shares, strict=True):
        deciding = is_deciding(z.area_m2, share, rules, point, share_only)
        kodszn = z.kodszn
        read = cells.get(kodszn)
        if read is None:
            read = cells[kodszn] = _read_cell(rules, entry.kode_kegiatan, kodszn)
        parts.append(
            PartResult(
                z.fid, kodszn, z.namszn, z.kodzon, z.namzon, z.kodblk, z.kodsbl, z.wadmkc,
                z.wadmkd, z.area_m2, share, deciding, read.itbx, read.cell, list(read.codes),
            )
        )  # fmt: skip
        staged[Stage.PART].append(
            _part_reason(
                kodszn, z.namszn, z.fid, z.area_m2, share, point, deciding, read, entry, kegiatan
            )
        )
        if deciding:
            for code in read.codes:
                used_codes.setdefault(code, []).append(kodszn)
            merged = z.intensity.over(_base_intensity(rules, kodszn, chosen, ratio_area, located))
            part_limits = intensity_rules.PartLimits(kodszn, z.fid, z.area_m2, merged, z.intensity)
            limits.append(part_limits)
            if standing is not None and stands_on(footprint, z.part):
                standing.append(part_limits)
                for code in read.codes:
                    standing_codes.setdefault(code, []).append(kodszn)

    # ---- outside the RDTR: the PKKPR path
    indications: list[rtrw_rules.Indication] = []
    pkkpr = not parts or is_deciding(outside, outside_share, rules, False, share_only)
    if pkkpr:
        staged[Stage.OUTSIDE].append(_outside_reason(outside, outside_share, point))
        staged[Stage.OUTSIDE].extend(_rtrw_reasons(located))
        matrix = rules.rtrw_matrix
        if matrix is not None:
            empty = rules.meta.rule_options.empty_cell
            indications = [rtrw_rules.indicate(matrix, h, entry, empty) for h in located.rtrw]
            staged[Stage.OUTSIDE].extend(
                rtrw_rules.reason(i, entry, kegiatan, site_area) for i in indications
            )

    # ---- conditions (T limits against the proposal): of the parts a drawn building
    # stands on, else of every deciding part
    if standing:
        used_codes = standing_codes
    else:
        standing = None
    conditions = []
    for code, subzones in used_codes.items():
        cond = rules.conditions.get(code)
        result, r = _condition(code, cond, sorted(set(subzones)), drawn, ratio_area)
        conditions.append(result)
        staged[Stage.CONDITION].extend(r)

    # ---- overlays (layer and zone flags) and their height caps
    deciding_flags = [p.deciding for p in parts]
    hits = [
        (
            h,
            is_deciding(
                h.area_m2, h.area_m2 / site_area if site_area else 1.0, rules, point, share_only
            ),
        )
        for h in located.overlays
    ]
    hits += overlay_rules.flag_hits(located.zones, deciding_flags)
    overlay_findings, overlay_reasons, caps = overlay_rules.evaluate(
        hits, rules.meta, entry.kbli, site_area, located.ground_m
    )
    staged[Stage.OVERLAY].extend(overlay_reasons)

    # ---- intensity (the class row of each sub-zone first, where the plan has classes)
    combined = intensity_rules.combine(
        limits, caps, rules.meta.rule_options.mixed_intensity, ratio_area, standing=standing
    )
    klb, bonus_reason = _klb_bonus(rules, hits, combined.get("KLB"), site_area, proposal)
    if klb is not None:
        combined["KLB"] = klb
    if bonus_reason is not None:
        staged[Stage.INTENSITY].append(bonus_reason)
    staged[Stage.INTENSITY].extend(class_rules.reason(sel) for sel in chosen.values())
    intensity, intensity_reasons = intensity_rules.evaluate(combined, drawn, ratio_area)
    staged[Stage.INTENSITY].extend(intensity_reasons)

    # ---- setbacks: GSB per frontage (and JBB) against a drawn footprint
    setbacks, setback_reasons = setback_rules.evaluate(
        rules, located, subzone_gsb(limits), footprint
    )
    staged[Stage.SETBACK].extend(setback_reasons)

    # ---- rasters
    raster_findings, raster_reasons = raster_rules.evaluate(rules.meta.rasters, located.rasters)
    staged[Stage.RASTER].extend(raster_reasons)

    reasons = [reason for stage in staged for reason in stage]

    effects = {r.effect for r in reasons}
    outcome = next((OUTCOME_OF[e] for e in ORDER if e in effects), Outcome.SESUAI)
    summary = Reason("outcome", *SUMMARY[outcome], effect=Effect.INFO)
    meta = rules.meta
    plan: PlanInfo = {"id": meta.id, "name": meta.name, "version": located.plan_version,
                      "legal_basis": meta.legal_basis, "crs": meta.crs,
                      "checksum": meta.checksum}  # fmt: skip
    site: SiteInfo = {"area_m2": site_area, "covered_m2": covered, "outside_m2": outside,
                      "outside_share": outside_share, "geometry_type": geometry_type,
                      "lon": located.lon, "lat": located.lat}  # fmt: skip
    activity_info: ActivityInfo = {"kbli": entry.kbli, "judul": entry.judul,
                                   "kode_kegiatan": entry.kode_kegiatan,
                                   "kegiatan": activity.kegiatan if activity else None}  # fmt: skip
    return CheckResult(
        outcome=outcome,
        form=Form.PKKPR if pkkpr else Form.KKKPR,
        plan=plan,
        site=site,
        activity=activity_info,
        proposal=drawn.to_dict(),
        parts=parts,
        conditions=conditions,
        intensity=intensity,
        overlays=overlay_findings,
        rasters=raster_findings,
        rtrw=[_rtrw_part(h, indications) for h in located.rtrw],
        reasons=[summary, *reasons],
        conforming=conforming_rules.conforming(
            located,
            parts,
            [h for (h, _d), f in zip(hits, overlay_findings, strict=True) if forbids(f.efek)],
            raster_findings,
            rules.meta.crs,
        ),
        setbacks=setbacks,
    )


NO_INTENSITY = Intensity()


def _klb_bonus(
    rules: PlanRules,
    hits: list[tuple[OverlayHit, bool]],
    klb: intensity_rules.Limit | None,
    site_area: float,
    proposal: Proposal,
) -> tuple[intensity_rules.Limit | None, Reason | None]:
    """The KLB bonus of the first kind (by name) whose deciding area the site is in."""
    for jenis, bonus in _bonus_kinds(rules.meta):
        mine = [h for h, dec in hits if dec and h.jenis == jenis]
        if mine:
            layer = sum(h.area_m2 for h in mine if not h.source.startswith("pola_ruang."))
            flags = sum(h.area_m2 for h in mine if h.source.startswith("pola_ruang."))
            share = bonus_rules.share_in(layer, flags, site_area)
            return bonus_rules.apply(klb, jenis, bonus, share, proposal.tod_bonus)
    return bonus_rules.apply(klb, None, 0.0, 0.0, proposal.tod_bonus)


# the kinds whose plan table gives a KLB bonus and the bonus, by name, per plan meta
_bonus_kinds: PerObject[PlanMeta, list[tuple[str, float]]] = PerObject(
    lambda meta: sorted(bonus_rules.bonus_kinds(meta).items())
)


def _rtrw_part(hit: RtrwHit, indications: list[rtrw_rules.Indication]) -> RtrwPart:
    """A part of the site on the RTRW layer, with the RTRW matrix's class of the part
    (an indication for staff) where it has one."""
    part = RtrwPart(namobj=hit.namobj, jnsrpr=hit.jnsrpr, area_m2=hit.area_m2, indicative=True)
    for ind in indications:
        if ind.hit is hit:
            part["itbx"] = str(ind.itbx) if ind.itbx else None
            part["cell"] = ind.cell
            part["matrix"] = MatrixCell(
                file=rtrw_rules.FILE, line=ind.row.line if ind.row else None, column=ind.column
            )
            break
    return part


def _base_intensity(
    rules: PlanRules,
    kodszn: str,
    chosen: dict[str, class_rules.Selection],
    lot_area: float | None,
    located: Located,
) -> Intensity:
    """The sub-zone's row of intensitas.csv: its class row for this lot where the plan
    gives classes (kkpr.rules.classes, chosen once per sub-zone), else its default."""
    classes = rules.intensity_classes.get(kodszn)
    if not classes:
        return rules.intensity.get(kodszn, NO_INTENSITY)
    sel = chosen.get(kodszn)
    if sel is None:
        roads = getattr(located, "roads", None)
        sel = chosen[kodszn] = class_rules.select(
            kodszn,
            classes,
            rules.intensity.get(kodszn),
            lot_area,
            class_rules.road_keys(roads or ()),
            has_road_layer=roads is not None,
        )
    return sel.intensity or NO_INTENSITY


# an overlap of a drawn building and a zone part smaller than this (m²) is the noise of
# a shared edge, not standing on the part
STANDING_NOISE_M2 = 1e-3


def stands_on(footprint: BaseGeometry | None, part: BaseGeometry | None) -> bool:
    """Whether a drawn building stands on a zone part (unknown part: it may)."""
    if footprint is None or part is None:
        return True
    return float(shapely.area(shapely.intersection(footprint, part))) > STANDING_NOISE_M2


def subzone_gsb(limits: list[intensity_rules.PartLimits]) -> tuple[float, str] | None:
    """The largest GSB of the deciding parts (intensitas.csv or the polygon's own) and
    its sub-zone: the setback where no road of the plan says otherwise."""
    best: tuple[float, str] | None = None
    for p in limits:
        if p.intensity.gsb is not None and (best is None or p.intensity.gsb > best[0]):
            best = (float(p.intensity.gsb), p.kodszn)
    return best


class Cell(NamedTuple):
    """An ITBX cell of an activity row and a sub-zone column, as the check reads it."""

    cell: str | None  # the raw text (None: empty)
    cls: ItbxClass | None  # its class; an empty cell's as plan.toml [rules] empty_cell says
    codes: tuple[str, ...]  # the condition codes it holds
    itbx: str | None  # the class as a result keeps it (PartResult.itbx)
    code: str  # the reason code of a deciding part in this cell
    effect: Effect  # and its effect


def _read_cell(rules: PlanRules, kode_kegiatan: str, kodszn: str) -> Cell:
    cell = rules.cell(kode_kegiatan, kodszn)
    cls, codes = parse_cell(cell)
    if cell is None and rules.meta.rule_options.empty_cell:
        cls = ItbxClass(rules.meta.rule_options.empty_cell)  # as the plan declares
    return Cell(
        cell, cls, tuple(codes), str(cls) if cls else None, f"itbx.{cls or 'silent'}",
        CLASS_EFFECT[cls],
    )  # fmt: skip


# the cells read so far, per plan rules (and their meta, which says what an empty cell
# is), by activity row and sub-zone: a check reads one for each part
_cells_read: PerObject[PlanRules, tuple[PlanMeta, dict[str, dict[str, Cell]]]] = PerObject(
    lambda rules: (rules.meta, {})
)


def _cells_of(rules: PlanRules, kode_kegiatan: str) -> dict[str, Cell]:
    meta, rows = _cells_read(rules)
    if meta is not rules.meta:  # a store gave the rules a version of their meta
        _cells_read.kept.pop(id(rules), None)
        meta, rows = _cells_read(rules)
    row = rows.get(kode_kegiatan)
    if row is None:
        row = rows[kode_kegiatan] = {}
    return row


def _part_reason(
    kodszn: str,
    namszn: str | None,
    fid: str,
    area: float,
    share: float,
    point: bool,
    deciding: bool,
    read: Cell,
    entry: KbliEntry,
    kegiatan: str,
) -> Reason:
    cell, cls = read.cell, read.cls
    source = {
        "itbx": {"kode_kegiatan": entry.kode_kegiatan, "kodszn": kodszn, "cell": cell},
        "zone_fid": fid,
    }

    def texts() -> tuple[str, str]:
        zone = f"{kodszn}" + (f" ({namszn})" if namszn else "")
        if point:
            where_id, where_en = "Titik lokasi berada", "The point lies"
        else:
            (area_id, area_en), (share_id, share_en) = nums(area), pcts(share)
            where_id = f"Bagian tapak {area_id} m² ({share_id})"
            where_en = f"A site part of {area_en} m² ({share_en})"
        if not deciding:
            return (
                f"{where_id} di sub-zona {zone} di bawah toleransi rencana dan tidak menentukan hasil.",
                f"{where_en} in sub-zone {zone} is under the plan tolerance and does not decide.",
            )
        word_id, word_en = ITBX_WORDS[cls]
        cell_txt = f" [{cell}]" if cell else ""
        if cell is None and cls is not None:
            cell_txt = " (sel kosong / empty cell: plan.toml [rules] empty_cell)"
        return (
            f"{where_id} di sub-zona {zone}; kegiatan {kegiatan} (KBLI {entry.kbli}) "
            f"{word_id}{cell_txt} menurut matriks ITBX (baris {entry.kode_kegiatan}, kolom {kodszn}).",
            f"{where_en} in sub-zone {zone}; activity {kegiatan} (KBLI {entry.kbli}) is "
            f"{word_en}{cell_txt} by the ITBX matrix (row {entry.kode_kegiatan}, column {kodszn}).",
        )

    if not deciding:
        return Reason("zone.sliver", effect=Effect.INFO, source=source, render=texts)
    return Reason(read.code, effect=read.effect, source=source, render=texts)


def _outside_reason(outside: float, share: float, point: bool) -> Reason:
    if point:
        text_id = "Titik lokasi berada di luar zona RDTR"
        text_en = "The point lies outside every RDTR zone"
    else:
        text_id = f"{num_id(outside)} m² ({pct_id(share)}) tapak berada di luar zona RDTR"
        text_en = f"{num_en(outside)} m² ({pct_en(share)}) of the site lies outside every RDTR zone"
    return Reason(
        "site.outside_rdtr",
        f"{text_id}: dinilai melalui Persetujuan KKPR (PKKPR) terhadap RTRW.",
        f"{text_en}: it is assessed through a KKPR Approval (PKKPR) against the RTRW.",
        Effect.REVIEW,
        {"outside_m2": outside},
    )


def _rtrw_reasons(located: Located) -> list[Reason]:
    out = []
    for h in located.rtrw:
        lindung = (h.jnsrpr or "").lower().endswith("lindung")
        out.append(
            Reason(
                "rtrw.indication",
                f"Indikasi awal (tidak mengikat): RTRW menetapkan {h.namobj}"
                + (f" ({h.jnsrpr})" if h.jnsrpr else "")
                + (
                    " — kawasan lindung, kegiatan budi daya umumnya tidak diizinkan."
                    if lindung
                    else "."
                ),
                f"Preliminary indication (not binding): the RTRW designates {h.namobj}"
                + (f" ({h.jnsrpr})" if h.jnsrpr else "")
                + (
                    " — a protected area, where development is generally not permitted."
                    if lindung
                    else "."
                ),
                Effect.INFO,
                {"rtrw": h.namobj, "jnsrpr": h.jnsrpr, "indicative": True},
            )
        )
    return out


def _condition(
    code: str,
    cond: Condition | None,
    kodszn: list[str],
    proposal: Proposal,
    site_area: float | None,
) -> tuple[ConditionResult, list[Reason]]:
    if cond is None:
        teks = (
            "(teks ketentuan tidak ada pada paket rencana / condition text missing from the plan)"
        )
        return ConditionResult(code, teks, code[:1], kodszn), [
            Reason(
                "condition.missing",
                f"Ketentuan {code} berlaku tetapi teksnya tidak ada pada rencana; perlu kajian petugas.",
                f"Condition {code} applies but the plan has no text for it; staff must review.",
                Effect.REVIEW,
                {"condition": code},
            )
        ]
    result = ConditionResult(cond.kode, cond.teks, cond.kind, kodszn)
    reasons = [
        Reason(
            f"condition.{cond.kind.lower()}",
            f"Ketentuan {cond.kode}: {cond.teks}",
            f"Condition {cond.kode} applies: {cond.teks}",
            Effect.CONDITION,
            {"condition": cond.kode, "kodszn": kodszn},
        )
    ]
    floors = None if proposal.floors is None else float(proposal.floors)
    checks = [
        ("max_floor_area_m2", cond.max_floor_area_m2, proposal.floor_area_m2, "m²"),
        ("max_site_area_m2", cond.max_site_area_m2, site_area, "m²"),
        ("max_floors", cond.max_floors, floors, ""),
    ]
    for key, limit, value, unit in checks:
        if limit is None:
            continue
        ok = None if value is None else value <= limit + 1e-9
        result.checks.append({"limit": key, "max": limit, "proposed": value, "ok": ok})
        if ok is not True:
            reasons.append(_limit_reason(cond.kode, key, limit, value, unit))
    return result, reasons


LIMIT_NAMES = {
    "max_floor_area_m2": ("luas lantai", "floor area"),
    "max_site_area_m2": ("luas tapak", "site area"),
    "max_floors": ("jumlah lantai", "floors"),
}


def _limit_reason(kode: str, key: str, limit: float, value: float | None, unit: str) -> Reason:
    """A numeric T limit exceeded (value given) or not yet verifiable (value None)."""
    source = {"condition": kode, "limit": key, "max": limit}
    name_id, name_en = LIMIT_NAMES[key]
    if value is not None:

        def exceeded() -> tuple[str, str]:
            return (
                f"{name_id.capitalize()} {num_id(value)} {unit} melebihi batas ketentuan "
                f"{kode} ({num_id(limit)} {unit}).".replace("  ", " "),
                f"{name_en.capitalize()} {num_en(value)} {unit} exceeds the limit of condition "
                f"{kode} ({num_en(limit)} {unit}).".replace("  ", " "),
            )

        return Reason(f"condition.{key}.exceeded", effect=Effect.FORBIDS, source=source,
                      render=exceeded)  # fmt: skip

    def unverified() -> tuple[str, str]:
        return (
            f"Ketentuan {kode} membatasi {name_id} hingga {num_id(limit)} {unit}; "
            "isikan angkanya agar dapat diperiksa.".replace("  ", " "),
            f"Condition {kode} limits {name_en} to {num_en(limit)} {unit}; "
            "give the figure so it can be checked.".replace("  ", " "),
        )

    return Reason(f"condition.{key}.unverified", effect=Effect.CONDITION, source=source,
                  render=unverified)  # fmt: skip
