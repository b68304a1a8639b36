"""The ITBX matrix: from a KBLI code to an activity row to a cell and its class."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from kkpr.model import Effect, ItbxClass

CODE = re.compile(r"^[TB]\d*[A-Z]?$")

# what a class means for the check: X forbids, T, B and TB add conditions, I permits;
# no class (an empty or unreadable cell) leaves the decision to staff
CLASS_EFFECT: Mapping[ItbxClass | None, Effect] = MappingProxyType({
    ItbxClass.X: Effect.FORBIDS,
    ItbxClass.T: Effect.CONDITION,
    ItbxClass.B: Effect.CONDITION,
    ItbxClass.TB: Effect.CONDITION,
    ItbxClass.I: Effect.INFO,
    None: Effect.REVIEW,
})  # fmt: skip


def parse_cell(cell: str | None) -> tuple[ItbxClass | None, list[str]]:
    """A raw cell as (class, condition codes). Empty is (None, []): the rule is silent.

    ``T1;B3`` is both limited and conditional: the fourth class TB (*diizinkan
    terbatas dan bersyarat*), and both codes apply.
    """
    if not cell:
        return None, []
    cls, codes = _parsed(cell)  # a matrix has few distinct cells: each is read once
    return cls, list(codes)


@lru_cache(maxsize=4096)
def _parsed(cell: str) -> tuple[ItbxClass | None, tuple[str, ...]]:
    cls, codes = _parse(cell)
    return cls, tuple(codes)


def _parse(cell: str) -> tuple[ItbxClass | None, list[str]]:
    text = cell.strip().upper().replace(" ", "")
    if text in ("I", "X"):
        return ItbxClass(text), []
    codes = [c for c in re.split(r"[;,]", text) if c]
    if not codes or not all(CODE.match(c) for c in codes):
        return None, []
    kinds = {c[0] for c in codes}
    if kinds == {"T", "B"}:
        return ItbxClass.TB, codes
    return (ItbxClass.B if "B" in kinds else ItbxClass.T), codes


def cell_tokens_valid(cell: str) -> bool:
    text = cell.strip().upper().replace(" ", "")
    if text in ("I", "X", ""):
        return True
    codes = [c for c in re.split(r"[;,]", text) if c]
    return bool(codes) and all(CODE.match(c) for c in codes)


def class_effect(itbx: str | None) -> Effect:
    """The effect of a class as a result keeps it (``PartResult.itbx``: its letters or None)."""
    effect = _LETTERS_EFFECT.get(itbx)
    return effect if effect is not None else CLASS_EFFECT[ItbxClass(itbx) if itbx else None]


# CLASS_EFFECT by the letters of each class (and None), as class_effect reads them
_LETTERS_EFFECT: Mapping[str | None, Effect] = MappingProxyType(
    {(str(c) if c else None): e for c, e in CLASS_EFFECT.items()}
)
