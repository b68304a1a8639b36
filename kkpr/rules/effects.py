"""The effects a plan's EFEK codes have, and how severe each effect is: one table for
the single check's rules (``kkpr.rules``) and the array rules (``kkpr.bulk``).

An EFEK code (an overlay feature's ``EFEK`` column, an overlay kind's catalogue or
plan effect, a raster's ``efek``) is ``X`` (forbids), ``B`` (adds a condition) or
anything else, which only informs. An activity group's effect (``[overlay.<JENIS>]
efek_kegiatan``, docs/plan_format.md) is a letter of its own table: ``I`` (the provision
does not restrict the group: no code), ``B`` or ``X``. The ITBX matrix's classes are
another table again (``kkpr.rules.itbx.CLASS_EFFECT``). The severity order ranks effects
from the mildest to the gravest: a check's outcome is that of its gravest reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from kkpr.model import Effect

# EFEK code -> effect; any other code (or none) only informs
EFEK_EFFECT: Mapping[str, Effect] = MappingProxyType({"X": Effect.FORBIDS, "B": Effect.CONDITION})

# an activity group's effect letter -> the EFEK code it stands for
GROUP_EFEK: Mapping[str, str | None] = MappingProxyType({"I": None, "B": "B", "X": "X"})

# effects from the mildest to the gravest
SEVERITY: tuple[Effect, ...] = (Effect.INFO, Effect.CONDITION, Effect.REVIEW, Effect.FORBIDS)
RANK: Mapping[Effect, int] = MappingProxyType({e: i for i, e in enumerate(SEVERITY)})


def efek_effect(efek: str | None) -> Effect:
    """The effect of an EFEK code (``X`` forbids, ``B`` a condition, else information)."""
    return EFEK_EFFECT.get(efek or "", Effect.INFO)


def forbids(efek: str | None) -> bool:
    """Whether an EFEK code forbids (its effect is :attr:`Effect.FORBIDS`)."""
    return efek_effect(efek) is Effect.FORBIDS


def group_efek(effect: str) -> str | None:
    """The EFEK code an activity group's effect letter stands for (``I``: none)."""
    return GROUP_EFEK.get(effect, effect)
