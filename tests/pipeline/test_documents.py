"""The region's assessment record of a PKKPR decision: number and code verify, a tampered copy is changed, an unknown number
is unknown; the PDF shows the number and the zone. On SQLite and PostgreSQL, with the
mini plan, and with the Kupang sample (region code 53.71).
"""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path
from typing import Any

import pypdf
import pytest

from kkpr.db.database import Database
from kkpr.db.sql import sql
from kkpr.model import Proposal
from kkpr.pipeline import documents
from kkpr.pipeline.applications import Pipeline, Submission
from kkpr.pipeline.document_render import (
    DocumentSheet,
    document_map,
    document_pdf,
    document_sheet,
)
from kkpr.plan.package import read_plan
from kkpr.settings import SAMPLE_PLAN_DIR, Settings
from kkpr.store.memory import MemoryStore
from tests.pipeline.conftest import Clock
from tests.pipeline.test_assessment import R2, SITI, TO_DECISION, walk
from tests.typed import keys, shape_errors

NUMBER = re.compile(r"^PENILAIAN-KKPR/00\.00/2026/\d{6}$")


def approved(pipeline: Pipeline, sub: Submission = R2) -> dict[str, Any]:
    app = walk(pipeline, pipeline.submit(sub)["id"], TO_DECISION)
    return pipeline.decide(app["id"], "approve", officer=SITI, reasons=["Sesuai RDTR"])


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def issued(pipeline: Pipeline, pipeline_db: Database) -> dict[str, Any]:
    app = approved(pipeline)
    doc = documents.get(pipeline_db, app["document"]["number"])
    assert doc is not None
    return doc


def test_numbers_count_up_per_region_and_year(pipeline: Pipeline) -> None:
    numbers = [approved(pipeline)["document"]["number"] for _ in range(3)]
    assert numbers == [f"PENILAIAN-KKPR/00.00/2026/{n:06d}" for n in (1, 2, 3)]


def test_the_document_states_what_was_decided(issued: dict[str, Any]) -> None:
    content = issued["content"]
    assert NUMBER.match(content["number"])
    assert content["form"] == "PKKPR"
    assert content["title"]["id"].startswith("Hasil Penilaian Pemerintah Daerah")
    assert "bukan PKKPR" in content["notice"]["id"]
    assert content["data_teknis"]["persetujuan"] == "disetujui seluruhnya: Sesuai RDTR"
    assert content["decision"]["officer"]["nip"] == SITI.nip
    assert content["applicant"] == "Maria Bere"
    assert content["activity"]["kbli"] == "47111"
    assert content["location"]["area_m2"] == 6400.0  # 80 m x 80 m
    [zone] = content["zones"]
    assert (zone["kodszn"], zone["namszn"], zone["itbx"]) == ("R-2", "Rumah kepadatan tinggi", "T")
    limits = {f["rule"]: f["limit"] for f in content["intensity"]}
    assert limits == {"KDB": 60.0, "KLB": 1.2, "KDH": 20.0, "JLB": 3.0, "TB": 12.0}
    assert [c["kode"] for c in content["conditions"]] == ["T1"]
    assert content["plan"] == {
        "id": "mini",
        "name": "Rencana mini (uji)",
        "version": "package",
        "legal_basis": "Uji / test",
        "region_code": "00.00",
        "crs": "EPSG:32751",
    }


def test_the_content_is_its_type(issued: dict[str, Any]) -> None:
    # what the record states and its code signs, key by key and value by value
    assert shape_errors(issued["content"], documents.DocumentContent) == []
    assert set(issued["content"]) == keys(documents.DocumentContent)


def test_the_sheet_of_page_and_pdf_is_its_type(issued: dict[str, Any], settings: Settings) -> None:
    sheet = document_sheet(issued, settings)
    assert shape_errors(sheet, DocumentSheet) == [] and set(sheet) == keys(DocumentSheet)
    assert all(len(r) == 3 and all(isinstance(x, str) for x in r) for r in sheet["rows"])
    assert sheet["intensity"] and sheet["coordinates"]


def test_a_verification_is_its_type(
    issued: dict[str, Any], pipeline_db: Database, settings: Settings
) -> None:
    number, code = issued["number"], issued["code"]
    forged = dict(issued["content"], applicant="Orang Lain")
    answers = [documents.verify(pipeline_db, number, given, settings)
               for given in (code, None, forged, "AAAA-BBBB-CCCC-DDDD")]  # fmt: skip
    unknown = documents.verify(pipeline_db, "PENILAIAN-KKPR/00.00/2026/999999", code, settings)
    assert shape_errors([*answers, unknown], list[documents.Verification]) == []
    head = {"number", "status", "issued_at", "decision_status", "valid_until"}
    assert set(answers[0]) == head | {"document"}
    assert set(answers[2]) == head | {"document", "differences"}
    assert set(unknown) == {"number", "status"}


