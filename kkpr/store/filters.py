"""Property filters of OGC API Features (Part 3): CQL2 text, and the typed properties
(queryables) a filter may name.

A filter is parsed once into a small tree, checked against the collection's property
types (an unknown property or a value of the wrong type is refused, never ignored),
then evaluated either over a pandas frame (the memory store) or as SQL over the
``attrs`` JSON of a PostGIS table; both follow SQL's three-valued logic, so a
comparison with a missing value is neither true nor false and both stores answer
the same features.

The CQL2 text understood: comparisons (``=``, ``<>``, ``<``, ``<=``, ``>``, ``>=``),
``LIKE``, ``IN (...)``, ``BETWEEN ... AND ...``, ``IS [NOT] NULL``, ``AND``, ``OR``,
``NOT`` and parentheses; literals are numbers, ``'text'`` and ``TRUE``/``FALSE``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kkpr.errors import InvalidInput

# JSON Schema types of properties, as queryables and feature schemas name them
STRING, INTEGER, NUMBER, BOOLEAN = "string", "integer", "number", "boolean"
COMPARISONS = ("=", "<>", "<", "<=", ">", ">=")
HINT_ID = (
    "Tulis mis. kodszn = 'K-1' AND kdb >= 60 (perbandingan, LIKE, IN, BETWEEN, "
    "IS NULL, AND, OR, NOT); properti: lihat /queryables"
)
HINT_EN = (
    "Write e.g. kodszn = 'K-1' AND kdb >= 60 (comparisons, LIKE, IN, BETWEEN, "
    "IS NULL, AND, OR, NOT); properties: see /queryables"
)


# ---------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Compare:
    prop: str
    op: str  # one of COMPARISONS
    value: Any


@dataclass(frozen=True)
class Like:
    prop: str
    pattern: str


@dataclass(frozen=True)
class InList:
    prop: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class IsNull:
    prop: str


@dataclass(frozen=True)
class And:
    parts: tuple[Filter, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Filter, ...]


@dataclass(frozen=True)
class Not:
    part: Filter


Filter = Compare | Like | InList | IsNull | And | Or | Not


def invalid(message_id: str, message_en: str, where: str = "filter") -> InvalidInput:
    return InvalidInput(message_id, message_en, where=where, hint_id=HINT_ID, hint_en=HINT_EN)


# ---------------------------------------------------------------- CQL2 text

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
  | '(?P<str>(?:[^']|'')*)'
  | "(?P<qid>[^"]+)"
  | (?P<op><>|<=|>=|=|<|>|\(|\)|,)
  | (?P<word>[A-Za-z_][A-Za-z0-9_.:-]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"AND", "OR", "NOT", "LIKE", "IN", "BETWEEN", "IS", "NULL", "TRUE", "FALSE"}


@dataclass(frozen=True)
class _Tok:
    kind: str  # num, str, id, op, kw
    text: str
    value: Any


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos, n = 0, len(text)
    while pos < n:
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise invalid(
                f"Filter tidak terbaca di posisi {pos + 1}: {text[pos : pos + 20]!r}",
                f"The filter cannot be read at position {pos + 1}: {text[pos : pos + 20]!r}",
            )
        pos = m.end()
        if m.group("num") is not None:
            s = m.group("num")
            v: Any = float(s) if re.search(r"[.eE]", s) else int(s)
            out.append(_Tok("num", s, v))
        elif m.group("str") is not None:
            out.append(_Tok("str", m.group(0), m.group("str").replace("''", "'")))
        elif m.group("qid") is not None:
            out.append(_Tok("id", m.group("qid"), m.group("qid")))
        elif m.group("op") is not None:
            out.append(_Tok("op", m.group("op"), m.group("op")))
        else:
            word = m.group("word")
            if word.upper() in _KEYWORDS:
                out.append(_Tok("kw", word.upper(), word.upper()))
            else:
                out.append(_Tok("id", word, word))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise invalid("Filter berhenti di tengah", "The filter ends too early")
        self.i += 1
        return tok

    def accept(self, text: str) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind in ("kw", "op") and tok.text == text:
            self.i += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            got = self.peek()
            raise invalid(
                f"Filter: diharapkan {text!r}, tertulis {got.text if got else 'akhir teks'!r}",
                f"Filter: expected {text!r}, found {got.text if got else 'the end'!r}",
            )

    def parse(self) -> Filter:
        node = self.or_()
        if self.peek() is not None:
            tok = self.take()
            raise invalid(
                f"Filter: {tok.text!r} tidak diharapkan di sini",
                f"Filter: {tok.text!r} is not expected here",
            )
        return node

    def or_(self) -> Filter:
        parts = [self.and_()]
        while self.accept("OR"):
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_(self) -> Filter:
        parts = [self.not_()]
        while self.accept("AND"):
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def not_(self) -> Filter:
        if self.accept("NOT"):
            return Not(self.not_())
        if self.accept("("):
            node = self.or_()
            self.expect(")")
            return node
        return self.predicate()

    def literal(self) -> Any:
        tok = self.take()
        if tok.kind in ("num", "str"):
            return tok.value
        if tok.kind == "kw" and tok.text in ("TRUE", "FALSE"):
            return tok.text == "TRUE"
        raise invalid(
            f"Filter: {tok.text!r} bukan nilai (angka, 'teks', TRUE/FALSE)",
            f"Filter: {tok.text!r} is not a value (a number, 'text', TRUE/FALSE)",
        )

    def predicate(self) -> Filter:
        tok = self.take()
        if tok.kind != "id":
            raise invalid(
                f"Filter: diharapkan nama properti, tertulis {tok.text!r}",
                f"Filter: expected a property name, found {tok.text!r}",
            )
        prop = tok.value
        negate = self.accept("NOT")
        node: Filter
        if self.accept("LIKE"):
            pattern = self.literal()
            if not isinstance(pattern, str):
                raise invalid("Filter: LIKE memerlukan 'teks'", "Filter: LIKE needs 'text'")
            node = Like(prop, pattern)
        elif self.accept("IN"):
            self.expect("(")
            values = [self.literal()]
            while self.accept(","):
                values.append(self.literal())
            self.expect(")")
            node = InList(prop, tuple(values))
        elif self.accept("BETWEEN"):
            low = self.literal()
            self.expect("AND")
            high = self.literal()
            node = And((Compare(prop, ">=", low), Compare(prop, "<=", high)))
        elif not negate and self.accept("IS"):
            negate = self.accept("NOT")
            self.expect("NULL")
            node = IsNull(prop)
        elif not negate and (op := self.peek()) is not None and op.text in COMPARISONS:
            self.take()
            return Compare(prop, op.text, self.literal())
        else:
            got = self.peek()
            raise invalid(
                f"Filter: setelah {prop!r} diharapkan operator, tertulis "
                f"{got.text if got else 'akhir teks'!r}",
                f"Filter: expected an operator after {prop!r}, found "
                f"{got.text if got else 'the end'!r}",
            )
        return Not(node) if negate else node


def parse_cql2(text: str) -> Filter:
    """A CQL2 text filter as a tree; InvalidInput says where it cannot be read."""
    if not text.strip():
        raise invalid("Filter kosong", "The filter is empty")
    return _Parser(text).parse()


# ---------------------------------------------------------------- types


def type_of_values(values: Iterable[Any]) -> str:
    """The JSON Schema type of a property from its (JSON-ready) values: integer when
    every value is an integer, number when every value is a number, boolean, else
    string (also when every value is missing)."""
    seen: set[str] = set()
    for v in values:
        if v is None:
            continue
        if isinstance(v, bool):
            seen.add(BOOLEAN)
        elif isinstance(v, int):
            seen.add(INTEGER)
        elif isinstance(v, float):
            seen.add(NUMBER)
        else:
            return STRING
    if seen == {BOOLEAN}:
        return BOOLEAN
    if seen and seen <= {INTEGER, NUMBER}:
        return INTEGER if seen == {INTEGER} else NUMBER
    return STRING


def coerce(value: Any, kind: str, prop: str, where: str = "filter") -> Any:
    """``value`` (a literal, or a query parameter's text) as a value of ``kind``."""
    if kind == STRING:
        if isinstance(value, str):
            return value
        if isinstance(value, bool) or where == "filter":
            raise _wrong_type(prop, kind, value, where)
        return str(value)
    if kind == BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _wrong_type(prop, kind, value, where)
    number: float | int
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value) if kind == NUMBER else int(str(value).strip())
    except (TypeError, ValueError):
        raise _wrong_type(prop, kind, value, where) from None
    if isinstance(number, float) and not math.isfinite(number):
        raise _wrong_type(prop, kind, value, where)
    return number


