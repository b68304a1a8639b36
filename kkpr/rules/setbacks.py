"""Setbacks: the GSB of each road a site fronts, and the JBB, against a drawn footprint.

A plan may ship a road layer (``jaringan_jalan``: KUGI road fields, the function
FGSRJL, class KLSRJL, status STARJL, name NAMRJL/NAMOBJ) and a table of GSB (and JBB)
by road class (``gsb.csv``). The roads within ``frontage_m`` (plan.toml [setbacks]) of
the site are the roads it fronts; segments of one road (same name, function, class and
status) are one frontage. Each frontage gets the GSB of the most specific table row
that matches it, else the sub-zone's GSB of ``intensitas.csv`` (the fallback: the
largest of the deciding parts'), else none is known.

Without a drawn footprint the GSB are limits the result states. With one, the
footprint must stand behind each setback line: its distance from the road less the
site's own distance from it (the depth behind the road-facing boundary; ``setback_from
= "road"`` measures from the road line itself) is at least the GSB. The JBB (side and
rear) is measured from the rest of the boundary: the boundary less what lies within
the road's distance plus its GSB of a fronted road.

Without any fronted road, the sub-zone's GSB is stated as a limit only: which side of
the site faces a road is not known, so staff place it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import shapely
from shapely.geometry.base import BaseGeometry

from kkpr.model import Effect, Located, PlanRules, Reason, RoadHit, SetbackFinding, SetbackRow
from kkpr.text import num_en, num_id, nums

EPS = 1e-9  # the float slack every limit allows (as kkpr.rules.intensity)
GSB_FILE = "gsb.csv"
SUBZONE_FILE = "intensitas.csv"
_SPACES = re.compile(r"\s+")
_PREFIX = re.compile(r"^(JALAN|JLN\.?|JL\.?)\s+")


def road_key(value: object) -> str | None:
    """A road function, class or status as the table and the layer are matched:
    upper case, single spaces, without a leading "Jalan" ("Jalan Arteri Primer" and
    "arteri  primer" are one key); empty is None."""
    if value is None:
        return None
    if type(value) is str:  # a layer has few distinct values: each is read once
        return _text_key(value)
    return _road_key(value)


@lru_cache(maxsize=4096)
def _text_key(value: str) -> str | None:
    return _road_key(value)


def _road_key(value: object) -> str | None:
    text = _SPACES.sub(" ", str(value).strip().upper())
    if text in ("", "-", "NAN", "NONE", "TIDAK ADA"):
        return None
    return _PREFIX.sub("", text) or None


def row_for(rows: tuple[SetbackRow, ...], road: RoadHit) -> SetbackRow | None:
    """The most specific row of ``gsb.csv`` that matches the road (None matches any)."""
    keys = (road_key(road.fungsi), road_key(road.kelas), road_key(road.status))
    row_keys, memo = _row_keys(rows)
    if keys in memo:  # a layer has few classes of road: each is matched once per table
        return memo[keys]
    best: tuple[int, int] | None = None
    found = None
    for n, (row, wanted) in enumerate(zip(rows, row_keys, strict=True)):
        if any(w is not None and w != k for w, k in zip(wanted, keys, strict=True)):
            continue
        score = (sum(w is not None for w in wanted), -n)
        if best is None or score > best:
            best, found = score, row
    memo[keys] = found
    return found


# the keys of the rows of a gsb.csv, by the table (a plan's rules keep one tuple of rows)
RoadKeys = tuple[str | None, str | None, str | None]
_ROW_KEYS: dict[
    int, tuple[tuple[SetbackRow, ...], list[RoadKeys], dict[RoadKeys, SetbackRow | None]]
] = {}


def _row_keys(
    rows: tuple[SetbackRow, ...],
) -> tuple[list[RoadKeys], dict[RoadKeys, SetbackRow | None]]:
    """(function, class, status) keys of each row, worked out once per table, and the
    row found for each road's keys so far."""
    kept = _ROW_KEYS.get(id(rows))
    if kept is None or kept[0] is not rows:
        keys = [(road_key(r.fungsi), road_key(r.kelas), road_key(r.status)) for r in rows]
        if len(_ROW_KEYS) > 64:
            _ROW_KEYS.clear()
        kept = _ROW_KEYS[id(rows)] = (rows, keys, {})
    return kept[1], kept[2]


@dataclass(frozen=True)
class Frontage:
    """The segments of one road within the frontage distance of the site."""

    roads: tuple[RoadHit, ...]

    @property
    def first(self) -> RoadHit:
        return self.roads[0]

    @property
    def distance_m(self) -> float:
        return min(r.distance_m for r in self.roads)


def frontage_key(
    nama: str | None, fid: str, fungsi: str | None, kelas: str | None, status: str | None
) -> tuple[str | None, ...]:
    """What makes segments one frontage (shared with the array rules)."""
    name = nama if nama else f"\x00fid {fid}"
    return (name, road_key(fungsi), road_key(kelas), road_key(status))


