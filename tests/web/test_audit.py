"""The staff parcel history and audit pages in Chromium: a click and a drawn polygon
find what was recorded there, the audit trail filters and pages, the figures are charts
with tables, and axe-core finds nothing to fix.

A server of its own (the Kupang sample, memory store, SQLite records): the records made
here must not change what the other browser tests count."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from shapely.geometry import shape

from tests.web import sites
from tests.web.axe import assert_no_violations
from tests.web.conftest import WebServer, start_server, stop_server, watched_page
from tests.web.test_staff import click_on_map

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    # two events a page: the pager has pages to turn with few records
    srv = start_server(tmp_path_factory.mktemp("audit-web"), {"KKPR_AUDIT_PAGE_SIZE": "2"})
    yield srv
    stop_server(srv)


@pytest.fixture
def page(browser: Any, server: WebServer) -> Iterator[Page]:
    with watched_page(browser, server) as pg:
        yield pg


def post(server: WebServer, path: str, body: dict[str, Any]) -> Any:
    r = httpx.post(server.url + path, json=body, headers={"X-API-Key": server.staff_key},
                   timeout=60)  # fmt: skip
    assert r.status_code in (200, 201), r.text
    return r.json()


@pytest.fixture(scope="module")
def recorded(server: WebServer) -> dict[str, str]:
    """A check of the conforming example and an application on the one to review."""
    check = post(server, "/v1/checks", {"site": sites.example(sites.CONFORMING), "kbli": "47111"})
    app = post(server, "/v1/applications", {
        "applicant": "Maria Bere", "business_name": "Toko =Sejahtera", "kbli": "47111",
        "site": sites.example(sites.TO_REVIEW)["geometry"],
        "proposal": {"floor_area_m2": 50, "floors": 1},
    })  # fmt: skip
    return {"check": check["id"], "application": app["id"]}


def login(page: Page, server: WebServer, path: str) -> None:
    page.goto(f"{server.url}/staf")
    page.fill("#key", server.staff_key)
    page.click("#login button[type=submit]")
    expect(page.locator("#staff-map")).to_be_visible()
    page.goto(server.url + path)


def test_a_click_and_a_drawn_polygon_find_what_was_recorded(
    page: Page, server: WebServer, recorded: dict[str, str]
) -> None:
    login(page, server, "/staf/riwayat")
    expect(page.locator("#history-status")).to_contain_text("Pilih lokasi")
    expect(page.locator("nav a[aria-current=page]")).to_have_text("Riwayat bidang")
    assert_no_violations(page, "empty parcel history")
    lat, lon = sites.centroid_latlon(sites.CONFORMING)
    page.evaluate("([lat, lon]) => window.kkpr.map.setView([lat, lon], 18)", [lat, lon])
    click_on_map(page, lat, lon, "history-map")
    row = page.locator("#history-list tbody tr")
    expect(row).to_have_count(1)
    expect(row.first).to_contain_text("Pemeriksaan")
    link = row.first.locator("a")
    expect(link).to_have_attribute("href", f"/v1/checks/{recorded['check']}")
    assert_no_violations(page, "parcel history with a result")

    # draw a polygon around the application's site: the application, linked to its case
    site = shape(sites.example(sites.TO_REVIEW)["geometry"])
    minx, miny, maxx, maxy = site.buffer(0.0002).bounds
    page.evaluate(
        "([a, b, c, d]) => window.kkpr.map.fitBounds([[a, b], [c, d]], { padding: [40, 40] })",
        [miny, minx, maxy, maxx],
    )
    page.click("#history-draw")
    expect(page.locator("#history-draw")).to_have_attribute("aria-pressed", "true")
    corners = [(miny, minx), (miny, maxx), (maxy, maxx), (maxy, minx), (miny, minx)]
    for clat, clon in corners:
        click_on_map(page, clat, clon, "history-map")
        page.wait_for_timeout(150)
    expect(page.locator("#history-place")).to_contain_text("Poligon")
    app_row = page.locator("#history-list tbody tr.kind-application")
    expect(app_row).to_have_count(1)
    expect(app_row.locator("a")).to_have_attribute("href", f"/staf/kasus/{recorded['application']}")
    expect(app_row).to_contain_text("Toko =Sejahtera")
    # the link opens the case view
    app_row.locator("a").click()
    expect(page).to_have_url(f"{server.url}/staf/kasus/{recorded['application']}")
    expect(page.locator("main")).to_contain_text("Maria Bere")


def test_the_audit_trail_filters_pages_and_exports(
    page: Page, server: WebServer, recorded: dict[str, str]
) -> None:
    login(page, server, "/staf/audit")
    # the figures: charts drawn by the server, each with its table
    charts = page.locator("figure.chart")
    expect(charts).to_have_count(4)
    expect(page.locator("#fig-by-state svg[role=img]")).to_have_count(1)
    expect(page.locator("#fig-by-state table tbody tr")).to_have_count(1)  # one application
    expect(page.locator("#audit-status")).to_contain_text("catatan")
    assert_no_violations(page, "audit")

    # the check log: the check made here and the one the pipeline made for the application
    page.select_option("#f-kind", "check")
    page.fill("#f-who", "test staff")
    page.click("#audit-filter button[type=submit]")
    rows = page.locator("#audit-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Pemeriksaan")
    expect(page.locator("#audit-status")).to_contain_text("2 catatan")
    expect(page.locator("#audit-export")).to_have_attribute(
        "href", "/v1/audit.csv?who=test+staff&kind=check"
    )
    csv_text = page.evaluate(
        "async () => (await fetch(document.getElementById('audit-export').href)).text()"
    )
    assert recorded["check"] in csv_text and csv_text.count("\r\n") == 3  # header and two
    page.fill("#f-who", "")

    # the application's own events, every page in turn
    page.select_option("#f-kind", "")
    page.fill("#f-application", recorded["application"])
    page.click("#audit-filter button[type=submit]")
    expect(page.locator("#audit-status")).to_contain_text("halaman 1 dari")
    expect(page.locator("#audit-table tbody tr")).to_have_count(2)
    expect(page.locator("#audit-prev")).to_be_disabled()
    first = page.locator("#audit-table tbody").inner_text()
    page.click("#audit-next")
    expect(page.locator("#audit-status")).to_contain_text("halaman 2 dari")
    expect(page.locator("#audit-prev")).to_be_enabled()
    assert page.locator("#audit-table tbody").inner_text() != first
    links = page.locator("#audit-table tbody a[href^='/staf/kasus/']")
    expect(links.first).to_have_attribute("href", f"/staf/kasus/{recorded['application']}")
    assert_no_violations(page, "filtered audit")

    # English beside Indonesian: the same page, its words and the figures' tables
    page.goto(f"{server.url}/staf/audit?lang=en")
    expect(page.locator("h1")).to_have_text("Audit: who did what and when")
    expect(page.locator("#fig-by-state summary")).to_contain_text("Cases by state and form")
    expect(page.locator("#audit-status")).to_contain_text("page 1 of")
    assert_no_violations(page, "audit in English")
