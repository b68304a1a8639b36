"""Finding cases: search, filters and pages over the applications and their KKPR cases,
and the exports of a found list (CSV, XLSX, GeoPackage).

What SQL can decide it decides, in portable SQL that runs on SQLite and PostgreSQL
alike (``LOWER(...) LIKE`` a parameter with escaped wildcards, ``IN`` lists, ``LIMIT``/``OFFSET``):
the words searched (application number, the permit system's reference, OSS ``id_izin``,
NIB, applicant, business name, KBLI), the state, the status and the form. Two filters
are read from the record itself, in Python, after SQL has narrowed the rows: the
kelurahan (the ``wadmkd`` of the zone parts the check found; SQL first keeps the rows
whose check mentions the words) and the deadline (overdue, due this week, paused:
the service-level clock of ``kkpr.pipeline.sla``, which is computed from the case's
transitions and the working calendar, not stored). Without those two, a page is a
``LIMIT``/``OFFSET`` of the database; with them, the narrowed rows are read and paged
here.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from typing_extensions import TypedDict

from kkpr.db.database import Database, Row, Tx
from kkpr.db.sql import sql
from kkpr.errors import InvalidInput
from kkpr.model import Form
from kkpr.pipeline.calendar import WorkingCalendar
from kkpr.pipeline.db import loads
from kkpr.pipeline.review import case_view
from kkpr.pipeline.sla import ClockJson
from kkpr.pipeline.statuses import STATES, State, state_of
from kkpr.settings import Settings
from kkpr.site import as_lonlat_geojson, site_from_geojson
from kkpr.text import spreadsheet_safe

MAX_PER_PAGE = 200
IN_CHUNK = 500  # ids per ``IN (...)`` list: far below every engine's parameter limit


class Deadline(StrEnum):
    OVERDUE = "overdue"  # the clock ran past its last working day
    DUE_WEEK = "due_week"  # running, and its last working day falls in this calendar week
    PAUSED = "paused"  # the clock is stopped (41 or 43)


class Status(StrEnum):
    OPEN = "open"  # a PKKPR assessment not yet decided
    DECIDED = "decided"  # decided (50, 57, 90, 93), or a KKKPR answered by the engine


class CaseRow(TypedDict):
    """One case as the staff list and its exports show it (``item``)."""

    id: str  # the application's id
    application_id: str
    number: str  # the case's number
    external_ref: str | None
    id_izin: str | None  # OSS's, for an application that came from OSS
    nib: str | None
    applicant: str
    business_name: str
    kbli: str
    kelurahan: list[str]  # of the zone parts the check found, largest first
    kecamatan: list[str]
    form: str | None
    path: str  # KKKPR or PKKPR
    outcome: str | None
    app_status: str
    submitted_at: str
    area_m2: float | None  # the site's, as the check measured it
    document_number: str | None
    state: str | None  # the PKKPR state; None on the KKKPR path
    kd_status: str | None
    state_id: str | None
    state_en: str | None
    deadline: str | None  # ISO date
    working_days_left: int | None
    overdue: bool
    paused: bool
    due_soon: bool
    decision: str | None
    decided_on: str | None
    site: dict[str, Any]  # GeoJSON geometry, longitude/latitude
    status: str  # open or decided
    next: list[str]  # the actions that may be taken now
    missing: list[str]
    due_week: bool  # its deadline falls in this calendar week


class CasePage(TypedDict):
    """One page of a search (``search``)."""

    items: list[CaseRow]
    total: int
    page: int
    per_page: int
    pages: int


class SearchError(InvalidInput):
    kind = "search-invalid"


@dataclass(frozen=True)
class Filters:
    """What the staff list is filtered by; every field optional, all of them combined."""

    q: str | None = None  # any of: number, reference, id_izin, NIB, applicant, business, KBLI
    number: str | None = None
    nib: str | None = None
    applicant: str | None = None  # the applicant's or the business's name
    kbli: str | None = None  # a KBLI code or its first digits
    kelurahan: str | None = None
    state: str | None = None  # a state name or its OSS kd_status
    status: Status | None = None
    form: Form | None = None
    deadline: Deadline | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str) and len(value) > 200:
                raise SearchError(
                    f"Kata pencarian {f.name} terlalu panjang (paling banyak 200 huruf)",
                    f"Search term {f.name} is too long (200 characters at most)",
                    where=f.name,
                )

    def state_value(self) -> State | None:
        """The state asked for, named or by its OSS code; an unknown one is refused."""
        if not self.state:
            return None
        text = self.state.strip()
        try:
            return State(text)
        except ValueError:
            pass
        try:
            return state_of(text)
        except KeyError:
            known = ", ".join(f"{s} ({i.kd_status})" for s, i in STATES.items())
            raise SearchError(
                f"Status {text!r} tidak dikenal",
                f"State {text!r} is unknown",
                where="state",
                hint_id=f"Pakai salah satu: {known}",
                hint_en=f"Use one of: {known}",
            ) from None


@dataclass(frozen=True)
class Paging:
    page: int = 1
    per_page: int = 25

    def __post_init__(self) -> None:
        if self.page < 1 or not 1 <= self.per_page <= MAX_PER_PAGE:
            raise SearchError(
                f"Halaman harus >= 1 dan per_page 1..{MAX_PER_PAGE}",
                f"page must be >= 1 and per_page 1..{MAX_PER_PAGE}",
                where="page",
            )


def _like(text: str) -> str:
    """A ``LIKE`` pattern finding ``text`` anywhere, its own wildcards taken literally."""
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _prefix(text: str) -> str:
    return _like(text)[1:]


def _like_of(column: str) -> str:
    """``column`` (one of this module's own, never a caller's) LIKE a parameter."""
    return f"LOWER(COALESCE({column}, '')) LIKE {{}} ESCAPE '\\'"


WORD_COLUMNS = ("c.number", "a.external_ref", "o.id_izin", "c.nib", "a.applicant",
                "a.business_name", "a.kbli")  # fmt: skip
FINALS = tuple(str(s) for s, info in STATES.items() if info.final)


def _where(filters: Filters) -> tuple[str, list[Any]]:
    """The SQL conditions of ``filters`` (all but the exact kelurahan and the deadline):
    text for ``kkpr.db.sql.sql``, ``{}`` for each of the parameters."""
    parts: list[str] = []
    params: list[Any] = []
    if filters.q and filters.q.strip():
        for word in filters.q.split():
            parts.append("(" + " OR ".join(_like_of(c) for c in WORD_COLUMNS) + ")")
            params += [_like(word)] * len(WORD_COLUMNS)
    for value, columns in (
        (filters.number, ("c.number", "a.external_ref", "o.id_izin", "a.id")),
        (filters.nib, ("c.nib",)),
        (filters.applicant, ("a.applicant", "a.business_name")),
    ):
        if value and value.strip():
            parts.append("(" + " OR ".join(_like_of(c) for c in columns) + ")")
            params += [_like(value)] * len(columns)
    if filters.kbli and filters.kbli.strip():
        parts.append(_like_of("a.kbli"))
        params.append(_prefix(filters.kbli))
    if filters.kelurahan and filters.kelurahan.strip():
        parts.append(_like_of("a.check_result"))  # narrowed here, matched in _kelurahan_ok
        params.append(_like(filters.kelurahan))
    state = filters.state_value()
    if state is not None:
        parts.append("c.state = {}")
        params.append(str(state))
    marks = ", ".join(["{}"] * len(FINALS))
    if filters.status == Status.OPEN:
        parts.append(f"c.path = 'PKKPR' AND c.state NOT IN ({marks})")
        params += FINALS
    elif filters.status == Status.DECIDED:
        parts.append(f"(c.path <> 'PKKPR' OR c.state IN ({marks}))")
        params += FINALS
    if filters.form is not None:
        parts.append("a.form = {}")
        params.append(str(filters.form))
    if filters.deadline is not None:  # only a running PKKPR assessment has a clock
        parts.append(f"c.path = 'PKKPR' AND c.state NOT IN ({marks})")
        params += FINALS
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


FROM = (
    " FROM applications a JOIN cases c ON c.application_id = a.id"
    " LEFT JOIN oss_applications o ON o.application_id = a.id"
)
LIGHT = "SELECT a.id, a.submitted_at, c.path, c.state, c.step, a.check_result AS check_text"
FULL = (
    "SELECT c.*, a.id, a.external_ref, a.applicant, a.business_name, a.kbli, a.form,"
    " a.outcome, a.status AS app_status, a.stage_status, a.submitted_at, a.updated_at,"
    " a.document_number, a.site, a.site_crs, a.check_result, a.plan_id, a.plan_version,"
    " o.id_izin, o.id_proyek, o.oss_id"
)
ORDER = " ORDER BY a.submitted_at DESC, a.id"


def kelurahan_of(check: dict[str, Any] | None) -> list[str]:
    """The kelurahan (and desa) the site's zone parts lie in, largest part first."""
    parts = sorted((check or {}).get("parts", []), key=lambda p: -(p.get("area_m2") or 0))
    out: list[str] = []
    for p in parts:
        name = p.get("wadmkd")
        if name and name not in out:
            out.append(str(name))
    return out


