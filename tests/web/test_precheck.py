"""The public pre-check in a real browser: three sites of the sample plan entered three
ways (drawn, typed, uploaded), every upload kind, input errors next to their fields,
the English switch, a phone-sized window and the permalink."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from kkpr.text import ITBX_WORDS
from tests.web import sites
from tests.web.conftest import WebServer, open_page

pytestmark = pytest.mark.browser

HEADLINE_ID = {
    "sesuai": "Sesuai — boleh",
    "sesuai_bersyarat": "Sesuai dengan syarat",
    "tidak_sesuai": "Tidak sesuai — tidak boleh",
    "perlu_kajian": "Perlu kajian petugas",
}
ITBX_WORD_ID = {str(c): words[0] for c, words in ITBX_WORDS.items() if c is not None}
FIGURES: dict[str, float] = {"footprint_m2": 200, "floor_area_m2": 180, "floors": 1, "height_m": 5}


# ---------------------------------------------------------------- helpers


ZONE_TILES = "#map canvas.leaflet-tile-loaded"  # the zones' vector tiles, drawn on canvas


def wait_for_zone_tiles(page: Page) -> None:
    """Until the input map has drawn every zone tile of its view (OGC API Tiles)."""
    page.wait_for_function(
        "() => window.kkpr && window.kkpr.zonesDrawn !== undefined", timeout=30_000
    )
    expect(page.locator(ZONE_TILES).first).to_be_attached()


def open_precheck(page: Page, server: WebServer, query: str = "") -> None:
    page.goto(f"{server.url}/{query}")
    # the plan's zones are drawn on the input map before anyone does anything
    wait_for_zone_tiles(page)


def map_point(page: Page, lat: float, lon: float, map_id: str = "map") -> tuple[float, float]:
    """Page coordinates of (lat, lon) on a Leaflet map."""
    x, y = page.evaluate(
        "([lat, lon]) => { const p = window.kkpr.map.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [lat, lon],
    )
    box = page.locator(f"#{map_id}").bounding_box()
    assert box is not None
    return box["x"] + x, box["y"] + y


def zoom_in(page: Page) -> None:
    """One step in with the map's + button, returning once the zoom animation has ended
    (corners are then placed at the zoom they are computed for)."""
    page.evaluate(
        "() => { window.kkprZoomed = new Promise((done) => {"
        " window.kkpr.map.once('zoomend', () => done(true)); setTimeout(() => done(false), 20000);"
        " }); }"
    )
    page.click(".leaflet-control-zoom-in")
    assert page.evaluate("() => window.kkprZoomed") is True


def type_coordinates(page: Page, lat: float, lon: float) -> None:
    page.fill("#lat", f"{lat:.7f}")
    page.fill("#lon", f"{lon:.7f}")
    page.click("#goto")
    expect(page.locator("#site-summary")).to_contain_text(f"{lat:.6f}")


def choose_kbli(page: Page, words: str, code: str) -> None:
    page.fill("#kbli-q", words)
    page.click(f'#kbli-list li[data-kode="{code}"]')
    expect(page.locator("#kbli-chosen")).to_contain_text(code)


def fill_figures(page: Page, figures: dict[str, float]) -> None:
    for name, value in figures.items():
        page.fill(f"#f-{name}", str(value))


def submit(page: Page) -> str:
    page.click("#submit")
    page.wait_for_selector('#result[data-ready="true"]')
    outcome = page.locator("#verdict").get_attribute("data-outcome")
    assert outcome
    return outcome


def upload(page: Page, path: Path) -> None:
    page.set_input_files("#upload", str(path))
    expect(page.locator("#site-summary")).to_contain_text("poligon")


def parts_on_page(page: Page) -> list[list[str]]:
    rows = page.locator("#parts-table tbody tr")
    return [
        [c.strip() for c in rows.nth(i).locator("td").all_inner_texts()]
        for i in range(rows.count())
    ]


def assert_parts_match(page: Page, result: dict[str, Any]) -> None:
    """The parts table lists every part of the API's answer: sub-zone and ITBX class."""
    shown = parts_on_page(page)
    assert len(shown) == len(result["parts"])
    for row, part in zip(shown, result["parts"], strict=True):
        assert row[0].startswith(part["kodszn"])
        assert row[6].startswith(part["itbx"] or "–")
        if part["itbx"]:
            assert ITBX_WORD_ID[part["itbx"]] in row[6]


