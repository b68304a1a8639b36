"""The pages over HTTP: nothing loads from another host, the language is negotiated,
every message the pages use exists in both languages, and the page helpers (site
upload, KBLI search, ITBX column) answer what a user needs, errors included."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pandas as pd
import pytest

from api import i18n
from api.routers.pages import FIGURES
from tests.web import sites
from tests.web.conftest import WebServer

API_DIR = Path(__file__).resolve().parents[2] / "api"
URL = re.compile(r"""(?:src|href|action)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)""")
ABSOLUTE = re.compile(r"""["'(]((?:https?:)?//[^"')\s]+)""")


def staff_client(server: WebServer) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60, follow_redirects=False)
    resp = client.post("/staf/login", data={"key": server.staff_key})
    assert resp.status_code == 303 and "kkpr_staff" in resp.cookies
    return client


def test_served_pages_name_no_other_host(web_server: WebServer) -> None:
    """No CDN, no tiles: every URL in the pages and their CSS is the app's own."""
    host = urlsplit(web_server.url).netloc
    anonymous = httpx.Client(base_url=web_server.url, timeout=60)
    pages = {
        "/": anonymous.get("/").text,
        "/?lang=en": anonymous.get("/?lang=en").text,
        "/staf (login)": anonymous.get("/staf").text,
        "/staf": staff_client(web_server).get("/staf").text,
    }
    assert "staff-map" in pages["/staf"] and "staff-map" not in pages["/staf (login)"]
    seen: set[str] = set()
    for name, html in pages.items():
        for absolute in ABSOLUTE.findall(html):
            assert urlsplit(urljoin(web_server.url, absolute)).netloc == host, (name, absolute)
        for a, b in URL.findall(html):
            target = urljoin(web_server.url + "/", a or b)
            if target.startswith("data:"):
                continue
            assert urlsplit(target).netloc == host, (name, target)
            seen.add(urlsplit(target).path)
    stylesheets = [p for p in seen if p.endswith(".css")]
    assert "/static/vendor/leaflet/leaflet.css" in stylesheets
    for path in stylesheets:
        css = anonymous.get(path)
        assert css.status_code == 200, path
        for a, b in URL.findall(re.sub(r"/\*.*?\*/", "", css.text, flags=re.S)):
            target = urljoin(web_server.url + path, a or b)
            if not target.startswith("data:"):
                assert urlsplit(target).netloc == host, (path, target)
                assert anonymous.get(urlsplit(target).path).status_code == 200, target
    for path in seen:
        if path.startswith("/static/"):
            assert anonymous.get(path).status_code == 200, path
    # the static route serves api/static only, however the path is spelled
    for sneaky in ("/static/..%2f..%2fapi%2fi18n.py", "/static/%2e%2e/%2e%2e/api/i18n.py"):
        assert anonymous.get(sneaky).status_code == 404, sneaky


@pytest.mark.parametrize(
    ("header", "cookie", "query", "lang"),
    [
        (None, None, "", "id"),
        ("en-US,en;q=0.9", None, "", "en"),
        ("en-US,en;q=0.9,id;q=0.8", None, "", "id"),
        ("fr-FR", None, "", "id"),
        ("en-US", "id", "", "id"),
        ("id-ID", "en", "", "en"),
        ("id-ID", "id", "?lang=en", "en"),
    ],
)
def test_language_is_query_then_cookie_then_browser(
    web_server: WebServer, header: str | None, cookie: str | None, query: str, lang: str
) -> None:
    headers = {"Accept-Language": header} if header else {}
    cookies = {i18n.COOKIE: cookie} if cookie else {}
    resp = httpx.get(f"{web_server.url}/{query}", headers=headers, cookies=cookies, timeout=30)
    assert f'<html lang="{lang}">' in resp.text
    if query:
        assert resp.cookies.get(i18n.COOKIE) == lang


