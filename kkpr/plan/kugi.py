"""The national geospatial catalogue's (KUGI) field names, and how kkpr reads them.

The catalogue (field names, flags, overlay kinds) is ``kkpr.kugi``, which the rules
share; this module reads values with it. Published RDTR layers spell the fields in
upper or lower case; kkpr matches them case-insensitively and works with lower-case
names internally.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

# the catalogue itself is kkpr.kugi (shared with the rules): named here for the readers
from kkpr.kugi import FLAG_JENIS, FLAG_NONE_DEFAULT, INTENSITY_FIELDS, ZONE_FIELDS, overlay_kinds

__all__ = [
    "FLAG_JENIS",
    "FLAG_NONE_DEFAULT",
    "INTENSITY_FIELDS",
    "OVERLAY_KINDS",
    "ZONE_FIELDS",
    "flag_is_set",
    "flag_text",
    "lower_columns",
    "none_key",
]

# the kinds a plan may use without documenting them: the one catalogue's
OVERLAY_KINDS = tuple(overlay_kinds())


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
