"""The check log on SQLite and on PostgreSQL: append-only, hashed, idempotent."""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum, IntEnum
from pathlib import Path

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kkpr.check import check
from kkpr.db.sql import sql
from kkpr.errors import Conflict, NotFound
from kkpr.model import Effect, Outcome, Proposal, Reason
from kkpr.plan.package import Plan
from kkpr.records.checks import (
    CheckLog,
    Idempotency,
    NewCheck,
    _small_numbers_as_python,
    canonical,
    content_hash,
    open_records,
    plain,
    request_hash,
)
from kkpr.settings import SAMPLE_PLAN_DIR
from kkpr.store.memory import MemoryStore

EXAMPLES = SAMPLE_PLAN_DIR / "examples"


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
            "outside_m2": 1e-07,  # orjson writes 1e-7: stored and hashed as 1e-07
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
    assert '"outside_m2":1e-07,' in back.result_json
    text = canonical({"inputs": back.inputs, "result": back.result})
    assert back.content_hash == content_hash(back.inputs, back.result)
    assert json.loads(text)["result"]["teks"].endswith("taman")


def test_the_log_refuses_update_and_delete(log: CheckLog) -> None:
    [stored] = log.append([new()], caller="key:abc", caller_role="staff")
    for statement in (
        sql("UPDATE check_log SET result = '{{}}' WHERE id = {}"),
        sql("DELETE FROM check_log WHERE id = {}"),
    ):
        with pytest.raises(Exception, match="append-only"), log.db.transaction() as tx:
            tx.execute(statement, (stored.id,))
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


def test_a_check_result_is_stored_as_its_plain_dict_would_be(
    log: CheckLog, sample_plan: Plan
) -> None:
    site = json.loads((EXAMPLES / "rawan_banjir.geojson").read_text())["geometry"]
    result = check(MemoryStore(sample_plan), site, "47111", Proposal(floors=2))
    as_object = NewCheck(inputs={"kbli": "47111"}, result=result, plan_id="k", plan_version="1")
    as_dict = NewCheck(
        inputs={"kbli": "47111"}, result=result.to_dict(), plan_id="k", plan_version="1"
    )
    assert as_object.texts() == as_dict.texts()
    [a] = log.append([as_object], caller="c", caller_role="staff")
    [b] = log.append([as_dict], caller="c", caller_role="staff")
    assert a.content_hash == b.content_hash and a.result_json == b.result_json
    assert a.result == json.loads(_json_dumps(result.to_dict()))


