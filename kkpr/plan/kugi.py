"""The national geospatial catalogue's (KUGI) field names, and how kkpr reads them.

Published RDTR layers spell the fields in upper or lower case; kkpr matches them
case-insensitively and works with lower-case names internally.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

ZONE_FIELDS = ("kodszn", "namszn", "kodzon", "namzon", "kodblk", "kodsbl", "wadmkc", "wadmkd")
INTENSITY_FIELDS = ("kdb", "klb", "kdh", "ktb", "tb", "jlb", "gsb")

# Overlay flags on zone polygons -> the overlay kind (JENIS) they stand for.
FLAG_JENIS: dict[str, str] = {
    "kkop_1": "KKOP",
    "lp2b_2": "LP2B",
    "krb_03": "KRB",
    "tod_04": "TOD",
    "teb_05": "TEB",
    "puslit": "PUSLIT",
    "cagbud": "CAGBUD",
    "resair": "RESAPAN",
    "ksmpdn": "SEMPADAN",
    "hankam": "HANKAM",
    "kkarst": "KARST",
    "ptbgmb": "PTBGMB",
    "mgrsat": "MGRSAT",
    "rdbumi": "RDBUMI",
}

OVERLAY_KINDS = (
    "KKOP",
    "KRB",
    "LP2B",
    "CAGBUD",
    "SEMPADAN",
    "TOD",
    "HANKAM",
    "KARST",
    "RESAPAN",
)

# What published layers write in an overlay flag field to mean "not set" (compared in
# any case, with stray spaces ignored). A plan may give its own list in plan.toml
# ``[flags] none = [...]``; every other value is a real flag and its text is kept.
FLAG_NONE_DEFAULT: tuple[str, ...] = ("Tidak Ada", "-", "0", "")


def none_key(value: str) -> str:
    """How a "none" value is compared: case-folded, inner runs of spaces made one."""
    return " ".join(value.split()).casefold()


def flag_text(value: Any, none_keys: frozenset[str]) -> str | None:
    """A flag field's value as read: None when it means "not set", else its text.

    Numbers are written as they read (``1``, not ``1.0``), so ``0`` and ``0.0`` are
    both the text "0".
    """
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return None
        if float(value).is_integer():
            value = int(value)
    text = " ".join(str(value).split())
    return None if none_key(text) in none_keys else text


def per_distinct(values: pd.Series, fn: Callable[[Any], Any]) -> np.ndarray:
    """``fn`` of every value, computed once per distinct value (a 500,000-polygon layer
    holds a handful of distinct flag texts); ``fn(None)`` for nulls."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:] = [fn(u) for u in uniques.tolist()] + [fn(None)]
    return mapped[codes]


def flag_is_set(value: Any) -> bool:
    """Whether a flag field, as ``kkpr.plan.package`` leaves it (text or None), is set."""
    return isinstance(value, str) and bool(value)


def lower_columns(columns: list[str]) -> dict[str, str]:
    """Map of original column name -> lower-case name (geometry kept as is)."""
    return {c: (c if c == "geometry" else c.lower()) for c in columns}
