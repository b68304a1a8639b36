"""The national geospatial catalogue (KUGI) as kkpr knows it: field names, the overlay
flags of zone polygons, and the one catalogue of special-provision kinds.

Shared by the plan reader (``kkpr.plan``), the rules (``kkpr.rules``) and the stores, so
that the rules need not import the plan reader: it holds names and defaults, no reading.
The kinds, their names and the effect a zone-polygon flag has when the plan says
nothing else are in ``overlay_kinds.toml`` beside this module; a plan overrides any of
them in ``plan.toml`` (``[overlay.KRB] efek = "X"``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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

# What published layers write in an overlay flag field to mean "not set" (compared in
# any case, with stray spaces ignored). A plan may give its own list in plan.toml
# ``[flags] none = [...]``; every other value is a real flag and its text is kept.
FLAG_NONE_DEFAULT: tuple[str, ...] = ("Tidak Ada", "-", "0", "")


@dataclass(frozen=True)
class OverlayKind:
    jenis: str
    nama_id: str
    nama_en: str
    efek: str | None
    exempt_kbli_prefixes: tuple[str, ...] = ()
    # effect per activity group (KBLI section letter or code prefix -> I, B or X):
    # kkpr.rules.activity_groups; an exempt prefix is a group with "I"
    efek_kegiatan: tuple[tuple[str, str], ...] = ()


@lru_cache
def overlay_kinds() -> dict[str, OverlayKind]:
    """The catalogue of special-provision kinds, by JENIS, read once."""
    raw = tomllib.loads((Path(__file__).with_name("overlay_kinds.toml")).read_text("utf-8"))
    return {
        jenis: OverlayKind(
            jenis=jenis,
            nama_id=v["nama_id"],
            nama_en=v["nama_en"],
            efek=v.get("efek") or None,
            exempt_kbli_prefixes=tuple(v.get("exempt_kbli_prefixes", ())),
            efek_kegiatan=tuple(
                {
                    **{p: "I" for p in v.get("exempt_kbli_prefixes", ())},
                    **{
                        str(g).upper(): str(e).upper()
                        for g, e in v.get("efek_kegiatan", {}).items()
                    },
                }.items()
            ),
        )
        for jenis, v in raw.items()
    }


@lru_cache(maxsize=256)
def kind_of(jenis: str) -> OverlayKind:
    """The catalogue entry, or a neutral one for a kind the plan documents itself."""
    return overlay_kinds().get(jenis.upper(), OverlayKind(jenis.upper(), jenis, jenis, None))


def flag_description(text: str | None) -> str | None:
    """What a set flag's text tells a reader: nothing when it is only a number (a yes/no
    flag written as 1), else the text itself (``Kawasan Rawan Banjir - Tinggi``)."""
    if text is None:
        return None
    try:
        float(text)
    except ValueError:
        return text
    return None