# ---------------------------------------------------------------- three sites, three ways


def test_conforming_site_drawn_on_the_map(
    page: Page, web_server: WebServer, artifacts: Path
) -> None:
    open_precheck(page, web_server)
    lat, lon = sites.centroid_latlon(sites.CONFORMING)
    type_coordinates(page, lat, lon)
    zoom_in(page)
    page.click("#draw")
    for corner in sites.ring_latlon(sites.CONFORMING):
        x, y = map_point(page, *corner)
        page.mouse.click(x, y)
        page.wait_for_timeout(150)  # Leaflet.draw ignores a click within 50 ms of the last
    page.click("#draw-finish")
    expect(page.locator("#site-summary")).to_contain_text("1 poligon, 4 titik sudut")
    choose_kbli(page, "minimarket", "47111")
    fill_figures(page, FIGURES)

    assert submit(page) == "sesuai"
    expect(page.locator("#verdict-headline")).to_have_text(HEADLINE_ID["sesuai"])
    expect(page.locator("#verdict")).to_contain_text("Kegiatan sesuai dengan rencana tata ruang")
    drawn = page.evaluate("window.kkpr.state.site")
    expected = sites.api_result(web_server.url, sites.CONFORMING, FIGURES)
    assert expected["outcome"] == "sesuai"
    assert_parts_match(page, expected)
    # the drawn square is the example's within a pixel or so of each corner
    assert sites.area_m2(drawn) == pytest.approx(
        sites.area_m2(sites.example(sites.CONFORMING)["geometry"]), rel=0.1
    )
    expect(page.locator("#next-steps")).to_contain_text("OSS")
    expect(page.locator("#intensity-table")).to_contain_text("KDB")
    # the site is drawn over its zones on the result map, the part labelled
    expect(page.locator("#result-map .zone-label").first).to_have_text(
        expected["parts"][0]["kodszn"]
    )
    page.locator("#result").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "precheck-conforming.png"), full_page=True)


