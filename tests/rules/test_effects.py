"""The effect tables are written once and every rule that reads them finds its entry:
the EFEK codes (overlays, rasters), the activity groups' letters and the ITBX classes."""

from __future__ import annotations

from kkpr.model import Effect, ItbxClass
from kkpr.plan.meta import EFFECTS as PLAN_EFEK_CODES
from kkpr.rules import overlays, rasters
from kkpr.rules.activity_groups import EFFECTS as GROUP_LETTERS
from kkpr.rules.effects import EFEK_EFFECT, SEVERITY, efek_effect, forbids, group_efek
from kkpr.rules.itbx import CLASS_EFFECT, class_effect

# every effect an EFEK code can have: its own, or information for any other code
EFEK_EFFECTS = {*EFEK_EFFECT.values(), Effect.INFO}


def test_every_efek_effect_has_its_sentences() -> None:
    assert set(overlays.TAILS) == EFEK_EFFECTS
    assert set(overlays.GROUP_WORDS) == EFEK_EFFECTS
    assert set(rasters.TAILS) == EFEK_EFFECTS


def test_efek_codes() -> None:
    assert efek_effect("X") is Effect.FORBIDS and forbids("X")
    assert efek_effect("B") is Effect.CONDITION and not forbids("B")
    assert efek_effect(None) is Effect.INFO and efek_effect("") is Effect.INFO
    assert efek_effect("I") is Effect.INFO  # an EFEK I is no code: it informs
    assert set(PLAN_EFEK_CODES) == set(EFEK_EFFECT)  # what plan.toml may declare


def test_group_letters_stand_for_efek_codes() -> None:
    assert set(GROUP_LETTERS) == {"I", "B", "X"}
    assert group_efek("I") is None  # the provision does not restrict the group
    assert {efek_effect(group_efek(g)) for g in GROUP_LETTERS} == EFEK_EFFECTS
    assert efek_effect(group_efek("X")) is Effect.FORBIDS


def test_itbx_classes() -> None:
    assert set(CLASS_EFFECT) == {*ItbxClass, None}
    assert set(CLASS_EFFECT.values()) <= set(SEVERITY)
    assert [c for c in ItbxClass if class_effect(c.value) is Effect.FORBIDS] == [ItbxClass.X]
    assert class_effect(None) is Effect.REVIEW  # an empty cell: staff decide
