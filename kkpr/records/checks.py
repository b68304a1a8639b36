"""The check log: every check the service answered, append-only, each with a content hash.

One interface over SQLite (the embedded default, ``data_dir/records.db``) and
PostgreSQL (when ``KKPR_DATABASE_URL`` is set), through ``kkpr.db.database``.

- A record holds the request as validated (``inputs``), the ``result``, the plan id
  and version used, the caller, ``created_at`` and ``content_hash`` = SHA-256 of the
  canonical JSON of ``{"inputs": inputs, "result": result}``. Canonical JSON is
  ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
  encoded as UTF-8: anyone holding a record can recompute its hash.
- Append-only: this module has no UPDATE or DELETE, and the schema's triggers refuse
  them. A correction is a new record whose ``corrects`` names the old one.
- Idempotency keys are scoped to the caller: the same key and the same request give
  back the stored records; the same key with another request is a ``Conflict``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import Any

import orjson

from kkpr.db.database import Database, Row, Tx
from kkpr.db.migrate import RECORDS, migrate
from kkpr.db.sql import insert, select, sql
from kkpr.errors import Conflict, NotFound
from kkpr.model import CheckResult, CheckResultDict, Reason, field_names, field_values
from kkpr.settings import Settings

Clock = Callable[[], datetime]


# ---------------------------------------------------------------- canonical JSON


def plain(value: Any) -> Any:
    """``value`` as JSON-ready Python: dataclasses as dicts, enums as their values, dates
    as ISO text, non-finite floats as None. (Faster than ``dataclasses.asdict``, which
    deep-copies: this runs for every stored check.)"""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is dict:
        return {k if type(k) is str else str(k): plain(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return plain(value.value)
    if kind is Reason:  # renders its texts; not a dataclass
        return plain(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: plain(getattr(value, name)) for name in field_names(kind)}
    if isinstance(value, bool):  # subclasses of the plain types (numpy.float64, ...)
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return plain(float(value))
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return plain(dict(value))
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return plain(value.item())
    return str(value)


def canonical(value: Any) -> str:
    """The canonical JSON text of ``value`` (see the module docstring): ``json.dumps`` of
    ``plain(value)``, written by orjson where the two are known to agree."""
    data = _orjson_utf8(value)
    if data is not None:
        return data.decode("utf-8")
    return _json_text(value)


def _canonical_utf8(value: Any) -> tuple[str, bytes]:
    """``canonical(value)`` and its UTF-8: orjson's bytes as written, not encoded again."""
    data = _orjson_utf8(value)
    if data is not None:
        return data.decode("utf-8"), data
    text = _json_text(value)
    return text, text.encode("utf-8")


def _json_text(value: Any) -> str:
    return json.dumps(
        plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


# orjson writes what json.dumps(sort_keys, no spaces, ensure_ascii=False) writes, byte for
# byte, for every plain value (tests/records/test_checks.py holds it to that with
# hypothesis) but numbers below 1e-4 whose text has no exponent or a one-digit one:
# json gives 1e-05, 1.5e-07, orjson 0.00001, 1.5e-7 (1e-13 is 1e-13 in both). Those
# numbers are found by two scans in C for their fixed parts ("0.0000" and "e-<digit>"),
# and each found outside a string is written again as json.dumps writes it (the shortest
# repr of the same double); a text without them is not touched at all. What orjson
# refuses (keys that are not strings, integers beyond 64 bits, lone surrogates)
# json.dumps writes. What orjson does not encode itself (dataclasses, Reasons,
# subclasses of the JSON types, dates, numpy scalars, ...) it hands to
# ``_shallow_plain``: the walk that ``plain`` makes in Python over every value runs in
# orjson for all but those nodes.
_ORJSON_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)
# 0.00001 to 0.0000999...: orjson's text of a number in [1e-5, 1e-4)
_TINY_DECIMAL = re.compile(rb"0\.0000[0-9]+")
# the exponent of 1.5e-7: orjson's text of a number below 1e-5 ends with one digit
_ONE_DIGIT_EXPONENT = re.compile(rb"e-[0-9](?![0-9])")
# what comes before that exponent in a number (after the ":", "," or "[" before it)
_MANTISSA = re.compile(rb"(?:^|[:,\[])(-?[0-9](?:\.[0-9]+)?)\Z")
_MANTISSA_WINDOW = 24  # "," "-" 17 digits "." and room
_NUMBER_BEFORE = frozenset(b":,[")
_NUMBER_AFTER = frozenset(b",]}")
# a whole run of backslashes and the quote after it (escaped when the run is odd)
_BACKSLASHES_QUOTE = re.compile(rb'(?<!\\)\\+"')