def kecamatan_of(check: dict[str, Any] | None) -> list[str]:
    out: list[str] = []
    for p in (check or {}).get("parts", []):
        name = p.get("wadmkc")
        if name and name not in out:
            out.append(str(name))
    return out


# the kelurahan of a stored check's parts, read from its JSON text (written by
# kkpr.pipeline.db.dumps: sorted keys, ``"key": value``) without parsing the whole check
WADMKD = re.compile(r'"wadmkd": "((?:[^"\\]|\\.)*)"')


def _kelurahan_ok(check_text: str | None, wanted: str) -> bool:
    words = wanted.strip().lower()
    return any(words in json.loads(f'"{k}"').lower() for k in WADMKD.findall(check_text or ""))


def _transitions(tx: Tx, ids: Sequence[str]) -> dict[str, list[Row]]:
    steps: dict[str, list[Row]] = {}
    for start in range(0, len(ids), IN_CHUNK):
        chunk = tuple(ids[start : start + IN_CHUNK])
        for t in tx.query(
            sql(
                "SELECT * FROM transitions WHERE application_id IN"
                f" ({', '.join(['{}'] * len(chunk))}) ORDER BY application_id, n"
            ),
            chunk,
        ):
            steps.setdefault(t["application_id"], []).append(t)
    return steps


