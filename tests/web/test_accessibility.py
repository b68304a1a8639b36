"""Accessibility of the public pages, checked by axe-core in Chromium in each state a
visitor meets (empty, a verdict, errors), and by the keyboard: the map is skipped with a
link and its polygons are not tab stops."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.web import sites
from tests.web.axe import assert_no_violations
from tests.web.conftest import WebServer
from tests.web.test_precheck import (
    FIGURES,
    ZONE_TILES,
    choose_kbli,
    fill_figures,
    open_precheck,
    submit,
)
from tests.web.test_precheck import upload as upload_site

pytestmark = pytest.mark.browser


def test_precheck_empty_verdict_and_error_states_have_no_axe_violations(
    page: Page, web_server: WebServer, tmp_path: Path
) -> None:
    open_precheck(page, web_server)
    assert_no_violations(page, "empty pre-check")

    page.click("#submit")  # nothing given: an error next to each field
    expect(page.locator("#site-error")).not_to_be_empty()
    bad = tmp_path / "catatan.txt"
    bad.write_text("bukan peta")
    page.set_input_files("#upload", str(bad))
    expect(page.locator("#upload-error")).not_to_be_empty()
    assert_no_violations(page, "pre-check with errors")

    upload_site(page, sites.EXAMPLES / f"{sites.CONDITIONAL}.geojson")
    choose_kbli(page, "minimarket", "47111")
    fill_figures(page, FIGURES)
    assert submit(page) == "sesuai_bersyarat"
    assert_no_violations(page, "pre-check verdict")


def test_document_verification_page_has_no_axe_violations(
    page: Page, web_server: WebServer
) -> None:
    page.goto(f"{web_server.url}/verifikasi")
    assert_no_violations(page, "verification form")
    page.goto(f"{web_server.url}/v1/documents/KKPR/00.00/2026/999999?code=AAAA-BBBB")
    expect(page.locator("#verify-status")).to_be_visible()
    assert_no_violations(page, "verification answer")


def test_keyboard_users_skip_the_map_and_never_tab_into_polygons(
    page: Page, web_server: WebServer
) -> None:
    open_precheck(page, web_server)
    # the zones are vector tiles drawn on canvas: many tiles, none of them a tab stop
    assert page.locator(ZONE_TILES).count() >= 2
    tab_stops = page.evaluate(
        "() => [...document.querySelectorAll('#map path, #map svg, #map canvas')]"
        ".filter((e) => e.tabIndex >= 0 || e.getAttribute('tabindex') !== null).length"
    )
    assert tab_stops == 0
    # the skip link is the map's first tab stop's neighbour: it jumps past it
    skip = page.locator("#skip-map")
    skip.focus()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    focused: Any = page.evaluate("() => document.activeElement.id")
    assert focused == "after-map"
