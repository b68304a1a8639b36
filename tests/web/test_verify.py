"""The document verification a phone lands on after scanning a KKPR document's QR code,
or reaches by typing the number and code: a page in every case, never JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.pipeline import assess
from tests.web.conftest import WebServer, open_page
from tests.web.test_precheck import assert_no_horizontal_scroll
from tests.web.test_tracking import submit_application

pytestmark = pytest.mark.browser
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def issue_document(server: WebServer) -> dict[str, str]:
    """A minimarket in housing (T), assessed as a PKKPR and approved: the region's record
    of its assessment issued."""
    application = submit_application(server)
    answer = assess.decided(
        lambda path, body: httpx.post(
            server.url + path, json=body, headers={"X-API-Key": server.staff_key}, timeout=60
        ),
        application["id"],
    )
    document: dict[str, str] = answer.json()["document"]
    return document


def test_scanned_and_typed_codes_answer_with_a_page_on_a_phone(
    browser: Any, web_server: WebServer, artifacts: Path
) -> None:
    doc = issue_document(web_server)
    ctx, page, watch = open_page(browser, web_server, **PHONE)
    try:
        # the QR code's address: the document itself, readable without zooming
        page.goto(f"{web_server.url}/v1/documents/{doc['number']}?code={doc['code']}")
        expect(page.locator('[data-status="valid"]')).to_be_visible()
        expect(page.locator("#code")).to_have_text(doc["code"])
        assert_no_horizontal_scroll(page)
        page.screenshot(path=str(artifacts / "verify-valid-phone.png"))

        # a wrong code: a page saying so in words, the form to try again
        page.goto(f"{web_server.url}/v1/documents/{doc['number']}?code=AAAA-BBBB-CCCC-DDDD")
        status = page.locator("#verify-status")
        expect(status).to_have_attribute("data-status", "changed")
        expect(status).to_contain_text("Tidak cocok")
        expect(page.locator("#number")).to_have_value(doc["number"])
        assert "{" not in page.locator("main").inner_text()  # no JSON
        assert_no_horizontal_scroll(page)
        page.screenshot(path=str(artifacts / "verify-changed-phone.png"))

        # typing the right code in that form shows the document
        page.fill("#code", doc["code"].lower().replace("-", ""))
        page.click("#verify-form button[type=submit]")
        expect(page.locator('[data-status="valid"]')).to_be_visible()

        # from the empty form, a number nobody issued
        page.goto(f"{web_server.url}/verifikasi")
        page.fill("#number", "KKPR/00.00/2026/999999")
        page.fill("#code", doc["code"])
        page.click("#verify-form button[type=submit]")
        expect(page.locator("#verify-status")).to_have_attribute("data-status", "unknown")
        expect(page.locator("#verify-status")).to_contain_text("Tidak ada dokumen KKPR")
    finally:
        ctx.close()
    assert not watch.errors and not watch.foreign
