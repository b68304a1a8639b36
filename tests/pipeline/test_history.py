"""Parcel history in the engine, on SQLite and PostgreSQL (``db_url``): records found by
where their sites are, whatever CRS they were sent in; the extents kept beside the
records catch up with new ones; a site that cannot be read is skipped, not fatal; the
place asked about is refused clearly when it is not a place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point, mapping

from kkpr.db.database import Database
from kkpr.db.sql import sql
from kkpr.errors import InvalidInput, SiteError
from kkpr.model import Proposal
from kkpr.pipeline import history
from kkpr.pipeline.applications import Pipeline, Submission
from kkpr.records.checks import CheckLog, NewCheck, open_records
from kkpr.site import WGS84, to_crs
from tests.mini_plan import CRS, sq


@pytest.fixture
def records(db_url: str, tmp_path: Path) -> Database:
    """The check log: beside the pipeline in PostgreSQL, a file of its own in SQLite."""
    url = db_url if db_url.startswith("postgresql") else f"sqlite:///{tmp_path / 'records.db'}"
    return open_records(url)


def lonlat(x0: float, y0: float, x1: float, y1: float) -> Any:
    return to_crs(sq(x0, y0, x1, y1), CRS, WGS84)


def at(x: float, y: float) -> Any:
    """The point (x, y) of the mini plan's frame, in longitude and latitude."""
    return to_crs(Point(sq(x, y, x + 1, y + 1).bounds[:2]), CRS, WGS84)


def store_check(log: CheckLog, site: dict[str, Any], crs: str | None = None) -> str:
    inputs: dict[str, Any] = {"site": site, "kbli": "47111"}
    if crs:
        inputs["crs"] = crs
    (record,) = log.append(
        [NewCheck(inputs, {"outcome": "sesuai"}, "mini", "v1")], caller="key:t", caller_role="staff"
    )
    return record.id


def test_checks_in_any_crs_are_found_by_place(records: Database, pipeline: Pipeline) -> None:
    log = CheckLog(records)
    utm = store_check(log, dict(mapping(sq(10, 10, 90, 90))), CRS)
    wgs = store_check(log, dict(mapping(lonlat(20, 20, 30, 30))))
    far = store_check(log, dict(mapping(sq(210, 10, 290, 90))), CRS)
    broken = store_check(log, {"type": "Polygon", "coordinates": "nonsense"})
    found = history.history(records, pipeline.db, lonlat(0, 0, 100, 100), limit=10)
    assert {e.ref for e in found.entries} == {utm, wgs}
    assert far not in {e.ref for e in found.entries} and broken not in {
        e.ref for e in found.entries
    }
    # the unreadable site has an extent row (NULL): it is not read again each time
    with records.transaction() as tx:
        row = tx.one(sql("SELECT minx FROM site_extents WHERE ref = {}"), (broken,))
    assert row is not None and row["minx"] is None
    assert history.catch_up(records, history.CHECKS) == 0
    # a point 1 m inside the far site finds it; one 5 m west of it needs over 5 m
    inside, west = at(211, 50), at(205, 50)
    assert [e.ref for e in history.history(records, pipeline.db, inside, limit=10).entries] == [far]
    near = history.query_area(mapping(west), 4.9, 1000)
    assert history.history(records, pipeline.db, near, limit=10).total == 0
    wider = history.query_area(mapping(west), 5.1, 1000)
    assert [e.ref for e in history.history(records, pipeline.db, wider, limit=10).entries] == [far]


def test_applications_and_limits(records: Database, pipeline: Pipeline) -> None:
    sub = Submission(
        applicant="Maria Bere", business_name="Toko", kbli="47111",
        site=dict(mapping(sq(110, 10, 190, 90))), site_crs=CRS,
        proposal=Proposal(floor_area_m2=50, floors=1),
    )  # fmt: skip
    first = pipeline.submit(sub)
    second = pipeline.submit(sub)
    found = history.history(records, pipeline.db, lonlat(100, 0, 200, 100), limit=1)
    assert found.total == 2 and len(found.entries) == 1
    assert found.to_dict()["truncated"] is True
    assert found.entries[0].href == f"/staf/kasus/{found.entries[0].ref}"
    assert {first["id"], second["id"]} >= {found.entries[0].ref}
    everything = history.history(records, pipeline.db, lonlat(100, 0, 200, 100), limit=10)
    assert [e.kind for e in everything.entries] == ["application", "application"]
    assert everything.entries[0].at >= everything.entries[1].at


def test_the_place_asked_about_must_be_one() -> None:
    with pytest.raises(SiteError):
        history.query_area({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, 0, 100)
    with pytest.raises(InvalidInput) as exc:
        history.query_area({"type": "Point", "coordinates": [123.6, -10.2]}, 101, 100)
    assert exc.value.where == "buffer_m"
    with pytest.raises(InvalidInput):
        history.query_area({"type": "Point", "coordinates": [123.6, -10.2]}, -1, 100)
    with pytest.raises(InvalidInput):
        history.query_area({"type": "Point", "coordinates": [500, 95]}, 10, 100)
    # 10 m around a point is a circle of about 314 m² (measured in its UTM zone)
    area = history.query_area({"type": "Point", "coordinates": [123.6, -10.2]}, 10, 100)
    assert to_crs(area, WGS84, "EPSG:32751").area == pytest.approx(314.16, rel=0.01)
    assert history.utm_crs(123.6, -10.2) == "EPSG:32751"
    assert history.utm_crs(106.8, 6.0) == "EPSG:32648"