def _small_number_spans(text: bytes) -> list[tuple[int, int]]:
    """Where ``text`` (orjson's) may hold a number that json.dumps writes otherwise: the
    spans of the number-shaped texts "0.0000..." and "...e-<digit>" that stand where a
    value stands (after ":", "," or "[" or at the start, before ",", "]", "}" or at the
    end), in order. Inside a string such a text may stand there too."""
    size = len(text)
    spans: list[tuple[int, int]] = []
    for match in _TINY_DECIMAL.finditer(text):
        start, end = match.span()
        if end < size and text[end] not in _NUMBER_AFTER:
            continue
        if start and text[start - 1] == 45:  # "-"
            start -= 1
        if start == 0 or text[start - 1] in _NUMBER_BEFORE:
            spans.append((start, end))
    for match in _ONE_DIGIT_EXPONENT.finditer(text):
        at, end = match.span()
        if end < size and text[end] not in _NUMBER_AFTER:
            continue
        mantissa = _MANTISSA.search(text, max(0, at - _MANTISSA_WINDOW), at)
        if mantissa is not None:
            spans.append((mantissa.start(1), end))
    spans.sort()
    return spans


def _unescaped_quotes(text: bytes, start: int, end: int, escapes: bool) -> int:
    """The quotes in ``text[start:end]`` that open or close a string (``start`` is not
    inside a run of backslashes)."""
    quotes = text.count(b'"', start, end)
    if quotes and escapes:
        for run in _BACKSLASHES_QUOTE.finditer(text, start, end):
            quotes -= (run.end() - run.start()) % 2 == 0  # an odd run escapes its quote
    return quotes


def _small_numbers_as_python(text: bytes) -> bytes:
    """orjson's ``text`` with its numbers below 1e-4 written as json.dumps writes them.

    Strings are left alone: a number-shaped text is a number when the quotes before it
    that open or close a string are even in count (inside a string orjson writes a
    quote as ``\\"``, after an odd number of backslashes)."""
    spans = _small_number_spans(text)
    if not spans:
        return text
    escapes = b"\\" in text
    pieces: list[bytes] = []
    written = counted = quotes = 0
    for start, end in spans:
        quotes += _unescaped_quotes(text, counted, start, escapes)
        counted = start
        if quotes % 2 == 0:
            pieces += (text[written:start], repr(float(text[start:end])).encode())
            written = end
    if not pieces:
        return text
    pieces.append(text[written:])
    return b"".join(pieces)


def _shallow_plain(value: Any) -> Any:
    """One level of ``plain(value)`` for orjson, which encodes what this returns: a
    dataclass's fields (every one: orjson's own dataclass support would skip names that
    begin with ``_``), a Reason's dict; anything else as ``plain`` gives it."""
    kind = type(value)
    if kind is Reason:
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return field_values(kind)(value)
    return plain(value)


