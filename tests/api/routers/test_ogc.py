"""OGC API - Features: the documents, paging, bbox and CRS, and GDAL's OAPIF driver as a
real client (ogrinfo, ogr2ogr to a GeoPackage) against a real uvicorn process."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pyogrio
import pytest
import shapely
from shapely.geometry import shape

from tests.api.conftest import Api, Server
from tests.mini_plan import CRS, X0, Y0

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"


def test_landing_conformance_and_collections(api: Api) -> None:
    landing = api.client.get("/ogc").json()
    rels = {link["rel"]: link for link in landing["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    assert rels["service-desc"]["href"].endswith("/ogc/api")
    conf = api.client.get("/ogc/conformance").json()["conformsTo"]
    assert any(c.endswith("/conf/core") for c in conf) and any(
        c.endswith("/conf/crs") for c in conf
    )
    cols = {c["id"]: c for c in api.client.get("/ogc/collections").json()["collections"]}
    assert {"zones", "overlays"} <= set(cols)
    zones = api.client.get("/ogc/collections/zones").json()
    assert zones["storageCrs"] == EPSG + "32751"
    assert CRS84 in zones["crs"] and EPSG + "32751" in zones["crs"]
    assert zones["extent"]["spatial"]["crs"] == CRS84
    assert api.client.get("/ogc/collections/roads").status_code == 404


def test_items_paging_with_links(api: Api) -> None:
    r = api.client.get("/ogc/collections/zones/items", params={"limit": 2})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/geo+json"
    assert r.headers["content-crs"] == f"<{CRS84}>"
    page = r.json()
    assert page["numberMatched"] == 5 and page["numberReturned"] == 2
    ids = [f["id"] for f in page["features"]]
    while (
        nxt := next((link for link in page["links"] if link["rel"] == "next"), None)
    ) is not None:
        page = api.client.get(nxt["href"]).json()
        ids += [f["id"] for f in page["features"]]
    assert ids == ["1", "2", "3", "4", "5"]
    assert any(link["rel"] == "prev" for link in page["links"])


def test_bbox_filters_and_numbers_match(api: Api) -> None:
    from kkpr.site import transformer

    t = transformer(CRS, "EPSG:4326")
    lon1, lat1 = t.transform(X0 + 120, Y0 + 20)
    lon2, lat2 = t.transform(X0 + 180, Y0 + 80)
    r = api.client.get(
        "/ogc/collections/zones/items", params={"bbox": f"{lon1},{lat1},{lon2},{lat2}"}
    )
    page = r.json()
    assert page["numberMatched"] == 1 and page["features"][0]["properties"]["kodszn"] == "R-2"
    # the same box in EPSG:4326 is written latitude first
    r = api.client.get(
        "/ogc/collections/zones/items",
        params={"bbox": f"{lat1},{lon1},{lat2},{lon2}", "bbox-crs": EPSG + "4326"},
    )
    assert [f["id"] for f in r.json()["features"]] == ["2"]


def test_crs_by_reference(api: Api) -> None:
    utm = api.client.get("/ogc/collections/zones/items", params={"crs": EPSG + "32751", "limit": 1})
    assert utm.headers["content-crs"] == f"<{EPSG}32751>"
    geom = shape(utm.json()["features"][0]["geometry"])
    assert shapely.equals(geom, shapely.box(X0, Y0, X0 + 100, Y0 + 100))
    latlon = api.client.get(
        "/ogc/collections/zones/items", params={"crs": EPSG + "4326", "limit": 1}
    )
    lonlat = api.client.get("/ogc/collections/zones/items", params={"limit": 1})
    a = latlon.json()["features"][0]["geometry"]["coordinates"][0][0]
    b = lonlat.json()["features"][0]["geometry"]["coordinates"][0][0]
    assert a == [b[1], b[0]] and -11 < a[0] < -10  # latitude first
    bad = api.client.get("/ogc/collections/zones/items", params={"crs": EPSG + "2000"})
    assert bad.status_code == 400 and bad.json()["type"].endswith("/invalid-parameter")


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "5,0,1,1", "nan,0,1,1"])
def test_invalid_bbox_is_400(api: Api, bbox: str) -> None:
    assert api.client.get("/ogc/collections/zones/items", params={"bbox": bbox}).status_code == 400


def test_limit_over_the_maximum_is_read_as_the_maximum(mini_plan_dir: Path, tmp_path: Path) -> None:
    from tests.api.conftest import make_api

    api = make_api(mini_plan_dir, tmp_path / "var", ogc_max_limit=3)
    page = api.client.get("/ogc/collections/zones/items", params={"limit": 1000}).json()
    assert page["numberReturned"] == 3
    doc = api.client.get("/ogc/api").json()
    params = doc["paths"]["/ogc/collections/{collection_id}/items"]["get"]["parameters"]
    assert next(p for p in params if p["name"] == "limit")["schema"]["maximum"] == 3


def test_one_feature(api: Api) -> None:
    r = api.client.get("/ogc/collections/zones/items/4")
    assert r.status_code == 200 and r.headers["content-type"] == "application/geo+json"
    assert r.json()["properties"]["kdb"] == 40.0
    assert api.client.get("/ogc/collections/zones/items/99").status_code == 404


def test_api_document_is_openapi_30(mini_api: Api) -> None:
    r = mini_api.client.get("/ogc/api")
    assert r.headers["content-type"].startswith("application/vnd.oai.openapi+json")
    doc = r.json()
    assert doc["openapi"] == "3.0.3"
    text = json.dumps(doc)
    assert '"type": "null"' not in text and '"const"' not in text


# ---------------------------------------------------------------- GDAL as the client


def run(*cmd: str) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_gdal_reads_zones_and_overlays(
    store_kind: str,
    mini_plan_dir: Path,
    live_server: Callable[..., Server],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    url = None
    if store_kind == "postgis":
        url = request.getfixturevalue("postgis_store_for")(mini_plan_dir).url
    server = live_server(mini_plan_dir, database_url=url)
    source = f"OAPIF:{server.url}/ogc"

    info = run("ogrinfo", "-ro", "-so", source, "zones")
    assert "Feature Count: 5" in info
    assert "kodszn: String" in info

    out = tmp_path / "zones.gpkg"
    run("ogr2ogr", "-f", "GPKG", str(out), source, "zones", "overlays")
    zones = pyogrio.read_dataframe(out, layer="zones")
    assert len(zones) == 5
    assert sorted(zones["kodszn"]) == ["K-1", "K-1", "R-2", "R-2", "RTH-2"]
    r2 = zones[zones["kodszn"] == "R-2"].sort_values("kodblk")
    assert list(r2["kodblk"]) == ["A.1", "B.1"] and r2["kdb"].iloc[1] == 40.0
    areas = zones.to_crs(CRS).geometry.area
    assert areas.round(1).tolist() == [10000.0] * 5  # 100 m squares, through CRS84 and back
    overlays = pyogrio.read_dataframe(out, layer="overlays")
    assert sorted(overlays["jenis"]) == ["CAGBUD", "KKOP", "SEMPADAN"]


def test_gdal_reads_the_kupang_zones_with_a_bbox(
    kupang_dir: Path, live_server: Callable[..., Server], tmp_path: Path
) -> None:
    from kkpr.plan.package import read_plan

    plan = read_plan(kupang_dir)
    server = live_server(kupang_dir)
    source = f"OAPIF:{server.url}/ogc"
    info = run("ogrinfo", "-ro", "-so", source, "zones")
    assert f"Feature Count: {len(plan.zones)}" in info

    lonlat = plan.zones.to_crs("EPSG:4326")
    minx, miny, maxx, maxy = lonlat.total_bounds
    box = (minx, miny, (minx + maxx) / 2, (miny + maxy) / 2)  # the south-west quarter
    expected = int(lonlat.intersects(shapely.box(*box)).sum())
    out = tmp_path / "quarter.gpkg"
    run("ogr2ogr", "-f", "GPKG", "-spat", *map(str, box), str(out), source, "zones")
    got = pyogrio.read_dataframe(out, layer="zones")
    assert 0 < len(got) < len(plan.zones)
    assert abs(len(got) - expected) <= max(2, expected // 100)  # GDAL refines bbox hits itself
    assert set(got["kodszn"]) <= set(plan.zones["kodszn"])