def frontages(roads: list[RoadHit]) -> list[Frontage]:
    """Roads grouped by name, function, class and status, in layer order of their
    first segment (the stores report roads in layer order). An unnamed road is a
    frontage of its own: two unnamed streets at a corner are two frontages."""
    groups: dict[tuple[str | None, ...], list[RoadHit]] = {}
    for r in roads:
        groups.setdefault(frontage_key(r.nama, r.fid, r.fungsi, r.kelas, r.status), []).append(r)
    return [Frontage(tuple(g)) for g in groups.values()]


def evaluate(
    rules: PlanRules,
    located: Located,
    subzone_gsb: tuple[float, str] | None,
    footprint: BaseGeometry | None,
) -> tuple[list[SetbackFinding], list[Reason]]:
    """The setback findings and reasons of a site. ``subzone_gsb``: the largest GSB of
    the deciding parts and the sub-zone it comes from (the fallback)."""
    measured = rules.meta.rule_options.setback_from
    fronts = frontages(located.roads)
    if not fronts:
        if subzone_gsb is None:
            return [], []
        limit, kodszn = subzone_gsb
        finding = SetbackFinding(
            "subzone", None, None, None, None, [], None, limit, None,
            f"{SUBZONE_FILE} {kodszn}", measured,
        )  # fmt: skip
        return [finding], [_subzone_reason(limit, kodszn, footprint is not None)]
    findings: list[SetbackFinding] = []
    reasons: list[Reason] = []
    for front in fronts:
        road = front.first
        row = row_for(rules.setbacks, road)
        gsb: float | None = None
        jbb: float | None = None
        source = ""
        if row is not None:
            gsb, jbb, source = row.gsb, row.jbb, f"{GSB_FILE}: {_row_name(row)}"
        if gsb is None and subzone_gsb is not None:
            gsb, source = subzone_gsb[0], f"{SUBZONE_FILE} {subzone_gsb[1]}"
        finding = SetbackFinding(
            "frontage", road.nama, road.fungsi, road.kelas, road.status,
            [r.fid for r in front.roads], front.distance_m, gsb, jbb, source, measured,
        )  # fmt: skip
        if footprint is not None and gsb is not None:
            depth = _depth(footprint, front, measured)
            finding.distance_m = depth
            finding.ok = depth >= gsb - EPS
            finding.short_m = None if finding.ok else gsb - depth
        findings.append(finding)
        reasons.append(_frontage_reason(finding))
    if footprint is not None:
        jbb_finding = _jbb(located, fronts, findings, footprint, measured)
        if jbb_finding is not None:
            findings.append(jbb_finding)
            if jbb_finding.ok is False:
                reasons.append(_jbb_reason(jbb_finding))
    return findings, reasons


def _row_name(row: SetbackRow) -> str:
    return " / ".join(v for v in (row.fungsi, row.kelas, row.status) if v) or "*"


def _depth(footprint: BaseGeometry, front: Frontage, measured: str) -> float:
    """How far the footprint stands behind the line the GSB is measured from: per
    segment, its distance from the road less the site's own (from the road line itself
    when measured from the road); the least over the frontage's segments."""
    depths = []
    for r in front.roads:
        if r.geometry is None:
            continue
        to_road = float(shapely.distance(footprint, r.geometry))
        depths.append(to_road if measured == "road" else max(to_road - r.distance_m, 0.0))
    return min(depths) if depths else 0.0


def _jbb(
    located: Located,
    fronts: list[Frontage],
    findings: list[SetbackFinding],
    footprint: BaseGeometry,
    measured: str,
) -> SetbackFinding | None:
    """The side and rear clearance: the largest JBB of the frontages, from the boundary
    that faces no road (less the band each fronted road's GSB covers)."""
    jbbs = [f.jbb for f in findings if f.jbb is not None]
    if not jbbs:
        return None
    jbb = max(jbbs)
    bands = []
    for front, f in zip(fronts, findings, strict=True):
        for r in front.roads:
            reach = r.distance_m + (f.gsb or 0.0)
            if measured == "road":
                reach = max(f.gsb or 0.0, r.distance_m)
            if r.geometry is not None:
                bands.append(shapely.buffer(r.geometry, reach + EPS))
    rest = located.geometry.boundary
    if bands:
        rest = shapely.difference(rest, shapely.union_all(bands))
    if rest.is_empty:
        return None  # every side faces a road: no side or rear boundary
    distance = float(shapely.distance(footprint, rest))
    ok = distance >= jbb - EPS
    return SetbackFinding(
        "jbb", None, None, None, None, [], None, None, jbb, GSB_FILE, "boundary",
        distance, ok, None if ok else jbb - distance,
    )  # fmt: skip


