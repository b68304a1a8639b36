"""What the rules work out once per plan and keep: a plan's tables answer the same for
every site, so what a check derives from them alone (the effects of the overlay kinds,
the kinds with a KLB bonus, an ITBX cell read) is derived once.

Kept by the identity of the object it is derived from (a ``PlanMeta`` is frozen but
holds dicts, so it cannot be hashed; a ``PlanRules`` is not frozen, and its ``meta``
may be replaced by a store's version): never written into the object itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

# a process holds few plans and versions at once; past this many, start again
KEPT = 64


class PerObject(Generic[K, V]):
    """``make(obj)`` for each object, made once while the object is alive and kept."""

    def __init__(self, make: Callable[[K], V]) -> None:
        self.make = make
        self.kept: dict[int, tuple[K, V]] = {}

    def __call__(self, obj: K) -> V:
        kept = self.kept.get(id(obj))
        if kept is None or kept[0] is not obj:  # the object kept holds its id
            if len(self.kept) >= KEPT:
                self.kept.clear()
            kept = self.kept[id(obj)] = (obj, self.make(obj))
        return kept[1]
