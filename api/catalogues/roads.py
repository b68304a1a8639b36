"""Words of the setbacks per road frontage (``roads.*``) on the pre-check's "what the
verdict means" block (api/static/js/meaning.js)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "roads.mean.front": (
        "Dinding yang menghadap {road} mundur paling sedikit {limit} m dari batas jalan (GSB).",
        "The wall facing {road} stands back at least {limit} m from the road edge (GSB).",
    ),
    "roads.mean.front_axis": (
        "Dinding yang menghadap {road} mundur paling sedikit {limit} m dari as jalan (GSB).",
        "The wall facing {road} stands back at least {limit} m from the road's centre line (GSB).",
    ),
    "roads.mean.ok": (
        "Bangunan yang Anda gambar berdiri {distance} m di belakang garis itu: memenuhi.",
        "The building you drew stands {distance} m behind that line: it complies.",
    ),
    "roads.mean.short": (
        "Bangunan yang Anda gambar hanya {distance} m di belakang garis itu: mundurkan "
        "{short} m lagi.",
        "The building you drew stands only {distance} m behind that line: move it back "
        "{short} m more.",
    ),
    "roads.mean.jbb": (
        "Jarak ke batas samping dan belakang paling sedikit {limit} m (JBB).",
        "Keep at least {limit} m from the side and rear boundaries (JBB).",
    ),
    "roads.mean.jbb_short": (
        "Bangunan yang Anda gambar hanya {distance} m dari batas samping/belakang: kurang "
        "{short} m (JBB {limit} m).",
        "The building you drew is only {distance} m from a side or rear boundary: {short} m "
        "short (JBB {limit} m).",
    ),
    "roads.mean.unknown": (
        "Tapak menghadap {road}; GSB-nya tidak ada pada rencana, petugas yang menentukan.",
        "The plot fronts {road}; the plan gives no GSB for it, staff set it.",
    ),
    "roads.mean.unnamed": ("jalan tanpa nama", "an unnamed road"),
}
