"""KBLI search and, for one KBLI, where the active plan permits it."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api


def test_search_by_words_and_by_code(api: Api) -> None:
    r = api.client.get("/v1/kbli", params={"q": "resto"})
    assert r.status_code == 200
    items = r.json()["items"]
    assert items[0]["kode"] == "56101" and items[0]["kode_kegiatan"] == "RESTO"
    by_code = api.client.get("/v1/kbli", params={"q": "4711"}).json()["items"]
    assert "47111" in [i["kode"] for i in by_code]
    assert api.client.get("/v1/kbli", params={"q": ""}).status_code == 422


def test_kbli_detail_lists_subzones_by_class_with_condition_texts(api: Api) -> None:
    body = api.client.get("/v1/kbli/56101").json()
    assert body["mapped"] and body["kode_kegiatan"] == "RESTO"
    assert body["by_class"] == {"I": ["K-1"], "T": [], "B": [], "TB": ["R-2"], "X": ["RTH-2"]}
    r2 = next(z for z in body["subzones"] if z["kodszn"] == "R-2")
    assert r2["cell"] == "T1;B1"
    texts = {c["kode"]: c["teks"] for c in r2["conditions"]}
    assert texts == {
        "T1": "Luas lantai paling banyak 200 m2",
        "B1": "Wajib memiliki kajian dampak lalu lintas",
    }
    rth = next(z for z in body["subzones"] if z["kodszn"] == "RTH-2")
    assert (rth["itbx"], rth["cell"]) == ("X", "X")


def test_unknown_kbli_is_404(api: Api) -> None:
    r = api.client.get("/v1/kbli/99999")
    assert r.status_code == 404 and r.json()["type"].endswith("/not-found")


def test_kupang_catalogue(kupang_api: Api) -> None:
    items = kupang_api.client.get("/v1/kbli", params={"q": "minimarket"}).json()["items"]
    assert items[0]["kode"] == "47111" and items[0]["kode_kegiatan"] == "PERDAG-MINI"
    body = kupang_api.client.get("/v1/kbli/47111").json()
    assert "K-1" in body["by_class"]["I"] and "RTH-2" in body["by_class"]["X"]
    assert "R-2" in body["by_class"]["T"]
    r2 = next(z for z in body["subzones"] if z["kodszn"] == "R-2")
    assert r2["conditions"] and all(c["teks"] for c in r2["conditions"])


# ---------------------------------------------------------------- where an activity is allowed


def lonlat(x: float, y: float) -> tuple[float, float]:
    from pyproj import Transformer

    from tests.mini_plan import CRS, X0, Y0

    lon, lat = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(X0 + x, Y0 + y)
    return lon, lat


def test_activity_zones_map_every_zone_with_its_class_and_the_nearest_permitted(
    api: Api,
) -> None:
    """A minimarket: I in K-1, T in R-2, X in RTH-2 (the mini plan's matrix); asked from
    the middle of the park Z3 (x 250, y 50), the permitted zones by distance."""
    lon, lat = lonlat(250, 50)
    r = api.client.get("/v1/activities/47111/zones", params={"near": f"{lon},{lat}"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["type"] == "FeatureCollection" and body["kode_kegiatan"] == "PERDAG-MINI"
    classes = {f["properties"]["kodszn"]: f["properties"]["itbx"] for f in body["features"]}
    assert classes == {"K-1": "I", "R-2": "T", "RTH-2": "X"}
    assert len(body["features"]) == 5
    nearest = [(n["kodszn"], n["distance_m"]) for n in body["nearest"]]
    assert [code for code, _d in nearest] == ["R-2", "K-1", "K-1", "R-2"]  # no X zone
    expected = [50.0, 70.7, 150.0, 158.1]  # worked on paper: edges and corners
    assert [d for _c, d in nearest] == pytest.approx(expected, abs=0.5)


def test_activity_zones_by_bbox_and_refusals(api: Api) -> None:
    w, s = lonlat(10, 10)
    e, n = lonlat(90, 90)
    inside = api.client.get("/v1/activities/47111/zones", params={"bbox": f"{w},{s},{e},{n}"})
    assert [f["properties"]["kodszn"] for f in inside.json()["features"]] == ["K-1"]
    assert "nearest" not in inside.json()
    unknown = api.client.get("/v1/activities/99999/zones")
    assert unknown.status_code == 404 and "99999" in unknown.json()["message_id"]
    bad = api.client.get("/v1/activities/47111/zones", params={"near": "timur"})
    assert 400 <= bad.status_code < 500 and bad.json()["where"] == "near"
