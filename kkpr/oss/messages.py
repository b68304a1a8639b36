"""The three KKPR calls of OSS-RBA's PIA, their bodies and their answers.

* ``receiveNIBKKPR`` (OSS → us, header ``Token``): ``{"dataNIB": {...}}``. Read by
  ``applications_of`` into one ``KkprApplication`` per project; answered with
  ``{"responreceiveNIBKKPR": {"status": "1"|"2", "keterangan": ...}}``.
* ``receiveLicenseStatus`` (us → OSS, header ``user_key``): ``{"IZINSTATUS": {...}}``,
  answered ``{"responreceiveLicenseStatus": {"kode": "200", "keterangan": ...}}``.
* ``receiveLicenseKKPR`` (us → OSS, header ``user_key``): ``{"IZINFINALKKPR": {...}}``
  with ``data_teknis``, answered ``{"responreceiveLicenseKKPR": {"kode", "keterangan"}}``.

Field types and lengths are those of the PIA (``src/endpoint.js`` of
``oss-rba/oss-rba.github.io``); the same tables check what we send, what we receive,
and, in the simulator, what OSS would receive.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, NotRequired, cast

from shapely.geometry import Polygon
from typing_extensions import TypedDict

from kkpr.oss.fields import (
    Choice,
    Code,
    Day,
    Flag,
    Moment,
    Number,
    OssValueError,
    Spec,
    Text,
    build,
    check_list,
    check_object,
    to_json,
)
from kkpr.oss.polygon import ring_from_vertices, site_geojson

RECEIVE_NIB_KKPR = "receiveNIBKKPR"
RECEIVE_LICENSE_STATUS = "receiveLicenseStatus"
RECEIVE_LICENSE_KKPR = "receiveLicenseKKPR"
OUTBOUND_CALLS = (RECEIVE_LICENSE_STATUS, RECEIVE_LICENSE_KKPR)
ROOTS = {
    RECEIVE_NIB_KKPR: "dataNIB",
    RECEIVE_LICENSE_STATUS: "IZINSTATUS",
    RECEIVE_LICENSE_KKPR: "IZINFINALKKPR",
}

# Lampiran 9: the answer codes of OSS's services
RESPONSE_CODES = {
    "200": "Sukses",
    "400": "Data Parameter Salah",
    "401": "User Akses Tidak Valid",
    "403": "Ilegal Inquery / Akses",
    "404": "Akses Service Tidak Ditemukan",
    "405": "Akses Service Ditolak",
    "500": "Proses Payload Data Gagal",
    "504": "Proses Payload Data Timeout",
}
AREA_UNITS = {"01": ("m²", Decimal(1)), "02": ("ha", Decimal(10_000))}  # Lampiran 17
STATUS_TANAH = ("01", "02", "03")  # Lampiran 5: sewa, milik sendiri, pinjam pakai
PERSETUJUAN = ("disetujui seluruhnya", "disetujui sebagian", "ditolak seluruhnya")
QUANTITY = Number(12, 2)  # number(10) in the PIA; up to two decimals are accepted

DATA_NIB = (
    Spec("nib", Text(13), True),
    Spec("oss_id", Text(25), True),
    Spec("id_izin", Text(25), True),
    Spec("kd_izin", Text(12), True),
    Spec("kd_daerah", Text(10), True),
    Spec("kewenangan", Code(2)),
    Spec("jenis_pelaku_usaha", Code(2)),
    Spec("status_penanaman_modal", Code(2)),
    Spec("npwp_perseroan", Text(15)),
    Spec("nama_perseroan", Text(255)),
    Spec("flag_umk", Flag()),
    Spec("skala_usaha", Text(10)),
    Spec("tgl_terkirim_oss", Text(19)),
    Spec("versi_pia", Text(5)),
)
DATA_PROYEK = (
    Spec("id_proyek", Text(25), True),
    Spec("nomor_proyek", Text(26)),
    Spec("uraian_usaha", Text(255)),
    Spec("kbli", Text(7), True),
    Spec("nama_kegiatan", Text(255)),
    Spec("memiliki_menguasai", Flag()),
    Spec("status_tanah", Code(2, STATUS_TANAH)),
    Spec("luas_tanah", QUANTITY, True),
    Spec("satuan_luas_tanah", Code(2, tuple(AREA_UNITS)), True),
    Spec("jumlah_lantai_bangunan", Number(10), True),
    Spec("luas_lantai_bangunan", QUANTITY, True),
    Spec("flag_psn", Flag()),
    Spec("nama_perairan", Text(255)),
    Spec("kedalaman", QUANTITY),
    Spec("skala_usaha", Text(10)),
    Spec("flag_multi_kbli", Flag()),
    Spec("id_proyek_utama", Text(25)),
)
DATA_LOKASI = (
    Spec("id_proyek_lokasi", Text(25)),
    Spec("proyek_daerah_id", Text(10)),
    Spec("kd_kawasan", Text(3)),
    Spec("alamat_usaha", Text(65535)),
    Spec("id_kegiatan", Text(6)),
    Spec("response_kegiatan", Text(255)),
    Spec("jenis_kawasan", Code(2)),
    Spec("jenis_lokasi", Code(2)),
    Spec("status_lokasi", Code(2)),
)
DATA_CHECKLIST = (
    Spec("id_produk", Text(25)),
    Spec("id_proyek", Text(25)),
    Spec("id_izin", Text(25)),
    Spec("jenis_izin", Text(3)),
    Spec("kd_izin", Text(13)),
    Spec("kd_daerah", Text(10)),
    Spec("nama_izin", Text(255)),
    Spec("instansi", Text(100)),
    Spec("kewenangan", Code(2)),
)
IZIN_STATUS = (
    Spec("nib", Text(13), True),
    Spec("id_produk", Text(25)),
    Spec("id_proyek", Text(25), True),
    Spec("oss_id", Text(25), True),
    Spec("id_izin", Text(25), True),
    Spec("kd_izin", Text(12), True),
    Spec("kd_instansi", Text(3)),
    Spec("kd_status", Code(2), True),
    Spec("tgl_status", Moment(), True),
    Spec("nip_status", Text(50), True),
    Spec("nama_status", Text(50), True),
    Spec("keterangan", Text(65535), True),
    Spec("file_lampiran", Text(65535)),
)
DATA_PNBP = (
    Spec("kd_akun", Text(20)),
    Spec("kd_penerimaan", Text(20)),
    Spec("kd_billing", Text(50), True),
    Spec("tgl_billing", Day(), True),
    Spec("tgl_expire", Day(), True),
    Spec("nominal", Number(20), True),
    Spec("url_dokumen", Text(255)),
)
IZIN_FINAL_KKPR = (
    Spec("id_proyek", Text(25), True),
    Spec("oss_id", Text(25), True),
    Spec("id_izin", Text(25), True),
    Spec("kd_izin", Text(12), True),
    Spec("kd_status", Code(2), True),
    Spec("tgl_status", Moment(), True),
    Spec("nip_status", Text(50), True),
    Spec("nama_status", Text(50), True),
    Spec("keterangan", Text(65535), True),
)
DATA_TEKNIS = (
    Spec("luas", Text(20), True),
    Spec("jenis_peruntukan", Text(10)),
    Spec("koefisien_dasar_bangunan", Number(20, 2)),
    Spec("koefisien_lantai_bangunan", Number(20, 2)),
    Spec("indikasi_program_pemanfaatan_ruang", Text(255)),
    Spec("persyaratan_pelaksanaan_kegiatan", Text(255)),
    Spec("garis_sempadan_bangunan", Number(20, 2)),
    Spec("jarak_bebas_bangunan", Number(20, 2)),
    Spec("koefisien_dasar_hijau", Number(20, 2)),
    Spec("jaringan_utilitas_kota", Number(20, 2)),
    Spec("persetujuan", Choice(20, PERSETUJUAN), True),
    Spec("url_peta", Text(65535)),
    Spec("url_keterangan_peta", Text(65535)),
    Spec("ketentuan_umum", Text(255)),
    Spec("koordinat_batas_bidang", Text(65535)),
    Spec("nomor_pertek", Text(50)),
    Spec("nomor_perda_rtr", Text(255)),
    Spec("nama_perairan", Text(255)),
    Spec("kedalaman", Number(20, 2)),
)


# What we send, as ``build`` gives it from the tables above: a field the table requires is
# always there, any other only when it has a value; a Number is a Decimal, every other kind
# a str. tests/oss/test_messages.py holds each type to its table.


class DataPnbp(TypedDict):
    kd_akun: NotRequired[str]
    kd_penerimaan: NotRequired[str]
    kd_billing: str
    tgl_billing: str  # YYYY-MM-DD
    tgl_expire: str
    nominal: Decimal  # rupiah
    url_dokumen: NotRequired[str]


class IzinStatusBody(TypedDict):
    """``IZINSTATUS``: one status change of a KKPR application."""

    nib: str
    id_produk: NotRequired[str]
    id_proyek: str
    oss_id: str
    id_izin: str
    kd_izin: str
    kd_instansi: NotRequired[str]
    kd_status: str
    tgl_status: str  # YYYY-MM-DD HH:MM:SS, office time
    nip_status: str
    nama_status: str
    keterangan: str
    file_lampiran: NotRequired[str]
    data_pnbp: NotRequired[DataPnbp]


class DataTeknisOss(TypedDict):
    """``data_teknis`` of the final decision, in OSS's fields."""

    luas: str
    jenis_peruntukan: NotRequired[str]
    koefisien_dasar_bangunan: NotRequired[Decimal]
    koefisien_lantai_bangunan: NotRequired[Decimal]
    indikasi_program_pemanfaatan_ruang: NotRequired[str]
    persyaratan_pelaksanaan_kegiatan: NotRequired[str]
    garis_sempadan_bangunan: NotRequired[Decimal]
    jarak_bebas_bangunan: NotRequired[Decimal]
    koefisien_dasar_hijau: NotRequired[Decimal]
    jaringan_utilitas_kota: NotRequired[Decimal]
    persetujuan: str  # one of PERSETUJUAN
    url_peta: NotRequired[str]
    url_keterangan_peta: NotRequired[str]
    ketentuan_umum: NotRequired[str]
    koordinat_batas_bidang: NotRequired[str]  # JSON text of [{serial, lat_lng}]
    nomor_pertek: NotRequired[str]
    nomor_perda_rtr: NotRequired[str]
    nama_perairan: NotRequired[str]
    kedalaman: NotRequired[Decimal]