def test_verify_valid_changed_unknown(
    issued: dict[str, Any], pipeline_db: Database, settings: Settings
) -> None:
    number, code = issued["number"], issued["code"]
    assert documents.verify(pipeline_db, number, code, settings)["status"] == "valid"
    # typed from paper: lower case, without dashes
    typed = code.replace("-", "").lower()
    assert documents.verify(pipeline_db, number, typed, settings)["status"] == "valid"
    other = "AAAA-BBBB-CCCC-DDDD"
    assert documents.verify(pipeline_db, number, other, settings)["status"] == "changed"
    unknown = documents.verify(pipeline_db, "PENILAIAN-KKPR/00.00/2026/999999", code, settings)
    assert unknown == {"number": "PENILAIAN-KKPR/00.00/2026/999999", "status": "unknown"}
    # the content itself, as received
    assert documents.verify(pipeline_db, number, issued["content"], settings)["status"] == "valid"
    as_json = json.dumps(issued["content"], indent=2)
    assert documents.verify(pipeline_db, number, as_json, settings)["status"] == "valid"


def test_a_tampered_copy_is_changed(
    issued: dict[str, Any], pipeline_db: Database, settings: Settings
) -> None:
    forged = copy.deepcopy(issued["content"])
    forged["zones"][0]["kodszn"] = "K-1"  # claims a trade zone
    forged["intensity"][0]["limit"] = 90.0
    verdict = documents.verify(pipeline_db, issued["number"], forged, settings)
    assert verdict["status"] == "changed"
    assert verdict["differences"] == ["intensity", "zones"]
    assert verdict["document"]["zones"][0]["kodszn"] == "R-2"  # the original, to compare


def test_a_record_changed_in_the_database_is_changed(
    issued: dict[str, Any], pipeline_db: Database, settings: Settings
) -> None:
    content = dict(issued["content"], applicant="Orang Lain")
    with pipeline_db.transaction() as tx:
        tx.execute(
            sql("UPDATE documents SET content = {} WHERE number = {}"),
            (json.dumps(content), issued["number"]),
        )
    verdict = documents.verify(pipeline_db, issued["number"], issued["code"], settings)
    assert verdict["status"] == "changed"
    assert "document" not in verdict


def test_another_secret_makes_another_code(issued: dict[str, Any]) -> None:
    content = issued["content"]
    assert documents.verification_code(content, "test-document-secret") == issued["code"]
    assert documents.verification_code(content, "another-secret") != issued["code"]


def test_the_pdf_shows_number_zone_and_code(
    issued: dict[str, Any], settings: Settings, artifacts: Path
) -> None:
    pdf = document_pdf(issued, settings)
    assert pdf.startswith(b"%PDF")
    (artifacts / "kkpr_document_mini.pdf").write_bytes(pdf)
    text = pdf_text(pdf)
    for expected in (
        issued["number"],
        "R-2 Rumah kepadatan tinggi",
        issued["code"],
        "Luas lantai paling banyak 200 m2",
        "6.400 m²",
        "maks. / max. 60 %",
        "HASIL PENILAIAN PEMERINTAH DAERAH",
        "Koordinat batas bidang",
        "disetujui seluruhnya: Sesuai RDTR",
        "Rencana mini (uji)",
        "Uji / test",
    ):
        assert expected in text, expected
    png = document_map(issued)
    assert png.startswith(b"\x89PNG")


# ---------------------------------------------------------------- the Kupang sample


@pytest.fixture(scope="session")
def kupang_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if (SAMPLE_PLAN_DIR / "plan.toml").exists():
        return SAMPLE_PLAN_DIR
    from zoning_data.kupang.generate import generate

    return generate(tmp_path_factory.mktemp("kupang"))


def test_a_kupang_document(
    kupang_dir: Path,
    pipeline_db: Database,
    settings: Settings,
    clock: Clock,
    artifacts: Path,
) -> None:
    store = MemoryStore(read_plan(kupang_dir))
    pipeline = Pipeline(pipeline_db, store, settings, clock=clock)
    site = json.loads((kupang_dir / "examples" / "k1_minimarket.geojson").read_text())
    sub = Submission(
        "Yohanes Tefa", "Minimarket Oebobo", "47111", site["geometry"],
        proposal=Proposal(floor_area_m2=180, floors=2),
    )  # fmt: skip
    app = approved(pipeline, sub)
    assert app["outcome"] in ("sesuai", "sesuai_bersyarat")
    assert app["path"] == "PKKPR"  # Kota Kupang has no RDTR integrated in OSS
    number = app["document"]["number"]
    assert number == "PENILAIAN-KKPR/53.71/2026/000001"
    doc = documents.get(pipeline_db, number)
    assert doc is not None
    assert {z["kodszn"] for z in doc["content"]["zones"]} == {"K-1"}
    assert len(doc["map_zones"]["features"]) > 3  # the neighbourhood, not only the site
    pdf = document_pdf(doc, settings)
    (artifacts / "kkpr_document_kupang.pdf").write_bytes(pdf)
    text = pdf_text(pdf)
    assert number in text and "K-1" in text
    assert (
        documents.verify(pipeline_db, number, app["document"]["code"], settings)["status"]
        == "valid"
    )