def week_end(today: date) -> date:
    """The Sunday that ends ``today``'s calendar week (Monday to Sunday)."""
    return today + timedelta(days=6 - today.weekday())


def _deadline_ok(clock: ClockJson, wanted: Deadline, today: date) -> bool:
    if wanted == Deadline.OVERDUE:
        return bool(clock["overdue"])
    if wanted == Deadline.PAUSED:
        return bool(clock["paused"])
    due = clock.get("deadline")
    return bool(
        clock["running"] and not clock["overdue"] and due
        and date.fromisoformat(due) <= week_end(today)
    )  # fmt: skip


def search(
    db: Database,
    filters: Filters,
    paging: Paging,
    today: date,
    settings: Settings,
    calendar: WorkingCalendar,
) -> CasePage:
    """One page of the cases ``filters`` find, newest first: ``{items, total, page,
    per_page, pages}``."""
    where, params = _where(filters)
    offset = (paging.page - 1) * paging.per_page
    with db.transaction() as tx:
        if filters.kelurahan or filters.deadline:
            ids = _narrowed(tx, filters, where, params, today, settings, calendar)
            total = len(ids)
            page_ids = ids[offset : offset + paging.per_page]
        else:
            count = tx.one(sql("SELECT COUNT(*) AS n" + FROM + where), params)
            total = int(count["n"]) if count else 0
            rows = tx.query(
                sql("SELECT a.id" + FROM + where + ORDER + " LIMIT {} OFFSET {}"),
                [*params, paging.per_page, offset],
            )
            page_ids = [r["id"] for r in rows]
        items = _items(tx, page_ids, today, settings, calendar)
    pages = (total + paging.per_page - 1) // paging.per_page
    return {"items": items, "total": total, "page": paging.page, "per_page": paging.per_page,
            "pages": pages}  # fmt: skip


