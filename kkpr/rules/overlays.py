"""Special provisions (ketentuan khusus): overlays a site touches and what they do.

An overlay comes from the plan's ``ketentuan_khusus`` layer (its EFEK column says what
it does; empty informs) or from a KUGI flag on a zone polygon (``KKOP_1``, ``KRB_03``
...), whose effect is the plan's ``[overlay.<JENIS>]`` setting or the catalogue
default in ``kkpr/overlay_kinds.toml`` (``kkpr.kugi``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from kkpr.kugi import FLAG_JENIS, flag_description, kind_of
from kkpr.model import Effect, OverlayFinding, OverlayHit, PlanMeta, Reason, ZoneHit
from kkpr.rules.activity_groups import group_effect
from kkpr.rules.effects import efek_effect, group_efek
from kkpr.rules.intensity import Limit
from kkpr.rules.memo import PerObject
from kkpr.text import num_en, num_id, nums, pcts

FLAG_COLUMN = {jenis: column.upper() for column, jenis in FLAG_JENIS.items()}


def flag_hits(zones: list[ZoneHit], deciding: list[bool]) -> list[tuple[OverlayHit, bool]]:
    """Overlay hits from flags on the zone polygons the site overlaps."""
    out = []
    for zone, dec in zip(zones, deciding, strict=True):
        texts = zone.flag_texts or (None,) * len(zone.flags)
        for jenis, text in zip(zone.flags, texts, strict=True):
            told = _FLAG_TOLD.get((jenis, text))
            if told is None:
                told = _flag_told(jenis, text)
            # by position (fid, jenis, area_m2, keterangan, tb, efek, source, part): a
            # frozen dataclass made by keyword costs three times as much
            hit = OverlayHit(
                zone.fid,
                jenis,
                zone.area_m2,
                told[0],  # keterangan, e.g. "Kawasan Rawan Banjir - Tinggi"
                None,  # tb
                None,  # efek
                told[1],  # source
                zone.part,
            )
            out.append((hit, dec))
    return out


# (what a flag's text tells a reader, the layer and field it is read from) by kind and
# text: a layer writes few distinct flag texts
_FLAG_TOLD: dict[tuple[str, str | None], tuple[str | None, str]] = {}


def _flag_told(jenis: str, text: str | None) -> tuple[str | None, str]:
    told = (flag_description(text), f"pola_ruang.{FLAG_COLUMN.get(jenis, jenis)}")
    if len(_FLAG_TOLD) >= 4096:
        _FLAG_TOLD.clear()
    _FLAG_TOLD[(jenis, text)] = told
    return told


def groups_of(jenis: str, meta: PlanMeta) -> dict[str, str]:
    """The effect per activity group of a kind: the catalogue's, then the plan's."""
    rule = meta.overlay_rules.get(jenis)
    groups = dict(kind_of(jenis).efek_kegiatan)
    if rule is not None:
        groups.update(rule.efek_kegiatan)
    return groups


def effect_of(hit: OverlayHit, meta: PlanMeta, kbli: str) -> tuple[str | None, str | None]:
    """(effect, the activity group that set it or None) of an overlay on an activity."""
    flag = hit.source.startswith("pola_ruang.")
    key = (hit.jenis, flag, None if flag else hit.efek, kbli)
    memo = _effects_of(meta)
    found = memo.get(key)
    if found is None:  # a plan has few kinds, effects and activities: each is read once
        found = memo[key] = _effect_of(hit.jenis, flag, hit.efek, meta, kbli)
    return found


def _effect_of(
    jenis: str, flag: bool, efek: str | None, meta: PlanMeta, kbli: str
) -> tuple[str | None, str | None]:
    if flag:
        efek = meta.overlay_effects.get(jenis, kind_of(jenis).efek)
    by_group = group_effect(groups_of(jenis, meta), kbli)
    if by_group is not None:  # e.g. farming on LP2B land is what the overlay protects
        group, effect = by_group
        return group_efek(effect), group
    return efek or None, None


Effects = dict[tuple[str, bool, str | None, str], tuple[str | None, str | None]]
# the effects worked out per plan (its PlanMeta, which a store keeps for a version)
_effects_of: PerObject[PlanMeta, Effects] = PerObject(lambda _meta: {})


def _elevation_kinds(meta: PlanMeta) -> frozenset[str]:
    return frozenset(j for j, r in meta.overlay_rules.items() if r.tb_elevasi)


_elevations: PerObject[PlanMeta, frozenset[str]] = PerObject(_elevation_kinds)


def elevation_kinds(meta: PlanMeta) -> frozenset[str]:
    """Kinds whose layer TB is a limit elevation above mean sea level (KKOP surfaces)."""
    return _elevations(meta)


def needs_ground(meta: PlanMeta, overlays: list[OverlayHit]) -> bool:
    kinds = elevation_kinds(meta)
    return bool(kinds) and any(h.jenis in kinds and h.tb is not None for h in overlays)


def evaluate(
    hits: list[tuple[OverlayHit, bool]],
    meta: PlanMeta,
    kbli: str,
    site_area: float,
    ground: float | None = None,
) -> tuple[list[OverlayFinding], list[Reason], list[Limit]]:
    """Findings, reasons and height caps of the overlays. A limit elevation (``[overlay.
    <JENIS>] tb_elevasi``) caps the height at that elevation less ``ground``, the highest
    ground under the site on the plan's DEM; without it the check cannot compare."""
    findings, reasons, caps = [], [], []
    elevations = elevation_kinds(meta)
    effects = _effects_of(meta)
    for hit, deciding in hits:
        jenis, source, tb = hit.jenis, hit.source, hit.tb
        flag = source.startswith("pola_ruang.")
        key = (jenis, flag, None if flag else hit.efek, kbli)  # as effect_of
        found = effects.get(key)
        if found is None:
            found = effects[key] = _effect_of(jenis, flag, hit.efek, meta, kbli)
        efek, group = found
        share = hit.area_m2 / site_area if site_area > 0 else 1.0
        findings.append(
            OverlayFinding(
                jenis, efek, hit.keterangan, tb, hit.area_m2, share, deciding, source, hit.fid
            )
        )
        elevation = not flag and jenis in elevations
        no_ground = False
        if tb is not None and deciding:
            if not elevation:
                caps.append(_cap(hit, tb))
            elif ground is None:
                no_ground = True
            else:
                caps.append(_elevation_cap(hit, tb, ground))
        reasons.append(_reason(hit, efek, deciding, share, site_area, group, elevation))
        if no_ground:
            reasons.append(_no_ground(hit))
    return findings, reasons, caps