def test_conditional_site_by_typed_coordinates(page: Page, web_server: WebServer) -> None:
    open_precheck(page, web_server)
    lat, lon = sites.centroid_latlon(sites.CONDITIONAL)
    type_coordinates(page, lat, lon)
    choose_kbli(page, "47111", "47111")
    figures: dict[str, float] = {"land_area_m2": 400, **FIGURES}
    fill_figures(page, figures)

    assert submit(page) == "sesuai_bersyarat"
    expect(page.locator("#verdict-headline")).to_have_text(HEADLINE_ID["sesuai_bersyarat"])
    feature = sites.example(sites.CONDITIONAL)
    point = {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
    expected = sites.api_result_for(web_server.url, point, feature["properties"]["kbli"], figures)
    assert_parts_match(page, expected)
    # each condition is listed with its text, and named in what to do next
    for cond in expected["conditions"]:
        expect(page.locator("#conditions-table")).to_contain_text(cond["kode"])
        expect(page.locator("#next-steps")).to_contain_text(cond["kode"])


def test_forbidden_site_uploaded_as_geojson(
    page: Page, web_server: WebServer, artifacts: Path
) -> None:
    open_precheck(page, web_server)
    upload(page, sites.EXAMPLES / f"{sites.FORBIDDEN}.geojson")
    choose_kbli(page, "minimarket", "47111")
    fill_figures(page, FIGURES)

    assert submit(page) == "tidak_sesuai"
    expect(page.locator("#verdict-headline")).to_have_text(HEADLINE_ID["tidak_sesuai"])
    expected = sites.api_result(web_server.url, sites.FORBIDDEN, FIGURES)
    assert_parts_match(page, expected)
    assert any(p["itbx"] == "X" for p in expected["parts"])
    expect(page.locator("#next-steps")).to_contain_text("lokasi lain")
    page.screenshot(path=str(artifacts / "precheck-forbidden.png"), full_page=True)


# ---------------------------------------------------------------- uploads


@pytest.mark.parametrize("kind", ["kml", "shapefile"])
def test_upload_of_each_file_kind_gives_the_geojson_answer(
    page: Page, web_server: WebServer, tmp_path: Path, kind: str
) -> None:
    name = sites.CONDITIONAL
    path = (
        sites.write_kml(name, tmp_path)
        if kind == "kml"
        else sites.write_zipped_shapefile(name, tmp_path)
    )
    open_precheck(page, web_server)
    upload(page, path)
    uploaded = page.evaluate("window.kkpr.state.site")
    original = sites.example(name)["geometry"]
    assert sites.area_m2(uploaded) == pytest.approx(sites.area_m2(original), rel=1e-4)
    choose_kbli(page, "minimarket", "47111")
    fill_figures(page, FIGURES)
    expected = sites.api_result(web_server.url, name, FIGURES)
    assert submit(page) == expected["outcome"]
    assert_parts_match(page, expected)


def test_bad_uploads_are_explained_next_to_the_upload_field(
    page: Page, web_server: WebServer, tmp_path: Path
) -> None:
    open_precheck(page, web_server)
    error = page.locator("#upload-error")

    no_prj = sites.write_zipped_shapefile(sites.CONFORMING, tmp_path, with_prj=False)
    page.set_input_files("#upload", str(no_prj))
    expect(error).to_contain_text("sistem koordinat")
    expect(page.locator("#upload")).to_have_attribute("aria-invalid", "true")

    text = tmp_path / "catatan.txt"
    text.write_text("bukan peta")
    page.set_input_files("#upload", str(text))
    expect(error).to_contain_text("tidak didukung")

    broken = tmp_path / "rusak.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [')
    page.set_input_files("#upload", str(broken))
    expect(error).to_contain_text("tidak dapat dibaca")
    # nothing became the site
    assert page.evaluate("window.kkpr.state.site") is None

    good = sites.EXAMPLES / f"{sites.CONFORMING}.geojson"
    page.set_input_files("#upload", str(good))
    expect(error).to_be_empty()
    expect(page.locator("#upload")).not_to_have_attribute("aria-invalid", "true")


# ---------------------------------------------------------------- input errors


def test_input_errors_are_shown_next_to_their_fields(page: Page, web_server: WebServer) -> None:
    open_precheck(page, web_server)
    page.fill("#f-floors", "dua")
    page.click("#submit")
    expect(page.locator("#site-error")).to_contain_text("Tentukan lokasi")
    expect(page.locator("#kbli-error")).to_contain_text("Pilih kegiatan")
    expect(page.locator("#f-floors-error")).to_contain_text("angka")
    assert page.locator("#result").is_hidden()

    # the API's own refusals land next to the field its problem+json names
    page.fill("#lat", "-6.2")  # Jakarta: far outside the Kupang plan
    page.fill("#lon", "106.8")
    page.click("#goto")
    choose_kbli(page, "minimarket", "47111")
    page.fill("#f-floors", "2")
    page.click("#submit")
    expect(page.locator("#site-error")).to_contain_text("di luar wilayah rencana")
    expect(page.locator("#kbli-error")).to_be_empty()
    expect(page.locator("#f-floors-error")).to_be_empty()

    page.fill("#lat", "lintang")
    page.click("#goto")
    expect(page.locator("#coords-error")).to_contain_text("angka desimal")


def test_unknown_kbli_from_a_link_is_explained_next_to_the_kbli_field(
    page: Page, web_server: WebServer
) -> None:
    lat, lon = sites.centroid_latlon(sites.CONFORMING)
    page.goto(f"{web_server.url}/#kbli=47119&site=pt:{lon:.7f},{lat:.7f}")
    error = page.locator("#kbli-error")
    expect(error).to_contain_text("47119")
    expect(error).to_contain_text("tidak dikenal")
    assert page.locator("#site-error").inner_text() == ""
    # the API's near matches are offered; one tap picks it and the check runs
    error.get_by_role("button", name=re.compile("^47111")).click()
    expect(page.locator("#kbli-chosen")).to_contain_text("47111")
    assert submit(page) == "sesuai"


# ---------------------------------------------------------------- language, phone, permalink


def test_english_switch_translates_the_page_and_the_result(
    page: Page, web_server: WebServer
) -> None:
    open_precheck(page, web_server)
    expect(page.locator("html")).to_have_attribute("lang", "id")
    upload(page, sites.EXAMPLES / f"{sites.FORBIDDEN}.geojson")
    choose_kbli(page, "minimarket", "47111")
    assert submit(page) == "tidak_sesuai"

    page.click("#lang-switch")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Pre-check: may my business use this site?")
    expect(page.locator('label[for="kbli-q"]')).to_have_text("Search by words or KBLI code")
    # the hash carried the check over: the same result, now in English
    page.wait_for_selector('#result[data-ready="true"]')
    expect(page.locator("#verdict-headline")).to_have_text("Does not conform — not allowed")
    expect(page.locator("#verdict")).to_contain_text("The activity does not conform")
    expect(page.locator("#parts-table")).to_contain_text("not permitted")
    # the choice is remembered (cookie) and the switch leads back
    page.goto(web_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#lang-switch")).to_have_text("Bahasa Indonesia")


def test_phone_sized_window(browser: Any, web_server: WebServer, artifacts: Path) -> None:
    ctx, page, watch = open_page(
        browser, web_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        open_precheck(page, web_server)
        assert_no_horizontal_scroll(page)
        upload(page, sites.EXAMPLES / f"{sites.CONDITIONAL}.geojson")
        choose_kbli(page, "minimarket", "47111")
        fill_figures(page, FIGURES)
        assert submit(page) == "sesuai_bersyarat"
        verdict = page.locator("#verdict")
        expect(verdict).to_be_in_viewport()
        box = verdict.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert_no_horizontal_scroll(page)
        # large touch targets
        for selector in ("#submit", "#draw", "#goto", "#kbli-q", "#f-floors"):
            target = page.locator(selector).bounding_box()
            assert target is not None and target["height"] >= 44, selector
        page.screenshot(path=str(artifacts / "precheck-phone.png"))
        page.screenshot(path=str(artifacts / "precheck-phone-full.png"), full_page=True)
    finally:
        ctx.close()
    assert not watch.errors and not watch.foreign


def assert_no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth, document.body.scrollWidth]"
    )
    assert widths[0] <= widths[1] and widths[2] <= widths[1], widths


def test_permalink_reproduces_the_check(browser: Any, page: Page, web_server: WebServer) -> None:
    open_precheck(page, web_server)
    upload(page, sites.EXAMPLES / f"{sites.CONDITIONAL}.geojson")
    choose_kbli(page, "minimarket", "47111")
    fill_figures(page, FIGURES)
    outcome = submit(page)
    link = page.input_value("#permalink")
    assert link.startswith(web_server.url + "/#") and "kbli=47111" in link
    parts = parts_on_page(page)
    intensity = page.locator("#intensity-table").inner_text()

    ctx, other, watch = open_page(browser, web_server)
    try:
        other.goto(link)
        other.wait_for_selector('#result[data-ready="true"]')
        assert other.locator("#verdict").get_attribute("data-outcome") == outcome
        assert parts_on_page(other) == parts
        assert other.locator("#intensity-table").inner_text() == intensity
        assert other.input_value("#f-floor_area_m2") == str(FIGURES["floor_area_m2"])
        expect(other.locator("#kbli-chosen")).to_contain_text("47111")
    finally:
        ctx.close()
    assert not watch.errors and not watch.foreign


def test_screenshot_for_the_readme(page: Page, web_server: WebServer, artifacts: Path) -> None:
    """A desktop pre-check with its result in view (copied to docs/img for the README)."""
    page.set_viewport_size({"width": 1366, "height": 1000})
    open_precheck(page, web_server)
    upload(page, sites.EXAMPLES / f"{sites.CONDITIONAL}.geojson")
    choose_kbli(page, "minimarket", "47111")
    fill_figures(page, FIGURES)
    submit(page)
    page.evaluate("document.getElementById('result').scrollIntoView({block: 'start'})")
    page.screenshot(path=str(artifacts / "precheck.png"))


# ---------------------------------------------------------------- what to do next


@pytest.mark.parametrize("name", [sites.FORBIDDEN, sites.TO_REVIEW])
def test_next_steps_of_a_refused_or_reviewed_site_are_all_sentences(
    page: Page, web_server: WebServer, name: str
) -> None:
    """Every numbered step says something (the reasons behind a refusal or a review
    used to come out as empty items), and the reasons the API gave are among them."""
    open_precheck(page, web_server)
    upload(page, sites.EXAMPLES / f"{name}.geojson")
    choose_kbli(page, "minimarket", "47111")
    fill_figures(page, FIGURES)
    expected = sites.api_result(web_server.url, name, FIGURES)
    assert submit(page) == expected["outcome"]
    steps = [s.strip() for s in page.locator("#next-steps li").all_inner_texts()]
    assert len(steps) >= 2
    assert all(len(s) > 10 for s in steps), steps
    deciding = [r["id"] for r in expected["reasons"] if r["effect"] == expected["outcome"]]
    assert deciding
    assert any(deciding[0] in s for s in steps), (deciding[0], steps)


# ---------------------------------------------------------------- plain errors

# words of the libraries and formats behind the page, which an applicant cannot act on
TECHNICAL = re.compile(
    r"GDAL|GEOS|EPSG|GeoJSON|pyogrio|CRS\b|Self-intersection|Polygon|LineString|Ring\b|/tmp/"
)


def bowtie(lat: float, lon: float) -> dict[str, Any]:
    d = 0.0003
    ring = [[lon, lat], [lon + d, lat + d], [lon + d, lat], [lon, lat + d], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_upload_and_geometry_failures_are_plain_sentences(
    page: Page, web_server: WebServer, tmp_path: Path, artifacts: Path
) -> None:
    lat, lon = sites.centroid_latlon(sites.CONFORMING)
    line = {"type": "LineString", "coordinates": [[lon, lat], [lon + 0.001, lat]]}
    files = {
        "catatan.txt": ("bukan peta", "tidak didukung"),
        "rusak.geojson": ('{"type": "FeatureCollection", "features": [', "tidak dapat dibaca"),
        "rusak.zip": ("PK bukan zip", "rusak"),
        "garis.geojson": (json.dumps(line), "garis"),
        "silang.geojson": (json.dumps(bowtie(lat, lon)), "memotong dirinya sendiri"),
    }
    open_precheck(page, web_server)
    error = page.locator("#upload-error")
    shown = []
    for name, (content, expected) in files.items():
        path = tmp_path / name
        path.write_text(content)
        page.set_input_files("#upload", str(path))
        expect(error).to_contain_text(expected)
        shown.append(error.inner_text())
    no_prj = sites.write_zipped_shapefile(sites.CONFORMING, tmp_path, with_prj=False)
    page.set_input_files("#upload", str(no_prj))
    expect(error).to_contain_text(".prj")
    shown.append(error.inner_text())
    page.screenshot(path=str(artifacts / "precheck-upload-error.png"))
    for text in shown:
        assert not TECHNICAL.search(text), text
    # the crossing is placed where a person can find it: near the site, in degrees
    assert "-10," in shown[4] and "123," in shown[4], shown[4]

    # a crossing boundary that reaches the check (e.g. from an old link) is said so too
    page.evaluate("(g) => { window.kkpr.state.site = g; }", bowtie(lat, lon))
    choose_kbli(page, "minimarket", "47111")
    page.click("#submit")
    site_error = page.locator("#site-error")
    expect(site_error).to_contain_text("memotong dirinya sendiri")
    expect(site_error).to_contain_text("Gambar ulang")
    assert not TECHNICAL.search(site_error.inner_text())

    # outside the plan: what to do, in words
    type_coordinates(page, -6.2, 106.8)
    page.click("#submit")
    expect(site_error).to_contain_text("di luar wilayah rencana")
    assert not TECHNICAL.search(site_error.inner_text()), site_error.inner_text()
    # nor anywhere else on the page a member of the public reads
    assert not TECHNICAL.search(page.locator("main").inner_text())


def test_everyday_words_choose_the_activity(page: Page, web_server: WebServer) -> None:
    """A warung owner types what the business is called, not its KBLI title."""
    open_precheck(page, web_server)
    page.fill("#kbli-q", "warkop")
    first = page.locator("#kbli-list li").first
    expect(first).to_have_attribute("data-kode", "56303")
    expect(first).to_contain_text("warkop")
    page.keyboard.press("Enter")
    expect(page.locator("#kbli-chosen")).to_contain_text("56303")
    choose_kbli(page, "kos-kosan", "55900")


# ---------------------------------------------------------------- what it means, what to do


def test_the_verdict_is_said_with_this_plots_numbers_and_terms_explained_once(
    page: Page, web_server: WebServer, artifacts: Path
) -> None:
    """A point with a 400 m² plot in R-2 housing (KDB 70%, KLB 2.1, KDH 20%, GSB 4 m),
    on a plan version staff recorded as integrated in OSS (the sample's own plan.toml
    says it is not, so the page promises no automatic KKKPR until then)."""
    plan = sites.api_result(web_server.url, sites.CONDITIONAL, {})["plan"]
    assert page_data(web_server)["rdtr_in_oss"] is False
    set_integration(web_server, plan, True)
    try:
        assert page_data(web_server)["rdtr_in_oss"] is True
        _verdict_with_this_plots_numbers(page, web_server, artifacts)
    finally:
        set_integration(web_server, plan, False)


def page_data(server: WebServer) -> dict[str, Any]:
    html = httpx.get(server.url + "/", timeout=60).text
    found = re.search(r'<script[^>]*id="page-data"[^>]*>(.*?)</script>', html, re.S)
    assert found, "no page data on the pre-check page"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def set_integration(server: WebServer, plan: dict[str, Any], value: bool) -> None:
    resp = httpx.put(
        f"{server.url}/v1/plans/{plan['id']}/versions/{plan['version']}/oss-integration",
        json={"rdtr_integrated": value, "reason": "uji / test"},
        headers={"X-API-Key": server.staff_key},
        timeout=60,
    )
    assert resp.status_code == 200, resp.text


def _verdict_with_this_plots_numbers(page: Page, web_server: WebServer, artifacts: Path) -> None:
    open_precheck(page, web_server)
    lat, lon = sites.centroid_latlon(sites.CONDITIONAL)
    type_coordinates(page, lat, lon)
    choose_kbli(page, "minimarket", "47111")
    fill_figures(page, {"land_area_m2": 400, **FIGURES})
    expected = sites.api_result_for(
        web_server.url,
        {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "47111",
        {"land_area_m2": 400, **FIGURES},
    )
    limits = {i["rule"]: i["limit"] for i in expected["intensity"]}
    assert submit(page) == "sesuai_bersyarat"
    meaning = page.locator("#meaning-list")
    kdb = limits["KDB"]
    covered = int(400 * kdb // 100)
    expect(meaning.locator('[data-rule="KDB"]')).to_have_text(
        f"Bangunan boleh menutup paling banyak {covered} m² dari 400 m² tanah (KDB {kdb:g}%)."
    )
    klb = f"{limits['KLB']:g}".replace(".", ",")
    expect(meaning.locator('[data-rule="KLB"]')).to_contain_text(
        f"paling banyak {int(400 * limits['KLB'])} m² (KLB {klb})"
    )
    expect(meaning.locator('[data-rule="KDH"]')).to_contain_text(
        f"Paling sedikit {-(-400 * int(limits['KDH']) // 100)} m² tanah tetap hijau"
    )
    expect(meaning.locator('[data-rule="GSB"]')).to_contain_text("m dari batas jalan")
    expect(page.locator("#meaning-land")).to_contain_text("400 m²")
    # each term once, explained in a sentence
    terms = page.locator("#terms-list dt").all_inner_texts()
    assert len(terms) == len(set(terms))
    for term in ("KDB", "KLB", "KDH", "GSB", "NIB", "KKKPR", "ITBX"):
        assert term in terms, terms
    # NIB first, then the automatic confirmation with its conditions, then the office
    steps = page.locator("#next-steps li").all_inner_texts()
    assert "NIB" in steps[0] and "OSS" in steps[0]
    assert "KKKPR" in steps[1] and "otomatis" in steps[1]
    assert any(c["kode"] in s for c in expected["conditions"] for s in steps)
    assert "DPMPTSP Kota Uji, Jl. Contoh No. 1" in steps[-1]
    assert "Senin–Jumat 08.00–15.00" in steps[-1]
    page.locator("#result").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "precheck-meaning.png"), full_page=True)


def test_a_pkkpr_case_lists_documents_fee_and_working_days(
    page: Page, web_server: WebServer
) -> None:
    open_precheck(page, web_server)
    upload(page, sites.EXAMPLES / f"{sites.TO_REVIEW}.geojson")
    choose_kbli(page, "minimarket", "47111")
    expected = sites.api_result(web_server.url, sites.TO_REVIEW, {})
    assert expected["form"] == "PKKPR"
    assert submit(page) == "perlu_kajian"
    # the pipeline's estimate (the settings' example tariff, below 10.000 m²):
    # Rp 350.000 + Rp 50.000 per started 500 m², worked out here by hand
    land = expected["site"]["area_m2"]
    assert land < 10_000
    fee = 350_000 + math.ceil(land / 500) * 50_000
    expect(page.locator("#next-steps li").nth(3)).to_contain_text(f"Rp {fee:,}".replace(",", "."))
    steps = page.locator("#next-steps li").all_inner_texts()
    assert "NIB" in steps[0]
    assert "Persetujuan KKPR (PKKPR)" in steps[1] and "20 hari kerja" in steps[1]
    assert "bukti penguasaan tanah" in steps[2]
    terms = page.locator("#terms-list dt").all_inner_texts()
    assert "PKKPR" in terms and "PNBP" in terms


# ---------------------------------------------------------------- finding the plot


def test_place_search_forgives_typos_and_goes_there(page: Page, web_server: WebServer) -> None:
    open_precheck(page, web_server)
    page.fill("#place-q", "kelapa lma")  # a slip of the thumb
    choice = page.locator("#place-list button").first
    expect(choice).to_contain_text("Kelapa Lima")
    choice.click()
    expect(page.locator("#place-q")).to_have_value("Kelapa Lima")
    # the map now shows Kelapa Lima: its zones fill the view
    page.wait_for_function("() => window.kkpr.map.getZoom() >= 14", timeout=20_000)
    found = httpx.get(f"{web_server.url}/pages/places", params={"q": "Kelapa Lima"}, timeout=30)
    w, s, e, n = found.json()["items"][0]["bbox"]
    centre = page.evaluate(
        "() => { const c = window.kkpr.map.getCenter(); return [c.lat, c.lng]; }"
    )
    assert s <= centre[0] <= n and w <= centre[1] <= e
    # a landmark of the plan's tempat.csv, chosen with Enter
    page.fill("#place-q", "pasar kuanino")
    page.keyboard.press("Enter")
    expect(page.locator("#place-q")).to_have_value("Pasar Kuanino (contoh)")
    # a name the plan does not know is said so, next to the field
    page.fill("#place-q", "Surabaya")
    expect(page.locator("#place-error")).to_contain_text("Tidak ada tempat")


def test_my_location_marks_the_phones_position(
    browser: Any, web_server: WebServer, artifacts: Path
) -> None:
    lat, lon = sites.centroid_latlon(sites.CONFORMING)
    ctx, page, watch = open_page(
        browser,
        web_server,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": lat, "longitude": lon, "accuracy": 12},
        permissions=["geolocation"],
    )
    try:
        open_precheck(page, web_server)
        page.click("#locate")
        expect(page.locator("#site-summary")).to_contain_text(f"{lat:.6f}")
        expect(page.locator("#site-summary")).to_contain_text("±12 m")
        assert page.evaluate("window.kkpr.state.site.type") == "Point"
        choose_kbli(page, "minimarket", "47111")
        assert submit(page) == "sesuai"
        page.screenshot(path=str(artifacts / "precheck-my-location-phone.png"))
    finally:
        ctx.close()
    assert not watch.errors and not watch.foreign

    # refused permission: a sentence saying what to do instead
    ctx, page, watch = open_page(browser, web_server)
    try:
        open_precheck(page, web_server)
        page.click("#locate")
        expect(page.locator("#place-error")).to_contain_text("Izin lokasi ditolak")
    finally:
        ctx.close()


def test_where_else_the_activity_is_allowed_after_a_refusal(
    page: Page, web_server: WebServer, artifacts: Path
) -> None:
    """A minimarket refused in a park: the zones around coloured by what they allow, and
    the nearest that allow it, as the API lists them."""
    open_precheck(page, web_server)
    upload(page, sites.EXAMPLES / f"{sites.FORBIDDEN}.geojson")
    choose_kbli(page, "minimarket", "47111")
    assert submit(page) == "tidak_sesuai"
    page.click("#elsewhere")
    items = page.locator("#elsewhere-list li")
    expect(items.first).to_contain_text("m dari lokasi Anda")
    assert items.count() >= 1
    first = items.first.inner_text()
    assert (
        any(f"({w})" in first for w in ("diizinkan", "diizinkan terbatas")) or "diizinkan" in first
    )
    assert "tidak diizinkan" not in first
    expect(page.locator("#elsewhere")).to_have_attribute("aria-pressed", "true")
    coloured = page.evaluate(
        "() => new Set([...document.querySelectorAll('#result-map path')]"
        ".map((p) => p.getAttribute('fill'))).size"
    )
    assert coloured >= 3  # permitted, limited and forbidden zones around, and the site
    page.locator("#elsewhere-box").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "precheck-elsewhere.png"))


