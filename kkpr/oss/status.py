"""OSS's permit status codes (``kd_status``, PIA Lampiran 10) and which event sends which.

``KD_STATUS`` holds the codes a KKPR uses. ``kd_status_of`` reads an outbox event:
an event that carries its own ``kd_status`` (the PKKPR state machine writes it) is sent
with that code; the events of the plain KKPR stage map as ``EVENT_STATUS`` says. A
final code goes to OSS as ``receiveLicenseKKPR`` (with ``data_teknis``), any other as
``receiveLicenseStatus``.
"""

from __future__ import annotations

from typing import Any

from kkpr.oss.messages import RECEIVE_LICENSE_KKPR, RECEIVE_LICENSE_STATUS

KD_STATUS = {
    "09": "Telah Melengkapi Persyaratan",
    "10": "Dokumen Lengkap",
    "11": "Dokumen Belum Lengkap",
    "20": "Validasi",
    "30": "Verifikasi Pembayaran",
    "31": "Konfirmasi Pembayaran",
    "32": "Menunggu Verifikasi Bukti Bayar PNBP",
    "33": "Persetujuan Pembayaran",
    "34": "Perbaikan Konfirmasi Pembayaran",
    "40": "Inspeksi",
    "41": "Konfirmasi Persyaratan (SLA berhenti)",
    "42": "Data Konfirmasi Persyaratan (SLA berjalan lagi)",
    "43": "Re-Konfirmasi Persyaratan (SLA berhenti, kembali ke awal)",
    "44": "Data Re-Konfirmasi Persyaratan (SLA dari awal)",
    "45": "Persyaratan terverifikasi",
    "50": "Disetujui",
    "57": "Disetujui otomatis oleh OSS (fiktif positif)",
    "90": "Ditolak",
    "93": "Penolakan Persyaratan",
}
FINAL = {"50": "disetujui seluruhnya", "57": "disetujui seluruhnya", "90": "ditolak seluruhnya"}

# (event type, KKPR stage or None for any) -> kd_status, for events without their own code
EVENT_STATUS: dict[tuple[str, str | None], str] = {
    ("application.submitted", None): "10",
    ("review.opened", None): "20",
    ("stage.completed", "KKPR"): "50",
    ("stage.rejected", "KKPR"): "90",
}


def kd_status_of(event: dict[str, Any]) -> str | None:
    """The ``kd_status`` an outbox event reports to OSS, or None (not OSS's business)."""
    data = event.get("data") or {}
    if data.get("kd_status"):
        return str(data["kd_status"])
    stage = data.get("stage")
    return EVENT_STATUS.get((event["type"], stage)) or EVENT_STATUS.get((event["type"], None))


def call_of(kd_status: str) -> str:
    """The OSS call that carries ``kd_status``."""
    return RECEIVE_LICENSE_KKPR if kd_status in FINAL else RECEIVE_LICENSE_STATUS


def mapping_rows() -> list[tuple[str, str, str, str]]:
    """``(event, kd_status, status, call)``: the table docs/oss.md shows."""
    return [
        (f"{etype}" + (f" ({stage})" if stage else ""), kd, KD_STATUS[kd], call_of(kd))
        for (etype, stage), kd in EVENT_STATUS.items()
    ]
