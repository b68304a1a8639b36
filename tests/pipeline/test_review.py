"""The staff review queue: deadlines over the Idul Fitri 2026 holiday weekend, the overdue
and due-soon views, and decisions that record who, why and under which plan version.

Both cases are submitted on Tue 17 March 2026 at 09:00 WITA. The office does not work
from Wed 18 to Tue 24 March (Nyepi, Idul Fitri and their cuti bersama: see
test_calendar.py), so the 5-working-day deadline of the ``kajian`` case is Tue 31 March
(25, 26, 27, 30, 31) and the 20-day deadline of the PKKPR case is Wed 22 April.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from shapely.geometry import shape

from kkpr.errors import Conflict, NotFound
from kkpr.pipeline.applications import Pipeline
from kkpr.pipeline.review import DecisionError
from kkpr.site import to_crs
from tests.mini_plan import CRS
from tests.pipeline.conftest import Clock
from tests.pipeline.test_applications import KAJIAN, PKKPR, SESUAI, types

WITA_0900 = 1  # 09:00 WITA is 01:00 UTC


def at(day: date, hour_utc: int = WITA_0900) -> datetime:
    from datetime import UTC

    return datetime(day.year, day.month, day.day, hour_utc, tzinfo=UTC)


@pytest.fixture
def cases(pipeline: Pipeline) -> dict[str, dict[str, Any]]:
    return {"kajian": pipeline.submit(KAJIAN), "pkkpr": pipeline.submit(PKKPR)}


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [r["kind"] for r in rows]


def test_deadlines_skip_the_holiday_weekend(cases: dict[str, dict[str, Any]]) -> None:
    kajian, pkkpr = cases["kajian"]["reviews"][0], cases["pkkpr"]["reviews"][0]
    assert (kajian["submitted_on"], kajian["deadline"]) == ("2026-03-17", "2026-03-31")
    assert (pkkpr["submitted_on"], pkkpr["deadline"]) == ("2026-03-17", "2026-04-22")


def test_decided_after_the_holiday_weekend(
    pipeline: Pipeline, cases: dict[str, dict[str, Any]], clock: Clock
) -> None:
    case = cases["kajian"]["reviews"][0]
    clock.now = at(date(2026, 3, 25))  # Wednesday, the first working day after Tuesday 17
    app = pipeline.decide(
        case["id"],
        "approve_with_conditions",
        reviewer="key:siti",
        reasons=["Restoran kecil di taman kota, tidak mengganggu fungsi RTH"],
        conditions=["Tanpa bangunan permanen"],
    )
    [decided] = app["reviews"]
    assert decided["decided_on"] == "2026-03-25"
    assert decided["working_days_taken"] == 1  # 8 calendar days, 1 working day
    assert decided["on_time"] is True
    assert decided["reviewer"] == "key:siti"
    assert decided["reasons"] == ["Restoran kecil di taman kota, tidak mengganggu fungsi RTH"]
    assert decided["plan_version"] == "package"
    assert app["status"] == "in_progress" and app["current_stage"] == "PBG"
    assert app["conditions"][-1] == {
        "kode": "K1",
        "id": "Tanpa bangunan permanen",
        "en": "Tanpa bangunan permanen",
        "source": "review",
    }
    assert types(app)[-2:] == ["review.decided", "stage.completed"]
    event = app["events"][-2]["data"]
    assert (event["decision"], event["reviewer"], event["plan_version"]) == (
        "approve_with_conditions",
        "key:siti",
        "package",
    )
    assert app["document"]["number"].startswith("KKPR/00.00/2026/")


def test_each_case_carries_its_site_in_longitude_latitude(
    pipeline: Pipeline, cases: dict[str, dict[str, Any]]
) -> None:
    # sent in UTM 51S (the mini plan's CRS); the staff map needs longitude, latitude
    sent = {kind: shape(app["site"]) for kind, app in cases.items()}
    queue = pipeline.reviews("all", date(2026, 3, 25))
    assert sorted(ids(queue)) == sorted(sent)
    for case in queue:
        drawn = shape(case["site"])
        assert drawn.geom_type == "Polygon"
        lon, lat = drawn.centroid.x, drawn.centroid.y
        assert 123 < lon < 124 and -11 < lat < -10  # Kupang
        back = to_crs(drawn, "EPSG:4326", CRS)
        assert back.symmetric_difference(sent[case["kind"]]).area < 1e-6


def test_overdue_and_due_soon_views(pipeline: Pipeline, cases: dict[str, dict[str, Any]]) -> None:
    # Wed 25 March: kajian has 26, 27, 30, 31 left (4 > 3): not yet due soon
    assert ids(pipeline.reviews("all", date(2026, 3, 25))) == ["kajian", "pkkpr"]
    assert ids(pipeline.reviews("due_soon", date(2026, 3, 25))) == []
    # Thu 26 March: 27, 30, 31 left (3): due soon
    [soon] = pipeline.reviews("due_soon", date(2026, 3, 26))
    assert (soon["kind"], soon["working_days_left"], soon["due_soon"]) == ("kajian", 3, True)
    # Tue 31 March, the deadline itself: still due (0 left), not overdue
    [last_day] = pipeline.reviews("due_soon", date(2026, 3, 31))
    assert (last_day["working_days_left"], last_day["overdue"]) == (0, False)
    assert pipeline.reviews("overdue", date(2026, 3, 31)) == []
    # Wed 1 April: overdue by one working day
    [late] = pipeline.reviews("overdue", date(2026, 4, 1))
    assert (late["kind"], late["working_days_left"], late["overdue"]) == ("kajian", -1, True)
    # Tue 21 April: the PKKPR case (22 April) is due soon, kajian long overdue
    assert ids(pipeline.reviews("due_soon", date(2026, 4, 21))) == ["pkkpr"]


def test_a_late_decision_is_recorded_as_late(
    pipeline: Pipeline, cases: dict[str, dict[str, Any]], clock: Clock
) -> None:
    clock.now = at(date(2026, 4, 2))
    app = pipeline.decide(
        cases["kajian"]["reviews"][0]["id"], "reject", reviewer="key:yos", reasons=["Fungsi RTH"]
    )
    assert app["status"] == "rejected"
    assert types(app)[-2:] == ["review.decided", "stage.rejected"]
    [decided] = pipeline.reviews("decided")
    assert decided["on_time"] is False
    assert decided["working_days_taken"] == 7  # 25, 26, 27, 30, 31 March, 1, 2 April
    assert ids(pipeline.reviews("all", date(2026, 4, 2))) == ["pkkpr"]


def test_a_decision_must_carry_its_reasons_and_is_taken_once(
    pipeline: Pipeline, cases: dict[str, dict[str, Any]]
) -> None:
    case_id = cases["pkkpr"]["reviews"][0]["id"]
    with pytest.raises(DecisionError):
        pipeline.decide(case_id, "approve", reviewer="key:siti", reasons=[" "])
    with pytest.raises(DecisionError):
        pipeline.decide(case_id, "approve_with_conditions", reviewer="key:siti", reasons=["ok"])
    with pytest.raises(DecisionError):
        pipeline.decide(case_id, "reject", reviewer="key:siti", reasons=["x"], conditions=["y"])
    with pytest.raises(ValueError):
        pipeline.decide(case_id, "maybe", reviewer="key:siti", reasons=["x"])
    app = pipeline.decide(case_id, "approve", reviewer="key:siti", reasons=["Sesuai RTRW"])
    assert app["document"] is not None
    with pytest.raises(Conflict):
        pipeline.decide(case_id, "reject", reviewer="key:yos", reasons=["again"])
    with pytest.raises(NotFound):
        pipeline.decide("no-such-review", "approve", reviewer="key:siti", reasons=["x"])


def test_automatic_outcomes_never_enter_the_queue(pipeline: Pipeline) -> None:
    pipeline.submit(SESUAI)
    assert pipeline.reviews("all", date(2026, 3, 17)) == []