def _orjson_utf8(value: Any) -> bytes | None:
    """``canonical(value)`` in UTF-8 by orjson, or None where orjson refuses ``value``."""
    try:
        text = orjson.dumps(value, default=_shallow_plain, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return None
    return _small_numbers_as_python(text)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(inputs: Any, result: Any) -> str:
    return sha256_text(canonical({"inputs": inputs, "result": result}))


def _hash_of_utf8(inputs: bytes, result: bytes) -> str:
    # the hash of canonical({"inputs": i, "result": r}) from the UTF-8 of i's and r's
    # canonical texts: neither written nor encoded again
    digest = hashlib.sha256(b'{"inputs":')
    for part in (inputs, b',"result":', result, b"}"):
        digest.update(part)
    return digest.hexdigest()


def request_hash(route: str, body: Any) -> str:
    """What an idempotency key is bound to: the route and the validated request."""
    return sha256_text(canonical({"route": route, "body": body}))


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class NewCheck:
    """A check to store: what was asked and what was answered (a ``CheckResult`` or its
    plain dict: both are stored as the same text)."""

    inputs: dict[str, Any]
    result: CheckResult | CheckResultDict
    plan_id: str
    plan_version: str
    kind: str = "check"  # check | precheck | correction
    corrects: str | None = None
    correction_reason: str | None = None

    def texts(self) -> tuple[str, str]:
        """The canonical texts of ``inputs`` and ``result``: what is stored and hashed."""
        return canonical(self.inputs), canonical(self.result)


@dataclass(frozen=True)
class CheckRecord:
    """A stored check. ``inputs_json`` and ``result_json`` are the canonical texts as
    stored; ``inputs`` and ``result`` are parsed from them when first read."""

    id: str
    kind: str
    created_at: str
    caller: str
    caller_role: str
    plan_id: str
    plan_version: str
    inputs_json: str
    result_json: str
    content_hash: str
    corrects: str | None = None
    correction_reason: str | None = None
    batch_id: str | None = None
    batch_index: int | None = None

    @cached_property
    def inputs(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.inputs_json)
        return value

    @cached_property
    def result(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.result_json)
        return value

    def _head(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "created_at": self.created_at,
            "caller": self.caller,
            "caller_role": self.caller_role,
            "plan_id": self.plan_id,
            "plan_version": self.plan_version,
            "corrects": self.corrects,
            "correction_reason": self.correction_reason,
            "batch_id": self.batch_id,
            "batch_index": self.batch_index,
            "content_hash": self.content_hash,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self._head(), "inputs": self.inputs, "result": self.result}

    def to_json(self) -> str:
        """``canonical(self.to_dict())``, spliced from the stored texts: the record is
        not parsed and encoded again (what the API answers, byte for byte)."""
        head = self._head()
        # canonical key order: the fields before "inputs", "inputs", those before
        # "result", "result"
        before = canonical({k: v for k, v in head.items() if k < "inputs"})
        between = canonical({k: v for k, v in head.items() if k > "inputs"})
        return (
            f'{before[:-1]},"inputs":{self.inputs_json},{between[1:-1]},'
            f'"result":{self.result_json}}}'
        )

    def verify(self) -> bool:
        """True when the stored inputs and result still hash to ``content_hash``."""
        return content_hash(self.inputs, self.result) == self.content_hash

    @classmethod
    def from_row(cls, row: Row) -> CheckRecord:
        return cls(
            id=row["id"],
            kind=row["kind"],
            created_at=row["created_at"],
            caller=row["caller"],
            caller_role=row["caller_role"],
            plan_id=row["plan_id"],
            plan_version=row["plan_version"],
            inputs_json=row["inputs"],
            result_json=row["result"],
            content_hash=row["content_hash"],
            corrects=row["corrects"],
            correction_reason=row["correction_reason"],
            batch_id=row["batch_id"],
            batch_index=None if row["batch_index"] is None else int(row["batch_index"]),
        )


@dataclass(frozen=True)
class Idempotency:
    key: str
    request_hash: str


class _Raced(Exception):
    """Another request stored the same idempotency key first; roll back and replay."""


COLUMNS = (
    "id", "kind", "created_at", "caller", "caller_role", "plan_id", "plan_version", "inputs",
    "result", "content_hash", "corrects", "correction_reason", "batch_id", "batch_index",
)  # fmt: skip
INSERT_CHECK = insert("check_log", COLUMNS)


# ---------------------------------------------------------------- the log


def records_url(settings: Settings) -> str:
    """PostgreSQL when ``database_url`` is set, else SQLite ``data_dir/records.db``."""
    if settings.database_url:
        return settings.database_url
    return f"sqlite:///{Path(settings.data_dir) / 'records.db'}"


def open_records(url: str) -> Database:
    """A Database at ``url`` with the records' migrations applied (``kkpr.db.migrate``:
    the check log, keys, secrets, sessions; nothing to do when they are current)."""
    db = Database(url)
    migrate(db, RECORDS)
    return db


class CheckLog:
    """Append and read stored checks."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db = db
        self._clock = clock or (lambda: datetime.now(UTC))

    @classmethod
    def open(cls, url: str) -> CheckLog:
        return cls(open_records(url))

    # ------------------------------------------------------------ writing

    def append(
        self,
        checks: Sequence[NewCheck],
        *,
        caller: str,
        caller_role: str,
        idempotency: Idempotency | None = None,
        batch: bool = False,
    ) -> list[CheckRecord]:
        """Store ``checks`` in one transaction (a batch shares a ``batch_id``).

        With ``idempotency``, a request stored earlier under the same key is answered
        from the log instead (Conflict if it was a different request).
        """
        return self.store(
            checks, caller=caller, caller_role=caller_role, idempotency=idempotency, batch=batch
        )[0]

    def store(
        self,
        checks: Sequence[NewCheck],
        *,
        caller: str,
        caller_role: str,
        idempotency: Idempotency | None = None,
        batch: bool = False,
    ) -> tuple[list[CheckRecord], bool]:
        """``append``, and whether the answer is a replay: a request racing another
        under the same idempotency key gets the other's records, and its answer must say
        so (``Idempotent-Replayed``) as a replay found before the check does."""
        now = utc_iso(self._clock())
        batch_id = uuid.uuid4().hex if batch else None
        encoded = [(_canonical_utf8(c.inputs), _canonical_utf8(c.result)) for c in checks]
        records = [
            CheckRecord(
                id=uuid.uuid4().hex,
                kind=c.kind,
                created_at=now,
                caller=caller,
                caller_role=caller_role,
                plan_id=c.plan_id,
                plan_version=c.plan_version,
                inputs_json=inputs[0],
                result_json=result[0],
                content_hash=_hash_of_utf8(inputs[1], result[1]),
                corrects=c.corrects,
                correction_reason=c.correction_reason,
                batch_id=batch_id,
                batch_index=i if batch else None,
            )
            for i, (c, (inputs, result)) in enumerate(zip(checks, encoded, strict=True))
        ]
        try:
            with self.db.transaction() as tx:
                if idempotency is not None:
                    target = batch_id if batch_id else records[0].id
                    self._claim(tx, caller, idempotency, "batch" if batch else "check", target)
                for c, r in zip(checks, records, strict=True):
                    if c.corrects is not None:
                        self._must_exist(tx, c.corrects)
                    tx.execute(
                        INSERT_CHECK,
                        (
                            r.id,
                            r.kind,
                            r.created_at,
                            r.caller,
                            r.caller_role,
                            r.plan_id,
                            r.plan_version,
                            r.inputs_json,
                            r.result_json,
                            r.content_hash,
                            r.corrects,
                            r.correction_reason,
                            r.batch_id,
                            r.batch_index,
                        ),
                    )
        except _Raced:
            assert idempotency is not None
            replayed = self.replay(caller, idempotency)
            assert replayed is not None
            return replayed, True
        return records, False

    def _claim(
        self, tx: Tx, caller: str, idem: Idempotency, target_kind: str, target_id: str
    ) -> None:
        claimed = tx.execute(
            sql(
                "INSERT INTO check_idempotency "
                "(caller, idem_key, request_hash, target_kind, target_id, created_at) "
                "VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT (caller, idem_key) DO NOTHING"
            ),
            (caller, idem.key, idem.request_hash, target_kind, target_id, utc_iso(self._clock())),
        )
        if claimed == 0:
            raise _Raced

    @staticmethod
    def _must_exist(tx: Tx, check_id: str) -> None:
        if tx.one(sql("SELECT id FROM check_log WHERE id = {}"), (check_id,)) is None:
            raise not_found(check_id)

    # ------------------------------------------------------------ reading

    def replay(self, caller: str, idem: Idempotency) -> list[CheckRecord] | None:
        """The records stored under ``caller``'s key, None if the key is new."""
        with self.db.transaction() as tx:
            row = tx.one(
                sql(
                    "SELECT request_hash, target_kind, target_id FROM check_idempotency "
                    "WHERE caller = {} AND idem_key = {}"
                ),
                (caller, idem.key),
            )
            if row is None:
                return None
            if row["request_hash"] != idem.request_hash:
                raise Conflict(
                    "Idempotency-Key ini sudah dipakai untuk permintaan yang berbeda",
                    "This Idempotency-Key was already used for a different request",
                    where="Idempotency-Key",
                    hint_id="Kirim ulang permintaan yang sama persis, atau pakai kunci baru "
                    "untuk permintaan baru",
                    hint_en="Resend exactly the same request, or use a new key for a new request",
                    extra={"idempotency_key": idem.key},
                )
            if row["target_kind"] == "batch":
                rows = tx.query(
                    select("check_log", COLUMNS, " WHERE batch_id = {} ORDER BY batch_index"),
                    (row["target_id"],),
                )
            else:
                rows = tx.query(select("check_log", COLUMNS, " WHERE id = {}"), (row["target_id"],))
        return [CheckRecord.from_row(r) for r in rows]

    def get(self, check_id: str) -> CheckRecord:
        with self.db.transaction() as tx:
            row = tx.one(select("check_log", COLUMNS, " WHERE id = {}"), (check_id,))
        if row is None:
            raise not_found(check_id)
        return CheckRecord.from_row(row)

    def corrected_by(self, check_id: str) -> list[str]:
        """Ids of the records that correct ``check_id``, oldest first."""
        with self.db.transaction() as tx:
            rows = tx.query(
                sql("SELECT id FROM check_log WHERE corrects = {} ORDER BY created_at, id"),
                (check_id,),
            )
        return [r["id"] for r in rows]


def not_found(check_id: str) -> NotFound:
    return NotFound(
        f"Pemeriksaan {check_id!r} tidak ada",
        f"Check {check_id!r} does not exist",
        where="check_id",
        hint_id="Periksa id dari jawaban POST /v1/checks",
        hint_en="Use the id returned by POST /v1/checks",
    )
