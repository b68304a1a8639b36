"""The PKKPR assessment end to end, on SQLite and PostgreSQL: every path an office runs.

Sites are squares of the mini plan (tests/mini_plan.py): x 110..190 lies inside R-2
(minimarket T1), 6,400 m². The mini plan says nothing of OSS integration, so it is
not integrated: every case is a PKKPR unless a test sets it. Days are worked by hand
from Tue 17 March 2026 (the office is closed Wed 18 to Tue 24 March: see
test_calendar.py): 20 working days after 17 March is Wed 22 April.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from shapely.geometry import shape

from kkpr.db.database import Database
from kkpr.db.sql import sql
from kkpr.errors import Conflict, InvalidInput, NotFound
from kkpr.model import Proposal
from kkpr.pipeline import documents
from kkpr.pipeline.applications import Pipeline, Submission
from kkpr.pipeline.cases import Officer
from kkpr.pipeline.review import DecisionError
from kkpr.pipeline.technical import PartialApprovalError
from kkpr.settings import Settings
from kkpr.site import to_crs
from kkpr.store.memory import MemoryStore
from tests.mini_plan import CRS, X0, Y0, site
from tests.pipeline.conftest import Clock
from tests.pipeline.test_applications import count

SITI = Officer(name="Siti Nurhaliza", nip="198501012010012001", key="key:siti")
FIGURES = Proposal(floor_area_m2=150, floors=2)
R2 = Submission(
    applicant="Maria Bere", business_name="Toko Sejahtera", kbli="47111",
    site=site(110, 10, 190, 90), site_crs=CRS, proposal=FIGURES, nib="9120001234567",
)  # fmt: skip
FPR = {
    "anggota": ["Kepala Bappeda", "Kepala Dinas PUPR", "Kepala Kantor Pertanahan"],
    "tanggal": "2026-03-17",
    "berita_acara": "BA-FPR/07/2026",
    "rekomendasi": "Dapat disetujui",
}
TO_PAYMENT = [
    ("lengkap", {}, None),
    ("validasi", {}, None),
    ("tagih", {"kd_billing": "820260317001", "tgl_expire": "2026-03-24"}, None),
    ("unggah_bukti", {"file": "bukti-bayar.pdf"}, None),
    ("setujui_bayar", {}, None),
]
TO_DECISION = [
    *TO_PAYMENT,
    ("periksa_lapangan", {"tanggal": "2026-03-17"}, None),
    ("pertek", {"nomor": "PTP/53.71/2026/011", "tanggal": "2026-03-17", "file": "pertek.pdf"},
     None),
    ("fpr", FPR, None),
]  # fmt: skip


def walk(pipe: Pipeline, app_id: str, steps: list[tuple[str, dict[str, Any], str | None]]) -> Any:
    app = None
    for action, data, why in steps:
        app = pipe.act(app_id, action, SITI, keterangan=why, data=data)
    return app


def at(day: date, hour_utc: int = 1) -> datetime:
    return datetime(day.year, day.month, day.day, hour_utc, tzinfo=UTC)


def codes(app: dict[str, Any]) -> list[str]:
    return [e["data"]["izin_status"]["kd_status"] for e in app["events"]
            if e["type"] == "kkpr.status"]  # fmt: skip


def final(app: dict[str, Any]) -> dict[str, Any]:
    [event] = [e for e in app["events"] if e["type"] == "kkpr.final"]
    return dict(event["data"]["izin_final"])


# ---------------------------------------------------------------- which form


def test_an_integrated_rdtr_takes_the_kkkpr_path_and_issues_no_paper(pipeline: Pipeline) -> None:
    pipeline.set_integration("mini", "package", True, reason="RDTR terintegrasi OSS", by="k")
    app = pipeline.submit(R2)
    assert (app["path"], app["form"], app["rdtr_integrated"]) == ("KKKPR", "KKKPR", True)
    assert app["stages"][0] == {"stage": "KKPR", "status": "completed"}
    assert app["current_stage"] == "PERSETUJUAN_LINGKUNGAN"
    assert app["document"] is None and app["assessment"] is None
    completed = app["events"][-1]["data"]
    assert completed["decided_by"] == {"by": "oss_confirmation_expected"}
    assert "kkpr.status" not in [e["type"] for e in app["events"]]
    assert app["number"].startswith("KKKPR-00.00-2026-")
    with pytest.raises(Conflict, match="KKKPR path"):
        pipeline.act(app["id"], "lengkap", SITI)


def test_a_plan_not_integrated_makes_every_case_a_pkkpr(pipeline: Pipeline) -> None:
    app = pipeline.submit(R2)
    assert (app["path"], app["rdtr_integrated"], app["outcome"]) == (
        "PKKPR", False, "sesuai_bersyarat")  # fmt: skip
    assert (app["assessment"]["state"], app["assessment"]["kd_status"]) == (
        "persyaratan_diisi", "09")  # fmt: skip
    assert codes(app) == ["09"]
    assert app["stages"][0] == {"stage": "KKPR", "status": "in_review"}
    assert app["assessment"]["started_on"] is None  # the clock waits for payment


def test_an_application_states_its_building_figures(
    pipeline: Pipeline, pipeline_db: Database
) -> None:
    with pytest.raises(InvalidInput, match="floors") as err:
        pipeline.submit(replace(R2, proposal=Proposal(floor_area_m2=150)))
    assert err.value.where == "proposal.floors" and "jumlah lantai" in err.value.message_id
    with pytest.raises(InvalidInput, match="land area"):
        pipeline.submit(replace(R2, site={"type": "Point", "coordinates": [X0 + 150, Y0 + 50]}))
    assert count(pipeline_db, "applications") == 0


# ---------------------------------------------------------------- decisions


def test_approved_in_full_end_to_end(pipeline: Pipeline, settings: Settings) -> None:
    app = pipeline.submit(R2)
    app = walk(pipeline, app["id"], TO_DECISION)
    assert (
        app["assessment"]["kd_status"] == "45" and app["fpr"]["rekomendasi"] == FPR["rekomendasi"]
    )
    app = pipeline.decide(app["id"], "approve", officer=SITI,
                          reasons=["Sesuai RDTR: sub-zona R-2, syarat T1 terpenuhi"])  # fmt: skip
    assert codes(app) == ["09", "10", "20", "32", "32", "33", "40", "45", "45", "50"]
    assert app["assessment"]["state"] == "disetujui"
    assert (app["current_stage"], app["stage_status"]) == ("PERSETUJUAN_LINGKUNGAN", "pending")
    bill = app["events"][4]["data"]["izin_status"]
    assert bill["data_pnbp"]["kd_billing"] == "820260317001"
    assert bill["data_pnbp"]["nominal"] == 350_000 + 13 * 50_000  # 6,400 m² = 13 units of 500
    izin = final(app)
    assert (izin["kd_status"], izin["nip_status"], izin["nama_status"]) == (
        "50", SITI.nip, SITI.name)  # fmt: skip
    assert izin["tgl_status"] == "2026-03-17 09:00:00"
    t = izin["data_teknis"]
    assert (t["luas"], t["luas_dimohon"]) == (6400.0, 6400.0)
    assert (t["jenis_peruntukan"], t["jenis_peruntukan_uraian"]) == (
        "R-2", "Rumah kepadatan tinggi (R-2)")  # fmt: skip
    assert (t["koefisien_dasar_bangunan"], t["koefisien_lantai_bangunan"]) == (60.0, 1.2)
    assert (t["koefisien_dasar_hijau"], t["garis_sempadan_bangunan"]) == (20.0, 3.0)
    assert t["jarak_bebas_bangunan"] == "tidak diatur"
    assert t["persyaratan_pelaksanaan_kegiatan"] == ["Luas lantai paling banyak 200 m2"]
    assert t["persetujuan"].startswith("disetujui seluruhnya: Sesuai RDTR")
    assert (t["nomor_pertek"], t["nomor_perda_rtr"]) == ("PTP/53.71/2026/011", "Uji / test")
    assert t["berlaku_sampai"] == "2029-03-17"
    assert len(t["koordinat_batas_bidang"]) == 4
    # every step names its officer, and the record is the region's assessment
    assert {(s["officer_nip"], s["officer_name"]) for s in app["transitions"][1:]} == {
        (SITI.nip, SITI.name)}  # fmt: skip
    assert app["document"]["number"] == "PENILAIAN-KKPR/00.00/2026/000001"
    doc = documents.get(pipeline.db, app["document"]["number"])
    assert doc is not None and "Penilaian" in doc["content"]["title"]["id"]
    assert doc["content"]["data_teknis"] == t
    verdict = documents.verify(pipeline.db, doc["number"], doc["code"], settings, date(2026, 3, 18))
    assert (verdict["status"], verdict["decision_status"]) == ("valid", "berlaku")


def test_approved_in_part(pipeline: Pipeline) -> None:
    app = walk(pipeline, pipeline.submit(R2)["id"], TO_DECISION)
    west_half = to_crs(shape(site(110, 10, 150, 90)), CRS, "EPSG:4326").__geo_interface__
    app = pipeline.decide(
        app["id"], "approve_in_part", officer=SITI, approved_site=west_half,
        reasons=["Bagian timur tumpang tindih dengan rencana jalan"],
    )  # fmt: skip
    t = final(app)["data_teknis"]
    assert t["luas_dimohon"] == 6400.0 and t["luas"] == pytest.approx(3200.0, abs=0.5)
    assert t["persetujuan"].startswith("disetujui sebagian: Bagian timur")
    rows = t["koordinat_batas_bidang"]
    assert [r["no"] for r in rows] == [1, 2, 3, 4]
    assert sorted({round(r["x"] - X0) for r in rows}) == [110, 150]
    assert all(123 < r["lon"] < 124 and -11 < r["lat"] < -10 for r in rows)
    doc = documents.get(pipeline.db, app["document"]["number"])
    assert doc is not None
    assert shape(doc["content"]["location"]["geometry"]).area < shape(west_half).area * 1.01


def test_a_part_outside_the_site_is_refused_and_changes_nothing(
    pipeline: Pipeline, pipeline_db: Database
) -> None:
    app = walk(pipeline, pipeline.submit(R2)["id"], TO_DECISION)
    before = (count(pipeline_db, "transitions"), count(pipeline_db, "outbox"))
    beyond = to_crs(shape(site(150, 10, 250, 90)), CRS, "EPSG:4326").__geo_interface__
    with pytest.raises(PartialApprovalError, match="outside the requested site") as err:
        pipeline.decide(app["id"], "approve_in_part", officer=SITI, approved_site=beyond,
                        reasons=["x"])  # fmt: skip
    assert "di luar" in err.value.message_id or "keluar" in err.value.message_id
    with pytest.raises(DecisionError, match="reasons"):
        pipeline.decide(app["id"], "reject", officer=SITI, reasons=[" "])
    assert (count(pipeline_db, "transitions"), count(pipeline_db, "outbox")) == before
    assert pipeline.get(app["id"])["assessment"]["state"] == "pertimbangan_teknis"


def test_a_failure_while_deciding_leaves_no_trace(
    pipeline: Pipeline, pipeline_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = walk(pipeline, pipeline.submit(R2)["id"], TO_DECISION)
    before = [count(pipeline_db, t) for t in ("transitions", "outbox", "documents")]

    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("document store down")

    # the decision is written, then its record cannot be issued: all of it rolls back
    monkeypatch.setattr(documents, "issue", broken)
    with pytest.raises(RuntimeError, match="document store down"):
        pipeline.decide(app["id"], "approve", officer=SITI, reasons=["Sesuai"])
    assert [count(pipeline_db, t) for t in ("transitions", "outbox", "documents")] == before
    after = pipeline.get(app["id"])
    assert (after["assessment"]["state"], after["stage_status"]) == (
        "pertimbangan_teknis", "in_review")  # fmt: skip


def test_rejected(pipeline: Pipeline) -> None:
    app = walk(pipeline, pipeline.submit(R2)["id"], TO_DECISION)
    app = pipeline.decide(app["id"], "reject", officer=SITI, reasons=["Kawasan rawan banjir"])
    assert (app["status"], app["stage_status"]) == ("rejected", "rejected")
    izin = final(app)
    assert izin["kd_status"] == "90"
    assert izin["data_teknis"]["persetujuan"] == "ditolak seluruhnya: Kawasan rawan banjir"
    assert izin["data_teknis"]["luas"] is None and app["document"] is None


def test_a_status_out_of_order_is_refused_and_changes_nothing(
    pipeline: Pipeline, pipeline_db: Database
) -> None:
    app = pipeline.submit(R2)
    before = (count(pipeline_db, "transitions"), count(pipeline_db, "outbox"))
    with pytest.raises(Conflict, match="cannot be taken") as err:
        pipeline.act(app["id"], "setujui_bayar", SITI)
    assert err.value.extra["allowed"] == ["lengkap", "kembalikan", "tolak_persyaratan"]
    with pytest.raises(Conflict):
        pipeline.decide(app["id"], "approve", officer=SITI, reasons=["terlalu cepat"])
    walk(pipeline, app["id"], TO_PAYMENT[:3])
    with pytest.raises(Conflict, match="proof of payment"):
        pipeline.act(app["id"], "setujui_bayar", SITI)
    walk(pipeline, app["id"], TO_DECISION[3:7])
    with pytest.raises(Conflict, match="forum"):  # no FPR yet
        pipeline.decide(app["id"], "approve", officer=SITI, reasons=["Sesuai"])
    assert count(pipeline_db, "transitions") == before[0] + 7


def test_returned_for_correction_and_resumed(pipeline: Pipeline) -> None:
    sub = pipeline.submit(R2)
    with pytest.raises(InvalidInput, match="missing"):
        pipeline.act(sub["id"], "kembalikan", SITI, keterangan="Kurang", data={})
    app = pipeline.act(sub["id"], "kembalikan", SITI, keterangan="Dokumen kurang",
                       data={"missing": ["Bukti penguasaan tanah", "Gambar rencana"]})  # fmt: skip
    assert (app["assessment"]["kd_status"], app["assessment"]["missing"]) == (
        "11", ["Bukti penguasaan tanah", "Gambar rencana"])  # fmt: skip
    seen = pipeline.applicant_status(app["number"], sub["access_code"])
    assert seen["missing"] == ["Bukti penguasaan tanah", "Gambar rencana"]
    assert seen["state"]["kd_status"] == "11"
    app = pipeline.act(sub["id"], "perbaiki", Officer(name="Maria Bere"), data={})
    app = pipeline.act(sub["id"], "lengkap", SITI)
    assert codes(app) == ["09", "11", "09", "10"]
    assert app["transitions"][2]["actor"] == "applicant"


def test_the_access_code_opens_the_applicants_view_only(pipeline: Pipeline) -> None:
    sub = pipeline.submit(R2)
    code = sub["access_code"]
    assert "access_code" not in pipeline.get(sub["id"])
    with pipeline.db.transaction() as tx:
        stored = tx.one(
            sql("SELECT access_hash FROM cases WHERE application_id = {}"), (sub["id"],)
        )
    assert stored is not None and code not in str(stored)
    seen = pipeline.applicant_status(sub["number"], code.lower().replace("-", ""))
    assert (seen["stage"], seen["state"]["kd_status"]) == ("KKPR", "09")
    assert seen["clock"]["started"] is False
    for number, wrong in ((sub["number"], "AAAA-BBBB-CCCC-DDDD"), ("PKKPR-X", code)):
        with pytest.raises(NotFound):
            pipeline.applicant_status(number, wrong)


# ---------------------------------------------------------------- the clock


def test_a_paused_clock(pipeline: Pipeline, clock: Clock) -> None:
    app = walk(pipeline, pipeline.submit(R2)["id"], TO_PAYMENT)  # payment approved Tue 17 March
    assert app["assessment"]["deadline"] == "2026-04-22"
    clock.now = at(date(2026, 3, 27))  # 25, 26, 27: three working days used
    with pytest.raises(InvalidInput, match="reason"):
        pipeline.act(app["id"], "hentikan", SITI)
    pipeline.act(app["id"], "hentikan", SITI, keterangan="Menunggu rekomendasi instansi lain")
    clock.now = at(date(2026, 4, 2))
    [case] = pipeline.reviews("paused")
    assert (case["paused"], case["pause_reason"], case["working_days_left"]) == (
        True, "Menunggu rekomendasi instansi lain", 17)  # fmt: skip
    assert case["kd_status"] == "41" and case["next"] == ["lanjutkan"]
    clock.now = at(date(2026, 4, 6))  # Monday
    pipeline.act(app["id"], "lanjutkan", SITI, keterangan="Rekomendasi diterima")
    clock.now = at(date(2026, 4, 8))  # 7, 8: five used
    [case] = pipeline.reviews("all")
    assert (case["paused"], case["working_days_left"], case["deadline"]) == (
        False, 15, "2026-04-29")  # fmt: skip
    # the step after the resume is the step before the stop
    app = pipeline.act(app["id"], "periksa_lapangan", SITI, data={"tanggal": "2026-04-08"})
    assert codes(app)[-3:] == ["41", "42", "40"]
    pipeline.act(app["id"], "hentikan_ulang", SITI, keterangan="Perubahan lokasi")
    app = pipeline.act(app["id"], "ulang", SITI, keterangan="Lokasi baru diterima")
    assert codes(app)[-2:] == ["43", "44"]
    assert app["assessment"]["working_days_left"] == 20


def test_fiktif_positif_on_an_overdue_case(
    pipeline_db: Database, mini_memory_store: MemoryStore, settings: Settings, clock: Clock
) -> None:
    law = settings.model_copy(update={"pkkpr_overdue_policy": "fiktif_positif"})
    pipe = Pipeline(pipeline_db, mini_memory_store, law, clock=clock)
    app = walk(pipe, pipe.submit(R2)["id"], TO_PAYMENT)
    clock.now = at(date(2026, 4, 22))  # the last day: not yet
    assert pipe.enforce_deadlines() == []
    clock.now = at(date(2026, 4, 23))
    assert pipe.reviews("overdue")[0]["working_days_left"] == -1
    [done] = pipe.enforce_deadlines()
    assert done["done"] == "fiktif_positif"
    app = pipe.get(app["id"])
    assert app["assessment"]["state"] == "fiktif_positif" and codes(app)[-1] == "57"
    izin = final(app)
    assert izin["kd_status"] == "57" and izin["nip_status"] is None
    assert "fiktif positif" in izin["keterangan"] and "2026-04-22" in izin["keterangan"]
    assert izin["data_teknis"]["luas"] == 6400.0
    assert app["transitions"][-1]["actor"] == "system"
    assert app["document"] is not None and app["current_stage"] == "PERSETUJUAN_LINGKUNGAN"
    assert pipe.enforce_deadlines() == []


def test_an_overdue_case_is_flagged_once_under_the_flag_policy(
    pipeline: Pipeline, clock: Clock
) -> None:
    app = walk(pipeline, pipeline.submit(R2)["id"], TO_PAYMENT)
    clock.now = at(date(2026, 4, 24))
    assert [d["done"] for d in pipeline.enforce_deadlines()] == ["flagged"]
    assert pipeline.enforce_deadlines() == []
    app = pipeline.get(app["id"])
    assert app["assessment"]["state"] == "pembayaran_disetujui" and app["assessment"]["overdue"]
    assert app["transitions"][-1]["action"] == "tandai_terlambat"


# ---------------------------------------------------------------- after the decision


def test_extension_and_revocation(pipeline: Pipeline, settings: Settings, clock: Clock) -> None:
    app = walk(pipeline, pipeline.submit(R2)["id"], TO_DECISION)
    app = pipeline.decide(app["id"], "approve", officer=SITI, reasons=["Sesuai"])
    number = app["document"]["number"]
    doc = documents.get(pipeline.db, number)
    assert doc is not None
    clock.now = at(date(2028, 6, 1))
    app = pipeline.extend(app["id"], SITI, reason="Pembangunan belum selesai")
    assert (app["valid_until"], app["decision_status"]) == ("2031-03-17", "diperpanjang")
    with pytest.raises(Conflict, match="already extended"):
        pipeline.extend(app["id"], SITI, reason="Sekali lagi")
    app = pipeline.change(
        app["id"], SITI, reason="Salah ketik", changes={"business_name": "Toko Sejahtera Abadi"}
    )
    assert app["decision"]["changes"][0]["changes"] == {"business_name": "Toko Sejahtera Abadi"}
    app = pipeline.revoke(app["id"], SITI, reason="Kegiatan menyimpang dari persetujuan")
    assert app["decision_status"] == "dicabut"
    verdict = documents.verify(pipeline.db, number, doc["code"], settings, date(2028, 6, 2))
    assert (verdict["status"], verdict["decision_status"]) == ("valid", "dicabut")
    assert [e["type"] for e in app["events"]][-3:] == ["kkpr.decision_changed"] * 3
    with pytest.raises(Conflict, match="not in force"):
        pipeline.extend(app["id"], SITI, reason="Terlambat")


def test_an_expired_decision_shows_so(pipeline: Pipeline, settings: Settings) -> None:
    app = walk(pipeline, pipeline.submit(R2)["id"], TO_DECISION)
    app = pipeline.decide(app["id"], "approve", officer=SITI, reasons=["Sesuai"])
    doc = documents.get(pipeline.db, app["document"]["number"])
    assert doc is not None
    late = documents.verify(pipeline.db, doc["number"], doc["code"], settings, date(2029, 3, 18))
    assert late["decision_status"] == "kedaluwarsa"


def test_the_queue_lists_open_cases_with_their_site_and_then_the_decided(
    pipeline: Pipeline,
) -> None:
    app = walk(pipeline, pipeline.submit(R2)["id"], TO_DECISION)
    [case] = pipeline.reviews("all")
    assert (case["id"], case["kd_status"], case["next"]) == (
        app["id"], "45", ["fpr", "putuskan", "hentikan", "hentikan_ulang"])  # fmt: skip
    lon, lat = shape(case["site"]).centroid.coords[0]
    assert 123 < lon < 124 and -11 < lat < -10
    pipeline.decide(app["id"], "approve", officer=SITI, reasons=["Sesuai"])
    assert pipeline.reviews("all") == []
    [done] = pipeline.reviews("decided")
    assert (done["decision"], done["reviewer"], done["officer"]["nip"], done["on_time"]) == (
        "approve", SITI.key, SITI.nip, True)  # fmt: skip
