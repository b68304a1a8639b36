"""The staff workspace in a real browser: login, the plan's zones and overlays with a
legend, a click on a zone, the validation report and the review queue on the map."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx
import pandas as pd
import pytest
from playwright.sync_api import Page, Route, expect
from shapely.geometry import shape

from tests.mini_plan import sq, write_mini_plan
from tests.pipeline import assess
from tests.web import sites
from tests.web.conftest import WebServer, open_page, start_server, stop_server

pytestmark = pytest.mark.browser


def login(page: Page, server: WebServer) -> None:
    page.goto(f"{server.url}/staf")
    page.fill("#key", server.staff_key)
    page.click("#login button[type=submit]")
    expect(page.locator("#staff-map")).to_be_visible()


def api(server: WebServer, path: str) -> Any:
    resp = httpx.get(server.url + path, headers={"X-API-Key": server.staff_key}, timeout=60)
    resp.raise_for_status()
    return resp.json()


def all_zones(server: WebServer) -> list[dict[str, Any]]:
    body = api(server, "/ogc/collections/zones/items?limit=10000")
    assert body["numberMatched"] == len(body["features"])
    features: list[dict[str, Any]] = body["features"]
    return features


def view_drawn(page: Page, lat: float, lon: float, zoom: int) -> None:
    """Centre the map on (lat, lon) at ``zoom`` and wait until every vector tile layer
    has drawn the new view (a click before that could land on a tile not there yet)."""
    page.evaluate(
        "([lat, lon, zoom]) => new Promise((done) => {"
        " const m = window.kkpr.map; let n = 0;"
        " m.eachLayer((l) => { if (l._url && l._url.includes('/tiles/WebMercatorQuad/')) {"
        "   n += 1; l.once('load', () => { n -= 1; if (n === 0) done(); }); } });"
        " m.setView([lat, lon], zoom, {animate: false}); setTimeout(done, 20000); })",
        [lat, lon, zoom],
    )


def click_on_map(page: Page, lat: float, lon: float, map_id: str = "staff-map") -> None:
    """A click on the page's map (``window.kkpr.map``, the element ``map_id``) at
    ``lat``, ``lon``."""
    x, y = page.evaluate(
        "([lat, lon]) => { const p = window.kkpr.map.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [lat, lon],
    )
    box = page.locator(f"#{map_id}").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_login_refuses_a_wrong_key_next_to_the_field(page: Page, web_server: WebServer) -> None:
    page.goto(f"{web_server.url}/staf")
    expect(page.locator("#staff-map")).to_have_count(0)
    page.fill("#key", "kkpr_000000000000_bukan-kunci")
    page.click("#login button[type=submit]")
    expect(page.locator("#key-error")).to_contain_text("Kunci API tidak dikenal")
    expect(page.locator("#key")).to_have_attribute("aria-invalid", "true")
    # the staff helpers answer nothing without a session
    assert httpx.get(web_server.url + "/pages/validation").status_code == 401


def test_staff_map_draws_the_plan_with_legend_and_a_click_shows_attributes(
    page: Page, web_server: WebServer, artifacts: Path
) -> None:
    zones = all_zones(web_server)
    login(page, web_server)
    # every zone of the plan is drawn from vector tiles, coloured, at the plan's extent
    n = f"{len(zones):,}".replace(",", ".")  # Indonesian thousands
    expect(page.locator("#map-status")).to_contain_text(f"{n} poligon zona dimuat", timeout=30_000)
    tile_requests = page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => n.includes('/ogc/collections/zones/'))"
    )
    assert tile_requests and all("/tiles/WebMercatorQuad/" in u for u in tile_requests)
    colours = page.evaluate(
        """() => {
          const seen = new Set();
          for (const c of document.querySelectorAll('#staff-map canvas')) {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 0; i < d.length; i += 4 * 97) if (d[i + 3] > 100) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
          }
          return seen.size;
        }"""
    )
    codes = {f["properties"]["kodszn"] for f in zones}
    assert colours >= min(len(codes), 10)  # sub-zones are told apart by colour
    assert 0 < page.evaluate("window.kkpr.firstPaint") <= page.evaluate("window.kkpr.zonesDrawn")

    page.click("#tab-legend")
    for jenis in {  # the overlays' tiles may come after the zones': waited for
        f["properties"]["jenis"]
        for f in api(web_server, "/ogc/collections/overlays/items?limit=10000")["features"]
    }:
        expect(page.locator("#legend")).to_contain_text(jenis)
    legend = page.locator("#legend").inner_text()
    for code in codes:
        assert code in legend
    page.screenshot(path=str(artifacts / "staff-legend.png"))

    # click the zone under the conforming example site: its attributes and ITBX column
    result = sites.api_result(web_server.url, sites.CONFORMING, {})
    part = result["parts"][0]
    zone = next(f for f in zones if str(f["id"]) == str(part["fid"]))
    inside = shape(zone["geometry"]).representative_point()
    view_drawn(page, inside.y, inside.x, 16)
    click_on_map(page, inside.y, inside.x)
    info = page.locator("#feature-info")
    expect(info).to_contain_text(f"fid {part['fid']}")
    expect(page.locator("#feature-attrs")).to_contain_text(part["kodszn"])
    column = page.locator("#itbx-column table")
    expect(column).to_be_visible()
    row = column.locator("tr", has_text=result["activity"]["kode_kegiatan"])
    expect(row).to_contain_text("I")
    page.screenshot(path=str(artifacts / "staff-map.png"))


def test_validation_report_is_listed_and_located(page: Page, web_server: WebServer) -> None:
    plan_id = api(web_server, "/healthz")["plan"]
    report = api(web_server, f"/v1/plans/{plan_id}/validation")
    login(page, web_server)
    page.click("#tab-validation")
    summary = page.locator("#validation-summary")
    expect(summary).to_contain_text(f"{report['errors']} galat, {report['warnings']} peringatan")
    items = page.locator("#problem-list li")
    expect(items).to_have_count(len(report["problems"]))


def test_a_tab_clicked_while_the_page_script_loads_still_opens(
    page: Page, web_server: WebServer
) -> None:
    # the page's script (its bundle, or its module one by one) is held back: a tab
    # clicked in the meantime must not be lost
    held: list[Route] = []
    script = re.compile(r"/static/(bundle/[0-9a-f]+\.js|js/staff\.js)")
    page.route(script, lambda route: held.append(route))
    login(page, web_server)
    page.click("#tab-validation")
    expect(page.locator("#panel-validation")).to_be_visible()
    expect(page.locator("#tab-validation")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#panel-feature")).to_be_hidden()
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("#validation-summary")).to_be_visible()
    # the keyboard moves between tabs (WAI-ARIA tabs): only the chosen one is in Tab order
    page.focus("#tab-validation")
    page.keyboard.press("Home")
    expect(page.locator("#panel-feature")).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#tab-validation")).to_be_focused()
    expect(page.locator("#panel-validation")).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#panel-reviews")).to_be_visible()
    tabindex = page.eval_on_selector_all("[role=tab]", "ts => ts.map(t => t.tabIndex)")
    assert tabindex == [-1, -1, 0, -1]


def submit_to_review(server: WebServer, business_name: str, applicant: str) -> dict[str, Any]:
    """An application whose site lies partly outside the RDTR: it goes to staff review
    (PKKPR)."""
    feature = sites.example(sites.TO_REVIEW)
    resp = httpx.post(
        server.url + "/v1/applications",
        headers={"X-API-Key": server.staff_key},
        json={
            "applicant": applicant,
            "business_name": business_name,
            "kbli": feature["properties"]["kbli"],
            "site": feature["geometry"],
            "proposal": {"floor_area_m2": 300, "floors": 2},
        },
        timeout=60,
    )
    assert resp.status_code == 201, resp.text
    app: dict[str, Any] = resp.json()
    return app


def test_review_queue_is_listed_and_drawn_on_the_map(
    page: Page, web_server: WebServer, artifacts: Path
) -> None:
    submit_to_review(web_server, "Kos Oebufu Asri", applicant="Maria Lende")
    queue = api(web_server, "/v1/reviews")
    assert any(case["business_name"] == "Kos Oebufu Asri" for case in queue)

    login(page, web_server)
    page.click("#tab-reviews")
    items = page.locator("#review-list li")
    expect(items).to_have_count(len(queue))
    ours = items.filter(has_text="Kos Oebufu Asri")
    expect(ours).to_contain_text("PKKPR")
    expect(page.locator("#reviews-count")).to_have_text(str(len(queue)))
    # its site is drawn on the map, and the list leads there
    ours.get_by_role("button").click()
    expect(page.locator("#staff-map .leaflet-popup", has_text="Kos Oebufu Asri")).to_be_visible()
    expect(page.locator("#map-status")).to_contain_text("dimuat", timeout=30_000)
    page.wait_for_function("() => !window.kkpr.map._animatingZoom")
    page.screenshot(path=str(artifacts / "staff-reviews.png"))


def test_a_case_is_decided_from_the_queue_with_its_errors_next_to_the_fields(
    page: Page, web_server: WebServer, artifacts: Path
) -> None:
    app = submit_to_review(web_server, "Wisma Lasiana Indah", applicant="Yohanes Tefa")
    # the assessment's steps up to the decision (completeness, PNBP, Pertek, FPR)
    assess.to_decision(
        lambda path, body: httpx.post(
            web_server.url + path, json=body, headers={"X-API-Key": web_server.staff_key},
            timeout=60,
        ),
        app["id"],
    )  # fmt: skip
    login(page, web_server)
    page.click("#tab-reviews")
    case = page.locator("#review-list li", has_text="Wisma Lasiana Indah")
    case.get_by_text("Putuskan kasus ini").click()
    form = case.locator("form.decide")
    # no decision chosen: said next to the choices, nothing sent
    form.get_by_role("button", name="Simpan keputusan").click()
    expect(form.locator("[id$=-decision-error]")).to_have_text("Pilih salah satu keputusan.")
    # no reasons: said next to the reasons, nothing sent
    form.get_by_label("Setujui dengan syarat").check()
    form.get_by_role("button", name="Simpan keputusan").click()
    expect(form.locator("[id$=-reasons-error]")).to_have_text("Keputusan harus memuat alasan.")
    # an approval with conditions but none written: the API's refusal lands next to them
    form.get_by_label("Alasan (wajib)").fill("Sesuai RTRW: kawasan permukiman")
    form.get_by_role("button", name="Simpan keputusan").click()
    expect(form.locator("[id$=-conditions-error]")).to_contain_text("harus memuat syaratnya")
    expect(form.locator("[id$=-reasons-error]")).to_be_empty()
    form.screenshot(path=str(artifacts / "staff-decide-form.png"))
    assert api(web_server, f"/v1/applications/{app['id']}")["reviews"][0]["status"] == "open"
    # with its conditions it is recorded, the case leaves the queue, the document is issued
    form.get_by_label("Syarat", exact=True).fill(
        "Tanpa bangunan permanen di sempadan\nPapan nama paling tinggi 3 m"
    )
    form.get_by_role("button", name="Simpan keputusan").click()
    status = page.locator("#review-status")
    expect(status).to_contain_text(
        "Wisma Lasiana Indah: Setujui dengan syarat — keputusan tersimpan."
    )
    expect(page.locator("#review-list li", has_text="Wisma Lasiana Indah")).to_have_count(0)
    # it is listed among the decisions, and drawn on the map with its decision and reasons
    done = page.locator("#decided-list li", has_text="Wisma Lasiana Indah")
    expect(done).to_contain_text("Setujui dengan syarat")
    expect(done).to_contain_text("oleh Petugas uji")  # the name of the staff key
    expect(done).to_contain_text("Sesuai RTRW: kawasan permukiman")
    done.get_by_role("button", name="Tampilkan di peta").click()
    popup = page.locator("#staff-map .leaflet-popup", has_text="Wisma Lasiana Indah")
    expect(popup).to_contain_text("Papan nama paling tinggi 3 m")
    page.screenshot(path=str(artifacts / "staff-decided.png"))
    decided = api(web_server, f"/v1/applications/{app['id']}")
    [review] = decided["reviews"]
    assert review["decision"] == "approve_with_conditions"
    assert review["reasons"] == ["Sesuai RTRW: kawasan permukiman"]
    assert review["conditions"] == [
        "Tanpa bangunan permanen di sempadan",
        "Papan nama paling tinggi 3 m",
    ]
    assert review["reviewer"].startswith("key:")  # the staff member logged in
    number = decided["document"]["number"]
    page.locator("#review-document").click()
    expect(page.locator("body")).to_contain_text(number)
    expect(page.locator("body")).to_contain_text("Papan nama paling tinggi 3 m")


# ---------------------------------------------------------------- a plan with problems


@pytest.fixture(scope="module")
def flawed_plan_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """The mini plan with two planted faults: a polygon overlapping Z1 by 50 × 50 m, and
    a sub-zone code (SPU-9) that the ITBX matrix has no column for."""
    root = write_mini_plan(tmp_path_factory.mktemp("flawed") / "plan")
    zones = gpd.read_file(root / "pola_ruang.gpkg")
    extra = gpd.GeoDataFrame(
        {"KODSZN": ["SPU-9"], "NAMSZN": ["Sarana uji"], "KODBLK": ["C.1"]},
        geometry=[sq(50, 50, 150, 150)],
        crs=zones.crs,
    )
    pd.concat([zones, extra], ignore_index=True).to_file(root / "pola_ruang.gpkg", driver="GPKG")
    server = start_server(root.parent / "srv", {"KKPR_PLAN_DIR": str(root)})
    yield server
    stop_server(server)


def test_validation_problems_are_listed_and_located_on_the_map(
    browser: Any, flawed_plan_server: WebServer, artifacts: Path
) -> None:
    report = api(flawed_plan_server, "/v1/plans/mini/validation")
    codes = {p["code"] for p in report["problems"]}
    assert {"zones.overlap", "itbx.no_column"} <= codes
    ctx, page, watch = open_page(browser, flawed_plan_server)
    try:
        login(page, flawed_plan_server)
        page.click("#tab-validation")
        items = page.locator("#problem-list li")
        expect(items).to_have_count(len(report["problems"]))
        expect(page.locator("#validation-summary")).to_contain_text(f"{report['errors']} galat")
        overlap = items.filter(has_text="Poligon 1 dan 6 bertampalan")
        expect(overlap).to_contain_text("zones.overlap")
        # located problems are drawn on the map: four overlap points and the SPU-9 polygon
        # (the missing intensitas.csv row has no place)
        marks = page.locator("#staff-map .leaflet-marks-pane path")
        expect(marks).to_have_count(5)
        overlap.get_by_role("button").click()
        popup = page.locator("#staff-map .leaflet-popup")  # a closed one fades out for 0.2 s
        expect(popup.filter(has_text="1 dan 6 bertampalan")).to_be_visible()
        items.filter(has_text="SPU-9").get_by_role("button").click()
        expect(popup.filter(has_text="SPU-9")).to_be_visible()
        page.screenshot(path=str(artifacts / "staff-validation.png"))
    finally:
        ctx.close()
    assert not watch.errors and not watch.foreign