def _cap(hit: OverlayHit, tb: float) -> Limit:
    source = f"{hit.jenis} {hit.source} fid {hit.fid}"
    detail = {"overlay": hit.jenis, "fid": hit.fid, "value": tb, "from": hit.source}
    return Limit(tb, source, "cap", (detail,), lambda: _cap_basis(hit.jenis, tb, source))


def _cap_basis(jenis: str, tb: float, source: str) -> tuple[str, str]:
    """A height cap's sentences, written when read (most caps are never read)."""
    return (
        f"TB {num_id(tb, 2)} m: batas tinggi {jenis} ({source}).",
        f"TB {num_en(tb, 2)} m: the height cap of {jenis} ({source}).",
    )


# what an overlay does to an activity group it names, by the effect of the group's EFEK
# code (kkpr.rules.effects: I is no code, which only informs)
GROUP_WORDS: Mapping[Effect, tuple[str, str]] = MappingProxyType({
    Effect.INFO: ("tidak membatasinya (diizinkan)", "does not restrict it (permitted)"),
    Effect.CONDITION: ("menambah persyaratan", "adds a condition"),
    Effect.FORBIDS: ("melarangnya", "forbids it"),
})  # fmt: skip


def _elevation_cap(hit: OverlayHit, elevation: float, ground: float) -> Limit:
    source = f"{hit.jenis} {hit.source} fid {hit.fid}"
    tb = elevation - ground
    return Limit(
        tb,
        source,
        "cap",
        (
            {
                "overlay": hit.jenis,
                "fid": hit.fid,
                "value": tb,
                "from": hit.source,
                "elevation_m": elevation,
                "ground_m": ground,
            },
        ),
        (
            f"TB {num_id(tb, 2)} m: batas elevasi {hit.jenis} {num_id(elevation, 2)} m dpl "
            f"dikurangi tanah tertinggi tapak {num_id(ground, 2)} m dpl (DEM rencana) ({source}).",
            f"TB {num_en(tb, 2)} m: the {hit.jenis} limit elevation {num_en(elevation, 2)} m "
            f"above MSL less the site's highest ground {num_en(ground, 2)} m (the plan's DEM) "
            f"({source}).",
        ),
    )


