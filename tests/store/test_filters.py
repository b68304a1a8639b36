"""CQL2 text and property filters: parsing, type checks, and SQL's three-valued logic
over the memory store's typed columns."""

from __future__ import annotations

import pytest

from kkpr.errors import InvalidInput
from kkpr.store import filters
from kkpr.store.filters import And, Compare, InList, IsNull, Like, Not, Or

TYPES = {"kodszn": "string", "kdb": "number", "jlb": "integer", "ok": "boolean"}
ROWS = [
    {"kodszn": "K-1", "kdb": 70.0, "jlb": 6, "ok": True},
    {"kodszn": "R-2", "kdb": 60.0, "jlb": 3, "ok": False},
    {"kodszn": "RTH-2", "kdb": None, "jlb": None, "ok": None},
]


def matches(text: str) -> list[str]:
    node = filters.bind(filters.parse_cql2(text), TYPES)
    keep = filters.mask(node, filters.frame_of(ROWS, TYPES)).fillna(False)
    return [r["kodszn"] for r, k in zip(ROWS, keep, strict=True) if k]


def test_precedence_parentheses_and_keywords_in_any_case() -> None:
    node = filters.parse_cql2("a = 1 or b = 2 AND not (c <> 'x''y')")
    assert node == Or(
        (Compare("a", "=", 1), And((Compare("b", "=", 2), Not(Compare("c", "<>", "x'y")))))
    )
    assert filters.parse_cql2("k NOT IN ('a', 'b')") == Not(InList("k", ("a", "b")))
    assert filters.parse_cql2("k is not null") == Not(IsNull("k"))
    assert filters.parse_cql2("\"KODSZN\" LIKE 'R%'") == Like("KODSZN", "R%")
    assert filters.parse_cql2("n BETWEEN 1 AND 2.5") == And(
        (Compare("n", ">=", 1), Compare("n", "<=", 2.5))
    )


def test_comparisons_like_in_between_and_booleans() -> None:
    assert matches("kdb >= 60") == ["K-1", "R-2"]
    assert matches("kodszn LIKE 'R%'") == ["R-2", "RTH-2"]
    assert matches("kodszn LIKE 'R-_'") == ["R-2"]
    assert matches("jlb IN (3, 4)") == ["R-2"]
    assert matches("kdb BETWEEN 65 AND 75") == ["K-1"]
    assert matches("ok = TRUE") == ["K-1"]
    assert matches("kodszn > 'Q'") == ["R-2", "RTH-2"]  # text compares by code point


def test_a_missing_value_is_neither_true_nor_false() -> None:
    assert matches("kdb < 65") == ["R-2"]
    assert matches("NOT kdb < 65") == ["K-1"]  # RTH-2 (no KDB) in neither
    assert matches("kdb IS NULL") == ["RTH-2"]
    assert matches("kdb < 65 OR kodszn = 'RTH-2'") == ["R-2", "RTH-2"]
    assert matches("NOT (jlb IN (3))") == ["K-1"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("warna = 'x'", "does not exist"),
        ("kdb = 'enam'", "holds a number"),
        ("jlb = 2.5", "holds an integer"),
        ("kodszn = 5", "holds text"),
        ("kdb LIKE '6%'", "LIKE is for text"),
        ("ok > TRUE", "only = and <>"),
        ("kdb >", "ends too early"),
        ("kdb = 1 kodszn", "not expected"),
        ("kdb @ 1", "cannot be read"),
        ("(kdb = 1", "expected ')'"),
        ("   ", "empty"),
    ],
)
def test_what_cannot_be_applied_is_said(text: str, says: str) -> None:
    with pytest.raises(InvalidInput) as err:
        filters.bind(filters.parse_cql2(text), TYPES)
    assert says in err.value.message_en and err.value.message_id


def test_equalities_from_query_parameters() -> None:
    node = filters.equalities({"kodszn": "K-1", "kdb": "70"}, TYPES)
    assert node == And((Compare("kodszn", "=", "K-1"), Compare("kdb", "=", 70.0)))
    with pytest.raises(InvalidInput, match="kodsz"):
        filters.equalities({"kodsz": "K-1"}, TYPES)
    with pytest.raises(InvalidInput, match="holds an integer"):
        filters.equalities({"jlb": "tiga"}, TYPES)


def test_types_of_values() -> None:
    assert filters.type_of_values([1, None, 2]) == "integer"
    assert filters.type_of_values([1, 2.5]) == "number"
    assert filters.type_of_values([True, None]) == "boolean"
    assert filters.type_of_values(["a", 1]) == "string"
    assert filters.type_of_values([None, None]) == "string"


def test_sql_is_parameterised() -> None:
    params: dict[str, object] = {}
    node = filters.bind(filters.parse_cql2("kodszn = 'x'' OR 1=1' AND kdb > 5"), TYPES)
    sql = filters.to_sql(node, lambda p: filters.sql_column(f"attrs->>'{p}'", TYPES[p]), params)
    assert "OR 1=1" not in sql and params == {"f0": "x' OR 1=1", "f1": 5.0}
    assert sql == (
        "(((attrs->>'kodszn') COLLATE \"C\" = %(f0)s) AND ((attrs->>'kdb')::float8 > %(f1)s))"
    )
