"""The pre-check page says the GSB of each road the plot fronts (issue 18 item 3, the
plan's road layer and gsb.csv) and finds the streets of that layer (issue 19)."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.web import sites
from tests.web.conftest import WebServer
from tests.web.test_precheck import choose_kbli, open_precheck, submit, upload

FRONTING = "rawan_banjir"  # an example site beside two roads of the sample


def test_the_gsb_of_each_road_the_plot_fronts_is_said(page: Page, web_server: WebServer) -> None:
    expected = sites.api_result(web_server.url, FRONTING, {})
    fronts = [s for s in expected["setbacks"] if s["kind"] == "frontage"]
    assert len(fronts) >= 2, expected["setbacks"]
    open_precheck(page, web_server)
    upload(page, sites.EXAMPLES / f"{FRONTING}.geojson")
    choose_kbli(page, "minimarket", "47111")
    assert submit(page) == expected["outcome"]
    lines = page.locator('#meaning-list [data-rule="GSB"]')
    expect(lines).to_have_count(len(fronts))
    for i, front in enumerate(fronts):
        gsb = f"{front['gsb']:g}".replace(".", ",")
        expect(lines.nth(i)).to_contain_text(front["nama"])
        expect(lines.nth(i)).to_contain_text(f"paling sedikit {gsb} m dari batas jalan (GSB)")
    jbb = max(f["jbb"] for f in fronts)
    expect(page.locator('#meaning-list [data-rule="JBB"]')).to_contain_text(
        f"paling sedikit {jbb:g} m (JBB)".replace(".", ",")
    )
    # and among the reasons, in the result's own words
    expect(page.locator("#result")).to_contain_text(fronts[0]["nama"])


def test_a_street_of_the_road_layer_is_found_through_a_typo(
    page: Page, web_server: WebServer
) -> None:
    found = httpx.get(f"{web_server.url}/pages/places", params={"q": "jalan artri oebobo 1"},
                      timeout=30).json()["items"]  # fmt: skip
    assert found and found[0]["kind"] == "jalan"
    assert found[0]["name"].startswith("Jalan Arteri Oebobo")
    open_precheck(page, web_server)
    page.fill("#place-q", "jalan arteri oebobo 1 (contoh)")
    expect(page.locator("#place-list button").first).to_contain_text("Jalan Arteri Oebobo 1")