def _no_ground(hit: OverlayHit) -> Reason:
    return Reason(
        f"overlay.{hit.jenis.lower()}.no_ground",
        f"Batas {hit.jenis} berupa elevasi {num_id(hit.tb or 0, 2)} m dpl, tetapi rencana tidak "
        "memiliki DEM yang menutupi tapak: tinggi bangunan tidak dapat dibandingkan; "
        "petugas mengukur elevasi tanah.",
        f"The {hit.jenis} limit is an elevation of {num_en(hit.tb or 0, 2)} m above MSL, but the "
        "plan has no DEM covering the site: the building height cannot be compared; staff "
        "measure the ground elevation.",
        Effect.REVIEW,
        {"overlay": hit.jenis, "fid": hit.fid, "elevation_m": hit.tb},
    )


# the Indonesian and English tail of a deciding overlay's sentence, by the effect of its
# EFEK code (kkpr.rules.effects); a part under the tolerance only informs, whatever its code
TAILS: Mapping[Effect, tuple[str, str]] = MappingProxyType({
    Effect.FORBIDS: ("kegiatan bangunan dilarang di sini", "building activity is forbidden here"),
    Effect.CONDITION: ("menambah persyaratan", "it adds a condition"),
    Effect.INFO: ("sebagai informasi", "for information"),
})  # fmt: skip
UNDER_TOLERANCE = (
    "bagian ini di bawah toleransi, tidak menentukan",
    "this part is under the tolerance and does not decide",
)


def _reason(
    hit: OverlayHit,
    efek: str | None,
    deciding: bool,
    share: float,
    site_area: float,
    group: str | None = None,
    elevation: bool = False,
) -> Reason:
    effect = efek_effect(efek) if deciding else Effect.INFO
    tail_id, tail_en = TAILS[effect] if deciding else UNDER_TOLERANCE

    def texts() -> tuple[str, str]:
        kind = kind_of(hit.jenis)
        text_id = f"Tapak berada di {kind.nama_id} ({hit.jenis}"
        text_en = f"The site lies in a special-provision area, {kind.nama_en} ({hit.jenis}"
        if site_area > 0:
            (area_id, area_en), (share_id, share_en) = nums(hit.area_m2), pcts(share)
            text_id += f", {area_id} m², {share_id} tapak"
            text_en += f", {area_en} m², {share_en} of the site"
        text_id += ")" + (f": {hit.keterangan}" if hit.keterangan else "")
        text_en += ")" + (f": {hit.keterangan}" if hit.keterangan else "")
        cap_id = cap_en = ""
        if hit.tb is not None:
            tb_id, tb_en = nums(hit.tb)
            cap_id, cap_en = f"; batas tinggi {tb_id} m", f"; height cap {tb_en} m"
            if elevation:
                cap_id = f"; batas elevasi {tb_id} m dpl (tanah + bangunan)"
                cap_en = f"; limit elevation {tb_en} m above MSL (ground + building)"
        end_id, end_en = tail_id, tail_en
        if group is not None and deciding:
            word_id, word_en = GROUP_WORDS[effect]
            end_id = f"untuk kelompok kegiatan KBLI {group} ketentuan ini {word_id}"
            end_en = f"for the KBLI activity group {group} this provision {word_en}"
        return f"{text_id}; {end_id}{cap_id}.", f"{text_en}; {end_en}{cap_en}."

    source = {"overlay": hit.jenis, "layer": hit.source, "fid": hit.fid, "efek": efek}
    if group is not None:
        source["kelompok_kegiatan"] = group
    return Reason(
        f"overlay.{hit.jenis.lower()}",
        effect=effect,
        source=source,
        render=texts,
    )
