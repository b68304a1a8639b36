"""Statements composed by the driver: the same template on both dialects."""

from __future__ import annotations

from pathlib import Path

import pytest

from kkpr.db.database import Database
from kkpr.db.sql import insert, quote_identifier, select, sql, update


def test_sqlite_gets_placeholders_and_quoted_identifiers() -> None:
    q = sql("SELECT * FROM {t} WHERE {k} = {} AND n LIKE '5%%'", t="ka.se", k='we"ird')
    assert q.render("sqlite") == ('SELECT * FROM "ka"."se" WHERE "we""ird" = ? AND n LIKE \'5%\'')
    assert quote_identifier("cases") == '"cases"'


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "sqlite":
        return Database(f"sqlite:///{tmp_path / 'x.db'}")
    return Database(request.getfixturevalue("pg_new_database")(migrated=False))


def test_identifiers_and_parameters_reach_the_database_as_such(db: Database) -> None:
    """A hostile table name is one identifier, a hostile value one parameter."""
    table = 'odd "name"; DROP TABLE x'
    with db.transaction() as tx:
        tx.execute(sql("CREATE TABLE {t} (k TEXT, v TEXT)", t=table))
        tx.execute(sql("INSERT INTO {t} (k, v) VALUES ({}, {})", t=table), ("a?", "'); --%s"))
        got = tx.one(sql("SELECT v FROM {t} WHERE k = {} AND v LIKE '%%--%%'", t=table), ("a?",))
    assert got == {"v": "'); --%s"}
    db.close()


def test_an_insert_names_its_columns_as_identifiers(db: Database) -> None:
    row = {"k": "x", "select": "y"}  # a column named as a keyword still works
    with db.transaction() as tx:
        tx.execute(sql('CREATE TABLE t (k TEXT, "select" TEXT)'))
        tx.execute(insert("t", row), tuple(row.values()))
        assert tx.one(sql("SELECT * FROM t")) == row
    db.close()


def test_an_update_names_its_columns_and_key_as_identifiers(db: Database) -> None:
    with db.transaction() as tx:
        tx.execute(sql('CREATE TABLE t (k TEXT, "select" TEXT, n INTEGER)'))
        tx.execute(insert("t", ["k", "select", "n"]), ("a", "x", 1))
        tx.execute(insert("t", ["k", "select", "n"]), ("b", "x", 1))
        changed = tx.execute(update("t", ["select", "n"], "k"), ("y", 2, "a"))
        rows = tx.query(sql("SELECT * FROM t ORDER BY k"))
    assert changed == 1
    assert rows == [{"k": "a", "select": "y", "n": 2}, {"k": "b", "select": "x", "n": 1}]
    db.close()


def test_a_select_names_its_columns_and_table_as_identifiers(db: Database) -> None:
    with db.transaction() as tx:
        tx.execute(sql('CREATE TABLE t (k TEXT, "select" TEXT, n INTEGER)'))
        tx.execute(insert("t", ["k", "select", "n"]), ("a", "x", 1))
        tx.execute(insert("t", ["k", "select", "n"]), ("b", "y", 2))
        rows = tx.query(select("t", ["select", "k"], " WHERE n > {} ORDER BY k"), (0,))
    assert rows == [{"select": "x", "k": "a"}, {"select": "y", "k": "b"}]
    assert select("t", ["k"]).render("sqlite") == 'SELECT "k" FROM "t"'
    db.close()


def test_a_statement_given_as_text_is_refused(db: Database) -> None:
    """No placeholder is rewritten by string replacement: text is not a statement."""
    with pytest.raises(TypeError, match=r"kkpr\.db\.sql\.sql"), db.transaction() as tx:
        tx.query("SELECT 1 AS n WHERE 1 = ?", (1,))  # type: ignore[arg-type]
    db.close()
