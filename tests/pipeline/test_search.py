"""Finding cases (kkpr.pipeline.search) on SQLite and PostgreSQL: the words, the filters,
the pages and the exports, each against cases made through the pipeline itself.

The mini plan (tests/mini_plan.py) gets kelurahan names here (WADMKD): K-1 squares in
"Fatululi", R-2 squares in "Oebobo", the park in "Kelapa Lima".
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import openpyxl
import pyogrio
import pytest

from kkpr.db.database import Database
from kkpr.errors import InvalidInput
from kkpr.model import Form, Proposal
from kkpr.pipeline.applications import Pipeline, Submission
from kkpr.pipeline.search import (
    Deadline,
    Filters,
    Paging,
    Status,
    every,
    search,
    to_csv,
    to_geopackage,
    to_xlsx,
    week_end,
)
from kkpr.plan.package import read_plan
from kkpr.settings import Settings
from kkpr.store.memory import MemoryStore
from tests.mini_plan import CRS, site, write_mini_plan
from tests.pipeline.conftest import Clock
from tests.pipeline.test_assessment import SITI, TO_PAYMENT, at, walk

FIGURES = Proposal(floor_area_m2=150, floors=2)
PAY = cast(list[tuple[str, dict[str, Any], str | None]], TO_PAYMENT)


@pytest.fixture(scope="module")
def named_store(tmp_path_factory: pytest.TempPathFactory) -> MemoryStore:
    root = write_mini_plan(tmp_path_factory.mktemp("kel") / "plan")
    zones = gpd.read_file(root / "pola_ruang.gpkg")
    names = {"K-1": "Fatululi", "R-2": "Oebobo", "RTH-2": "Kelapa Lima"}
    zones["WADMKD"] = zones["KODSZN"].map(names)
    zones["WADMKC"] = "Oebobo"
    zones.to_file(root / "pola_ruang.gpkg", driver="GPKG")
    return MemoryStore(read_plan(root))


@pytest.fixture
def pipe(
    pipeline_db: Database, named_store: MemoryStore, settings: Settings, clock: Clock
) -> Pipeline:
    return Pipeline(pipeline_db, named_store, settings, clock=clock)


def submit(pipe: Pipeline, applicant: str, business: str, kbli: str, square: tuple[int, ...],
           nib: str) -> dict[str, Any]:  # fmt: skip
    return pipe.submit(
        Submission(
            applicant=applicant,
            business_name=business,
            kbli=kbli,
            site=site(*square),
            site_crs=CRS,
            proposal=FIGURES,
            nib=nib,
        )
    )


def find(pipe: Pipeline, page: int = 1, per_page: int = 25, **given: Any) -> dict[str, Any]:
    return search(pipe.db, Filters(**given), Paging(page, per_page), pipe.today(), pipe.settings,
                  pipe.calendar)  # fmt: skip


def names(found: dict[str, Any]) -> list[str]:
    return [i["business_name"] for i in found["items"]]


@pytest.fixture
def four(pipe: Pipeline, clock: Clock) -> dict[str, dict[str, Any]]:
    """Four cases a day apart: a shop in Oebobo (R-2), a restaurant in Fatululi (K-1), a
    name full of wildcards and a formula (Oebobo), and one partly outside the plan
    (Fatululi)."""
    made = {}
    made["toko"] = submit(pipe, "Maria Bere", "Toko Sejahtera", "47111", (110, 10, 190, 90),
                          "9120001234567")  # fmt: skip
    clock.advance(days=1)
    made["resto"] = submit(pipe, "Yohanes Tefa", "Rumah Makan Sei Babi", "56101",
                           (10, 10, 90, 90), "9120007654321")  # fmt: skip
    clock.advance(days=1)
    made["odd"] = submit(pipe, "=HYPERLINK(\"http://x\")", "Diskon 100%_hemat", "47111",
                         (120, 20, 180, 80), "9120000000001")  # fmt: skip
    clock.advance(days=1)
    made["luar"] = submit(pipe, "Agus Ndun", "Gudang Luar", "47111", (150, 150, 250, 250),
                          "9120000000002")  # fmt: skip
    return made


def test_words_find_cases_by_number_nib_name_and_kbli(
    pipe: Pipeline, four: dict[str, dict[str, Any]]
) -> None:
    everything = find(pipe)
    assert everything["total"] == 4
    # newest first
    assert names(everything) == ["Gudang Luar", "Diskon 100%_hemat", "Rumah Makan Sei Babi",
                                 "Toko Sejahtera"]  # fmt: skip
    resto = four["resto"]
    assert names(find(pipe, number=resto["number"])) == ["Rumah Makan Sei Babi"]
    assert names(find(pipe, q=resto["number"].lower())) == ["Rumah Makan Sei Babi"]
    assert names(find(pipe, nib="9120007654321")) == ["Rumah Makan Sei Babi"]
    assert names(find(pipe, q="7654321")) == ["Rumah Makan Sei Babi"]
    # names without regard to case; words of q must all be found
    assert names(find(pipe, applicant="maria")) == ["Toko Sejahtera"]
    assert names(find(pipe, applicant="SEI BABI")) == ["Rumah Makan Sei Babi"]
    assert names(find(pipe, q="tefa 56101")) == ["Rumah Makan Sei Babi"]
    assert find(pipe, q="tefa 47111")["total"] == 0
    # KBLI by its first digits
    assert set(names(find(pipe, kbli="471"))) == {"Toko Sejahtera", "Diskon 100%_hemat",
                                                  "Gudang Luar"}  # fmt: skip
    assert names(find(pipe, kbli="561")) == ["Rumah Makan Sei Babi"]
    # wildcards typed by a user are letters, not patterns
    assert names(find(pipe, applicant="100%_")) == ["Diskon 100%_hemat"]
    assert find(pipe, applicant="1_0")["total"] == 0
    assert find(pipe, applicant="%")["total"] == 1


def test_kelurahan_form_state_and_status(pipe: Pipeline, four: dict[str, dict[str, Any]]) -> None:
    assert names(find(pipe, kelurahan="oebobo")) == ["Diskon 100%_hemat", "Toko Sejahtera"]
    assert names(find(pipe, kelurahan="Fatululi")) == ["Gudang Luar", "Rumah Makan Sei Babi"]
    # the kecamatan is "Oebobo" too: the kelurahan filter reads the kelurahan only
    assert find(pipe, kelurahan="Kelapa")["total"] == 0
    [toko] = find(pipe, number=four["toko"]["number"])["items"]
    assert toko["kelurahan"] == ["Oebobo"] and toko["kecamatan"] == ["Oebobo"]
    assert toko["site"]["type"] == "Polygon"
    assert abs(toko["site"]["coordinates"][0][0][0] - 123.6) < 1  # longitude, not UTM metres

    walk(pipe, four["toko"]["id"], PAY)
    assert names(find(pipe, state="33")) == ["Toko Sejahtera"]
    assert names(find(pipe, state="pembayaran_disetujui")) == ["Toko Sejahtera"]
    assert find(pipe, state="09")["total"] == 3
    with pytest.raises(InvalidInput, match="tidak dikenal"):
        find(pipe, state="99")
    assert find(pipe, form=Form.PKKPR)["total"] == 4
    assert find(pipe, form=Form.KKKPR)["total"] == 0
    assert find(pipe, status=Status.OPEN)["total"] == 4
    pipe.act(four["resto"]["id"], "tolak_persyaratan", SITI, keterangan="Dokumen palsu")
    assert names(find(pipe, status=Status.DECIDED)) == ["Rumah Makan Sei Babi"]
    assert names(find(pipe, status=Status.OPEN, kelurahan="Fatululi")) == ["Gudang Luar"]


def test_kkkpr_cases_are_listed_and_decided(pipe: Pipeline) -> None:
    pipe.set_integration("mini", "package", True, reason="RDTR terintegrasi OSS", by="k")
    app = submit(pipe, "Ina Lay", "Kios Ina", "47111", (10, 10, 90, 90), "9120000000009")
    [item] = find(pipe, form=Form.KKKPR)["items"]
    assert (item["id"], item["path"], item["status"]) == (app["id"], "KKKPR", "decided")
    assert find(pipe, status=Status.DECIDED)["total"] == 1


def test_deadline_filters_follow_the_clock(
    pipe: Pipeline, clock: Clock, four: dict[str, dict[str, Any]]
) -> None:
    early = walk(pipe, four["toko"]["id"], PAY)["assessment"]["deadline"]
    clock.now = at(date(2026, 3, 31))
    late = walk(pipe, four["odd"]["id"], PAY)["assessment"]["deadline"]
    pipe.act(four["luar"]["id"], "lengkap", SITI)  # no clock before the payment
    assert date.fromisoformat(early) < date.fromisoformat(late)
    # the Monday of the late deadline's week
    monday = date.fromisoformat(late) - timedelta(days=date.fromisoformat(late).weekday())
    clock.now = at(monday)
    expected_due = {"Diskon 100%_hemat"} | (
        {"Toko Sejahtera"} if monday <= date.fromisoformat(early) <= week_end(monday) else set()
    )
    assert set(names(find(pipe, deadline=Deadline.DUE_WEEK))) == expected_due
    # the day after the early deadline: it is overdue, the late one not yet
    clock.now = at(date.fromisoformat(early) + timedelta(days=1))
    assert names(find(pipe, deadline=Deadline.OVERDUE)) == ["Toko Sejahtera"]
    pipe.act(four["odd"]["id"], "hentikan", SITI, keterangan="Menunggu rekomendasi")
    assert names(find(pipe, deadline=Deadline.PAUSED)) == ["Diskon 100%_hemat"]
    [odd] = find(pipe, deadline=Deadline.PAUSED)["items"]
    assert odd["paused"] and odd["kd_status"] == "41"
    assert find(pipe, deadline=Deadline.PAUSED, kbli="561")["total"] == 0
    assert find(pipe, deadline=Deadline.OVERDUE, kelurahan="oebobo")["total"] == 1


def test_pages(pipe: Pipeline, four: dict[str, dict[str, Any]]) -> None:
    first = find(pipe, per_page=3)
    second = find(pipe, page=2, per_page=3)
    assert (first["total"], first["pages"], len(first["items"])) == (4, 2, 3)
    assert names(second) == ["Toko Sejahtera"]
    assert find(pipe, page=3, per_page=3)["items"] == []
    # the page of a filter read in Python (kelurahan) is cut the same way
    kel = [find(pipe, kelurahan="fatululi", page=p, per_page=1) for p in (1, 2, 3)]
    assert [(k["total"], k["pages"]) for k in kel] == [(2, 2)] * 3
    assert [names(k) for k in kel] == [["Gudang Luar"], ["Rumah Makan Sei Babi"], []]
    with pytest.raises(InvalidInput):
        Paging(0, 10)


def test_exports_keep_formulas_out_and_sites_in(
    pipe: Pipeline, four: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    items = every(pipe.db, Filters(kbli="47111"), pipe.today(), pipe.settings, pipe.calendar,
                  100)  # fmt: skip
    assert len(items) == 3
    rows = list(csv.DictReader(io.StringIO(to_csv(items))))
    odd = next(r for r in rows if r["business_name"] == "Diskon 100%_hemat")
    assert odd["applicant"] == '\'=HYPERLINK("http://x")'  # shown, never run
    assert odd["kelurahan"] == "Oebobo" and odd["kbli"] == "47111"
    assert odd["number"] == four["odd"]["number"]

    path = tmp_path / "kasus.xlsx"
    path.write_bytes(to_xlsx(items))
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    header = table[0]
    odd_row = next(r for r in table[2:] if "Diskon 100%_hemat" in r)
    applicant = odd_row[header.index("applicant")]
    assert applicant == '\'=HYPERLINK("http://x")'
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)

    gpkg = tmp_path / "kasus.gpkg"
    gpkg.write_bytes(to_geopackage(items))
    frame = pyogrio.read_dataframe(gpkg)
    assert len(frame) == 3 and frame.crs.to_epsg() == 4326
    assert set(frame.geom_type) == {"MultiPolygon"}
    sites = frame.set_index("number")
    toko = sites.loc[four["toko"]["number"]]
    assert toko["applicant"] == "Maria Bere" and toko["kelurahan"] == "Oebobo"
    assert abs(float(toko["area_m2"]) - 6400) < 1
    # the same area as the record's, measured again from the exported polygon
    assert abs(gpd.GeoSeries([toko.geometry], crs=4326).to_crs(CRS).area[0] - 6400) < 1
