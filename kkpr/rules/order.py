"""The order a check gives its reasons in: one named ordering for both rule paths.

A check's reasons come stage by stage (``Stage``), and within a stage in the order
the single check (``kkpr.rules.outcome.evaluate``) meets them. The single check
gathers its reasons per stage and joins them in ``Stage`` order; the array rules
(``kkpr.bulk.vector``) sort their long reason table by (site, stage, then the
within-stage keys below), lexicographically, so that both give the same reasons in
the same order (tests/bulk/test_vector.py compares them).

Within a stage, the keys the array rules sort by (each one a column, compared left
to right; no key is packed into another, so no count can overflow into the next):

* ``PART``: the zone part, in (site, zone) order;
* ``OUTSIDE``: the outside-the-RDTR reason (one), then the RTRW reasons;
* ``CONDITION``: the deciding part, then the condition's place in its cell, then
  ``ConditionSlot`` (the condition itself, then each limit of it);
* ``OVERLAY``: ``OverlaySource`` (the layer's features before the zone flags), then
  the feature or zone part, then ``FeatureSlot`` (a feature's kind before its height
  cap) or the flag's place in its zone;
* ``INTENSITY``: ``IntensityGroup`` (the KLB bonus, then the class rows, then the
  limits), then the place within the group;
* ``SETBACK`` and ``RASTER``: in the order their rules give them.
"""

from __future__ import annotations

from enum import IntEnum


class Stage(IntEnum):
    """The stages of a check's reasons, in the order they are given."""

    PART = 0  # each zone part and its ITBX cell
    OUTSIDE = 1  # outside the RDTR: the PKKPR path (and the RTRW's indications)
    CONDITION = 2  # T conditions of the deciding cells, each with its limits
    OVERLAY = 3  # overlay features, then the overlay flags of the zone parts
    INTENSITY = 4  # KLB bonus, intensity class rows, then the intensity limits
    SETBACK = 5  # GSB / JBB against a drawn footprint
    RASTER = 6  # the plan rasters


class ConditionSlot(IntEnum):
    """Within one condition: the condition, then its limits (``LIMIT`` + limit index)."""

    CONDITION = 0
    LIMIT = 1


class OverlaySource(IntEnum):
    """Within the overlay stage: the layer's features first, then the zone flags."""

    FEATURE = 0
    FLAG = 1


class FeatureSlot(IntEnum):
    """Within one overlay feature: its kind, then its height cap (limit elevation)."""

    KIND = 0
    CAP = 1


class IntensityGroup(IntEnum):
    """Within the intensity stage: the KLB bonus, the class rows, then the limits."""

    BONUS = 0
    CLASS = 1
    LIMIT = 2