def test_the_summary_to_keep_is_one_page_marked_as_a_pre_check(
    page: Page, web_server: WebServer, artifacts: Path
) -> None:
    """What 'Simpan ringkasan (PDF)' prints (Chromium's own PDF of the print layout):
    one page with the mark, the verdict, the limits, the next steps and the link."""
    import io

    import pypdf

    open_precheck(page, web_server)
    upload(page, sites.EXAMPLES / f"{sites.CONDITIONAL}.geojson")
    choose_kbli(page, "minimarket", "47111")
    fill_figures(page, FIGURES)
    assert submit(page) == "sesuai_bersyarat"
    expect(page.locator("#print")).to_be_visible()
    pdf = page.pdf(format="A4", print_background=True)
    (artifacts / "precheck-summary.pdf").write_bytes(pdf)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path=str(artifacts / "precheck-summary-print.png"), full_page=True)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    for needed in (
        "PRA-PERIKSA — BUKAN IZIN",
        HEADLINE_ID["sesuai_bersyarat"],
        "Artinya untuk tanah Anda",
        "Langkah berikutnya",
        "KDB",
        "kbli=47111",
        "(Persetujuan KKPR",  # the sample's RDTR is not integrated in OSS
    ):
        assert needed in text, (needed, text[:800])
    assert "Cari tempat" not in text  # the form is not part of the summary


