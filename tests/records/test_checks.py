"""The check log on SQLite and on PostgreSQL: append-only, hashed, idempotent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kkpr.errors import Conflict, NotFound
from kkpr.records.checks import (
    CheckLog,
    Idempotency,
    NewCheck,
    canonical,
    content_hash,
    open_records,
    request_hash,
    sqlite_statements,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> CheckLog:
    if request.param == "sqlite":
        return CheckLog.open(f"sqlite:///{tmp_path / 'records.db'}")
    pg_new_database = request.getfixturevalue("pg_new_database")
    return CheckLog.open(pg_new_database(migrated=False))


def new(kbli: str = "47111", outcome: str = "sesuai", **kw: object) -> NewCheck:
    return NewCheck(
        inputs={"kbli": kbli, "site": {"type": "Point", "coordinates": [123.6, -10.17]}},
        result={
            "outcome": outcome,
            "area": 0.1 + 0.2,
            "nan": float("nan"),
            "teks": "Ruang terbuka hijau – taman",
        },
        plan_id="mini",
        plan_version="v1",
        **kw,  # type: ignore[arg-type]
    )


def test_a_record_reads_back_as_written_and_its_hash_verifies(log: CheckLog) -> None:
    [stored] = log.append([new()], caller="key:abc", caller_role="permit_system")
    back = log.get(stored.id)
    assert back == stored
    assert back.verify()
    assert back.result["nan"] is None  # non-finite numbers are stored as null
    assert back.result["area"] == 0.1 + 0.2
    text = canonical({"inputs": back.inputs, "result": back.result})
    assert back.content_hash == content_hash(back.inputs, back.result)
    assert json.loads(text)["result"]["teks"].endswith("taman")


def test_the_log_refuses_update_and_delete(log: CheckLog) -> None:
    [stored] = log.append([new()], caller="key:abc", caller_role="staff")
    for sql in (
        "UPDATE check_log SET result = '{}' WHERE id = ?",
        "DELETE FROM check_log WHERE id = ?",
    ):
        with pytest.raises(Exception, match="append-only"), log.db.transaction() as tx:
            tx.execute(sql, (stored.id,))
    assert log.get(stored.id) == stored


def test_a_correction_points_to_an_existing_record(log: CheckLog) -> None:
    [old] = log.append([new()], caller="key:a", caller_role="staff")
    [fix] = log.append(
        [new(outcome="tidak_sesuai", kind="correction", corrects=old.id, correction_reason="x")],
        caller="key:a",
        caller_role="staff",
    )
    assert log.corrected_by(old.id) == [fix.id]
    with pytest.raises(NotFound):
        log.append([new(kind="correction", corrects="missing")], caller="a", caller_role="staff")


def test_idempotency_replays_or_conflicts(log: CheckLog) -> None:
    idem = Idempotency("k-1", request_hash("checks", {"kbli": "47111"}))
    assert log.replay("key:a", idem) is None
    [first] = log.append([new()], caller="key:a", caller_role="staff", idempotency=idem)
    assert log.replay("key:a", idem) == [first]
    # the same key stored twice (a lost race) answers the first record
    again = log.append([new()], caller="key:a", caller_role="staff", idempotency=idem)
    assert again == [first]
    other = Idempotency("k-1", request_hash("checks", {"kbli": "56101"}))
    with pytest.raises(Conflict):
        log.replay("key:a", other)
    assert log.replay("key:b", other) is None  # keys belong to their caller


def test_a_batch_replays_in_order(log: CheckLog) -> None:
    idem = Idempotency("b-1", request_hash("checks/batch", [1, 2, 3]))
    stored = log.append(
        [new("1"), new("2"), new("3")],
        caller="c",
        caller_role="staff",
        idempotency=idem,
        batch=True,
    )
    assert [r.batch_index for r in stored] == [0, 1, 2]
    assert log.replay("c", idem) == stored


def test_schema_creation_is_repeatable(log: CheckLog) -> None:
    open_records(log.db.url)
    open_records(log.db.url)


def test_sqlite_script_splits_triggers_whole() -> None:
    statements = sqlite_statements(
        (Path(__file__).parents[2] / "kkpr/records/schema_sqlite.sql").read_text()
    )
    triggers = [s for s in statements if s.startswith("CREATE TRIGGER")]
    assert len(triggers) == 2 and all(s.rstrip().endswith("END;") for s in triggers)


def test_a_record_answers_its_canonical_json_spliced_from_the_stored_texts(
    log: CheckLog,
) -> None:
    stored = log.append(
        [new(), new("56101", kind="correction", correction_reason="ketik – salah")],
        caller="key:abc",
        caller_role="staff",
        batch=True,
    )
    for record in [*stored, *(log.get(r.id) for r in stored)]:
        assert record.to_json() == canonical(record.to_dict())
        assert json.loads(record.to_json())["result"]["nan"] is None
    assert stored[1].to_json() == log.get(stored[1].id).to_json()  # byte for byte


def test_plain_checks_are_stored_as_if_walked_again(log: CheckLog) -> None:
    from kkpr.records.checks import plain

    walked = new()
    given = NewCheck(
        inputs=plain(walked.inputs),
        result=plain(walked.result),
        plan_id="mini",
        plan_version="v1",
        is_plain=True,
    )
    assert given.texts() == walked.texts()
    [a] = log.append([walked], caller="c", caller_role="staff")
    [b] = log.append([given], caller="c", caller_role="staff")
    assert a.content_hash == b.content_hash and a.result_json == b.result_json