def _wrong_type(prop: str, kind: str, value: Any, where: str) -> InvalidInput:
    names = {
        STRING: ("teks", "text"),
        INTEGER: ("bilangan bulat", "an integer"),
        NUMBER: ("angka", "a number"),
        BOOLEAN: ("true/false", "true/false"),
    }
    id_, en = names[kind]
    return invalid(
        f"Properti {prop!r} berisi {id_}; {value!r} tidak sesuai",
        f"Property {prop!r} holds {en}; {value!r} does not fit",
        where=where,
    )


def unknown_property(prop: str, known: Iterable[str], where: str = "filter") -> InvalidInput:
    names = ", ".join(sorted(known))
    return InvalidInput(
        f"Properti {prop!r} tidak ada di koleksi ini",
        f"Property {prop!r} does not exist in this collection",
        where=where,
        hint_id=f"Properti yang dapat disaring: {names}",
        hint_en=f"Properties that can be filtered: {names}",
    )


def bind(node: Filter, types: Mapping[str, str]) -> Filter:
    """``node`` with every property checked and every literal of its property's type."""

    def prop_type(prop: str) -> str:
        if prop not in types:
            raise unknown_property(prop, types)
        return types[prop]

    if isinstance(node, Compare):
        kind = prop_type(node.prop)
        if kind == BOOLEAN and node.op not in ("=", "<>"):
            raise invalid(
                f"Properti {node.prop!r} benar/salah: hanya = dan <>",
                f"Property {node.prop!r} is true/false: only = and <>",
            )
        return Compare(node.prop, node.op, coerce(node.value, kind, node.prop))
    if isinstance(node, Like):
        if prop_type(node.prop) != STRING:
            raise invalid(
                f"LIKE hanya untuk properti teks; {node.prop!r} bukan teks",
                f"LIKE is for text properties; {node.prop!r} is not text",
            )
        return node
    if isinstance(node, InList):
        kind = prop_type(node.prop)
        return InList(node.prop, tuple(coerce(v, kind, node.prop) for v in node.values))
    if isinstance(node, IsNull):
        prop_type(node.prop)
        return node
    if isinstance(node, And):
        return And(tuple(bind(p, types) for p in node.parts))
    if isinstance(node, Or):
        return Or(tuple(bind(p, types) for p in node.parts))
    return Not(bind(node.part, types))