def test_every_message_the_pages_use_exists_in_both_languages() -> None:
    used: set[str] = set()
    for path in [*API_DIR.glob("templates/*.html"), *API_DIR.glob("static/js/*.js")]:
        text = path.read_text("utf-8")
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+(?:\.[a-zA-Z_]+)+)["']""", text))
        for stem in re.findall(r"""\bt\(\s*`([a-z_.]+)\$\{""", text):
            assert any(k.startswith(stem) for k in i18n.MESSAGES), stem
    assert len(used) > 100  # the scan found the pages' messages
    used |= {f"pc.bld.{name}" for name, _unit in FIGURES}
    used |= {f"out.{o}" for o in ("sesuai", "sesuai_bersyarat", "tidak_sesuai", "perlu_kajian")}
    used |= {f"itbx.{c}" for c in ("I", "T", "B", "TB", "X", "none")}
    used |= {f"efek.{e}" for e in ("X", "B", "info")}
    used |= {f"rule.{r}" for r in ("KDB", "KLB", "KDH", "JLB", "TB")}
    used |= {f"form.{f}" for f in ("KKKPR", "PKKPR", "RKKPR")}
    missing = sorted(used - set(i18n.MESSAGES))
    assert not missing, missing
    for key, (text_id, text_en) in i18n.MESSAGES.items():
        assert text_id.strip() and text_en.strip(), key
        assert re.findall(r"\{(\w+)\}", text_id) == re.findall(r"\{(\w+)\}", text_en), key


# ---------------------------------------------------------------- site upload


def post_file(server: WebServer, path: Path) -> httpx.Response:
    with path.open("rb") as fh:
        return httpx.post(f"{server.url}/pages/upload", files={"file": (path.name, fh)}, timeout=60)


def test_upload_reads_geojson_kml_and_zipped_shapefile_alike(
    web_server: WebServer, tmp_path: Path
) -> None:
    name = sites.CONFORMING
    original = sites.area_m2(sites.example(name)["geometry"])
    files = {
        "GeoJSON": sites.EXAMPLES / f"{name}.geojson",
        "KML": sites.write_kml(name, tmp_path),
        "Shapefile": sites.write_zipped_shapefile(name, tmp_path),
    }
    for kind, path in files.items():
        resp = post_file(web_server, path)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["properties"]["kind"] == kind
        assert body["geometry"]["type"] == "Polygon"
        assert sites.area_m2(body["geometry"]) == pytest.approx(original, rel=1e-4), kind
        lon, lat = body["geometry"]["coordinates"][0][0]
        assert 123 < lon < 124 and -11 < lat < -10  # longitude first, EPSG:4326


def test_upload_merges_several_parcels_into_one_site(web_server: WebServer, tmp_path: Path) -> None:
    a = sites.frame(sites.CONFORMING)
    b = sites.frame(sites.CONDITIONAL)
    both = tmp_path / "dua_bidang.geojson"
    pd.concat([a, b]).to_file(both, driver="GeoJSON")
    resp = post_file(web_server, both)
    assert resp.status_code == 200
    assert resp.json()["geometry"]["type"] == "MultiPolygon"
    assert resp.json()["properties"]["features"] == 2


@pytest.mark.parametrize(
    ("filename", "content", "words_id", "words_en"),
    [
        ("tapak.txt", b"bukan peta", "tidak didukung", "not supported"),
        ("tapak.zip", b"PK-not-a-zip", "rusak", "damaged"),
        (
            "tapak.geojson",
            b'{"type": "Feature", "geometry": null}',
            "tidak berisi batas tapak",
            "no site boundary",
        ),
        (
            "garis.geojson",
            b'{"type": "LineString", "coordinates": [[123.58, -10.16], [123.59, -10.17]]}',
            "harus berupa bidang tertutup; berkas ini berisi garis",
            "must be a closed area; this file holds lines",
        ),
        (
            "dasi.geojson",  # a bow tie: the edges cross
            b'{"type": "Polygon", "coordinates": [[[123.58, -10.16], [123.59, -10.17],'
            b" [123.59, -10.16], [123.58, -10.17], [123.58, -10.16]]]}",
            "memotong dirinya sendiri di dekat -10,",
            "crosses itself near -10.",
        ),
    ],
)
def test_bad_uploads_answer_a_bilingual_problem_for_the_upload_field(
    web_server: WebServer,
    tmp_path: Path,
    filename: str,
    content: bytes,
    words_id: str,
    words_en: str,
) -> None:
    path = tmp_path / filename
    path.write_bytes(content)
    resp = post_file(web_server, path)
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("application/problem+json")
    problem = resp.json()
    assert problem["where"] == "upload"
    assert words_id in problem["message_id"] and words_en in problem["message_en"]


