"""Parcel history: everything the service recorded that touches a place.

Staff draw or click a place; the answer is every stored check (``check_log``, in the
records database), every application, its decision and its KKPR document (the pipeline
database) whose site touches it, newest first, each with its date, its outcome and
where to read it in full.

Records keep their sites as the caller sent them (GeoJSON in any CRS). To find them by
place on both engines without a spatial extension, each site's extent in longitude and
latitude is kept in ``site_extents`` (records and pipeline migrations 0003: a table
of its own, nothing in the records is changed), filled as records arrive: the rows not yet in it are added
when history is next asked. Candidates are chosen by their extents in SQL; their
geometries are then tested with shapely, all at once.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from kkpr.db.database import Database, Row, Tx
from kkpr.db.sql import Sql, sql
from kkpr.errors import InvalidInput, KkprError
from kkpr.site import WGS84, invalid_site, site_from_geojson, to_crs

CATCH_UP_BATCH = 2000  # records whose extent is computed per round trip
IN_BATCH = 500  # ids per ``IN (...)`` list
FINAL_ACTIONS = ("putuskan", "tolak_persyaratan", "fiktif_positif")
# checks the pipeline logs for an application and for a decision (kkpr.pipeline.logged):
# the history shows the application and the decision themselves, linked to the case
PIPELINE_KINDS = ("application", "decision")


# ---------------------------------------------------------------- the extents table
# ``site_extents``: records migration 0003 (beside the check log) and pipeline migration
# 0003 (beside the applications), applied by ``open_records`` and ``open_database``


@dataclass(frozen=True)
class Source:
    """A table of records that have sites: how to read the ones not yet indexed."""

    name: str
    table: str
    unindexed: Sql  # ref and the site's GeoJSON text (and crs) of unindexed rows

    def missing(self, tx: Tx) -> int:
        """How many rows have no extent yet. Records are never deleted and extents are
        only made from them, so equal counts mean every row has one: two index counts
        instead of an anti-join over the whole table at every ask."""
        row = tx.one(
            sql(
                "SELECT (SELECT COUNT(*) FROM {table}) - (SELECT COUNT(*) FROM site_extents "
                "WHERE source = {}) AS n",
                table=self.table,
            ),
            (self.name,),
        )
        return int(row["n"]) if row else 0

    def sites(self, row: Row) -> tuple[Any, str | None]:
        if self.name == "check":
            inputs = json.loads(row["body"])
            return inputs.get("site"), inputs.get("crs")
        return json.loads(row["body"]), row.get("crs")


CHECKS = Source(
    "check",
    "check_log",
    sql(
        "SELECT c.id AS ref, c.inputs AS body FROM check_log c LEFT JOIN site_extents e "
        "ON e.source = 'check' AND e.ref = c.id WHERE e.ref IS NULL ORDER BY c.id LIMIT {}"
    ),
)
APPLICATIONS = Source(
    "application",
    "applications",
    sql(
        "SELECT a.id AS ref, a.site AS body, a.site_crs AS crs FROM applications a "
        "LEFT JOIN site_extents e ON e.source = 'application' AND e.ref = a.id "
        "WHERE e.ref IS NULL ORDER BY a.id LIMIT {}"
    ),
)


def lonlat_site(site: Any, crs: str | None) -> BaseGeometry | None:
    """A stored site as a longitude/latitude geometry; None if it cannot be read."""
    try:
        parsed = site_from_geojson(site, crs)
        geom = to_crs(parsed.geometry, parsed.crs, WGS84)
    except (KkprError, ValueError, TypeError, KeyError):
        return None
    if geom.is_empty or not all(math.isfinite(v) for v in geom.bounds):
        return None
    return geom


def catch_up(db: Database, source: Source) -> int:
    """Add the extents of ``source``'s rows not yet indexed; how many were added."""
    added = 0
    while True:
        with db.transaction() as tx:
            if source.missing(tx) <= 0:
                return added
            rows = tx.query(source.unindexed, (CATCH_UP_BATCH,))
            for row in rows:
                geom = lonlat_site(*source.sites(row))
                bounds = geom.bounds if geom is not None else (None, None, None, None)
                tx.execute(
                    sql(
                        "INSERT INTO site_extents (source, ref, minx, miny, maxx, maxy) "
                        "VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT (source, ref) DO NOTHING"
                    ),
                    (source.name, row["ref"], *bounds),
                )
        added += len(rows)
        if len(rows) < CATCH_UP_BATCH:
            return added


