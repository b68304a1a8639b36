"""Intensity: KDB, KLB, KDH, JLB and TB of the deciding parts against the proposal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kkpr.model import Effect, Intensity, IntensityFinding, Proposal, Reason
from kkpr.text import num_en, num_id, nums

Texts = tuple[str, str]


# Limits and part limits are made many times per check and never changed after: plain
# slotted dataclasses, which are made three times faster than frozen ones
@dataclass(slots=True)
class Limit:
    value: float
    source: str  # where it comes from: "K-1", "K-1 fid 12", "KKOP fid 3"
    how: str = "single"  # single | weighted | strictest | cap
    parts: tuple[dict[str, Any], ...] = ()  # the parts it was computed from
    # how it was computed, in Indonesian and English; or what writes it when it is
    # read (most limits of a site are never read as a sentence: see ``sentences``)
    basis: Texts | Callable[[], Texts] = ("", "")

    def sentences(self) -> Texts:
        """``basis`` as (Indonesian, English), written now if it was deferred."""
        return self.basis() if callable(self.basis) else self.basis


@dataclass(slots=True)
class PartLimits:
    """A deciding part's limits: ``intensity`` merged from the polygon's own fields
    (``own``) over the sub-zone's row of ``intensitas.csv``."""

    kodszn: str
    fid: str
    area_m2: float
    intensity: Intensity
    own: Intensity


# rule -> (Intensity field, the stricter of two limits, unit)
RULES: dict[str, tuple[str, str, str]] = {
    "KDB": ("kdb", "min", "%"),
    "KLB": ("klb", "min", ""),
    "KDH": ("kdh", "max", "%"),
    "JLB": ("jlb", "min", "lantai/floors"),
    "TB": ("tb", "min", "m"),
}
# the lot ratios, area-weighted over a mixed lot (plan.toml [rules] mixed_intensity)
WEIGHTED = ("KDB", "KLB", "KDH")

NAMES = {
    "KDB": ("Koefisien Dasar Bangunan", "building coverage ratio"),
    "KLB": ("Koefisien Lantai Bangunan", "floor area ratio"),
    "KDH": ("Koefisien Dasar Hijau", "green coverage ratio"),
    "JLB": ("jumlah lantai bangunan", "number of floors"),
    "TB": ("tinggi bangunan", "building height"),
}
# what a weighted ratio allows on the lot, and its scale (KDB and KDH are percentages)
ALLOWS = {
    "KDB": ("luas dasar bangunan paling banyak", "an allowed footprint of at most", 0.01),
    "KLB": ("luas lantai bangunan paling banyak", "an allowed floor area of at most", 1.0),
    "KDH": ("ruang terbuka hijau paling sedikit", "a required green area of at least", 0.01),
}
SOURCE_FILE = "intensitas.csv"
SOURCE_LAYER = "pola_ruang"


def combine(
    parts: list[PartLimits],
    caps: list[Limit],
    mode: str,
    site_area: float | None,
    *,
    standing: list[PartLimits] | None = None,
) -> dict[str, Limit]:
    """The limit of each rule for the whole site, from its deciding parts and caps.

    KDB, KLB and KDH of parts that differ are weighted by the parts' areas (``mode``
    ``weighted``); a point site, or ``mode`` ``strictest``, takes the strictest part.
    Height and floors bind where the building stands; without a drawn footprint it
    may stand on any deciding part, so the strictest part (and height cap) binds;
    ``standing``: the parts a drawn footprint stands on, whose limits bind instead.
    """
    out: dict[str, Limit] = {}
    for rule, attr, least, weighted in _COMBINED:
        where = parts if standing is None or weighted else standing
        if len(where) == 1 and not (caps and rule == "TB"):  # one part: its own limit
            v = getattr(where[0].intensity, attr)
            if v is not None:
                lim = _part_limit(attr, where[0], float(v))
                lim.basis = _text(rule, lim)
                out[rule] = lim
            continue
        given = [(p, float(v)) for p in where if (v := getattr(p.intensity, attr)) is not None]
        cands = [_part_limit(attr, p, v) for p, v in given]
        if rule == "TB":
            cands += caps
        if not cands:
            continue
        if len(cands) == 1 or len({c.value for c in cands}) == 1:
            first = cands[0]
            out[rule] = Limit(
                first.value, first.source, "single", _parts(cands), _single_basis(rule, first)
            )
        elif weighted and mode == "weighted" and (total := sum(p.area_m2 for p, _v in given)) > 0:
            value = sum(v * p.area_m2 for p, v in given) / total
            out[rule] = _weighted(rule, value, given, total, site_area, _parts(cands))
        else:
            chosen = (min if least else max)(cands, key=_value_of)
            out[rule] = _strictest(rule, chosen, cands, mode, drawn=standing is not None)
    return out


# (rule, Intensity field, whether the least of two limits is the stricter, whether the
# rule is area-weighted over a mixed lot), in the order of RULES
_COMBINED = tuple(
    (rule, attr, how == "min", rule in WEIGHTED) for rule, (attr, how, _unit) in RULES.items()
)


