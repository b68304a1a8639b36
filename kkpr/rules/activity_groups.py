"""Activity groups an overlay may treat differently (issue 18 item 8): a special
provision often forbids building but allows what it protects (LP2B and LSD forbid
conversion of farmland, not farming; a forest area allows forestry).

A group is a KBLI 2020 section letter (``A`` agriculture, forestry and fisheries ...
``U``) or a code prefix (``01`` a division, ``011`` a group, ``0111`` a class, ``01111``
one code). The most specific group that holds the KBLI decides (a five-digit code over
its division, a division over its section).
"""

from __future__ import annotations

from collections.abc import Mapping

from kkpr.rules.effects import GROUP_EFEK

# KBLI 2020 sections and the two-digit divisions each holds (as ISIC rev. 4)
SECTIONS: dict[str, tuple[int, int]] = {
    "A": (1, 3), "B": (5, 9), "C": (10, 33), "D": (35, 35), "E": (36, 39), "F": (41, 43),
    "G": (45, 47), "H": (49, 53), "I": (55, 56), "J": (58, 63), "K": (64, 66),
    "L": (68, 68), "M": (69, 75), "N": (77, 82), "O": (84, 84), "P": (85, 85),
    "Q": (86, 88), "R": (90, 93), "S": (94, 96), "T": (97, 98), "U": (99, 99),
}  # fmt: skip
# the effect letters a group may have (kkpr.rules.effects.GROUP_EFEK): I the overlay does
# nothing to the group; B adds a condition; X forbids
EFFECTS = tuple(GROUP_EFEK)


def valid_group(group: str) -> bool:
    g = group.strip().upper()
    return g in SECTIONS or (g.isdigit() and 1 <= len(g) <= 5)


def specificity(group: str, kbli: str) -> int:
    """How closely ``group`` names ``kbli`` (0: it does not hold it)."""
    g = group.strip().upper()
    if g in SECTIONS:
        lo, hi = SECTIONS[g]
        return 1 if kbli[:2].isdigit() and lo <= int(kbli[:2]) <= hi else 0
    return 1 + len(g) if g.isdigit() and kbli.startswith(g) else 0


def group_effect(groups: Mapping[str, str], kbli: str) -> tuple[str, str] | None:
    """(group, effect) of the most specific group holding ``kbli``; None: no group does."""
    best: tuple[int, str, str] | None = None
    for group, effect in groups.items():
        s = specificity(group, kbli)
        if s and (best is None or s > best[0]):
            best = (s, group, effect)
    return None if best is None else (best[1], best[2])
