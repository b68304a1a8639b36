"""The KKPR calls' bodies: a receiveNIBKKPR read into applications, statuses and the
decision built in OSS's types, and answers read as OSS gives them."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest

from kkpr.oss import messages
from kkpr.oss.fields import OssValueError
from kkpr.oss.simulator import application_body
from kkpr.oss.status import KD_STATUS, call_of, mapping_rows

SITE = {
    "type": "Polygon",
    "coordinates": [[[123.6061293, -10.1665151], [123.6061288, -10.1662618],
                     [123.6058732, -10.1662623], [123.6058737, -10.1665155],
                     [123.6061293, -10.1665151]]],
}  # fmt: skip


def body(**kw: Any) -> dict[str, Any]:
    return application_body(SITE, "47111", id_izin="I-1", **kw)


def test_one_application_per_project_with_its_identifiers_and_figures() -> None:
    [app] = messages.applications_of(body(luas_tanah=0.08, satuan_luas_tanah="02", jumlah_lantai=2))
    assert (app.nib, app.id_izin, app.id_proyek, app.kd_izin) == (
        "9120001234567",
        "I-1",
        "R-I-1",
        "000000000001",
    )
    assert app.land_area_m2 == pytest.approx(800.0)  # 0.08 ha
    assert app.jumlah_lantai_bangunan == 2 and app.site["type"] == "Polygon"
    assert app.status_penanaman_modal == "02" and app.skala_usaha == "01"


def test_two_projects_take_their_id_izin_from_the_checklist() -> None:
    b = body()
    second = copy.deepcopy(b["dataNIB"]["data_proyek"][0]) | {"id_proyek": "R-2"}
    b["dataNIB"]["data_proyek"].append(second)
    with pytest.raises(OssValueError, match="id_izin cannot be told"):
        messages.applications_of(b)
    b["dataNIB"]["data_checklist"].append(
        {"id_proyek": "R-2", "id_izin": "I-2", "kd_izin": "000000000001"}
    )
    assert [a.id_izin for a in messages.applications_of(b)] == ["I-1", "I-2"]


@pytest.mark.parametrize(
    ("path", "value", "said"),
    [
        (("nib",), "1" * 14, "at most 13"),
        (("id_izin",), "", "is required"),
        (("data_proyek", 0, "satuan_luas_tanah"), "03", "not one of 01, 02"),
        (("data_proyek", 0, "jumlah_lantai_bangunan"), "dua", "not a number"),
        (("data_proyek", 0, "flag_psn"), "Ya", "not 'Ya'"),
        (("data_proyek", 0, "data_lokasi_proyek"), [], "must not be empty"),
    ],
)
def test_a_field_that_does_not_fit_refuses_the_request(
    path: tuple[Any, ...], value: Any, said: str
) -> None:
    b = body()
    target = b["dataNIB"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(OssValueError) as caught:
        messages.applications_of(b)
    assert said in caught.value.message_en
    assert caught.value.where.startswith("dataNIB")


def test_outbound_bodies_are_checked_and_written_with_their_decimals() -> None:
    ids = {"id_proyek": "R-1", "oss_id": "P-1", "id_izin": "I-1", "kd_izin": "000000000001",
           "tgl_status": "2026-03-17 09:00:00", "nip_status": "1987", "nama_status": "Siti",
           "keterangan": "Disetujui"}  # fmt: skip
    final = messages.izin_final_kkpr(
        {**ids, "kd_status": "50"},
        {"luas": "784.05", "persetujuan": "disetujui seluruhnya", "koefisien_dasar_bangunan": Decimal("80"),
         "koefisien_lantai_bangunan": Decimal("6.4")},
    )  # fmt: skip
    text = messages.body_text(final)
    assert (
        '"koefisien_dasar_bangunan": 80.00' in text and '"koefisien_lantai_bangunan": 6.40' in text
    )
    assert messages.check_outbound(messages.RECEIVE_LICENSE_KKPR, json.loads(text))
    with pytest.raises(OssValueError, match="persetujuan"):
        messages.izin_final_kkpr({**ids, "kd_status": "50"}, {"luas": "1", "persetujuan": "setuju"})
    with pytest.raises(OssValueError, match="nama_status"):
        messages.izin_status({**ids, "nib": "1", "kd_status": "20", "nama_status": "N" * 51})
    status = messages.izin_status(
        {**ids, "nib": "9120001234567", "kd_status": "30"},
        {"kd_billing": "820260317001", "tgl_billing": "2026-03-17", "tgl_expire": "2026-03-24",
         "nominal": 1500000},
    )  # fmt: skip
    assert '"nominal": 1500000' in messages.body_text(status)


def test_answers_are_read_as_oss_writes_them() -> None:
    call = messages.RECEIVE_LICENSE_KKPR
    ok = json.dumps({"responreceiveLicenseKKPR ": {"kode": 200, "keterangan": "Sukses"}})
    assert messages.answer_accepted(call, 200, ok)[0]  # the PIA's key has a trailing space
    refused = json.dumps(
        {"responreceiveLicenseKKPR": {"kode": "400", "keterangan": "Data izin tidak ditemukan"}}
    )
    accepted, said = messages.answer_accepted(call, 200, refused)
    assert not accepted and "Data izin tidak ditemukan" in said
    assert not messages.answer_accepted(call, 502, "<html>Bad gateway</html>")[0]


def test_the_status_table_uses_documented_codes() -> None:
    rows = mapping_rows()
    assert rows and all(kd in KD_STATUS for _e, kd, _s, _c in rows)
    assert call_of("50") == call_of("90") == messages.RECEIVE_LICENSE_KKPR
    assert call_of("20") == messages.RECEIVE_LICENSE_STATUS
