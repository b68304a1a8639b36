"""The PNBP bill estimate of a PKKPR: a tariff by land area and purpose, from settings.

The land office's technical consideration (Pertek) is paid as PNBP. The estimate is
``base + ceil(area / unit) * per_unit`` with the tariff of the application's purpose
(``berusaha`` or ``non_berusaha``), ``below`` or ``above`` the area threshold; every
figure is a setting (``Settings.pnbp_rates``, ``Settings.pnbp_area_threshold_m2``).
The bill staff issue may differ from the estimate; both are kept.
"""

from __future__ import annotations

import math
from enum import StrEnum

from typing_extensions import TypedDict

from kkpr.errors import InvalidInput
from kkpr.settings import Settings


class Purpose(StrEnum):
    BERUSAHA = "berusaha"  # a business activity
    NON_BERUSAHA = "non_berusaha"  # a house, a place of worship, a public facility


class PnbpEstimate(TypedDict):
    """The estimated bill, with the figures it was computed from (``estimate``)."""

    purpose: str
    area_m2: float
    band: str  # above | below the area threshold
    threshold_m2: float
    units: int
    base_idr: float
    per_unit_idr: float
    unit_m2: float
    nominal: int  # rupiah


def estimate(area_m2: float | None, purpose: Purpose | str, settings: Settings) -> PnbpEstimate:
    """The estimated bill, with the figures it was computed from."""
    if area_m2 is None or area_m2 <= 0:
        raise InvalidInput(
            "Luas tanah tidak diketahui: tagihan PNBP tidak dapat diperkirakan",
            "The land area is unknown: the PNBP bill cannot be estimated",
            where="land_area_m2",
            hint_id="Isi luas tanah (m²) untuk lokasi berupa titik",
            hint_en="State the land area (m²) for a point site",
        )
    rates = settings.pnbp_rates.get(str(purpose))
    if rates is None:
        raise InvalidInput(
            f"Tarif PNBP untuk peruntukan {purpose!r} tidak diatur",
            f"No PNBP tariff is set for purpose {purpose!r}",
            where="purpose",
            hint_id=f"Gunakan salah satu: {', '.join(settings.pnbp_rates)}",
            hint_en=f"Use one of: {', '.join(settings.pnbp_rates)}",
        )
    band = "above" if area_m2 >= settings.pnbp_area_threshold_m2 else "below"
    rate = getattr(rates, band)
    units = math.ceil(area_m2 / rate.unit_m2)
    return {
        "purpose": str(purpose),
        "area_m2": round(area_m2, 2),
        "band": band,
        "threshold_m2": settings.pnbp_area_threshold_m2,
        "units": units,
        "base_idr": rate.base_idr,
        "per_unit_idr": rate.per_unit_idr,
        "unit_m2": rate.unit_m2,
        "nominal": round(rate.base_idr + units * rate.per_unit_idr),
    }
