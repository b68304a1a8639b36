"""The record of plan management steps: written with who and when, read newest first,
never changed (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kkpr.db.database import Database
from kkpr.db.sql import sql
from kkpr.records.plan_events import PlanEvents


def test_steps_are_recorded_and_read_newest_first(records_url: str) -> None:
    moments = iter(datetime(2026, 3, 1, 8, 0, tzinfo=UTC) + timedelta(minutes=i) for i in range(9))
    events = PlanEvents(Database(records_url), clock=lambda: next(moments))
    events.record("kupang", "upload", "key:abc", "v2", {"checksum": "c0ffee", "active": False})
    events.record("kupang", "activate", "key:abc", "v2", {"from": "v1"})
    events.record("lain", "upload_refused", "key:def", detail={"errors": 3})
    PlanEvents(Database(records_url))  # opening again keeps what is there
    got = events.of_plan("kupang")
    assert [(e.action, e.version, e.by) for e in got] == [
        ("activate", "v2", "key:abc"),
        ("upload", "v2", "key:abc"),
    ]
    assert got[0].at == "2026-03-01T08:01:00.000000Z" and got[0].detail == {"from": "v1"}
    assert got[1].to_dict()["detail"] == {"active": False, "checksum": "c0ffee"}
    with pytest.raises(ValueError):
        events.record("kupang", "deleted", "key:abc")


def test_the_record_cannot_be_changed(records_url: str) -> None:
    db = Database(records_url)
    events = PlanEvents(db)
    events.record("kupang", "rollback", "key:abc", "v1", {"from": "v2"})
    for statement in ("UPDATE plan_events SET actor = 'someone else'", "DELETE FROM plan_events"):
        with pytest.raises(Exception, match="append-only"), db.transaction() as tx:
            tx.execute(sql(statement))
    assert [e.by for e in events.of_plan("kupang")] == ["key:abc"]
