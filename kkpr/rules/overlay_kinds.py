"""The catalogue of special-provision kinds (``overlay_kinds.toml``), read once."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class OverlayKind:
    jenis: str
    nama_id: str
    nama_en: str
    efek: str | None
    exempt_kbli_prefixes: tuple[str, ...] = ()


@lru_cache
def overlay_kinds() -> dict[str, OverlayKind]:
    raw = tomllib.loads((Path(__file__).with_name("overlay_kinds.toml")).read_text("utf-8"))
    return {
        jenis: OverlayKind(
            jenis=jenis,
            nama_id=v["nama_id"],
            nama_en=v["nama_en"],
            efek=v.get("efek") or None,
            exempt_kbli_prefixes=tuple(v.get("exempt_kbli_prefixes", ())),
        )
        for jenis, v in raw.items()
    }


@lru_cache(maxsize=256)
def kind_of(jenis: str) -> OverlayKind:
    """The catalogue entry, or a neutral one for a kind the plan documents itself."""
    return overlay_kinds().get(jenis.upper(), OverlayKind(jenis.upper(), jenis, jenis, None))
