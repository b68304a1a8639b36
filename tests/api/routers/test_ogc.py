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

from tests.api.conftest import Api
from tests.mini_plan import CRS, X0, Y0
from tests.server import Server

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
    assert doc["servers"] == [{"url": "http://testserver/ogc"}]  # paths from the landing page
    for path in ("/collections/{collection_id}/items", "/collections/zones/items"):
        params = doc["paths"][path]["get"]["parameters"]
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


# ---------------------------------------------------------------- filters, queryables, types


def ids(api: Api, **params: str) -> list[str]:
    r = api.client.get("/ogc/collections/zones/items", params=params)
    assert r.status_code == 200, r.text
    return [f["id"] for f in r.json()["features"]]


def test_queryables_name_every_property_with_its_type(api: Api) -> None:
    r = api.client.get("/ogc/collections/zones/queryables")
    assert r.headers["content-type"] == "application/schema+json"
    props = r.json()["properties"]
    assert props["kodszn"]["type"] == "string" and props["kodblk"]["type"] == "string"
    assert props["kdb"]["type"] == "number" and props["klb"]["type"] == "number"
    # KTB is empty in the whole mini plan and still a number; a KUGI flag is read as text
    assert props["ktb"]["type"] == "number" and props["kkop_1"]["type"] == "string"
    overlays = api.client.get("/ogc/collections/overlays/queryables").json()["properties"]
    assert overlays["tb"]["type"] == "number" and overlays["jenis"]["type"] == "string"


def test_intensity_is_the_one_the_check_applies(api: Api) -> None:
    feats = api.client.get("/ogc/collections/zones/items").json()["features"]
    by_id = {f["id"]: f["properties"] for f in feats}
    assert by_id["1"]["kdb"] == 70.0 and by_id["1"]["tb"] == 24.0  # K-1 default
    assert by_id["4"]["kdb"] == 40.0 and by_id["4"]["klb"] == 1.2  # own KDB, default KLB
    assert by_id["3"]["gsb"] is None  # RTH-2 has no GSB: still missing, not zero


def test_property_equality_and_cql2(api: Api) -> None:
    assert ids(api, kodszn="K-1") == ["1", "5"]
    assert ids(api, kodszn="R-2", kdb="40") == ["4"]
    assert ids(api, kkop_1="1") == ["5"]
    assert ids(api, filter="kdb >= 60 AND kodszn <> 'K-1'") == ["2"]
    assert ids(api, filter="kodszn IN ('R-2', 'RTH-2') AND NOT kodblk = 'A.1'") == ["3", "4"]
    assert ids(api, filter="kodszn LIKE 'R%' OR tb > 20") == ["1", "2", "3", "4", "5"]
    assert ids(api, filter="klb BETWEEN 1 AND 2", kodblk="B.1") == ["4"]
    # three-valued logic: a missing GSB is neither = 3 nor <> 3
    assert ids(api, filter="gsb IS NULL") == ["3"]
    assert ids(api, filter="NOT (gsb = 3)") == ["1", "5"]
    # the filter and the bbox together, and paging counts only what matched
    page = api.client.get(
        "/ogc/collections/zones/items", params={"filter": "kdb > 10", "limit": 1}
    ).json()
    assert page["numberMatched"] == 4 and page["numberReturned"] == 1
    overlays = api.client.get(
        "/ogc/collections/overlays/items", params={"filter": "tb <= 20"}
    ).json()
    assert [f["properties"]["jenis"] for f in overlays["features"]] == ["KKOP"]


@pytest.mark.parametrize(
    "params",
    [
        {"kodsz": "K-1"},  # the example: a typo is refused, not ignored
        {"kdb": "enam puluh"},
        {"filter": "warna = 'merah'"},
        {"filter": "kdb >= 'x'"},
        {"filter": "kodszn = "},
        {"filter": "kodszn LIKE 5"},
        {"filter": "kodszn = 'K-1'", "filter-lang": "cql2-json"},
    ],
)
def test_a_filter_that_cannot_be_applied_is_400(api: Api, params: dict[str, str]) -> None:
    r = api.client.get("/ogc/collections/zones/items", params=params)
    assert r.status_code == 400, r.text
    problem = r.json()
    assert problem["type"].endswith("/invalid-parameter")
    assert problem["message_id"] and problem["message_en"]


