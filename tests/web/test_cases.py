"""The staff cases pages in a real browser: the list (search, filters, pages, exports),
one case (its map layers, check, applicant, steps, a step taken from the page, and a
decision in part drawn on the map from the conforming part), its A4 print view, and the
staff map's queue leading to the case and keeping the decided case's document."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import httpx
import pypdf
import pytest
from playwright.sync_api import Page, expect
from shapely.geometry import shape

from kkpr.site import WGS84, to_crs
from tests.pipeline import assess
from tests.web import sites
from tests.web.axe import assert_no_violations
from tests.web.conftest import WebServer

pytestmark = pytest.mark.browser
UTM = "EPSG:32751"  # the Kupang sample plan's CRS


def login(page: Page, server: WebServer, then: str) -> None:
    page.goto(f"{server.url}/staf")
    page.fill("#key", server.staff_key)
    page.click("#login button[type=submit]")
    expect(page.locator("#staff-map")).to_be_visible()
    page.goto(server.url + then)


def staff(server: WebServer) -> dict[str, str]:
    return {"X-API-Key": server.staff_key}


def post(server: WebServer, path: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(server.url + path, json=body, headers=staff(server), timeout=60)


def get(server: WebServer, path: str, **params: Any) -> Any:
    r = httpx.get(server.url + path, params=params, headers=staff(server), timeout=60)
    r.raise_for_status()
    return r.json()


def to_review(server: WebServer, business: str, applicant: str, nib: str) -> dict[str, Any]:
    """The example site partly outside the RDTR: a PKKPR case for staff."""
    feature = sites.example(sites.TO_REVIEW)
    r = post(server, "/v1/applications", {
        "applicant": applicant, "business_name": business, "nib": nib,
        "kbli": feature["properties"]["kbli"], "site": feature["geometry"],
        "proposal": {"floor_area_m2": 300, "floors": 2},
    })  # fmt: skip
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_the_list_finds_filters_pages_and_exports(
    page: Page, web_server: WebServer, artifacts: Path
) -> None:
    ours = [to_review(web_server, f"Toko Cari {n}", f"Pemohon Cari {n}", f"91200055500{n:02d}")
            for n in range(3)]  # fmt: skip
    login(page, web_server, "/staf/kasus")
    table = page.locator("#cases-table")
    expect(table).to_be_visible()
    total = get(web_server, "/v1/staff/cases")["total"]
    expect(page.locator("#cases-count")).to_contain_text(f"{total} kasus ditemukan")
    assert_no_violations(page, "cases list")
    # words: the applicant's name, without regard to case
    page.fill("#f-applicant", "pemohon cari 1")
    page.click("#cases-search button[type=submit]")
    rows = page.locator("#cases-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Toko Cari 1")
    # the found site is on the map above the list, and its popup leads to the case
    page.wait_for_function("() => window.kkpr && window.kkpr.ready")
    expect(page.locator("#cases-map .leaflet-cases-pane path")).to_have_count(1)
    expect(rows.first).to_contain_text(ours[1]["number"])
    expect(rows.first).to_contain_text("09")
    assert "applicant=pemohon+cari+1" in page.url  # a found list has its own address
    # the export of this very list
    with page.expect_download() as got:
        page.click("#export-csv")
    text = Path(got.value.path()).read_text("utf-8-sig")
    assert [r["business_name"] for r in csv.DictReader(io.StringIO(text))] == ["Toko Cari 1"]
    # pages: one per page, the three of ours by their shared words
    page.goto(f"{web_server.url}/staf/kasus?q=cari&per_page=10")
    expect(rows).to_have_count(3)
    page.goto(f"{web_server.url}/staf/kasus?q=cari&per_page=2")
    expect(page.locator("#cases-count")).to_contain_text("3 kasus ditemukan · halaman 1 dari 2")
    expect(rows).to_have_count(2)
    page.click("#page-next")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Toko Cari 0")  # newest first: the first is last
    # a state filter and the language switch
    page.goto(f"{web_server.url}/staf/kasus?q=cari&state=50&lang=en")
    expect(page.locator("#cases-empty")).to_have_text("No case matches these filters.")
    page.goto(f"{web_server.url}/staf/kasus?deadline=kemarin&lang=id")
    expect(page.locator("#search-error")).not_to_be_empty()
    page.goto(f"{web_server.url}/staf/kasus?q=cari")
    page.screenshot(path=str(artifacts / "staff-cases.png"), full_page=True)
    # a row leads to its case
    page.get_by_role("link", name=ours[2]["number"]).click()
    expect(page.locator("#case-title")).to_contain_text("Toko Cari 2")


def test_a_case_is_read_acted_on_and_approved_in_part_drawn_on_the_map(
    page: Page, web_server: WebServer, artifacts: Path
) -> None:
    app = to_review(web_server, "Kios Naikoten Gambar", "Maria Lende", "9120001112223")
    login(page, web_server, "/staf")
    # the queue leads to the case's own page
    page.click("#tab-reviews")
    page.locator("#review-list li", has_text="Kios Naikoten Gambar").get_by_role(
        "link", name="Kios Naikoten Gambar").click()  # fmt: skip
    expect(page).to_have_url(f"{web_server.url}/staf/kasus/{app['id']}")
    page.wait_for_function("() => window.kkpr && window.kkpr.ready")
    expect(page.locator("#case-title")).to_contain_text(app["number"])
    # the check: parts, reasons, the RTRW it is judged against; the applicant; the steps
    check = app["check"]
    expect(page.locator("#case-parts tbody tr")).to_have_count(len(check["parts"]))
    expect(page.locator("#case-reasons")).to_contain_text("Perlu kajian")
    expect(page.locator("#case-rtrw")).to_contain_text(check["rtrw"][0]["namobj"])
    expect(page.locator("#case-applicant")).to_contain_text("9120001112223")
    expect(page.locator("#case-oss")).to_contain_text("tidak datang dari OSS")
    expect(page.locator("#case-steps li")).to_have_count(1)
    expect(page.locator("#case-steps")).to_contain_text("09 Diajukan")
    expect(page.locator("#case-stages")).to_contain_text("Kesesuaian ruang (KKPR): sedang dikaji")
    # the map: the site, the part outside the RDTR and the conforming part are drawn
    expect(page.locator("#case-map .leaflet-case-pane path")).to_have_count(3)
    drawn = page.evaluate(
        "() => ['site', 'outside', 'conforming', 'approved'].filter((k) =>"
        " document.querySelector(`[data-layer=${k}]`).closest('label').hidden === false)"
    )
    assert drawn == ["site", "outside", "conforming"]
    assert_no_violations(page, "case")
    page.screenshot(path=str(artifacts / "staff-case.png"), full_page=True)

    # a step from the page, by a named officer: the completeness check
    page.fill("#officer-nip", assess.OFFICER["nip"])
    page.fill("#officer-name", assess.OFFICER["name"])
    page.click("#act-lengkap summary")
    page.locator("#act-lengkap button[type=submit]").click()
    expect(page.locator("#case-status")).to_contain_text("Dokumen lengkap: tercatat.")
    expect(page.locator("#case-steps li")).to_have_count(2)
    expect(page.locator("#case-steps li").nth(1)).to_contain_text(assess.OFFICER["name"])
    expect(page.locator("#state-code")).to_have_text("10")
    # a step without what it must carry: the API's refusal next to the form
    for action, data in assess.STEPS[1:2]:
        assert post(web_server, f"/v1/applications/{app['id']}/steps/{action}",
                    {"data": data}).status_code == 200  # fmt: skip
    page.reload()
    page.click("#act-tagih summary")
    page.locator("#act-tagih button[type=submit]").click()
    expect(page.locator("#a-tagih-error")).to_contain_text("kd_billing")
    page.fill("#a-tagih-kd_billing", "820260317009")
    page.fill("#a-tagih-tgl_expire", "2026-12-31")
    page.locator("#act-tagih button[type=submit]").click()
    expect(page.locator("#state-code")).to_have_text("32")
    for action, data in assess.STEPS[3:]:  # payment, Pertek, FPR
        r = post(web_server, f"/v1/applications/{app['id']}/steps/{action}", {"data": data})
        assert r.status_code == 200, r.text
    # the clock stopped and resumed from the page, each with its reason
    page.reload()
    page.click("#act-hentikan summary")
    page.fill("#a-hentikan-keterangan", "Menunggu data lapangan")
    page.locator("#act-hentikan button[type=submit]").click()
    expect(page.locator("#state-code")).to_have_text("41")
    expect(page.locator("#case-summary")).to_contain_text("Dihentikan: Menunggu data lapangan")
    page.click("#act-lanjutkan summary")
    page.fill("#a-lanjutkan-keterangan", "Data lapangan diterima")
    page.locator("#act-lanjutkan button[type=submit]").click()
    expect(page.locator("#state-code")).to_have_text("42")

    # the decision in part: a part drawn anew (three clicks and the first again) ...
    page.click("#act-putuskan summary")
    page.get_by_label("Setujui sebagian").check()
    expect(page.locator("#draw-tools")).to_be_visible()
    page.click("#draw-anew")
    page.wait_for_function("() => !window.kkpr.map._animatingZoom")
    page.wait_for_timeout(400)
    corner = page.evaluate(
        """() => { const b = window.kkpr.case.map.site.coordinates[0];
          const xs = b.map((p) => p[0]), ys = b.map((p) => p[1]);
          const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
          const at = (x, y) => { const p = window.kkpr.map.latLngToContainerPoint([y, x]);
            return [p.x, p.y]; };
          return [at(x0 + 0.6 * (x1 - x0), y0 + 0.8 * (y1 - y0)),
                  at(x0 + 0.9 * (x1 - x0), y0 + 0.8 * (y1 - y0)),
                  at(x0 + 0.9 * (x1 - x0), y0 + 0.6 * (y1 - y0))]; }"""
    )
    box = page.locator("#case-map").bounding_box()
    assert box is not None
    for x, y in [*corner, corner[0]]:
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_timeout(150)
    expect(page.locator("#drawn-area")).to_contain_text("Bagian digambar: ± ")
    assert page.evaluate("() => window.kkpr.drawnGeometry().coordinates[0].length") == 4
    # ... or, as decided here, the conforming part with one corner cut off
    page.click("#draw-from-conforming")
    corners = page.locator("#case-map .leaflet-editing-icon")
    expect(corners.first).to_be_visible()
    page.wait_for_function("() => !window.kkpr.map._animatingZoom")
    page.wait_for_timeout(400)
    before = page.locator("#drawn-area").inner_text()
    start, end = page.evaluate(
        """() => {
          const m = window.kkpr.map;
          const ring = window.kkpr.drawn.getLatLngs()[0];
          const c = window.kkpr.drawn.getBounds().getCenter();
          let far = 0;  // the corner farthest from the centre: a convex one
          ring.forEach((p, i) => { if (p.distanceTo(c) > ring[far].distanceTo(c)) far = i; });
          const prev = ring[(far + ring.length - 1) % ring.length];
          const next = ring[(far + 1) % ring.length];
          // most of the way to the middle of its neighbours: a cut well inside the site
          // (a pixel off the chord could leave it; the API refuses a part outside)
          const k = 0.8;
          const mid = L.latLng(ring[far].lat + k * ((prev.lat + next.lat) / 2 - ring[far].lat),
                               ring[far].lng + k * ((prev.lng + next.lng) / 2 - ring[far].lng));
          const at = (ll) => { const p = m.latLngToContainerPoint(ll); return [p.x, p.y]; };
          return [at(ring[far]), at(mid)];
        }"""
    )
    page.mouse.move(box["x"] + start[0], box["y"] + start[1])
    page.mouse.down()
    page.mouse.move(box["x"] + (start[0] + end[0]) / 2, box["y"] + (start[1] + end[1]) / 2, steps=5)
    page.mouse.move(box["x"] + end[0], box["y"] + end[1], steps=5)
    page.mouse.up()
    expect(page.locator("#drawn-area")).not_to_have_text(before)
    page.fill("#d-reasons", "Hanya bagian di dalam RDTR yang sesuai")
    page.screenshot(path=str(artifacts / "staff-case-drawing.png"), full_page=True)
    page.locator("#decide-form button[type=submit]").click()
    expect(page.locator("#case-status")).to_contain_text("Setujui sebagian — keputusan tersimpan.")
    expect(page.locator("#decision-made")).to_contain_text("Setujui sebagian")
    expect(page.locator("#document-link")).to_be_visible()
    expect(page.locator("#no-actions")).to_be_visible()
    case = get(web_server, f"/v1/staff/cases/{app['id']}")
    assert case["decision"]["decision"] == "approve_in_part"
    approved = to_crs(shape(case["map"]["approved"]), WGS84, UTM).area
    conforming = check["conforming"]["area_m2"]
    assert 0.5 * conforming < approved < conforming - 1  # the corner is cut off
    # the officer named once stays named for the tab's later steps
    assert case["decision"]["officer"]["name"] == assess.OFFICER["name"]
    page.screenshot(path=str(artifacts / "staff-case-decided.png"), full_page=True)

    # the print view: one A4 sheet of the case, marked as a working sheet
    page.goto(f"{web_server.url}/staf/kasus/{app['id']}/cetak")
    page.wait_for_function("() => window.kkpr && window.kkpr.ready")
    expect(page.locator("#print-steps tbody tr")).to_have_count(len(case["transitions"]))
    assert_no_violations(page, "case print view")
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    (artifacts / "staff-case-print.pdf").write_bytes(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path=str(artifacts / "staff-case-print.png"), full_page=True)
    page.emulate_media(media="screen")
    assert len(reader.pages) <= 3  # the check's every reason and every step, on A4
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for needed in (app["number"], "Lembar kerja petugas", "Setujui sebagian",
                   "Menunggu data lapangan", assess.OFFICER["name"], "Maria Lende"):  # fmt: skip
        assert needed in text, (needed, text[:600])
    assert "Simpan keputusan" not in text and "Cari" not in text  # no forms on paper

    # the staff map's decided list keeps the decision's document after a reload
    page.goto(f"{web_server.url}/staf")
    page.click("#tab-reviews")
    done = page.locator("#decided-list li", has_text="Kios Naikoten Gambar")
    expect(done.get_by_role("link", name=case["document"]["number"], exact=False)).to_be_visible()
    page.reload()
    page.click("#tab-reviews")
    done.get_by_role("link", name=f"Dokumen KKPR {case['document']['number']}").click()
    expect(page.locator("body")).to_contain_text(case["document"]["number"])