def every(
    db: Database,
    filters: Filters,
    today: date,
    settings: Settings,
    calendar: WorkingCalendar,
    limit: int,
) -> list[CaseRow]:
    """Every case ``filters`` find (at most ``limit``), newest first, for the exports."""
    where, params = _where(filters)
    with db.transaction() as tx:
        if filters.kelurahan or filters.deadline:
            ids = _narrowed(tx, filters, where, params, today, settings, calendar)[:limit]
        else:
            rows = tx.query(
                sql("SELECT a.id" + FROM + where + ORDER + " LIMIT {}"), [*params, limit]
            )
            ids = [r["id"] for r in rows]
        return _items(tx, ids, today, settings, calendar)


def _narrowed(
    tx: Tx,
    filters: Filters,
    where: str,
    params: list[Any],
    today: date,
    settings: Settings,
    calendar: WorkingCalendar,
) -> list[str]:
    """The ids SQL found that also meet the kelurahan and deadline filters, in order."""
    rows = tx.query(sql(LIGHT + FROM + where + ORDER), params)
    if filters.kelurahan:
        rows = [r for r in rows if _kelurahan_ok(r["check_text"], filters.kelurahan)]
    if filters.deadline:
        steps = _transitions(tx, [r["id"] for r in rows])
        kept = []
        for r in rows:
            clock = case_view(
                {"application_id": r["id"], "number": "", "state": r["state"], "step": r["step"]},
                steps.get(r["id"], []), today, settings, calendar,
            )  # fmt: skip
            if _deadline_ok(clock, filters.deadline, today):
                kept.append(r)
        rows = kept
    return [r["id"] for r in rows]


def _items(
    tx: Tx, ids: Sequence[str], today: date, settings: Settings, calendar: WorkingCalendar
) -> list[CaseRow]:
    """The listed cases of ``ids`` (in that order), each with its clock and site."""
    if not ids:
        return []
    rows: dict[str, Row] = {}
    for start in range(0, len(ids), IN_CHUNK):
        chunk = tuple(ids[start : start + IN_CHUNK])
        marks = ", ".join(["{}"] * len(chunk))
        for r in tx.query(sql(FULL + FROM + f" WHERE a.id IN ({marks})"), chunk):
            rows[r["id"]] = r
    steps = _transitions(tx, list(ids))
    return [item(rows[i], steps.get(i, []), today, settings, calendar) for i in ids if i in rows]


def item(
    row: Row, steps: list[Row], today: date, settings: Settings, calendar: WorkingCalendar
) -> CaseRow:
    """One case as the list shows it: who, what, where, its state and clock, its decision
    and document, and its site in longitude/latitude."""
    check = loads(row["check_result"])
    decision = loads(row.get("decision"))
    view = (
        case_view(row | {"application_id": row["id"]}, steps, today, settings, calendar)
        if row["state"]
        else None
    )
    deadline = view["deadline"] if view else None
    overdue = view["overdue"] if view else False
    paused = view["paused"] if view else False
    return {
        "id": row["id"],
        "application_id": row["id"],
        "number": row["number"],
        "external_ref": row["external_ref"],
        "id_izin": row.get("id_izin"),
        "nib": row["nib"],
        "applicant": row["applicant"],
        "business_name": row["business_name"],
        "kbli": row["kbli"],
        "kelurahan": kelurahan_of(check),
        "kecamatan": kecamatan_of(check),
        "form": row["form"],
        "path": row["path"],
        "outcome": row["outcome"],
        "app_status": row["app_status"],
        "submitted_at": row["submitted_at"],
        "area_m2": (check or {}).get("site", {}).get("area_m2"),
        "document_number": row.get("document_number"),
        "state": row["state"],
        "kd_status": view["kd_status"] if view else None,
        "state_id": view["state_id"] if view else None,
        "state_en": view["state_en"] if view else None,
        "deadline": deadline,
        "working_days_left": view["working_days_left"] if view else None,
        "overdue": overdue,
        "paused": paused,
        "due_soon": view["due_soon"] if view else False,
        "decision": decision and decision["decision"],
        "decided_on": decision and decision["decided_on"],
        "site": as_lonlat_geojson(site_from_geojson(loads(row["site"]), row["site_crs"])),
        "status": view["status"] if view else "decided",
        "next": view["next"] if view else [],
        "missing": view["missing"] if view else [],
        "due_week": bool(
            deadline
            and not overdue
            and not paused
            and date.fromisoformat(deadline) <= week_end(today)
        ),
    }