class IzinFinalBody(TypedDict):
    """``IZINFINALKKPR``: the final decision with its technical data."""

    id_proyek: str
    oss_id: str
    id_izin: str
    kd_izin: str
    kd_status: str
    tgl_status: str
    nip_status: str
    nama_status: str
    keterangan: str
    data_teknis: DataTeknisOss


class LicenseStatus(TypedDict):
    """The body of ``receiveLicenseStatus``."""

    IZINSTATUS: IzinStatusBody


class LicenseKkpr(TypedDict):
    """The body of ``receiveLicenseKKPR``."""

    IZINFINALKKPR: IzinFinalBody


class NibAnswerBody(TypedDict):
    status: str  # 1 accepted, 2 refused
    keterangan: str


class NibAnswer(TypedDict):
    """Our answer to ``receiveNIBKKPR``."""

    responreceiveNIBKKPR: NibAnswerBody


class LicenseAnswer(TypedDict):
    """OSS's answer to one of our calls, under ``respon<call>`` (``license_answer``)."""

    kode: str  # Lampiran 9
    keterangan: str
    dataNIB: dict[str, Any]


# ---------------------------------------------------------------- inbound


@dataclass(frozen=True)
class KkprApplication:
    """One project of a ``receiveNIBKKPR``: the KKPR application it opens here."""

    nib: str
    oss_id: str
    id_izin: str
    id_proyek: str
    kd_izin: str
    kd_daerah: str
    kbli: str
    luas_tanah: Decimal
    satuan_luas_tanah: str
    jumlah_lantai_bangunan: int
    luas_lantai_bangunan: Decimal
    site: dict[str, Any]  # GeoJSON geometry, longitude/latitude (EPSG:4326)
    nama_perseroan: str | None = None
    nama_kegiatan: str | None = None
    uraian_usaha: str | None = None
    kewenangan: str | None = None
    skala_usaha: str | None = None
    status_penanaman_modal: str | None = None
    jenis_pelaku_usaha: str | None = None
    npwp_perseroan: str | None = None
    flag_umk: str | None = None
    memiliki_menguasai: str | None = None
    status_tanah: str | None = None
    flag_psn: str | None = None
    nama_perairan: str | None = None
    kedalaman: Decimal | None = None
    alamat_usaha: str | None = None
    id_kegiatan: str | None = None
    response_kegiatan: str | None = None
    jenis_lokasi: str | None = None
    proyek_daerah_id: str | None = None

    @property
    def land_area_m2(self) -> float:
        """``luas_tanah`` in square metres (``satuan_luas_tanah`` 01 m², 02 ha)."""
        return float(self.luas_tanah * AREA_UNITS[self.satuan_luas_tanah][1])

    def to_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}


