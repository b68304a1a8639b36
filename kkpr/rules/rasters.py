"""Hazard and slope findings from the statistics a store measured on the plan's rasters."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from kkpr.model import Effect, RasterFinding, RasterSpec, RasterStat, Reason
from kkpr.rules.effects import efek_effect
from kkpr.text import nums, pcts


def evaluate(
    specs: tuple[RasterSpec, ...], stats: list[RasterStat]
) -> tuple[list[RasterFinding], list[Reason]]:
    by_id = {s.id: s for s in stats}
    findings, reasons = [], []
    for spec in specs:
        stat = by_id.get(spec.id)
        if stat is None or stat.cells == 0:
            continue
        limit = spec.slope_limit_pct if spec.kind == "dem" else spec.threshold
        share = stat.share_above
        exceeded = share is not None and share > spec.max_share + 1e-12
        findings.append(
            RasterFinding(
                spec.id, spec.kind, spec.label_id, spec.label_en, stat.max, stat.mean, share,
                limit, spec.max_share, spec.efek, exceeded,
            )
        )  # fmt: skip
        if share is None or limit is None:
            continue
        reasons.append(_reason(spec, stat, share, limit, exceeded))
    return findings, reasons


# the Indonesian and English tail of an exceeded limit's sentence, by the effect of the
# raster's EFEK code (kkpr.rules.effects), with the share allowed in place of {}
TAILS: Mapping[Effect, tuple[str, str]] = MappingProxyType({
    Effect.FORBIDS: (
        "melebihi {} yang diperbolehkan; tidak layak dibangun",
        "more than the {} allowed; not buildable",
    ),
    Effect.CONDITION: (
        "melebihi {}; wajib kajian/mitigasi",
        "more than {}; a study/mitigation is required",
    ),
    Effect.INFO: ("melebihi {}", "more than {}"),
})  # fmt: skip
WITHIN = ("dalam batas {}", "within the {} allowed")


def _reason(
    spec: RasterSpec, stat: RasterStat, share: float, limit: float, exceeded: bool
) -> Reason:
    effect = efek_effect(spec.efek) if exceeded else Effect.INFO

    def texts() -> tuple[str, str]:
        allowed_id, allowed_en = pcts(spec.max_share)
        share_id, share_en = pcts(share)
        if spec.kind == "dem":
            limit_id, limit_en = nums(limit, 0)
            what_id = f"{share_id} tapak lebih curam dari {limit_id}%"
            what_en = f"{share_en} of the site is steeper than {limit_en}%"
        else:
            (max_id, max_en), (mean_id, mean_en) = nums(stat.max or 0, 2), nums(stat.mean or 0, 2)
            limit_id, limit_en = nums(limit, 2)
            what_id = (
                f"{spec.label_id}: maksimum {max_id}, rata-rata "
                f"{mean_id}; {share_id} tapak ≥ {limit_id}"
            )
            what_en = (
                f"{spec.label_en}: maximum {max_en}, mean "
                f"{mean_en}; {share_en} of the site ≥ {limit_en}"
            )
        form_id, form_en = TAILS[effect] if exceeded else WITHIN
        tail_id, tail_en = form_id.format(allowed_id), form_en.format(allowed_en)
        head_id = spec.label_id if spec.kind == "dem" else "Raster"
        head_en = spec.label_en if spec.kind == "dem" else "Raster"
        return f"{head_id}: {what_id}; {tail_id}.", f"{head_en}: {what_en}; {tail_en}."

    return Reason(
        f"raster.{spec.id}",
        effect=effect,
        source={
            "raster": spec.id,
            "path": spec.path,
            "threshold": limit,
            "max_share": spec.max_share,
        },
        render=texts,
    )