def test_unknown_property_names_the_ones_there_are(api: Api) -> None:
    problem = api.client.get("/ogc/collections/zones/items", params={"kodsz": "K-1"}).json()
    assert "kodsz" in problem["message_en"] and "kodszn" in problem["hint_en"]


def test_gdal_types_fields_and_filters_on_the_server(
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
    # from the collection's schema: numbers even where the first page has no value
    for field, kind in (("kdb", "Real"), ("ktb", "Real"), ("kodblk", "String")):
        assert f"{field}: {kind}" in info
    done = subprocess.run(
        ["ogrinfo", "-ro", "-al", "--debug", "on", source, "zones",
         "-where", "kodszn = 'K-1' AND kdb >= 60"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "filter=" in done.stderr and "filter-lang=cql" in done.stderr  # sent to the server
    assert "Feature Count: 2" in done.stdout
    out = tmp_path / "k1.gpkg"
    run("ogr2ogr", "-f", "GPKG", str(out), source, "zones", "-where", "kodszn = 'R-2'")
    got = pyogrio.read_dataframe(out)
    assert sorted(got["kdb"]) == [40.0, 60.0] and str(got["kdb"].dtype) == "float64"


# ---------------------------------------------------------------- styles and GeoPackage


def test_styles_sld_and_qml_per_collection(api: Api) -> None:
    import xml.etree.ElementTree as ET

    listed = api.client.get("/ogc/collections/zones/styles").json()
    assert {link["type"] for link in listed["styles"][0]["links"]} == {
        "application/vnd.ogc.sld+xml",
        "application/vnd.qgis.qml+xml",
    }
    sld = api.client.get("/ogc/collections/zones/styles/default", params={"f": "sld"})
    assert sld.headers["content-type"].startswith("application/vnd.ogc.sld+xml")
    ns = {"sld": "http://www.opengis.net/sld", "ogc": "http://www.opengis.net/ogc"}
    rules = ET.fromstring(sld.content).findall(".//sld:Rule", ns)
    values = [r.find(".//ogc:Literal", ns).text for r in rules]  # type: ignore[union-attr]
    assert values == ["K-1", "R-2", "RTH-2"]
    fills = {
        v: r.find(".//sld:CssParameter[@name='fill']", ns).text  # type: ignore[union-attr]
        for v, r in zip(values, rules, strict=True)
    }
    assert fills == {"K-1": "#d7301f", "R-2": "#eccb1f", "RTH-2": "#56a656"}  # palette.js
    qml = ET.fromstring(
        api.client.get("/ogc/collections/overlays/styles/default", params={"f": "qml"}).content
    )
    renderer = qml.find("renderer-v2")
    assert renderer is not None and renderer.get("attr") == "jenis"
    assert [c.get("value") for c in renderer.iter("category")] == ["CAGBUD", "KKOP", "SEMPADAN"]
    assert api.client.get("/ogc/collections/zones/styles/default?f=png").status_code == 422


def test_geopackage_of_a_plan_version_with_its_styles(api: Api, tmp_path: Path) -> None:
    import sqlite3

    r = api.client.get("/v1/plans/mini/versions/v1/gpkg")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/geopackage+sqlite3"
    path = tmp_path / "mini.gpkg"
    path.write_bytes(r.content)
    assert sorted(pyogrio.list_layers(path)[:, 0]) == [
        "ketentuan_khusus",
        "layer_styles",  # a table without geometry, as QGIS writes it
        "pola_ruang",
        "pola_ruang_rtrw",
    ]
    zones = pyogrio.read_dataframe(path, layer="pola_ruang", fid_as_index=True)
    assert zones.crs.to_epsg() == 32751 and list(zones.index) == [1, 2, 3, 4, 5]
    assert sorted(zones["kdb"]) == [5.0, 40.0, 60.0, 70.0, 70.0]  # applied intensity
    with sqlite3.connect(path) as db:
        styled = db.execute(
            "SELECT f_table_name, useAsDefault, length(styleQML) > 0, length(styleSLD) > 0 "
            "FROM layer_styles ORDER BY f_table_name"
        ).fetchall()
    assert styled == [
        ("ketentuan_khusus", 1, 1, 1),
        ("pola_ruang", 1, 1, 1),
        ("pola_ruang_rtrw", 1, 1, 1),
    ]
    assert api.client.get("/v1/plans/mini/versions/v9/gpkg").status_code == 404
