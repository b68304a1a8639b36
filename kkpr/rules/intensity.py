"""Intensity: KDB, KLB, KDH, JLB and TB of the deciding parts against the proposal."""

from __future__ import annotations

from dataclasses import dataclass

from kkpr.model import Effect, Intensity, IntensityFinding, Proposal, Reason
from kkpr.rules.words import num_en, num_id


@dataclass(frozen=True)
class Limit:
    value: float
    source: str  # where it comes from: "K-1", "K-1 fid 12", "KKOP fid 3"


# rule -> (Intensity field, the stricter of two limits, unit)
RULES: dict[str, tuple[str, str, str]] = {
    "KDB": ("kdb", "min", "%"),
    "KLB": ("klb", "min", ""),
    "KDH": ("kdh", "max", "%"),
    "JLB": ("jlb", "min", "lantai/floors"),
    "TB": ("tb", "min", "m"),
}

NAMES = {
    "KDB": ("Koefisien Dasar Bangunan", "building coverage ratio"),
    "KLB": ("Koefisien Lantai Bangunan", "floor area ratio"),
    "KDH": ("Koefisien Dasar Hijau", "green coverage ratio"),
    "JLB": ("jumlah lantai bangunan", "number of floors"),
    "TB": ("tinggi bangunan", "building height"),
}


def strictest(limits: list[tuple[Intensity, str]], caps: list[Limit]) -> dict[str, Limit]:
    """The strictest limit of each rule over the deciding parts, caps included (TB)."""
    out: dict[str, Limit] = {}
    for rule, (attr, how, _unit) in RULES.items():
        candidates = [
            Limit(float(v), src)
            for intensity, src in limits
            if (v := getattr(intensity, attr)) is not None
        ]
        if rule == "TB":
            candidates += caps
        if candidates:
            pick = min if how == "min" else max
            out[rule] = pick(candidates, key=lambda lim: lim.value)
    return out


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
        findings.append(IntensityFinding(rule, limit.value, value, ok, unit, limit.source))
        if ok is False and value is not None:
            name_id, name_en = NAMES[rule]
            word_id, word_en = (
                ("melebihi", "exceeds") if how == "min" else ("kurang dari", "is below")
            )
            reasons.append(
                Reason(
                    code=f"intensity.{rule.lower()}.exceeded",
                    id=f"{rule} ({name_id}) yang diusulkan {num_id(value, 2)}{unit_id(unit)} "
                    f"{word_id} batas {num_id(limit.value, 2)}{unit_id(unit)} ({limit.source}).",
                    en=f"Proposed {rule} ({name_en}) {num_en(value, 2)}{unit_en(unit)} "
                    f"{word_en} the limit {num_en(limit.value, 2)}{unit_en(unit)} ({limit.source}).",
                    effect=Effect.FORBIDS,
                    source={"rule": rule, "limit": limit.value, "from": limit.source},
                )
            )
    return findings, reasons


def unit_id(unit: str) -> str:
    return {"%": "%", "m": " m", "": "", "lantai/floors": " lantai"}[unit]


def unit_en(unit: str) -> str:
    return {"%": "%", "m": " m", "": "", "lantai/floors": " floors"}[unit]
