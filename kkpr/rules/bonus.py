"""The KLB bonus of a special-provision area, granted only when the proposal asks
(issue 18 item 8): a TOD area's plan may allow more floor area (plan.toml
``[overlay.TOD] klb_bonus``), but only a proposal that asks for it (``tod_bonus``) and
meets what the bonus requires gets it; it is never granted unasked.

The bonus raises the site's KLB limit by ``klb_bonus`` on the share of the site in the
area: allowed floor area = Σ KLB_i × area_i + bonus × area in the area. Written once,
read by the single check and the array rules.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kkpr.model import Effect, PlanMeta, Reason
from kkpr.rules.intensity import Limit
from kkpr.text import num_en, num_id, pct_en, pct_id


@dataclass(frozen=True)
class BonusArea:
    jenis: str
    bonus: float
    area_m2: float


def bonus_kinds(meta: PlanMeta) -> dict[str, float]:
    """The kinds whose plan table gives a KLB bonus, and the bonus."""
    return {j: r.klb_bonus for j, r in meta.overlay_rules.items() if r.klb_bonus}


def share_in(layer_m2: float, flag_m2: float, site_area: float) -> float:
    """The share of the site in the area: its layer features or its flagged zone parts
    (which may describe the same ground: the larger counts), at most the whole site."""
    if site_area <= 0:
        return 1.0
    return min(1.0, max(layer_m2, flag_m2) / site_area)


def apply(
    klb: Limit | None, jenis: str | None, bonus: float, share: float, asked: bool
) -> tuple[Limit | None, Reason | None]:
    """The KLB limit with the bonus where asked for, and the reason that says so."""
    if jenis is None or not bonus:
        if not asked:
            return klb, None
        return klb, Reason(
            "tod.bonus.not_applicable",
            "Bonus KLB diminta, tetapi tapak tidak berada di kawasan yang rencananya "
            "memberi bonus KLB; batas KLB tidak berubah.",
            "A KLB bonus was asked for, but the site is in no area whose plan grants one; "
            "the KLB limit is unchanged.",
            Effect.INFO,
            {"asked": True},
        )
    extra = bonus * share
    source = {"overlay": jenis, "klb_bonus": bonus, "share": share, "asked": asked}
    if not asked:
        return klb, Reason(
            "tod.bonus.available",
            f"Tapak berada di kawasan {jenis}: bonus KLB {num_id(bonus, 2)} dapat diminta "
            f"(tod_bonus) dengan memenuhi ketentuannya; tidak diberikan tanpa diminta.",
            f"The site lies in a {jenis} area: a KLB bonus of {num_en(bonus, 2)} may be asked "
            "for (tod_bonus), meeting its provisions; it is not granted unasked.",
            Effect.INFO,
            source,
        )
    if klb is None:
        return klb, Reason(
            "tod.bonus.not_applicable",
            f"Bonus KLB {jenis} diminta, tetapi bagian tapak tidak memiliki batas KLB untuk "
            "ditambah.",
            f"The {jenis} KLB bonus was asked for, but the site's parts have no KLB limit to "
            "raise.",
            Effect.INFO,
            source,
        )
    value = klb.value + extra
    basis = (
        f"KLB {num_id(value, 2)}: {num_id(klb.value, 2)} ditambah bonus {jenis} "
        f"{num_id(bonus, 2)} × {pct_id(share)} tapak di kawasan {jenis} (diminta).",
        f"KLB {num_en(value, 2)}: {num_en(klb.value, 2)} plus the {jenis} bonus "
        f"{num_en(bonus, 2)} × {pct_en(share)} of the site in the {jenis} area (asked for).",
    )
    raised = replace(klb, value=value, source=f"{klb.source} + bonus {jenis}", how="bonus",
                     basis=basis)  # fmt: skip
    return raised, Reason(
        "tod.bonus.applied",
        f"Bonus KLB {jenis} diberikan karena diminta: {basis[0]} Ketentuan bonus harus dipenuhi.",
        f"The {jenis} KLB bonus is granted as asked: {basis[1]} The bonus's provisions "
        "must be met.",
        Effect.CONDITION,
        source,
    )