def _road_words(f: SetbackFinding) -> tuple[str, str]:
    name = f.nama or "jalan tanpa nama"
    name_en = f.nama or "an unnamed road"
    cls = ", ".join(v for v in (f.fungsi, f.kelas, f.status) if v)
    return (
        f"{name}" + (f" ({cls})" if cls else " (kelas tidak diketahui)"),
        f"{name_en}" + (f" ({cls})" if cls else " (class unknown)"),
    )


def _from_words(measured: str) -> tuple[str, str]:
    if measured == "road":
        return "dari as jalan", "from the road line"
    return "dari batas tapak yang menghadap jalan", "from the site boundary facing the road"


def _frontage_reason(f: SetbackFinding) -> Reason:
    source = {"road_fids": list(f.road_fids), "gsb": f.gsb, "jbb": f.jbb, "from": f.source}
    if f.gsb is None:
        code, effect = "setback.gsb.unknown", Effect.INFO
    elif f.ok is False:
        code, effect = "setback.gsb.violated", Effect.FORBIDS
    else:
        code, effect = "setback.gsb", Effect.INFO

    def texts() -> tuple[str, str]:
        road_id, road_en = _road_words(f)
        from_id, from_en = _from_words(f.measured_from)
        jbb_id = jbb_en = ""
        if f.jbb is not None:
            jbb_id, jbb_en = (f"; JBB {n} m" for n in nums(f.jbb))
        if f.gsb is None:
            return (
                f"Tapak menghadap {road_id}; GSB untuk jalan ini tidak ada pada rencana "
                "(gsb.csv maupun intensitas.csv): petugas menentukannya.",
                f"The site fronts {road_en}; the plan gives no GSB for this road "
                "(neither gsb.csv nor intensitas.csv): staff set it.",
            )
        gsb_id, gsb_en = nums(f.gsb)
        head_id = f"Tapak menghadap {road_id}: GSB {gsb_id} m {from_id}{jbb_id} ({f.source})"
        head_en = f"The site fronts {road_en}: GSB {gsb_en} m {from_en}{jbb_en} ({f.source})"
        if f.distance_m is None:
            return (
                f"{head_id}; bangunan berdiri paling sedikit {gsb_id} m di belakang garis itu.",
                f"{head_en}; the building must stand at least {gsb_en} m behind that line.",
            )
        distance_id, distance_en = nums(f.distance_m, 2)
        if f.ok:
            return (
                f"{head_id}; bangunan yang digambar berdiri {distance_id} m di "
                "belakangnya: memenuhi.",
                f"{head_en}; the drawn building stands {distance_en} m behind it: it complies.",
            )
        short_id, short_en = nums(f.short_m or 0.0, 2)
        return (
            f"{head_id}; bangunan yang digambar hanya {distance_id} m di "
            f"belakangnya: melanggar GSB sisi {f.nama or 'jalan ini'} sebesar {short_id} m.",
            f"{head_en}; the drawn building stands only {distance_en} m behind it: "
            f"it crosses the setback of the {f.nama or 'road'} frontage by {short_en} m.",
        )

    return Reason(code, effect=effect, source=source, render=texts)


def _jbb_reason(f: SetbackFinding) -> Reason:
    jbb, distance, short = f.jbb or 0.0, f.distance_m or 0.0, f.short_m or 0.0
    return Reason(
        "setback.jbb.violated",
        f"Jarak bebas samping/belakang (JBB) {num_id(jbb)} m: bangunan yang digambar hanya "
        f"{num_id(distance, 2)} m dari batas tapak samping/belakang, kurang {num_id(short, 2)} m.",
        f"Side/rear clearance (JBB) {num_en(jbb)} m: the drawn building stands only "
        f"{num_en(distance, 2)} m from the side/rear boundary, {num_en(short, 2)} m short.",
        Effect.FORBIDS,
        {"jbb": jbb, "distance_m": distance},
    )


def _subzone_reason(gsb: float, kodszn: str, drawn: bool) -> Reason:
    tail_id = (
        " Sisi yang menghadap jalan tidak diketahui dari rencana: petugas memeriksa gambar bangunan."
        if drawn
        else ""
    )
    tail_en = (
        " The plan does not say which side faces a road: staff check the drawn building."
        if drawn
        else ""
    )
    return Reason(
        "setback.subzone",
        f"GSB {num_id(gsb)} m dari batas jalan (sub-zona {kodszn}, {SUBZONE_FILE}); tidak ada "
        f"jalan pada rencana di dekat tapak.{tail_id}",
        f"GSB {num_en(gsb)} m from the road edge (sub-zone {kodszn}, {SUBZONE_FILE}); the plan "
        f"has no road near the site.{tail_en}",
        Effect.INFO,
        {"gsb": gsb, "kodszn": kodszn},
    )
