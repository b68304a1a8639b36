"""OSS's value types as its integration documentation (PIA) writes them, enforced at the source.

``string(n)`` is text of at most ``n`` characters, ``number(p.s)`` a number of at most
``p`` digits of which ``s`` after the decimal point (written with exactly ``s``
decimals), a code is text of exactly ``n`` characters, a time is
``YYYY-MM-DD HH:MM:SS`` in the office's time zone. A value that does not fit is an
``OssValueError`` naming the field: never cut short, never rounded away.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from kkpr.errors import InvalidInput

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"
_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class OssValueError(InvalidInput):
    """A value that does not fit OSS's documented type for its field."""

    kind = "oss-value-invalid"


def _refuse(path: str, message_id: str, message_en: str) -> OssValueError:
    return OssValueError(
        f"{path}: {message_id}",
        f"{path}: {message_en}",
        where=path,
        hint_id="Lihat tipe dan panjang kolom ini di dokumentasi PIA OSS (docs/oss.md)",
        hint_en="See this field's type and length in OSS's PIA documentation (docs/oss.md)",
    )


@dataclass(frozen=True)
class Text:
    """``string(n)``: at most ``n`` characters."""

    max_len: int

    def check(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise _refuse(path, "harus teks", "must be text")
        if len(value) > self.max_len:
            raise _refuse(
                path,
                f"{len(value)} karakter, paling banyak {self.max_len}",
                f"{len(value)} characters, at most {self.max_len}",
            )
        return value

    def doc(self) -> str:
        return f"string({self.max_len})"


@dataclass(frozen=True)
class Code:
    """A code of exactly ``length`` characters, from ``allowed`` when given."""

    length: int
    allowed: tuple[str, ...] = ()

    def check(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or len(value) != self.length:
            raise _refuse(
                path,
                f"kode harus tepat {self.length} karakter, bukan {value!r}",
                f"a code of exactly {self.length} characters, not {value!r}",
            )
        if self.allowed and value not in self.allowed:
            raise _refuse(
                path,
                f"{value!r} bukan salah satu dari {', '.join(self.allowed)}",
                f"{value!r} is not one of {', '.join(self.allowed)}",
            )
        return value

    def doc(self) -> str:
        return f"string({self.length})" + (f": {'/'.join(self.allowed)}" if self.allowed else "")


@dataclass(frozen=True)
class Number:
    """``number(p.s)``: at most ``p - s`` digits before the point, exactly ``s`` after."""

    precision: int
    scale: int = 0

    def check(self, value: Any, path: str) -> Decimal:
        if isinstance(value, bool) or value is None:
            raise _refuse(path, "harus angka", "must be a number")
        try:
            number = Decimal(str(value).strip())  # str: a float 0.08 is 0.08, not its binary
        except (InvalidOperation, ValueError):
            raise _refuse(path, f"{value!r} bukan angka", f"{value!r} is not a number") from None
        if not number.is_finite():
            raise _refuse(path, "harus angka terhingga", "must be a finite number")
        step = Decimal(1).scaleb(-self.scale)
        rounded = number.quantize(step, rounding=ROUND_HALF_UP)
        if rounded != number:
            raise _refuse(
                path,
                f"{value} punya lebih dari {self.scale} desimal",
                f"{value} has more than {self.scale} decimals",
            )
        whole = len(str(abs(int(rounded))))
        if whole > self.precision - self.scale:
            raise _refuse(
                path,
                f"{value} melebihi {self.precision - self.scale} digit bilangan bulat",
                f"{value} has more than {self.precision - self.scale} whole digits",
            )
        return rounded

    def doc(self) -> str:
        return (
            f"number({self.precision}.{self.scale})" if self.scale else f"number({self.precision})"
        )


@dataclass(frozen=True)
class Flag:
    """``Y`` or ``N``."""

    def check(self, value: Any, path: str) -> str:
        return Code(1, ("Y", "N")).check(value, path)

    def doc(self) -> str:
        return "string(1): Y/N"


@dataclass(frozen=True)
class Moment:
    """``YYYY-MM-DD HH:MM:SS``; the PIA writes ``string(18)`` for it, but the format it
    gives is 19 characters: the format is what OSS parses, so that is what is enforced."""

    def check(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not _TIME_RE.match(value):
            raise _refuse(
                path,
                f"{value!r} bukan waktu YYYY-MM-DD HH:MM:SS",
                f"{value!r} is not a YYYY-MM-DD HH:MM:SS time",
            )
        try:
            datetime.strptime(value, TIME_FORMAT)
        except ValueError:
            raise _refuse(path, f"{value!r} tidak ada", f"{value!r} does not exist") from None
        return value

    def doc(self) -> str:
        return "string: YYYY-MM-DD HH:MM:SS"


@dataclass(frozen=True)
class Day:
    """``YYYY-MM-DD``."""

    def check(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not _DATE_RE.match(value):
            raise _refuse(
                path, f"{value!r} bukan tanggal YYYY-MM-DD", f"{value!r} is not a YYYY-MM-DD date"
            )
        try:
            date.fromisoformat(value)
        except ValueError:
            raise _refuse(path, f"{value!r} tidak ada", f"{value!r} does not exist") from None
        return value

    def doc(self) -> str:
        return "string: YYYY-MM-DD"


@dataclass(frozen=True)
class Choice:
    """One of a few texts, at most ``max_len`` characters (``persetujuan``)."""

    max_len: int
    allowed: tuple[str, ...]

    def check(self, value: Any, path: str) -> str:
        Text(self.max_len).check(value, path)
        if value not in self.allowed:
            raise _refuse(
                path,
                f"{value!r} bukan salah satu dari: {'; '.join(self.allowed)}",
                f"{value!r} is not one of: {'; '.join(self.allowed)}",
            )
        return str(value)

    def doc(self) -> str:
        return f"string({self.max_len}): " + " / ".join(self.allowed)


Kind = Text | Code | Number | Flag | Moment | Day | Choice


@dataclass(frozen=True)
class Spec:
    """One field of a message: its name, its type, whether OSS requires it."""

    name: str
    kind: Kind
    required: bool = False


def check_object(
    value: Any, specs: Sequence[Spec], path: str, *, empty_is_missing: bool = True
) -> dict[str, Any]:
    """The fields of ``specs`` read from ``value`` (a JSON object), each checked.

    Fields not in ``specs`` are ignored (OSS sends far more than a KKPR needs). An
    empty string is a missing value (OSS's examples fill unknown fields with ``""``).
    """
    if not isinstance(value, Mapping):
        raise _refuse(path, "harus objek JSON", "must be a JSON object")
    out: dict[str, Any] = {}
    for spec in specs:
        raw = value.get(spec.name)
        if raw is None or (empty_is_missing and raw == ""):
            if spec.required:
                raise _refuse(f"{path}.{spec.name}", "wajib diisi", "is required")
            continue
        out[spec.name] = spec.kind.check(raw, f"{path}.{spec.name}")
    return out


def build(values: Mapping[str, Any], specs: Sequence[Spec], path: str) -> dict[str, Any]:
    """An outgoing object in ``specs``' order: each value checked, ``None`` left out
    (a required one is an error), nothing outside ``specs``."""
    unknown = set(values) - {s.name for s in specs}
    if unknown:
        raise ValueError(f"{path}: not OSS fields: {sorted(unknown)}")
    return check_object(
        {k: v for k, v in values.items() if v is not None}, specs, path, empty_is_missing=False
    )


def check_list(value: Any, path: str, *, required: bool = False) -> list[Any]:
    if value is None or value == "":
        value = []
    if not isinstance(value, list):
        raise _refuse(path, "harus larik JSON", "must be a JSON array")
    if required and not value:
        raise _refuse(path, "tidak boleh kosong", "must not be empty")
    return value


def oss_time(moment: datetime, timezone: str) -> str:
    """``moment`` as OSS writes times: the office's wall clock, ``YYYY-MM-DD HH:MM:SS``."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give a timezone")
    return moment.astimezone(ZoneInfo(timezone)).strftime(TIME_FORMAT)


def to_json(value: Any) -> str:
    """JSON text with each ``Decimal`` written as the number it is (``12.50`` stays
    ``12.50``: ``number(20.2)`` is sent with its two decimals)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return (
            "{" + ", ".join(f"{json.dumps(str(k))}: {to_json(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, list | tuple):
        return "[" + ", ".join(to_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)
