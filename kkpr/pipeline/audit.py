"""The audit trail: who did what and when, read from the records the service keeps and
never changes.

Sources, each read with the filters applied in SQL:

- ``check``: the check log (records database): each stored check, pre-check or
  correction, by its caller;
- ``stage``: the application's stage history (submission, stage reports);
- ``transition``: every step of a PKKPR case (who: the officer's name and NIP, and the
  key that acted);
- ``document``: the KKPR documents issued;
- ``integration``: what staff set about a plan version's RDTR being in OSS;
- ``key``: API keys created and revoked (records database);
- ``plan``: every step of managing a plan from the web (upload, refused upload,
  validation report, diff, impact, activation, rollback: ``plan_events``, records
  database, both stores);
- ``activation``: the PostGIS store's own activation log (``kkpr.activations``, which
  also holds the loads, activations and rollbacks made with the ``kkpr plan`` CLI).

The SQLite default keeps the check log and the pipeline in two files, so the sources
are merged here: each is asked for its newest ``offset + limit`` rows and the merge
keeps the page, which is exact for any page. Times are UTC text, which sorts as time
does; a date range is of the office's calendar days (``AuditFilter.tz``).

``case_facts`` reads what ``kkpr.pipeline.figures`` counts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kkpr.db.database import Database, Row, Tx
from kkpr.db.sql import sql
from kkpr.pipeline.figures import CaseFacts, Step
from kkpr.text import spreadsheet_safe

KINDS = (
    "check", "stage", "transition", "document", "integration", "key", "plan", "activation",
)  # fmt: skip
UTC_ZONE = ZoneInfo("UTC")
CSV_FIELDS = ("at", "kind", "action", "who", "who_id", "application_id", "ref", "detail")


@dataclass(frozen=True)
class AuditFilter:
    who: str | None = None  # part of a name, NIP or key id (any case)
    kind: str | None = None  # one of KINDS
    since: date | None = None  # the office's calendar days, both ends included
    until: date | None = None
    application: str | None = None  # an application id
    tz: ZoneInfo = UTC_ZONE  # whose calendar days ``since`` and ``until`` are

    def bound(self, day: date) -> str:
        """The UTC text of the start of ``day`` in ``tz`` (times are stored as UTC text,
        which sorts as time does)."""
        start = datetime.combine(day, time(), self.tz).astimezone(UTC)
        return start.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class AuditEvent:
    at: str
    kind: str
    action: str
    who: str | None  # a person's or key's name as recorded
    who_id: str | None  # the key or caller id, a NIP
    application_id: str | None
    ref: str | None
    detail: str | None

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CSV_FIELDS}


@dataclass(frozen=True)
class Query:
    """One source as SQL: ``select`` yields at, action, who, who_id, application_id,
    ref, detail; ``at``, ``who`` (columns searched), ``app`` name its columns (composed
    by the driver as identifiers); ``only``, a condition every row of the source meets."""

    kind: str
    select: str
    at: str
    who: tuple[str, ...]
    app: str | None
    only: str | None = None

    def where(self, flt: AuditFilter, key_ids: list[str]) -> tuple[str, dict[str, str], list[Any]]:
        """The ``WHERE`` of ``flt`` (``key_ids``: the keys whose name matches
        ``flt.who``): its text, the identifiers it names, its parameters."""
        parts: list[str] = [] if self.only is None else [self.only]
        names: dict[str, str] = {}
        params: list[Any] = []
        if flt.since is not None:
            parts.append("{at} >= {}")
            names["at"] = self.at
            params.append(flt.bound(flt.since))
        if flt.until is not None:
            parts.append("{at} < {}")
            names["at"] = self.at
            params.append(flt.bound(flt.until + timedelta(days=1)))
        if flt.application is not None:
            if self.app is None:
                parts.append("1 = 0")
            else:
                parts.append("{app} = {}")
                names["app"] = self.app
                params.append(flt.application)
        if flt.who:
            who = {f"who{i}": column for i, column in enumerate(self.who)}
            names.update(who)
            ors = ["LOWER(COALESCE({" + name + "}, '')) LIKE {}" for name in who]
            params += [f"%{flt.who.lower()}%"] * len(who)
            for name in who:  # keys whose name matches, by their id
                for key in key_ids:
                    ors.append("{" + name + "} = {}")
                    params.append(key)
            parts.append("(" + " OR ".join(ors) + ")" if ors else "1 = 0")
        return (" WHERE " + " AND ".join(parts)) if parts else "", names, params


RECORDS_QUERIES = (
    Query(
        "check",
        "SELECT created_at AS at, kind AS action, NULL AS who, caller AS who_id, "
        "NULL AS application_id, id AS ref, plan_id || ' ' || plan_version AS detail "
        "FROM check_log",
        "created_at",
        ("caller",),
        None,
    ),
    Query(
        "key",
        "SELECT created_at AS at, 'create' AS action, created_by AS who, "
        "'key:' || id AS who_id, NULL AS application_id, 'key:' || id AS ref, "
        "name || ' (' || role || ')' AS detail FROM api_keys",
        "created_at",
        ("created_by", "name", "id"),
        None,
    ),
    Query(
        "plan",
        "SELECT at, action, NULL AS who, actor AS who_id, NULL AS application_id, "
        "plan_id || ' ' || COALESCE(version, '') AS ref, detail FROM plan_events",
        "at",
        ("actor",),
        None,
    ),
    Query(
        "key",
        "SELECT revoked_at AS at, 'revoke' AS action, NULL AS who, "
        "'key:' || id AS who_id, NULL AS application_id, 'key:' || id AS ref, "
        "name || ' (' || role || ')' AS detail FROM api_keys",
        "revoked_at",
        ("name", "id"),
        None,
        only="revoked_at IS NOT NULL",
    ),
)
PIPELINE_QUERIES = (
    Query(
        "stage",
        "SELECT at, stage || ':' || status AS action, NULL AS who, actor AS who_id, "
        "application_id, application_id AS ref, note AS detail FROM stage_history",
        "at",
        ("actor",),
        "application_id",
    ),
    Query(
        "transition",
        "SELECT at, action || ' → ' || to_state AS action, officer_name AS who, "
        "COALESCE(acted_by, officer_nip) AS who_id, application_id, "
        "application_id AS ref, keterangan AS detail FROM transitions",
        "at",
        ("officer_name", "officer_nip", "acted_by"),
        "application_id",
    ),
    Query(
        "document",
        "SELECT issued_at AS at, 'issue' AS action, NULL AS who, NULL AS who_id, "
        "application_id, number AS ref, NULL AS detail FROM documents",
        "issued_at",
        (),
        "application_id",
    ),
    Query(
        "integration",
        "SELECT set_at AS at, CASE WHEN integrated = 1 THEN 'integrated' "
        "ELSE 'not_integrated' END AS action, set_by AS who, set_by AS who_id, "
        "NULL AS application_id, plan_id || ' ' || version AS ref, reason AS detail "
        "FROM plan_integration",
        "set_at",
        ("set_by",),
        None,
    ),
)
# the PostGIS store's activation log, in the same PostgreSQL database (its times are
# timestamptz: written here as the UTC text the other sources hold, which the filters
# compare, so the filters apply to its rows as written)
PLAN_QUERY = Query(
    "activation",
    "SELECT * FROM (SELECT to_char(a.at AT TIME ZONE 'UTC', "
    '\'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\') AS at, '
    "a.action, a.by AS who, a.by AS who_id, NULL AS application_id, "
    "a.plan_id || ' ' || t.version AS ref, "
    "COALESCE(f.version, '—') || ' → ' || t.version AS detail "
    "FROM kkpr.activations a JOIN kkpr.plan_versions t ON t.vid = a.to_vid "
    "LEFT JOIN kkpr.plan_versions f ON f.vid = a.from_vid) AS activations",
    "at",
    ("who",),
    None,
)


def _has_activations(tx: Tx) -> bool:
    if tx.dialect != "postgresql":
        return False
    row = tx.one(sql("SELECT to_regclass('kkpr.activations') IS NOT NULL AS present"))
    return bool(row and row["present"])


def key_names(records_db: Database) -> dict[str, str]:
    """``{"key:<id>": name}`` of every API key (what the log records as its author)."""
    with records_db.transaction() as tx:
        rows = tx.query(sql("SELECT id, name FROM api_keys"))
    return {f"key:{r['id']}": r["name"] for r in rows}


def _run(
    db: Database,
    queries: Iterable[Query],
    flt: AuditFilter,
    key_ids: list[str],
    limit: int,
    *,
    plans: bool = False,
) -> tuple[list[AuditEvent], int]:
    events: list[AuditEvent] = []
    total = 0
    with db.transaction() as tx:
        chosen = [q for q in queries if flt.kind in (None, q.kind)]
        if plans and flt.kind in (None, "activation") and _has_activations(tx):
            chosen.append(PLAN_QUERY)
        for q in chosen:
            where, names, params = q.where(flt, key_ids)
            # the text is this module's own; its columns are identifiers, values parameters
            text = q.select + where
            count = tx.one(sql("SELECT COUNT(*) AS n FROM (" + text + ") AS s", **names), params)
            total += int(count["n"]) if count else 0
            rows = tx.query(sql(text + " ORDER BY 1 DESC LIMIT {}", **names), [*params, limit])
            events += [_event(q.kind, r) for r in rows]
    return events, total


def _event(kind: str, r: Row) -> AuditEvent:
    return AuditEvent(
        at=str(r["at"]),
        kind=kind,
        action=str(r["action"]),
        who=r["who"],
        who_id=r["who_id"],
        application_id=r["application_id"],
        ref=r["ref"],
        detail=r["detail"],
    )


def _sort_key(e: AuditEvent) -> tuple[str, str, str, str]:
    return (e.at, e.kind, e.ref or "", e.action)


def trail(
    records_db: Database,
    pipeline_db: Database,
    flt: AuditFilter,
    *,
    limit: int,
    offset: int = 0,
) -> tuple[list[AuditEvent], int]:
    """One page of the events matching ``flt``, newest first, and how many match."""
    names = key_names(records_db)
    wanted = (flt.who or "").lower()
    key_ids = [k for k, n in names.items() if wanted and wanted in n.lower()]
    enough = offset + limit
    a, total_a = _run(records_db, RECORDS_QUERIES, flt, key_ids, enough)
    # the plan log lives beside the pipeline's tables (one PostgreSQL database)
    b, total_b = _run(pipeline_db, PIPELINE_QUERIES, flt, key_ids, enough, plans=True)
    merged = sorted(a + b, key=_sort_key, reverse=True)
    page = [_named(e, names) for e in merged[offset : offset + limit]]
    return page, total_a + total_b


def _named(e: AuditEvent, names: dict[str, str]) -> AuditEvent:
    if e.who is None and e.who_id in names:
        return AuditEvent(e.at, e.kind, e.action, names[e.who_id], e.who_id,
                          e.application_id, e.ref, e.detail)  # fmt: skip
    return e


# ---------------------------------------------------------------- export


def cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: one that would start a formula is
    prefixed with an apostrophe (OWASP's CSV injection advice)."""
    return spreadsheet_safe("" if value is None else str(value))


