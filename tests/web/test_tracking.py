"""The applicant's tracking page on a phone (390 px), in Chromium: an application made
through the pipeline (``POST /v1/applications`` on the test server), followed with its
number and access code, then by the link the submission answer carries after an
officer returned it for missing documents; a wrong code answers in words. axe-core
finds no violations on the form, the status and the refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.pipeline import assess
from tests.web import sites
from tests.web.axe import assert_no_violations
from tests.web.conftest import WebServer, open_page
from tests.web.test_precheck import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def submit_application(server: WebServer) -> dict[str, Any]:
    """A minimarket in housing (T), submitted as a permit system would."""
    resp = httpx.post(
        server.url + "/v1/applications",
        headers={"X-API-Key": server.staff_key},
        json={
            "applicant": "Yohana Tefa",
            "business_name": "Toko Oebobo",
            "kbli": "47111",
            "site": sites.example(sites.CONDITIONAL)["geometry"],
            "proposal": {"floor_area_m2": 120, "floors": 1},
        },
        timeout=60,
    )
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def test_an_applicant_follows_the_application_on_a_phone(
    browser: Any, web_server: WebServer, artifacts: Path
) -> None:
    app = submit_application(web_server)
    ctx, page, watch = open_page(browser, web_server, **PHONE)
    try:
        page.goto(f"{web_server.url}/")  # the pre-check page links to the tracking page
        page.get_by_role("link", name="Lacak permohonan").click()
        expect(page).to_have_url(f"{web_server.url}/lacak")
        assert_no_violations(page, "tracking form")
        page.fill("#nomor", app["number"])
        page.fill("#kode", app["access_code"].lower().replace("-", ""))  # as typed in haste
        page.click("#track-form button[type=submit]")
        status = page.locator("#track-status")
        expect(status).to_be_visible()
        expect(status).to_have_attribute("data-kd-status", "09")
        expect(page.locator("#track-stage")).to_contain_text("Kesesuaian ruang (KKPR)")
        expect(page.locator("#track-clock")).to_contain_text("belum dimulai")
        assert app["access_code"] not in page.url  # the form posts: no code in the address
        assert_no_horizontal_scroll(page)
        assert_no_violations(page, "tracking status")
        page.screenshot(path=str(artifacts / "tracking-status-phone.png"), full_page=True)

        # a wrong code: the same words as for a number nobody was given
        page.fill("#nomor", app["number"])
        page.fill("#kode", "AAAA-BBBB-CCCC-DDDD")
        page.click("#track-form button[type=submit]")
        refused = page.locator("#track-refused")
        expect(refused).to_have_attribute("data-refused", "nomatch")
        expect(refused).to_contain_text("tidak cocok")
        expect(page.locator("#track-status")).to_have_count(0)
        assert_no_violations(page, "tracking refusal")

        # an officer returns it for missing documents; the link from the submission shows it
        returned = httpx.post(
            f"{web_server.url}/v1/applications/{app['id']}/steps/kembalikan",
            headers={"X-API-Key": web_server.staff_key},
            json={"officer": assess.OFFICER, "keterangan": "Dokumen kurang",
                  "data": {"missing": ["Bukti penguasaan tanah"]}},
            timeout=60,
        )  # fmt: skip
        assert returned.status_code == 200, returned.text
        page.goto(app["tracking_url"])
        expect(page.locator("#track-missing")).to_contain_text("Bukti penguasaan tanah")
        expect(page.locator("#track-status")).to_have_attribute("data-kd-status", "11")
        assert_no_horizontal_scroll(page)
        page.screenshot(path=str(artifacts / "tracking-missing-phone.png"), full_page=True)
    finally:
        ctx.close()
    assert not watch.errors, f"JavaScript errors: {watch.errors}"
    assert not watch.foreign, f"requests to other hosts: {watch.foreign}"
