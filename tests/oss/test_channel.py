"""What OSS is sent for the PKKPR state machine's events (``kkpr.status``, ``kkpr.final``):
IZINSTATUS with its PNBP bill, IZINFINALKKPR with data_teknis in OSS's own fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kkpr.oss import messages
from kkpr.oss.channel import message
from kkpr.oss.fields import OssValueError
from kkpr.pipeline.db import dumps
from kkpr.settings import Settings

LINK = {
    "id_izin": "I-1", "nib": "9120001234567", "oss_id": "P-1", "id_proyek": "R-1",
    "kd_izin": "000000000001", "fields": dumps({"kedalaman": None}),
}  # fmt: skip
SITE = {
    "type": "Polygon",
    "coordinates": [[[123.6, -10.1], [123.601, -10.1], [123.601, -10.101], [123.6, -10.1]]],
}
APP = {"check_result": dumps({"site": {"area_m2": 5000.0}, "parts": [], "intensity": []}),
       "conditions": dumps([]), "site": dumps(SITE)}  # fmt: skip
OFFICER = {"nip_status": "198701012010011001", "nama_status": "Siti Bere",
           "tgl_status": "2026-03-17 09:15:00", "nib": "9120001234567", "external_ref": "oss:I-1"}  # fmt: skip


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, oss_kd_instansi="K01")


def event(etype: str, payload_key: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"id": "e1", "type": etype, "application_id": "a1", "seq": 3,
            "created_at": "2026-03-17T01:15:00.000000Z", "data": {payload_key: payload}}  # fmt: skip


def test_a_state_change_with_its_pnbp_bill(settings: Settings) -> None:
    pnbp = {"kd_akun": "425131", "kd_billing": "820260317001", "tgl_billing": "2026-03-17",
            "tgl_expire": "2026-03-24", "nominal": 1500000, "url_dokumen": "https://kkpr.test/sps/1"}  # fmt: skip
    ev = event(
        "kkpr.status",
        "izin_status",
        {**OFFICER, "kd_status": "32", "keterangan": "SPS terbit", "data_pnbp": pnbp},
    )
    sent = message(ev, LINK, APP, None, settings)
    assert sent.call == messages.RECEIVE_LICENSE_STATUS
    body = json.loads(sent.body)["IZINSTATUS"]
    assert body["kd_status"] == "32" and body["id_izin"] == "I-1" and body["kd_instansi"] == "K01"
    assert (
        body["nip_status"] == "198701012010011001" and body["tgl_status"] == "2026-03-17 09:15:00"
    )
    assert (
        body["data_pnbp"]["kd_billing"] == "820260317001"
        and body["data_pnbp"]["nominal"] == 1500000
    )
    assert "external_ref" not in body  # kkpr's own fields stay home
    messages.check_outbound(messages.RECEIVE_LICENSE_STATUS, json.loads(sent.body))


def test_the_final_decision_in_data_teknis_fields(settings: Settings) -> None:
    teknis = {
        "luas": 4200.5, "luas_dimohon": 5000.0, "satuan_luas": "m2",
        "jenis_peruntukan": "Perdagangan dan Jasa Skala Kota (K-1); Perumahan Sedang (R-2)",
        "koefisien_dasar_bangunan": 70.0, "koefisien_lantai_bangunan": 3.0,
        "garis_sempadan_bangunan": "tidak diatur", "koefisien_dasar_hijau": 10.0,
        "persyaratan_pelaksanaan_kegiatan": ["Kajian lalu lintas", "Sumur resapan"],
        "persetujuan": "disetujui sebagian: sebagian lahan di sempadan sungai",
        "koordinat_batas_bidang": [{"no": 1, "lat": -10.1, "lon": 123.6, "x": 1.0, "y": 2.0},
                                   {"no": 2, "lat": -10.1, "lon": 123.601, "x": 3.0, "y": 2.0}],
        "nomor_pertek": "PTP/12/2026", "nomor_perda_rtr": "Perda Kota Kupang 1/2026",
    }  # fmt: skip
    ev = event(
        "kkpr.final",
        "izin_final",
        {**OFFICER, "kd_status": "50", "keterangan": "Disetujui sebagian", "data_teknis": teknis},
    )
    sent = message(ev, LINK, APP, None, settings)
    assert sent.call == messages.RECEIVE_LICENSE_KKPR
    assert (
        '"koefisien_dasar_bangunan": 70.00' in sent.body
        and '"koefisien_lantai_bangunan": 3.00' in sent.body
    )
    out = json.loads(sent.body)["IZINFINALKKPR"]["data_teknis"]
    assert out["luas"] == "4200.50" and out["persetujuan"] == "disetujui sebagian"
    assert out["jenis_peruntukan"] == "K-1, R-2"  # OSS's string(10) takes the codes
    assert out["persyaratan_pelaksanaan_kegiatan"] == "Kajian lalu lintas; Sumur resapan"
    assert "garis_sempadan_bangunan" not in out  # the plan sets none: not sent as a number
    assert json.loads(out["koordinat_batas_bidang"])[1] == {
        "serial": 2,
        "lat_lng": "-10.1000000, 123.6010000",
    }
    assert "luas_dimohon" not in out and out["nomor_pertek"] == "PTP/12/2026"
    messages.check_outbound(messages.RECEIVE_LICENSE_KKPR, json.loads(sent.body))


def test_what_does_not_fit_is_refused_by_field(settings: Settings) -> None:
    ev = event(
        "kkpr.status", "izin_status", {**OFFICER, "kd_status": "20", "nama_status": "N" * 51}
    )
    with pytest.raises(OssValueError, match=r"IZINSTATUS\.nama_status"):
        message(ev, LINK, APP, None, settings)
    long_use = event("kkpr.final", "izin_final", {**OFFICER, "kd_status": "50",
                     "data_teknis": {"luas": 1.0, "persetujuan": "disetujui seluruhnya",
                                     "jenis_peruntukan": "Sarana (SPU-1-2-3); Taman (RTH-2-b)"}})  # fmt: skip
    with pytest.raises(OssValueError, match="jenis_peruntukan"):
        message(long_use, LINK, APP, None, settings)