# ---------------------------------------------------------------- exports

# (column, what it holds): the exported list's columns, in order
COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", "Nomor permohonan / application number"),
    ("external_ref", "Acuan sistem perizinan / permit system reference"),
    ("id_izin", "OSS id_izin"),
    ("nib", "NIB"),
    ("applicant", "Pemohon / applicant"),
    ("business_name", "Usaha / business"),
    ("kbli", "KBLI"),
    ("kelurahan", "Kelurahan"),
    ("kecamatan", "Kecamatan"),
    ("form", "Bentuk / form"),
    ("state", "Status"),
    ("kd_status", "kd_status OSS"),
    ("state_id", "Keterangan status / state"),
    ("outcome", "Hasil pemeriksaan / check outcome"),
    ("submitted_at", "Diajukan / submitted (UTC)"),
    ("deadline", "Batas waktu / deadline"),
    ("working_days_left", "Sisa hari kerja / working days left"),
    ("overdue", "Terlambat / overdue"),
    ("paused", "Waktu dihentikan / clock stopped"),
    ("decision", "Keputusan / decision"),
    ("decided_on", "Tanggal keputusan / decided on"),
    ("document_number", "Nomor dokumen / document number"),
    ("area_m2", "Luas tapak (m²) / site area (m²)"),
    ("id", "Id permohonan / application id"),
)


def cell(value: Any) -> Any:
    """A value as one exported cell: lists joined, text made safe, numbers kept."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, int | float):
        return round(value, 2) if isinstance(value, float) else value
    return spreadsheet_safe(str(value))


def table(items: Iterable[CaseRow]) -> tuple[list[str], list[list[Any]]]:
    return [c for c, _ in COLUMNS], [[cell(i.get(c)) for c, _ in COLUMNS] for i in items]


def to_csv(items: Iterable[CaseRow]) -> str:
    header, rows = table(items)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def to_xlsx(items: Iterable[CaseRow], title: str = "Kasus KKPR") -> bytes:
    """The list as an Excel workbook: a header row (the column and its words) and one row
    per case; every text cell is written as text, never as a formula."""
    from openpyxl import Workbook

    header, rows = table(items)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(header)
    sheet.append([words for _, words in COLUMNS])
    for row in rows:
        sheet.append(row)
    for column in sheet.iter_cols(min_row=3):
        for c in column:
            if isinstance(c.value, str):
                c.data_type = "s"  # text stays text, whatever it starts with
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_geopackage(items: Iterable[CaseRow], layer: str = "kasus") -> bytes:
    """The sites of the list as a GeoPackage layer (EPSG:4326), one feature per case with
    the list's columns as attributes: polygons as drawn, a point site as its point."""
    import geopandas as gpd
    import pyogrio
    from shapely.geometry import shape

    listed = list(items)
    header, rows = table(listed)
    frame = gpd.GeoDataFrame(
        [dict(zip(header, r, strict=True)) for r in rows] or None,
        columns=header,
        geometry=[shape(i["site"]) for i in listed],
        crs="EPSG:4326",
    )
    for name in ("working_days_left", "area_m2"):
        frame[name] = frame[name].replace("", None)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "kasus.gpkg"
        pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", promote_to_multi=True)
        return path.read_bytes()
