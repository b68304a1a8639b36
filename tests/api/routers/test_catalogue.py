"""KBLI search and, for one KBLI, where the active plan permits it."""

from __future__ import annotations

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
    assert body["by_class"] == {"I": ["K-1"], "T": [], "B": [], "TB": ["R-2"], "X": []}
    r2 = next(z for z in body["subzones"] if z["kodszn"] == "R-2")
    assert r2["cell"] == "T1;B1"
    texts = {c["kode"]: c["teks"] for c in r2["conditions"]}
    assert texts == {
        "T1": "Luas lantai paling banyak 200 m2",
        "B1": "Wajib memiliki kajian dampak lalu lintas",
    }
    silent = next(z for z in body["subzones"] if z["kodszn"] == "RTH-2")
    assert silent["itbx"] is None


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