def _value_of(lim: Limit) -> float:
    return lim.value


def _part_limit(attr: str, part: PartLimits, value: float) -> Limit:
    """A part's limit; its sentences are written by ``_text`` for the limits shown."""
    if getattr(part.own, attr) is None:
        detail = {"kodszn": part.kodszn, "fid": part.fid, "area_m2": part.area_m2,
                  "value": value, "from": SOURCE_FILE}  # fmt: skip
        return Limit(value, part.kodszn, "single", (detail,))
    detail = {"kodszn": part.kodszn, "fid": part.fid, "area_m2": part.area_m2, "value": value,
              "from": SOURCE_LAYER}  # fmt: skip
    return Limit(value, f"{part.kodszn} fid {part.fid}", "single", (detail,))


def _deferred(fn: Callable[..., Texts], *args: Any) -> Callable[[], Texts]:
    """``fn(*args)``, when asked for."""
    return lambda: fn(*args)


def _single_basis(rule: str, first: Limit) -> Texts | Callable[[], Texts]:
    """The basis of a limit all candidates agree on: ``_text(rule, first)``, written now
    (a part's sentence is one the plan has written before: see ``_text``); a cap keeps
    its own, deferred."""
    if first.how == "cap" or not first.parts:
        return first.basis
    return _text(rule, first)


def _text(rule: str, lim: Limit) -> Texts:
    """A single limit as a sentence in both languages (a cap has its own).

    A part's sentence depends on the rule, the value, the source and its file alone (a
    sub-zone's row of intensitas.csv, a polygon's own value), which a plan has few of:
    each is written once and kept (``_TEXTS``)."""
    if lim.how == "cap" or not lim.parts:
        return lim.sentences()
    value = lim.value
    key = (rule, value, lim.source, lim.parts[0]["from"])
    texts = _TEXTS.get(key)
    if texts is None:
        texts = _part_text(rule, lim)
        if len(_TEXTS) >= _TEXTS_KEPT:
            _TEXTS.clear()
        if value == value and value != 0.0:  # NaN and ±0.0 keys are not kept
            _TEXTS[key] = texts
    return texts


_TEXTS: dict[tuple[str, float, str, Any], Texts] = {}
_TEXTS_KEPT = 16384


def _part_text(rule: str, lim: Limit) -> Texts:
    file = f"{SOURCE_LAYER} {rule}" if lim.parts[0]["from"] == SOURCE_LAYER else SOURCE_FILE
    unit = RULES[rule][2]
    value_id, value_en = nums(lim.value, 2)
    return (
        f"{rule} {value_id}{UNITS_ID[unit]} dari {lim.source} ({file}).",
        f"{rule} {value_en}{UNITS_EN[unit]} from {lim.source} ({file}).",
    )


def _parts(cands: list[Limit]) -> tuple[dict[str, Any], ...]:
    if len(cands) == 1:
        return cands[0].parts
    return tuple(d for c in cands for d in c.parts)


def _weighted(
    rule: str,
    value: float,
    given: list[tuple[PartLimits, float]],
    total: float,
    site_area: float | None,
    details: tuple[dict[str, Any], ...],
) -> Limit:
    """The area-weighted limit of a rule; ``details``: the parts' limits it weighs."""
    source = "tertimbang/weighted: " + ", ".join(dict.fromkeys(p.kodszn for p, _v in given))
    basis = _deferred(_weighted_basis, rule, value, given, total, site_area)
    return Limit(value, source, "weighted", details, basis)


def _weighted_basis(
    rule: str,
    value: float,
    given: list[tuple[PartLimits, float]],
    total: float,
    site_area: float | None,
) -> Texts:
    unit = RULES[rule][2]
    sign_id, sign_en = UNITS_ID[unit], UNITS_EN[unit]
    terms_id, terms_en = [], []
    for p, v in given:
        (v_id, v_en), (area_id, area_en) = nums(v, 2), nums(p.area_m2)
        terms_id.append(f"{v_id}{sign_id} × {area_id} m² ({p.kodszn})")
        terms_en.append(f"{v_en}{sign_en} × {area_en} m² ({p.kodszn})")
    allows_id, allows_en, scale = ALLOWS[rule]
    tail_id = tail_en = ""
    if site_area:
        allowed = value * scale * site_area
        (site_id, site_en), (allowed_id, allowed_en) = nums(site_area), nums(allowed)
        tail_id = f"; pada tapak {site_id} m²: {allows_id} {allowed_id} m²"
        tail_en = f"; on the {site_en} m² site: {allows_en} {allowed_en} m²"
    (value_id, value_en), (total_id, total_en) = nums(value, 2), nums(total)
    return (
        f"{rule} {value_id}{sign_id}: rata-rata tertimbang luas bagian tapak, "
        f"({' + '.join(terms_id)}) / {total_id} m²{tail_id}.",
        f"{rule} {value_en}{sign_en}: area-weighted over the site's parts, "
        f"({' + '.join(terms_en)}) / {total_en} m²{tail_en}.",
    )