def candidates(tx: Tx, source: Source, bounds: tuple[float, float, float, float]) -> list[str]:
    """Refs of ``source`` whose extent overlaps ``bounds`` (minx, miny, maxx, maxy)."""
    minx, miny, maxx, maxy = bounds
    rows = tx.query(
        sql(
            "SELECT ref FROM site_extents WHERE source = {} "
            "AND minx <= {} AND maxx >= {} AND miny <= {} AND maxy >= {}"
        ),
        (source.name, maxx, minx, maxy, miny),
    )
    return [r["ref"] for r in rows]


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(ids), IN_BATCH):
        yield ids[i : i + IN_BATCH]


def rows_in(tx: Tx, template: str, ids: Sequence[str], params: Sequence[Any] = ()) -> list[Row]:
    """``template`` (``kkpr.db.sql``, with ``[ids]`` where the id list goes and its
    other parameters first) over ``ids``, in batches."""
    out: list[Row] = []
    for chunk in _chunks(ids):
        statement = sql(template.replace("[ids]", ", ".join(["{}"] * len(chunk))))
        out += tx.query(statement, (*params, *chunk))
    return out


# ---------------------------------------------------------------- the place asked about


def utm_crs(lon: float, lat: float) -> str:
    """The WGS 84 / UTM zone of a place: metres for a buffer around it."""
    zone = min(int((lon + 180) // 6) + 1, 60)
    return f"EPSG:{(32700 if lat < 0 else 32600) + zone}"


def query_area(geometry: Any, buffer_m: float, max_buffer_m: float) -> BaseGeometry:
    """The place asked about, in longitude and latitude: a GeoJSON Point, Polygon or
    MultiPolygon (RFC 7946), widened by ``buffer_m`` metres (a point needs some)."""
    if not math.isfinite(buffer_m) or buffer_m < 0 or buffer_m > max_buffer_m:
        raise InvalidInput(
            f"Jarak penyangga harus antara 0 dan {max_buffer_m:g} m (diberikan {buffer_m:g})",
            f"The buffer must be between 0 and {max_buffer_m:g} m (given {buffer_m:g})",
            where="buffer_m",
            hint_id="Perkecil jarak penyangga atau gambar poligon wilayahnya",
            hint_en="Use a smaller buffer, or draw the area as a polygon",
        )
    geom = site_from_geojson(geometry).geometry
    if not geom.is_valid:
        raise invalid_site(geom, WGS84)
    lon, lat = geom.centroid.x, geom.centroid.y
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(
            "Koordinat di luar bujur/lintang yang sah",
            "Coordinates outside valid longitude/latitude",
            where="geometry.coordinates",
            hint_id="Kirim GeoJSON dalam bujur, lintang (EPSG:4326)",
            hint_en="Send GeoJSON in longitude, latitude (EPSG:4326)",
        )
    if buffer_m > 0:
        metric = utm_crs(lon, lat)
        geom = to_crs(to_crs(geom, WGS84, metric).buffer(buffer_m), metric, WGS84)
    return geom


# ---------------------------------------------------------------- what was recorded


@dataclass(frozen=True)
class Entry:
    """One thing recorded at the place."""

    at: str  # UTC ISO-8601
    kind: str  # check | precheck | correction | application | decision | document
    ref: str  # the record's id (a check, an application, a document number)
    title: str
    outcome: str | None
    who: str | None
    href: str | None
    application_id: str | None = None
    geometry: dict[str, Any] | None = None  # the site, longitude/latitude, for the map

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "kind": self.kind,
            "ref": self.ref,
            "title": self.title,
            "outcome": self.outcome,
            "who": self.who,
            "href": self.href,
            "application_id": self.application_id,
            "geometry": self.geometry,
        }


def case_href(app_id: str) -> str:
    return f"/staf/kasus/{quote(app_id, safe='')}"


def document_href(number: str) -> str:
    return "/v1/documents/" + "/".join(quote(p, safe="") for p in number.split("/")) + ".html"


def _touching(rows: list[Row], site_of: Any, area: BaseGeometry) -> list[tuple[Row, BaseGeometry]]:
    """The rows whose site touches ``area`` (their geometries tested at once)."""
    geoms = [site_of(r) for r in rows]
    kept = [(r, g) for r, g in zip(rows, geoms, strict=True) if g is not None]
    if not kept:
        return []
    hits = shapely.intersects(np.array([g for _r, g in kept], dtype=object), area)
    return [pair for pair, hit in zip(kept, hits, strict=True) if hit]


def _check_site(row: Row) -> BaseGeometry | None:
    inputs = json.loads(row["inputs"])
    return lonlat_site(inputs.get("site"), inputs.get("crs"))


def checks_at(db: Database, area: BaseGeometry) -> list[Entry]:
    catch_up(db, CHECKS)
    with db.transaction() as tx:
        ids = candidates(tx, CHECKS, area.bounds)
        rows = rows_in(
            tx,
            "SELECT id, kind, created_at, caller, plan_id, plan_version, inputs, result "
            "FROM check_log WHERE kind NOT IN ({}, {}) AND id IN ([ids])",
            ids,
            PIPELINE_KINDS,
        )
    out = []
    for row, geom in _touching(rows, _check_site, area):
        inputs, result = json.loads(row["inputs"]), json.loads(row["result"])
        out.append(
            Entry(
                at=row["created_at"],
                kind=row["kind"],
                ref=row["id"],
                title=f"KBLI {inputs.get('kbli', '—')} · {row['plan_id']} {row['plan_version']}",
                outcome=result.get("outcome"),
                who=row["caller"],
                href=f"/v1/checks/{row['id']}",
                geometry=dict(mapping(geom)),
            )
        )
    return out


def _application_site(row: Row) -> BaseGeometry | None:
    return lonlat_site(json.loads(row["site"]), row["site_crs"])


def applications_at(db: Database, area: BaseGeometry) -> list[Entry]:
    """Applications, their decisions and their documents, whose site touches ``area``."""
    catch_up(db, APPLICATIONS)
    with db.transaction() as tx:
        ids = candidates(tx, APPLICATIONS, area.bounds)
        rows = rows_in(
            tx,
            "SELECT a.id, a.applicant, a.business_name, a.kbli, a.site, a.site_crs, a.status, "
            "a.outcome, a.form, a.submitted_at, a.submitted_by, c.number, c.state "
            "FROM applications a LEFT JOIN cases c ON c.application_id = a.id "
            "WHERE a.id IN ([ids])",
            ids,
        )
        touching = _touching(rows, _application_site, area)
        hit = [r["id"] for r, _g in touching]
        decisions = rows_in(
            tx,
            "SELECT application_id, action, to_state, officer_name, at, data FROM transitions "
            "WHERE action IN ({}, {}, {}) AND application_id IN ([ids])",
            hit,
            FINAL_ACTIONS,
        )
        documents = rows_in(
            tx,
            "SELECT number, application_id, issued_at FROM documents "
            "WHERE application_id IN ([ids])",
            hit,
        )
    out: list[Entry] = []
    by_id: dict[str, Row] = {}
    for row, geom in touching:
        by_id[row["id"]] = row
        name = f"{row['number'] or row['id']} · {row['business_name']} · KBLI {row['kbli']}"
        out.append(
            Entry(
                at=row["submitted_at"],
                kind="application",
                ref=row["id"],
                title=name,
                outcome=row["state"] or row["status"],
                who=row["applicant"],
                href=case_href(row["id"]),
                application_id=row["id"],
                geometry=dict(mapping(geom)),
            )
        )
    for d in decisions:
        app = by_id[d["application_id"]]
        data = json.loads(d["data"] or "{}")
        out.append(
            Entry(
                at=d["at"],
                kind="decision",
                ref=d["application_id"],
                title=f"{app['number'] or app['id']} · {d['action']}",
                outcome=str(data.get("decision") or d["to_state"]),
                who=d["officer_name"],
                href=case_href(d["application_id"]),
                application_id=d["application_id"],
            )
        )
    for doc in documents:
        out.append(
            Entry(
                at=doc["issued_at"],
                kind="document",
                ref=doc["number"],
                title=doc["number"],
                outcome=by_id[doc["application_id"]]["outcome"],
                who=None,
                href=document_href(doc["number"]),
                application_id=doc["application_id"],
            )
        )
    return out


@dataclass(frozen=True)
class History:
    entries: list[Entry]  # newest first, at most ``limit``
    total: int  # how many were found

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "returned": len(self.entries),
            "truncated": self.total > len(self.entries),
            "entries": [e.to_dict() for e in self.entries],
        }


def history(
    records_db: Database, pipeline_db: Database, area: BaseGeometry, *, limit: int
) -> History:
    """Everything recorded whose site touches ``area`` (longitude/latitude), newest first
    (ties: by kind and reference, so the order is the same on both engines)."""
    found = checks_at(records_db, area) + applications_at(pipeline_db, area)
    found.sort(key=lambda e: (e.at, e.kind, e.ref), reverse=True)
    return History(entries=found[:limit], total=len(found))
