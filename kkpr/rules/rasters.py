"""Hazard and slope findings from the statistics a store measured on the plan's rasters."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from kkpr.model import Effect, RasterFinding, RasterSpec, RasterStat, Reason
from kkpr.rules.effects import efek_effect
from kkpr.text import num_en, num_id, pct_en, pct_id


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
                id=spec.id,
                kind=spec.kind,
                label_id=spec.label_id,
                label_en=spec.label_en,
                max=stat.max,
                mean=stat.mean,
                share_above=share,
                threshold=limit,
                max_share=spec.max_share,
                efek=spec.efek,
                exceeded=exceeded,
            )
        )
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
        allowed_id, allowed_en = pct_id(spec.max_share), pct_en(spec.max_share)
        if spec.kind == "dem":
            what_id = f"{pct_id(share)} tapak lebih curam dari {num_id(limit, 0)}%"
            what_en = f"{pct_en(share)} of the site is steeper than {num_en(limit, 0)}%"
        else:
            what_id = (
                f"{spec.label_id}: maksimum {num_id(stat.max or 0, 2)}, rata-rata "
                f"{num_id(stat.mean or 0, 2)}; {pct_id(share)} tapak ≥ {num_id(limit, 2)}"
            )
            what_en = (
                f"{spec.label_en}: maximum {num_en(stat.max or 0, 2)}, mean "
                f"{num_en(stat.mean or 0, 2)}; {pct_en(share)} of the site ≥ {num_en(limit, 2)}"
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
