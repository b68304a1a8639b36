"""Special provisions (ketentuan khusus): overlays a site touches and what they do.

An overlay comes from the plan's ``ketentuan_khusus`` layer (its EFEK column says what
it does; empty informs) or from a KUGI flag on a zone polygon (``KKOP_1``, ``KRB_03``
...), whose effect is the plan's ``[overlay.<JENIS>]`` setting or the catalogue
default in ``kkpr/overlay_kinds.toml`` (``kkpr.kugi``).
"""

from __future__ import annotations

from kkpr.kugi import FLAG_JENIS, flag_description, kind_of
from kkpr.model import Effect, OverlayFinding, OverlayHit, PlanMeta, Reason, ZoneHit
from kkpr.rules.intensity import Limit
from kkpr.text import num_en, num_id, pct_en, pct_id

FLAG_COLUMN = {jenis: column.upper() for column, jenis in FLAG_JENIS.items()}


def flag_hits(zones: list[ZoneHit], deciding: list[bool]) -> list[tuple[OverlayHit, bool]]:
    """Overlay hits from flags on the zone polygons the site overlaps."""
    out = []
    for zone, dec in zip(zones, deciding, strict=True):
        texts = zone.flag_texts or (None,) * len(zone.flags)
        for jenis, text in zip(zone.flags, texts, strict=True):
            hit = OverlayHit(
                fid=zone.fid,
                jenis=jenis,
                area_m2=zone.area_m2,
                keterangan=flag_description(text),  # e.g. "Kawasan Rawan Banjir - Tinggi"
                source=f"pola_ruang.{FLAG_COLUMN.get(jenis, jenis)}",
                efek=None,
                part=zone.part,
            )
            out.append((hit, dec))
    return out


def effect_of(hit: OverlayHit, meta: PlanMeta, kbli: str) -> str | None:
    kind = kind_of(hit.jenis)
    if hit.source.startswith("pola_ruang."):
        efek = meta.overlay_effects.get(hit.jenis, kind.efek)
    else:
        efek = hit.efek
    if efek and any(kbli.startswith(p) for p in kind.exempt_kbli_prefixes):
        return None  # e.g. farming on LP2B land is what the overlay protects
    return efek or None


def evaluate(
    hits: list[tuple[OverlayHit, bool]], meta: PlanMeta, kbli: str, site_area: float
) -> tuple[list[OverlayFinding], list[Reason], list[Limit]]:
    findings, reasons, caps = [], [], []
    for hit, deciding in hits:
        efek = effect_of(hit, meta, kbli)
        share = hit.area_m2 / site_area if site_area > 0 else 1.0
        findings.append(
            OverlayFinding(
                jenis=hit.jenis,
                efek=efek,
                keterangan=hit.keterangan,
                tb=hit.tb,
                area_m2=hit.area_m2,
                share=share,
                deciding=deciding,
                source=hit.source,
                fid=hit.fid,
            )
        )
        if hit.tb is not None and deciding:
            caps.append(_cap(hit, hit.tb))
        reasons.append(_reason(hit, efek, deciding, share, site_area))
    return findings, reasons, caps


def _cap(hit: OverlayHit, tb: float) -> Limit:
    source = f"{hit.jenis} {hit.source} fid {hit.fid}"
    return Limit(
        tb,
        source,
        "cap",
        ({"overlay": hit.jenis, "fid": hit.fid, "value": tb, "from": hit.source},),
        (
            f"TB {num_id(tb, 2)} m: batas tinggi {hit.jenis} ({source}).",
            f"TB {num_en(tb, 2)} m: the height cap of {hit.jenis} ({source}).",
        ),
    )


TAILS = {  # (deciding, efek) -> effect, Indonesian and English tail of the sentence
    False: (Effect.INFO, "bagian ini di bawah toleransi, tidak menentukan",
            "this part is under the tolerance and does not decide"),
    "X": (Effect.FORBIDS, "kegiatan bangunan dilarang di sini", "building activity is forbidden here"),
    "B": (Effect.CONDITION, "menambah persyaratan", "it adds a condition"),
    None: (Effect.INFO, "sebagai informasi", "for information"),
}  # fmt: skip


def _reason(
    hit: OverlayHit, efek: str | None, deciding: bool, share: float, site_area: float
) -> Reason:
    key: str | bool | None = (efek if efek in ("X", "B") else None) if deciding else False
    effect, tail_id, tail_en = TAILS[key]

    def texts() -> tuple[str, str]:
        kind = kind_of(hit.jenis)
        text_id = f"Tapak berada di {kind.nama_id} ({hit.jenis}"
        text_en = f"The site lies in a special-provision area, {kind.nama_en} ({hit.jenis}"
        if site_area > 0:
            text_id += f", {num_id(hit.area_m2)} m², {pct_id(share)} tapak"
            text_en += f", {num_en(hit.area_m2)} m², {pct_en(share)} of the site"
        text_id += ")" + (f": {hit.keterangan}" if hit.keterangan else "")
        text_en += ")" + (f": {hit.keterangan}" if hit.keterangan else "")
        cap_id = f"; batas tinggi {num_id(hit.tb)} m" if hit.tb is not None else ""
        cap_en = f"; height cap {num_en(hit.tb)} m" if hit.tb is not None else ""
        return f"{text_id}; {tail_id}{cap_id}.", f"{text_en}; {tail_en}{cap_en}."

    return Reason(
        f"overlay.{hit.jenis.lower()}",
        effect=effect,
        source={"overlay": hit.jenis, "layer": hit.source, "fid": hit.fid, "efek": efek},
        render=texts,
    )