def _strictest(
    rule: str, chosen: Limit, cands: list[Limit], mode: str, drawn: bool = False
) -> Limit:
    how = "cap" if chosen.how == "cap" else "strictest"
    basis = _deferred(_strictest_basis, rule, chosen, cands, mode, drawn)
    return Limit(chosen.value, chosen.source, how, _parts(cands), basis)


def _strictest_basis(rule: str, chosen: Limit, cands: list[Limit], mode: str, drawn: bool) -> Texts:
    unit = RULES[rule][2]
    texts = [_text(rule, c) for c in cands]
    listed_id = "; ".join(t[0].rstrip(".") for t in texts)
    listed_en = "; ".join(t[1].rstrip(".") for t in texts)
    if rule in WEIGHTED and mode == "strictest":
        why_id, why_en = "rencana meminta batas terketat", "the plan asks for the strictest limit"
    elif rule in WEIGHTED:
        why_id, why_en = "lokasi berupa titik", "the site is a point"
    elif drawn:
        why_id = "bangunan yang digambar berdiri di atas bagian-bagian ini"
        why_en = "the drawn building stands on these parts"
    else:
        why_id = "bangunan dapat berdiri di bagian mana pun (tanpa gambar tapak bangunan)"
        why_en = "the building may stand on any part (no footprint drawn)"
    return (
        f"{rule} {num_id(chosen.value, 2)}{unit_id(unit)}: yang terketat, karena {why_id}, "
        f"dari {listed_id}.",
        f"{rule} {num_en(chosen.value, 2)}{unit_en(unit)}: the strictest, as {why_en}, "
        f"of {listed_en}.",
    )


def proposed(rule: str, proposal: Proposal, site_area: float | None) -> float | None:
    if rule == "JLB":
        return None if proposal.floors is None else float(proposal.floors)
    if rule == "TB":
        return proposal.height_m
    if not site_area:
        return None
    if rule == "KDB" and proposal.footprint_m2 is not None:
        return proposal.footprint_m2 / site_area * 100.0
    if rule == "KLB" and proposal.floor_area_m2 is not None:
        return proposal.floor_area_m2 / site_area
    if rule == "KDH" and proposal.green_area_m2 is not None:
        return proposal.green_area_m2 / site_area * 100.0
    return None


def evaluate(
    limits: dict[str, Limit], proposal: Proposal, site_area: float | None
) -> tuple[list[IntensityFinding], list[Reason]]:
    findings, reasons = [], []
    for rule, limit in limits.items():
        _attr, how, unit = RULES[rule]
        value = proposed(rule, proposal, site_area)
        ok = None
        if value is not None:
            # a tiny epsilon: 60.000000001% from float division is still 60%
            ok = value <= limit.value + 1e-9 if how == "min" else value >= limit.value - 1e-9
        basis = limit.basis
        if callable(basis):  # written when first read
            finding = IntensityFinding(
                rule, limit.value, value, ok, unit, limit.source, limit.how, list(limit.parts)
            ).defer_basis(basis)
        else:
            finding = IntensityFinding(
                rule, limit.value, value, ok, unit, limit.source, limit.how, list(limit.parts),
                basis[0], basis[1],
            )  # fmt: skip
        findings.append(finding)
        if ok is False and value is not None:
            reasons.append(
                Reason(
                    f"intensity.{rule.lower()}.exceeded",
                    effect=Effect.FORBIDS,
                    source={
                        "rule": rule,
                        "limit": limit.value,
                        "from": limit.source,
                        "how": limit.how,
                    },
                    render=_deferred(_exceeded, finding, value, how),
                )
            )
    return findings, reasons


def _exceeded(finding: IntensityFinding, value: float, how: str) -> Texts:
    """The sentences of a limit the proposal exceeds (and, for a limit of several
    parts, how the limit was computed)."""
    rule, unit, limit, source = finding.rule, finding.unit, finding.limit, finding.source
    name_id, name_en = NAMES[rule]
    word_id, word_en = ("melebihi", "exceeds") if how == "min" else ("kurang dari", "is below")
    shown = finding.how in ("weighted", "strictest")
    return (
        f"{rule} ({name_id}) yang diusulkan {num_id(value, 2)}{unit_id(unit)} "
        f"{word_id} batas {num_id(limit, 2)}{unit_id(unit)} ({source})."
        + (f" {finding.basis_id}" if shown else ""),
        f"Proposed {rule} ({name_en}) {num_en(value, 2)}{unit_en(unit)} "
        f"{word_en} the limit {num_en(limit, 2)}{unit_en(unit)} ({source})."
        + (f" {finding.basis_en}" if shown else ""),
    )


UNITS_ID = {"%": "%", "m": " m", "": "", "lantai/floors": " lantai"}
UNITS_EN = {"%": "%", "m": " m", "": "", "lantai/floors": " floors"}


def unit_id(unit: str) -> str:
    return UNITS_ID[unit]


def unit_en(unit: str) -> str:
    return UNITS_EN[unit]