def equalities(params: Mapping[str, str], types: Mapping[str, str]) -> Filter | None:
    """``?kodszn=K-1&kdb=60`` (Part 1 property equality) as one AND of comparisons."""
    parts: list[Filter] = []
    for prop, text in params.items():
        if prop not in types:
            raise unknown_property(prop, types, where=prop)
        parts.append(Compare(prop, "=", coerce(text, types[prop], prop, where=prop)))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def combine(*filters: Filter | None) -> Filter | None:
    present = tuple(f for f in filters if f is not None)
    if not present:
        return None
    return present[0] if len(present) == 1 else And(present)


# ---------------------------------------------------------------- evaluation


def frame_of(records: list[dict[str, Any]], types: Mapping[str, str]) -> pd.DataFrame:
    """Properties as nullable typed columns (Kleene logic for missing values)."""
    dtypes = {STRING: "string", INTEGER: "Int64", NUMBER: "Float64", BOOLEAN: "boolean"}
    columns: dict[str, Any] = {}
    for prop, kind in types.items():
        values = [r.get(prop) for r in records]
        if kind == STRING:
            values = [None if v is None else str(v) for v in values]
        columns[prop] = pd.Series(values, dtype=dtypes[kind]).array
    return pd.DataFrame(columns, index=pd.RangeIndex(len(records)))


def _like_regex(pattern: str) -> str:
    out = []
    for ch in pattern:
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
    return "^" + "".join(out) + "$"


def mask(node: Filter, frame: pd.DataFrame) -> Any:
    """A nullable boolean array: True where ``node`` holds (NA where it is unknown)."""
    if isinstance(node, Compare):
        col = frame[node.prop]
        ops: dict[str, Callable[[Any, Any], Any]] = {
            "=": lambda a, b: a == b,
            "<>": lambda a, b: a != b,
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }
        return ops[node.op](col, node.value).array
    if isinstance(node, Like):
        return frame[node.prop].str.match(_like_regex(node.pattern)).astype("boolean").array
    if isinstance(node, InList):
        col = frame[node.prop]
        hit = col.isin(list(node.values)).astype("boolean")
        return hit.mask(col.isna()).array
    if isinstance(node, IsNull):
        return pd.array(frame[node.prop].isna().to_numpy(), dtype="boolean")
    if isinstance(node, And):
        out = mask(node.parts[0], frame)
        for p in node.parts[1:]:
            out = out & mask(p, frame)
        return out
    if isinstance(node, Or):
        out = mask(node.parts[0], frame)
        for p in node.parts[1:]:
            out = out | mask(p, frame)
        return out
    return ~mask(node.part, frame)


def to_sql(node: Filter, column: Callable[[str], str], params: dict[str, Any]) -> str:
    """``node`` as a SQL condition; ``column(prop)`` is the typed SQL expression of a
    property; literals go into ``params`` (named ``f0``, ``f1``, ...)."""

    def param(value: Any) -> str:
        name = f"f{len(params)}"
        params[name] = value
        return f"%({name})s"

    if isinstance(node, Compare):
        return f"({column(node.prop)} {node.op} {param(node.value)})"
    if isinstance(node, Like):
        return f"({column(node.prop)} LIKE {param(node.pattern)})"
    if isinstance(node, InList):
        return f"({column(node.prop)} IN ({', '.join(param(v) for v in node.values)}))"
    if isinstance(node, IsNull):
        return f"({column(node.prop)} IS NULL)"
    if isinstance(node, And):
        return "(" + " AND ".join(to_sql(p, column, params) for p in node.parts) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(to_sql(p, column, params) for p in node.parts) + ")"
    return f"(NOT {to_sql(node.part, column, params)})"


def sql_column(json_expr: str, kind: str) -> str:
    """The typed SQL expression of a JSON text expression (``attrs->>'kodszn'``); text
    compares by code point, as the memory store compares it."""
    casts = {STRING: ' COLLATE "C"', INTEGER: "::bigint", NUMBER: "::float8", BOOLEAN: "::boolean"}
    return f"({json_expr}){casts[kind]}"
