"""What OSS's coded applicant and land fields mean, as OSS's field list defines them
(``shared/OSS_PIA.md``, receiveNIBKKPR): staff read words, not "01".

A code OSS sends that the list does not define is shown as it came, never guessed;
``status_penanaman_modal`` is listed by OSS as PMA/PMDN without its codes, so only
those words themselves are read.
"""

from __future__ import annotations

from typing import Any

# field -> code -> (Indonesian, English)
CODE_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "kewenangan": {
        "00": ("pusat", "central government"),
        "01": ("provinsi", "province"),
        "02": ("kabupaten/kota", "regency/city"),
    },
    "jenis_pelaku_usaha": {
        "01": ("badan usaha", "business entity"),
        "02": ("perseorangan", "individual"),
    },
    "skala_usaha": {
        "01": ("usaha mikro", "micro enterprise"),
        "02": ("usaha kecil", "small enterprise"),
        "03": ("usaha menengah", "medium enterprise"),
        "04": ("usaha besar", "large enterprise"),
    },
    "status_penanaman_modal": {
        "PMA": ("penanaman modal asing", "foreign investment"),
        "PMDN": ("penanaman modal dalam negeri", "domestic investment"),
    },
    "status_tanah": {
        "01": ("sewa", "leased"),
        "02": ("milik sendiri", "owned"),
        "03": ("pinjam pakai", "on loan"),
    },
    "satuan_luas_tanah": {"01": ("m²", "m²"), "02": ("ha", "ha")},
    "memiliki_menguasai": {
        "Y": ("tanah sudah dimiliki/dikuasai", "land already held"),
        "N": ("tanah belum dimiliki/dikuasai", "land not yet held"),
    },
    "flag_umk": {
        "Y": ("usaha mikro/kecil", "micro/small business"),
        "N": ("bukan usaha mikro/kecil", "not a micro/small business"),
    },
    "flag_psn": {
        "Y": ("proyek strategis nasional", "national strategic project"),
        "N": ("bukan proyek strategis nasional", "not a national strategic project"),
    },
}


def code_words(field: str, code: Any) -> dict[str, str] | None:
    """``{"id": ..., "en": ...}`` for ``code`` of ``field``; None when OSS's list does
    not define it (the code is then shown as it came)."""
    if code is None:
        return None
    words = CODE_WORDS.get(field, {}).get(str(code).strip().upper())
    return None if words is None else {"id": words[0], "en": words[1]}


def words_of(fields: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The words of every coded field of ``fields`` that OSS's list defines."""
    out: dict[str, dict[str, str]] = {}
    for field, code in fields.items():
        words = code_words(field, code)
        if words is not None:
            out[field] = words
    return out