def test_zip_without_a_shapefile_or_its_prj_is_refused(
    web_server: WebServer, tmp_path: Path
) -> None:
    empty = tmp_path / "kosong.zip"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("baca.txt", "tidak ada shp")
    assert "Shapefile" in post_file(web_server, empty).json()["message_en"]
    no_prj = sites.write_zipped_shapefile(sites.CONFORMING, tmp_path, with_prj=False)
    problem = post_file(web_server, no_prj).json()
    assert ".prj" in problem["hint_en"] and "coordinate system" in problem["message_en"]


# ---------------------------------------------------------------- KBLI search and ITBX column


def test_kbli_search_by_words_and_by_code(web_server: WebServer) -> None:
    def search(q: str) -> list[dict[str, object]]:
        items: list[dict[str, object]] = httpx.get(
            f"{web_server.url}/pages/kbli", params={"q": q}, timeout=30
        ).json()["items"]
        return items

    words = search("minimarket")
    assert words[0]["kode"] == "47111" and words[0]["in_plan"] is True
    by_code = search("4711")
    assert by_code and all(str(i["kode"]).startswith("4711") for i in by_code)
    restaurant = search("rumah mak")  # still typing: prefixes match
    assert any("56" in str(i["kode"])[:2] for i in restaurant)
    assert search("") == []


@pytest.mark.parametrize(
    ("words", "kode"),
    [
        ("kos-kosan", "55900"),
        ("warung kopi", "56303"),
        ("cafe", "56303"),
        ("tambal ban", "45407"),
        ("salon", "96112"),
        ("laundry", "96200"),
        ("toko kelontong", "47112"),
        ("masjid", "94910"),
    ],
)
def test_kbli_search_knows_everyday_words_and_the_plan(
    web_server: WebServer, words: str, kode: str
) -> None:
    """The first item is the everyday meaning, chosen from the plan, saying which phrase
    it came from ("kos-kosan", "cafe" and "tambal ban" used to find nothing)."""
    items = httpx.get(f"{web_server.url}/pages/kbli", params={"q": words}, timeout=30).json()
    first = items["items"][0]
    assert first["kode"] == kode and first["in_plan"] is True
    assert first["frasa"]
    if words == "salon":  # massage is not what "salon" means
        assert [i["kode"] for i in items["items"]].index("96121") > 2


def test_itbx_column_lists_every_activity_of_a_sub_zone(web_server: WebServer) -> None:
    result = sites.api_result(web_server.url, sites.FORBIDDEN, {})
    code = result["parts"][0]["kodszn"]
    column = httpx.get(f"{web_server.url}/pages/itbx/{code}", timeout=30).json()
    assert column["in_matrix"] is True
    row = next(
        r for r in column["rows"] if r["kode_kegiatan"] == result["activity"]["kode_kegiatan"]
    )
    assert row["itbx"] == "X"
    assert len(column["rows"]) >= 60


def test_every_input_of_every_page_has_a_label(web_server: WebServer) -> None:
    from html.parser import HTMLParser

    class Inputs(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.fields: list[dict[str, str | None]] = []
            self.labels: set[str] = set()
            self.open_labels = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            if tag == "label":
                self.open_labels += 1
                if a.get("for"):
                    self.labels.add(str(a["for"]))
            elif tag in ("input", "select", "textarea") and a.get("type") != "hidden":
                self.fields.append({**a, "wrapped": "yes" if self.open_labels else None})

        def handle_endtag(self, tag: str) -> None:
            if tag == "label":
                self.open_labels -= 1

    client = staff_client(web_server)
    for path in ("/", "/?lang=en", "/staf"):
        for html in (client.get(path).text, httpx.get(web_server.url + path, timeout=30).text):
            parsed = Inputs()
            parsed.feed(html)
            assert parsed.fields, path
            for field in parsed.fields:
                labelled = field["wrapped"] or field.get("id") in parsed.labels
                assert labelled or field.get("aria-label"), (path, field)