def _root(body: Any, call: str) -> Any:
    root = ROOTS[call]
    if not isinstance(body, Mapping) or root not in body:
        raise OssValueError(
            f'badan permintaan harus {{"{root}": {{...}}}}',
            f'the body must be {{"{root}": {{...}}}}',
            where=root,
            hint_id=f"Lihat contoh {call} di docs/oss.md",
            hint_en=f"See the {call} example in docs/oss.md",
        )
    return body[root]


def _id_izin_of(nib: dict[str, Any], project: str, checklist: list[dict[str, Any]], n: int) -> str:
    """This project's permit request id: its KKPR entry of ``data_checklist``, else the
    request's own ``id_izin`` when it carries a single project."""
    own = [c for c in checklist if c.get("id_proyek") == project and c.get("id_izin")]
    kkpr = [c for c in own if c.get("kd_izin") == nib["kd_izin"]] or own
    if len(kkpr) == 1:
        return str(kkpr[0]["id_izin"])
    if n == 1:
        return str(nib["id_izin"])
    raise OssValueError(
        f"proyek {project}: id_izin-nya tidak dapat ditentukan dari data_checklist",
        f"project {project}: its id_izin cannot be told from data_checklist",
        where="dataNIB.data_checklist",
        hint_id="Untuk beberapa proyek, beri setiap proyek satu entri data_checklist "
        "dengan id_proyek dan id_izin-nya",
        hint_en="With several projects, give each project one data_checklist entry with "
        "its id_proyek and id_izin",
    )


