"""The national geospatial catalogue's (KUGI) field names, and how kkpr reads them.

Published RDTR layers spell the fields in upper or lower case; kkpr matches them
case-insensitively and works with lower-case names internally.
"""

from __future__ import annotations

from typing import Any

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

_FALSY = {"", "0", "0.0", "tidak", "no", "n", "false", "f", "none", "null", "nan", "-"}


def flag_is_set(value: Any) -> bool:
    """A KUGI overlay flag is set unless it is empty, zero or says no."""
    if value is None:
        return False
    if isinstance(value, float) and value != value:  # NaN
        return False
    return str(value).strip().lower() not in _FALSY


def lower_columns(columns: list[str]) -> dict[str, str]:
    """Map of original column name -> lower-case name (geometry kept as is)."""
    return {c: (c if c == "geometry" else c.lower()) for c in columns}