def _json_dumps(value: object) -> str:
    """The canonical JSON as the module docstring defines it."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


# numbers below 1e-4 are where orjson and json.dumps write differently (0.00001 and
# 1e-05, 1.5e-7 and 1.5e-07); these are the texts a string may hold that look like them
# where a value stands, and the runs of backslashes that decide whether a quote ends a
# string
_SMALL_FLOATS = [1e-05, -1.5e-07, 1e-10, 9.99e-06, -0.00001234, 5e-324, 1e-09, -1e-09]
_NUMBER_LIKE_TEXTS = [
    "1e5",
    ":1e-05,",
    ':0.00001,"',
    '\\":0.00001,"\\',
    "lantai ke-3",
    "\\",
    "0.0000",
    "e-5",
    ":0.00001,",
    ":1.5e-7}",
    "[0.00002]",
    '\\\\",1e-6,"',  # an even run: the quote ends the string
    '\\\\\\",1e-6,',  # an odd run: it does not
    "50.00000001",
    "x-0.00001]",
]
_plain_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)  # beyond 64 bits: orjson refuses
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.floats(min_value=-1e-4, max_value=1e-4)
    | st.sampled_from(
        [*_SMALL_FLOATS, 10.00001, 50.00000001, 1e16, -2.5e22, 1e15, 9.999e15, 0.0001, -0.0]
    )
    | st.text()  # any code point, lone surrogates included
    | st.sampled_from(_NUMBER_LIKE_TEXTS)
    # JSON's structure and numbers' characters, backslashes and quotes in any order
    | st.text(alphabet='\\"0.e-15:,[]{}', max_size=12),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(max_size=6) | st.sampled_from(_NUMBER_LIKE_TEXTS), children, max_size=4
        )
    ),
    max_leaves=24,
)


@settings(max_examples=600, deadline=None)
@given(_plain_values)
def test_canonical_json_is_json_dumps_byte_for_byte(value: object) -> None:
    # the fast path (orjson) must never change a stored text, nor so a content hash
    assert canonical(value) == _json_dumps(value)


@pytest.mark.parametrize(
    "value",
    [
        1e-05,
        -1.5e-07,
        [[1e-06, [-2e-05]], {"a": [9.99e-06, 50.00000001, 1e-13]}],
        {"0.0000": 1e-05, "e-5": -1e-07, ":0.00001,": [0.00001234]},
        ["\\", 1e-06, '\\"', 2e-05, '\\\\"', 3e-07, '"\\\\\\', -4e-08],
        {"k": 'a\\":0.00001,"b', "l": 1e-05, "m": "\\\\", "n": [1e-09]},
        ["lantai ke-3", "1e-5", 50.00000001, 10.00001, -0.0001, 0.0001],
    ],
)
def test_canonical_json_writes_small_numbers_as_json_and_leaves_strings(value: object) -> None:
    assert canonical(value) == _json_dumps(value)


@settings(max_examples=2000, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False) | st.floats(-1e-3, 1e-3))
def test_orjson_writes_a_number_as_json_does_but_those_canonical_rewrites(x: float) -> None:
    # what the fast path relies on: a number whose texts differ is one of the two forms
    # _small_numbers_as_python looks for, and it writes json's text in its place
    fast, slow = orjson.dumps([x]), _json_dumps([x]).encode()
    if fast != slow:
        assert re.fullmatch(rb"\[-?(0\.0000[0-9]+|[0-9](\.[0-9]+)?e-[0-9])\]", fast), fast
    assert _small_numbers_as_python(fast) == slow


class Colour(Enum):
    RED = "merah"


class Size(IntEnum):
    BIG = 3


class Note(str):
    def __str__(self) -> str:
        return "not what is stored"


@dataclass(frozen=True)
class Leaf:
    name: str
    _hidden: float  # orjson's own dataclass support would skip it; plain keeps it
    effect: Effect


_values = st.deferred(
    lambda: (
        _plain_values
        | st.sampled_from(
            [
                Colour.RED,
                Size.BIG,
                Effect.FORBIDS,
                Outcome.SESUAI,
                Note("catatan"),
                np.float64(2.5),
                np.float64("nan"),
                np.int64(7),
                np.bool_(True),
                float("inf"),
                date(2026, 11, 25),
                datetime(2026, 11, 25, 1, 2, 3, 4, tzinfo=UTC),
                Reason("kode", "teks", "text", Effect.INFO, {"luas": 1e-05}),
                Reason("kode", render=lambda: ("lantai ke-3", "floor 3")),
            ]
        )
        | st.builds(Leaf, st.text(max_size=4), st.floats(), st.sampled_from(Effect))
        | st.lists(_values, max_size=3).map(tuple)
        | st.dictionaries(st.sampled_from(["a", "b", "_c"]), _values, max_size=3).map(OrderedDict)
    )
)


@settings(max_examples=400, deadline=None)
@given(_values)
def test_canonical_json_of_any_value_is_json_dumps_of_plain(value: object) -> None:
    assert canonical(value) == _json_dumps(plain(value))


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.geojson")))
def test_canonical_json_of_real_checks_is_json_dumps_of_plain(
    sample_plan: Plan, example: str
) -> None:
    store = MemoryStore(sample_plan)
    feature = json.loads((EXAMPLES / example).read_text())
    site = feature.get("geometry") or feature["features"][0]["geometry"]
    for kbli in ("47111", "56101", "10130"):
        result = check(store, site, kbli, Proposal(floors=2))
        assert canonical(result) == _json_dumps(plain(result))
        # outside_m2 of some sites is float noise (1e-13, 8e-9): written as json writes it
        fast = orjson.dumps(plain(result), option=orjson.OPT_SORT_KEYS)
        assert _small_numbers_as_python(fast).decode() == _json_dumps(plain(result))