def applications_of(body: Any) -> list[KkprApplication]:
    """The KKPR applications of a ``receiveNIBKKPR`` body, one per project; any field
    that does not fit its documented type refuses the whole request (nothing is kept)."""
    raw = _root(body, RECEIVE_NIB_KKPR)
    nib = check_object(raw, DATA_NIB, "dataNIB")
    projects = check_list(raw.get("data_proyek"), "dataNIB.data_proyek", required=True)
    checklist = [
        check_object(c, DATA_CHECKLIST, f"dataNIB.data_checklist[{i}]")
        for i, c in enumerate(check_list(raw.get("data_checklist"), "dataNIB.data_checklist"))
    ]
    out: list[KkprApplication] = []
    for i, proj_raw in enumerate(projects):
        path = f"dataNIB.data_proyek[{i}]"
        proj = check_object(proj_raw, DATA_PROYEK, path)
        locations = check_list(
            proj_raw.get("data_lokasi_proyek"), f"{path}.data_lokasi_proyek", required=True
        )
        polygons: list[Polygon] = []
        first: dict[str, Any] = {}
        for j, loc_raw in enumerate(locations):
            lpath = f"{path}.data_lokasi_proyek[{j}]"
            loc = check_object(loc_raw, DATA_LOKASI, lpath)
            first = first or loc
            polygons.append(
                ring_from_vertices(loc_raw.get("data_lokasi_proyek"), f"{lpath}.data_lokasi_proyek")
            )
        out.append(
            KkprApplication(
                nib=nib["nib"],
                oss_id=nib["oss_id"],
                id_izin=_id_izin_of(nib, proj["id_proyek"], checklist, len(projects)),
                id_proyek=proj["id_proyek"],
                kd_izin=nib["kd_izin"],
                kd_daerah=nib["kd_daerah"],
                kbli=proj["kbli"],
                luas_tanah=proj["luas_tanah"],
                satuan_luas_tanah=proj["satuan_luas_tanah"],
                jumlah_lantai_bangunan=int(proj["jumlah_lantai_bangunan"]),
                luas_lantai_bangunan=proj["luas_lantai_bangunan"],
                site=site_geojson(polygons),
                nama_perseroan=nib.get("nama_perseroan"),
                nama_kegiatan=proj.get("nama_kegiatan"),
                uraian_usaha=proj.get("uraian_usaha"),
                kewenangan=nib.get("kewenangan"),
                skala_usaha=proj.get("skala_usaha") or nib.get("skala_usaha"),
                status_penanaman_modal=nib.get("status_penanaman_modal"),
                jenis_pelaku_usaha=nib.get("jenis_pelaku_usaha"),
                npwp_perseroan=nib.get("npwp_perseroan"),
                flag_umk=nib.get("flag_umk"),
                memiliki_menguasai=proj.get("memiliki_menguasai"),
                status_tanah=proj.get("status_tanah"),
                flag_psn=proj.get("flag_psn"),
                nama_perairan=proj.get("nama_perairan"),
                kedalaman=proj.get("kedalaman"),
                alamat_usaha=first.get("alamat_usaha"),
                id_kegiatan=first.get("id_kegiatan"),
                response_kegiatan=first.get("response_kegiatan"),
                jenis_lokasi=first.get("jenis_lokasi"),
                proyek_daerah_id=first.get("proyek_daerah_id"),
            )
        )
    ids = [a.id_izin for a in out]
    if len(set(ids)) != len(ids):
        raise OssValueError(
            "dua proyek memakai id_izin yang sama",
            "two projects share one id_izin",
            where="dataNIB.data_checklist",
            hint_id="Setiap proyek adalah satu permohonan KKPR dengan id_izin sendiri",
            hint_en="Each project is one KKPR application with its own id_izin",
        )
    return out


