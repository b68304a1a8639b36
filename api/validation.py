"""Request validation errors in Bahasa Indonesia beside pydantic's English.

pydantic words its errors in English only (``Field required``, ``Input should be greater
than or equal to 0``). A business owner reading the pre-check form, or a developer at
the permit system reading ``message_id``, gets the same error in Indonesian from the
error's ``type`` and its ``ctx``. A type not listed keeps pydantic's English text.
"""

from __future__ import annotations

from typing import Any

from kkpr.text import num_id

# pydantic error type -> the Indonesian sentence; {name} is filled from the error's ctx
WORDS: dict[str, str] = {
    "missing": "wajib diisi",
    "extra_forbidden": "bidang ini tidak dikenal",
    "json_invalid": "bukan JSON yang sah",
    "json_type": "harus berupa teks JSON",
    "model_type": "harus berupa objek JSON",
    "model_attributes_type": "harus berupa objek JSON",
    "dict_type": "harus berupa objek JSON",
    "list_type": "harus berupa daftar (array)",
    "string_type": "harus berupa teks",
    "string_too_short": "terlalu pendek: paling sedikit {min_length} karakter",
    "string_too_long": "terlalu panjang: paling banyak {max_length} karakter",
    "string_pattern_mismatch": "tidak sesuai pola {pattern}",
    "int_type": "harus berupa bilangan bulat",
    "int_parsing": "harus berupa bilangan bulat",
    "int_from_float": "harus berupa bilangan bulat, tanpa pecahan",
    "float_type": "harus berupa angka",
    "float_parsing": "harus berupa angka",
    "finite_number": "harus berupa angka terhingga",
    "bool_type": "harus true atau false",
    "bool_parsing": "harus true atau false",
    "greater_than": "harus lebih dari {gt}",
    "greater_than_equal": "paling kecil {ge}",
    "less_than": "harus kurang dari {lt}",
    "less_than_equal": "paling besar {le}",
    "too_short": "terlalu sedikit butir: paling sedikit {min_length}",
    "too_long": "terlalu banyak butir: paling banyak {max_length}",
    "literal_error": "harus salah satu dari {expected}",
    "enum": "harus salah satu dari {expected}",
    "union_tag_invalid": "jenis {tag} tidak dikenal; yang diterima: {expected_tags}",
    "union_tag_not_found": "bidang {discriminator} wajib ada",
    "date_from_datetime_parsing": "harus berupa tanggal (YYYY-MM-DD)",
    "date_parsing": "harus berupa tanggal (YYYY-MM-DD)",
    "date_type": "harus berupa tanggal (YYYY-MM-DD)",
}


def _value_id(value: Any) -> str:
    """A ctx value as an Indonesian sentence writes it (a decimal comma, no '.0')."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if float(value).is_integer():
        return num_id(value, 0)
    return num_id(value, 6).rstrip("0").rstrip(",")


def message_id(error: dict[str, Any]) -> str:
    """The error in Bahasa Indonesia, or pydantic's English when its type is not listed."""
    words = WORDS.get(str(error.get("type", "")))
    if words is None:
        return str(error.get("msg", ""))
    ctx = {k: _value_id(v) for k, v in (error.get("ctx") or {}).items()}
    for listed in ("expected", "expected_tags"):  # pydantic lists choices as "'a' or 'b'"
        if listed in ctx:
            ctx[listed] = ctx[listed].replace(" or ", " atau ")
    try:
        return words.format_map(ctx)
    except (KeyError, IndexError, ValueError):  # a ctx without the expected value
        return str(error.get("msg", ""))
