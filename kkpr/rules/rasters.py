"""Hazard and slope findings from the statistics a store measured on the plan's rasters."""

from __future__ import annotations

from kkpr.model import Effect, RasterFinding, RasterSpec, RasterStat, Reason
from kkpr.rules.words import num_en, num_id, pct_en, pct_id


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
        if not exceeded:
            effect, tail_id, tail_en = (
                Effect.INFO,
                f"dalam batas {pct_id(spec.max_share)}",
                f"within the {pct_en(spec.max_share)} allowed",
            )
        elif spec.efek == "X":
            effect, tail_id, tail_en = (
                Effect.FORBIDS,
                f"melebihi {pct_id(spec.max_share)} yang diperbolehkan; tidak layak dibangun",
                f"more than the {pct_en(spec.max_share)} allowed; not buildable",
            )
        elif spec.efek == "B":
            effect, tail_id, tail_en = (
                Effect.CONDITION,
                f"melebihi {pct_id(spec.max_share)}; wajib kajian/mitigasi",
                f"more than {pct_en(spec.max_share)}; a study/mitigation is required",
            )
        else:
            effect, tail_id, tail_en = (
                Effect.INFO,
                f"melebihi {pct_id(spec.max_share)}",
                f"more than {pct_en(spec.max_share)}",
            )
        reasons.append(
            Reason(
                code=f"raster.{spec.id}",
                id=f"{spec.label_id if spec.kind == 'dem' else 'Raster'}: {what_id}; {tail_id}.",
                en=f"{spec.label_en if spec.kind == 'dem' else 'Raster'}: {what_en}; {tail_en}.",
                effect=effect,
                source={
                    "raster": spec.id,
                    "path": spec.path,
                    "threshold": limit,
                    "max_share": spec.max_share,
                },
            )
        )
    return findings, reasons
