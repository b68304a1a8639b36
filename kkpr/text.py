"""Numbers and labels as a sentence needs them, in Bahasa Indonesia and English.

Formatting, not a rule: the rules, the plan validation, the site checks and the API
all write their sentences with it.
"""

from __future__ import annotations

from kkpr.model import ItbxClass

# the regulation's words for the classes (Peraturan Zonasi; the same in OSS)
ITBX_WORDS: dict[str | None, tuple[str, str]] = {
    ItbxClass.I: ("diizinkan", "permitted"),
    ItbxClass.T: ("diizinkan terbatas", "permitted with limits"),
    ItbxClass.B: ("diizinkan bersyarat tertentu", "permitted with specific conditions"),
    ItbxClass.TB: ("diizinkan terbatas dan bersyarat", "permitted with limits and conditions"),
    ItbxClass.X: ("tidak diizinkan", "not permitted"),
    None: (
        "tidak ditentukan: sel matriks ITBX rencana kosong (rencana belum lengkap, "
        "petugas yang memutuskan)",
        "not determined: the plan's ITBX cell is empty (the plan is incomplete; staff decide)",
    ),
}


def num_id(value: float, digits: int = 1) -> str:
    """1234.5 -> '1.234,5' (Indonesian separators)."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def num_en(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def pct_id(share: float) -> str:
    return f"{num_id(share * 100, 1)}%"


def pct_en(share: float) -> str:
    return f"{num_en(share * 100, 1)}%"


def nums(value: float, digits: int = 1) -> tuple[str, str]:
    """``(num_id(value, digits), num_en(value, digits))``: a sentence says each number in
    both languages, and this formats it once."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", "."), text


def pcts(share: float) -> tuple[str, str]:
    """``(pct_id(share), pct_en(share))``, formatted once."""
    text = f"{share * 100:,.1f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".") + "%", text + "%"


# a cell starting with one of these is read by spreadsheets as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a spreadsheet shows it and never runs it: a cell that starts like a
    formula (``=``, ``+``, ``-``, ``@``, tab, CR) gets a leading ``'`` (OWASP's CSV
    injection rule). Every CSV and XLSX the service writes passes its texts through
    here: plan texts come from uploaded packages, names and references from
    applicants. A number (``-5``) and a lone ``-`` are left as they are."""
    if not text.startswith(FORMULA_START) or text == "-":
        return text
    try:
        float(text)
    except ValueError:
        return "'" + text
    return text