def test_the_conforming_part_of_the_site_is_drawn_and_said(
    page: Page, web_server: WebServer, artifacts: Path
) -> None:
    """Every result's ``conforming`` (where the activity is not forbidden) is hatched on
    the result map, with a legend entry saying how much of the site it is."""
    open_precheck(page, web_server)
    upload(page, sites.EXAMPLES / f"{sites.TO_REVIEW}.geojson")
    choose_kbli(page, "minimarket", "47111")
    fill_figures(page, FIGURES)
    expected = sites.api_result(web_server.url, sites.TO_REVIEW, FIGURES)
    share = expected["conforming"]["share"]
    assert 0 < share < 1  # partly outside the RDTR: only the inside part conforms
    submit(page)
    expect(page.locator("#result-map path.conforming")).to_have_count(1)
    legend = page.locator("#result-legend .conforming-item")
    expect(legend).to_contain_text("Bagian tapak yang sesuai")
    area = f"{expected['conforming']['area_m2']:,.0f}".replace(",", ".")
    expect(page.locator("#conforming-words")).to_contain_text(f"{area} m²")
    page.locator("#result-map").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "precheck-conforming-part.png"), full_page=False)


def test_the_pdf_link_gives_the_servers_one_page_summary(
    page: Page, web_server: WebServer, artifacts: Path
) -> None:
    """The result's PDF link: the server reads the link as the page wrote it, checks the
    same site and draws one page marked as a pre-check with the same verdict."""
    import io

    import pypdf

    open_precheck(page, web_server)
    upload(page, sites.EXAMPLES / f"{sites.FORBIDDEN}.geojson")
    choose_kbli(page, "minimarket", "47111")
    fill_figures(page, FIGURES)
    assert submit(page) == "tidak_sesuai"
    href = page.get_attribute("#pdf-link", "href") or ""
    assert href.startswith("/pages/precheck.pdf?") and "kbli=47111" in href
    answer = page.request.get(web_server.url + href)
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    pdf = answer.body()
    (artifacts / "precheck-server-summary.pdf").write_bytes(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "PRA-PERIKSA — BUKAN IZIN" in text
    assert HEADLINE_ID["tidak_sesuai"] in text