# ---------------------------------------------------------------- outbound


def izin_status(values: Mapping[str, Any], pnbp: Mapping[str, Any] | None = None) -> LicenseStatus:
    """A checked ``receiveLicenseStatus`` body."""
    body = build(values, IZIN_STATUS, "IZINSTATUS")
    if pnbp is not None:
        body["data_pnbp"] = build(pnbp, DATA_PNBP, "IZINSTATUS.data_pnbp")
    return {"IZINSTATUS": cast("IzinStatusBody", body)}  # the table's shape (see above)


def izin_final_kkpr(values: Mapping[str, Any], teknis: Mapping[str, Any]) -> LicenseKkpr:
    """A checked ``receiveLicenseKKPR`` body."""
    body = build(values, IZIN_FINAL_KKPR, "IZINFINALKKPR")
    body["data_teknis"] = build(teknis, DATA_TEKNIS, "IZINFINALKKPR.data_teknis")
    return {"IZINFINALKKPR": cast("IzinFinalBody", body)}  # the table's shape (see above)


def check_outbound(call: str, body: Any) -> dict[str, Any]:
    """What OSS checks on receipt: the body of ``call`` against the documented shape
    (the simulator runs this); the checked fields, or ``OssValueError``."""
    raw = _root(body, call)
    if call == RECEIVE_LICENSE_STATUS:
        out = check_object(raw, IZIN_STATUS, "IZINSTATUS", empty_is_missing=False)
        if raw.get("data_pnbp") is not None:
            out["data_pnbp"] = check_object(
                raw["data_pnbp"], DATA_PNBP, "IZINSTATUS.data_pnbp", empty_is_missing=False
            )
        return out
    if call == RECEIVE_LICENSE_KKPR:
        out = check_object(raw, IZIN_FINAL_KKPR, "IZINFINALKKPR", empty_is_missing=False)
        out["data_teknis"] = check_object(
            raw.get("data_teknis"), DATA_TEKNIS, "IZINFINALKKPR.data_teknis", empty_is_missing=False
        )
        return out
    raise ValueError(f"not an outbound call: {call}")


def body_text(body: Mapping[str, Any]) -> str:
    """The JSON text sent (numbers with their documented decimals)."""
    return to_json(body)


# ---------------------------------------------------------------- answers


def nib_answer(ok: bool, keterangan: str) -> NibAnswer:
    """``responreceiveNIBKKPR``: status ``1`` (true) or ``2`` (false)."""
    return {"responreceiveNIBKKPR": {"status": "1" if ok else "2", "keterangan": keterangan[:255]}}


def license_answer(call: str, kode: str, keterangan: str) -> dict[str, LicenseAnswer]:
    """``respon<call>`` with ``kode`` (Lampiran 9) as OSS answers it."""
    return {f"respon{call}": {"kode": kode, "keterangan": keterangan[:255], "dataNIB": {}}}


def answer_accepted(call: str, status: int, text: str) -> tuple[bool, str]:
    """Whether OSS took ``call``: HTTP 200 and ``respon<call>.kode`` 200; and what it said."""
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = None
    inner = None
    if isinstance(data, dict):
        for key, value in data.items():  # the PIA writes one key with a trailing space
            if key.strip() == f"respon{call}" and isinstance(value, dict):
                inner = value
    if inner is None:
        return False, f"HTTP {status}: {text[:300]!r}"
    kode = str(inner.get("kode", "")).strip()
    said = f"HTTP {status} kode {kode}: {inner.get('keterangan', '')}"
    return status == 200 and kode == "200", said[:500]