def to_csv(events: Iterable[AuditEvent]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for e in events:
        writer.writerow([cell(getattr(e, name)) for name in CSV_FIELDS])
    return out.getvalue()


# ---------------------------------------------------------------- the figures' facts


def case_facts(pipeline_db: Database, tz: ZoneInfo) -> list[CaseFacts]:
    """Every application as ``kkpr.pipeline.figures`` counts it."""
    with pipeline_db.transaction() as tx:
        apps = tx.query(
            sql(
                "SELECT a.id, a.form, a.status, a.submitted_at, c.state FROM applications a "
                "LEFT JOIN cases c ON c.application_id = a.id ORDER BY a.id"
            )
        )
        steps = tx.query(
            sql(
                "SELECT application_id, to_state, on_date FROM transitions "
                "WHERE kd_status IS NOT NULL ORDER BY application_id, n"
            )
        )
    by_app: dict[str, list[Step]] = {}
    for s in steps:
        by_app.setdefault(s["application_id"], []).append(
            Step(s["to_state"], date.fromisoformat(s["on_date"]))
        )
    local: Callable[[str], date] = lambda text: (  # noqa: E731
        datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(tz).date()
    )
    return [
        CaseFacts(
            application_id=a["id"],
            form=a["form"] or "—",
            state=a["state"] or a["status"],
            submitted_on=local(a["submitted_at"]),
            steps=tuple(by_app.get(a["id"], ())),
        )
        for a in apps
    ]
