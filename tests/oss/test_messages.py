"""The KKPR calls' bodies: a receiveNIBKKPR read into applications, statuses and the
decision built in OSS's types, and answers read as OSS gives them."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest
from typing_extensions import get_type_hints

from kkpr.oss import messages
from kkpr.oss.fields import Choice, Code, Day, Flag, Moment, Number, OssValueError, Spec
from kkpr.oss.simulator import application_body
from kkpr.oss.status import KD_STATUS, call_of, mapping_rows
from tests.typed import required, shape_errors

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


# the types of what we send, each held to its table: the same fields, required where OSS
# requires them, a Number a Decimal and every other kind a str
BODIES: list[tuple[type, tuple[Spec, ...], dict[str, type]]] = [
    (messages.IzinStatusBody, messages.IZIN_STATUS, {"data_pnbp": messages.DataPnbp}),
    (messages.DataPnbp, messages.DATA_PNBP, {}),
    (messages.IzinFinalBody, messages.IZIN_FINAL_KKPR, {"data_teknis": messages.DataTeknisOss}),
    (messages.DataTeknisOss, messages.DATA_TEKNIS, {}),
]


def test_each_body_type_is_its_table() -> None:
    for typed, specs, nested in BODIES:
        hints = get_type_hints(typed)
        assert list(hints) == [s.name for s in specs] + list(nested), typed.__name__
        assert required(typed) == {s.name for s in specs if s.required} | (
            {"data_teknis"} if "data_teknis" in nested else set()
        ), typed.__name__
        for s in specs:
            assert hints[s.name] is (Decimal if isinstance(s.kind, Number) else str), s.name
        assert all(hints[k] is t for k, t in nested.items())


def test_the_bodies_built_are_their_types() -> None:
    ids = {"id_proyek": "R-1", "oss_id": "P-1", "id_izin": "I-1", "kd_izin": "000000000001",
           "tgl_status": "2026-03-17 09:00:00", "nip_status": "1987", "nama_status": "Siti",
           "keterangan": "Disetujui"}  # fmt: skip
    every = {s.name: example(s) for s in messages.DATA_TEKNIS}
    for teknis in (every, {"luas": "1.00", "persetujuan": "ditolak seluruhnya"}):
        final = messages.izin_final_kkpr({**ids, "kd_status": "50"}, teknis)
        assert shape_errors(final, messages.LicenseKkpr) == []
        assert set(final["IZINFINALKKPR"]["data_teknis"]) == set(teknis)
    pnbp = {s.name: example(s) for s in messages.DATA_PNBP}
    status = messages.izin_status({**ids, "nib": "9120001234567", "kd_status": "30"}, pnbp)
    assert shape_errors(status, messages.LicenseStatus) == []
    bare = messages.izin_status({**ids, "nib": "9120001234567", "kd_status": "10"})
    assert shape_errors(bare, messages.LicenseStatus) == []
    assert "data_pnbp" not in bare["IZINSTATUS"]
    assert shape_errors(messages.nib_answer(True, "ok"), messages.NibAnswer) == []
    answer = messages.license_answer(messages.RECEIVE_LICENSE_KKPR, "200", "Sukses")
    assert shape_errors(answer, dict[str, messages.LicenseAnswer]) == []
    assert list(answer) == ["responreceiveLicenseKKPR"]


def example(spec: Spec) -> Any:
    """A value that fits ``spec``'s kind."""
    kind = spec.kind
    if isinstance(kind, Number):
        return Decimal("12.5") if kind.scale else Decimal(3)
    if isinstance(kind, Choice):
        return kind.allowed[0]
    if isinstance(kind, Code):
        return kind.allowed[0] if kind.allowed else "01"
    if isinstance(kind, Day):
        return "2026-03-17"
    if isinstance(kind, Moment):
        return "2026-03-17 09:00:00"
    if isinstance(kind, Flag):
        return "Y"
    return "x"
