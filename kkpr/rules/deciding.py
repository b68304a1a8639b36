"""The deciding test: whether a part of a site (of a zone, an overlay, or the part
outside the plan) decides the outcome, under the plan's tolerance. One definition for
the single check (scalars: ``kkpr.rules.outcome.is_deciding``) and the array rules
(numpy arrays, elementwise: ``kkpr.bulk.vector``), written with ``&`` and ``|`` so
that it reads the same and answers the same on both.

A part decides when the site is a point, or when its share of the site reaches
``sliver_share`` and either its area reaches ``sliver_m2`` or ``share_only`` holds
(the site is so small the m² tolerance would hide all of it; see
``kkpr.rules.outcome.whole_site_hidden``).
"""

from __future__ import annotations

from typing import overload

import numpy as np
from numpy.typing import NDArray

from kkpr.model import Tolerance

Bools = NDArray[np.bool_]
Floats = NDArray[np.float64]


@overload
def decides(area: float, share: float, tol: Tolerance, point: bool, share_only: bool) -> bool: ...
@overload
def decides(
    area: Floats, share: Floats, tol: Tolerance, point: Bools | bool, share_only: Bools | bool
) -> Bools: ...
def decides(
    area: float | Floats,
    share: float | Floats,
    tol: Tolerance,
    point: bool | Bools,
    share_only: bool | Bools,
) -> bool | Bools:
    """Whether each part decides (see the module's docstring)."""
    return point | ((share_only | (area >= tol.sliver_m2)) & (share >= tol.sliver_share))
