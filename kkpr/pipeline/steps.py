"""What each PKKPR step must carry, checked before anything is written.

``prepare`` turns a step's input into what the transition records (``keterangan`` and
``data``) and what the case keeps (its missing items, its bill, its Pertek, its FPR
assessment). A step without what it must carry raises ``StepError`` (422) and
changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from kkpr.db.database import Row
from kkpr.errors import Conflict, InvalidInput
from kkpr.pipeline import pnbp
from kkpr.pipeline.db import dumps, loads
from kkpr.pipeline.statuses import ACTIONS, Action, State
from kkpr.settings import Settings

# the fields a step must carry in its data
REQUIRED: dict[Action, tuple[str, ...]] = {
    Action.KEMBALIKAN: ("missing",),
    Action.TAGIH: ("kd_billing", "tgl_expire"),
    Action.UNGGAH_BUKTI: ("file",),
    Action.PERIKSA_LAPANGAN: ("tanggal",),
    Action.PERTEK: ("nomor", "tanggal", "file"),
    Action.FPR: ("anggota", "tanggal", "berita_acara", "rekomendasi"),
}
DATES = ("tanggal", "tgl_expire")


class StepError(InvalidInput):
    kind = "step-invalid"


def _missing(field: str, action: Action) -> StepError:
    return StepError(
        f"Langkah {action} harus memuat {field}",
        f"Action {action} must carry {field}",
        where=f"data.{field}",
        hint_id=f"Isi {field}: wajib untuk langkah ini",
        hint_en=f"Fill in {field}: this step requires it",
    )


def prepare(
    action: Action,
    keterangan: str | None,
    data: dict[str, Any],
    case: Row,
    area_m2: float | None,
    settings: Settings,
    now: datetime,
) -> tuple[str | None, dict[str, Any], dict[str, Any]]:
    """``(keterangan, data, case updates)`` of a step, or StepError / Conflict."""
    if ACTIONS[action].reason_required and not (keterangan or "").strip():
        raise StepError(
            f"Langkah {action} harus memuat alasan (keterangan)",
            f"Action {action} must give its reason (keterangan)",
            where="keterangan",
        )
    for name in REQUIRED.get(action, ()):
        value = data.get(name)
        if value is None or value == "" or value == []:
            raise _missing(name, action)
    for name in DATES:
        if name in data:
            try:
                date.fromisoformat(str(data[name]))
            except ValueError as exc:
                raise StepError(
                    f"{name} bukan tanggal (YYYY-MM-DD): {data[name]!r}",
                    f"{name} is not a date (YYYY-MM-DD): {data[name]!r}",
                    where=f"data.{name}",
                ) from exc
    updates: dict[str, Any] = {}
    if action == Action.KEMBALIKAN:
        items = [str(i) for i in data["missing"] if str(i).strip()]
        if not items:
            raise _missing("missing", action)
        data = {**data, "missing": items}
        updates["missing"] = dumps(items)
    elif action == Action.PERBAIKI:
        updates["missing"] = dumps([])
    elif action == Action.TAGIH:
        estimate = pnbp.estimate(area_m2, case["purpose"], settings)
        bill = {
            "kd_akun": data.get("kd_akun"),
            "kd_penerimaan": data.get("kd_penerimaan"),
            "kd_billing": str(data["kd_billing"]),
            "tgl_billing": now.strftime("%Y-%m-%d"),
            "tgl_expire": str(data["tgl_expire"]),
            "nominal": float(data.get("nominal") or estimate["nominal"]),
            "url_dokumen": data.get("url_dokumen"),
        }
        data = {"data_pnbp": bill, "estimate": estimate}
        updates["pnbp"] = dumps({**bill, "estimate": estimate})
    elif action == Action.UNGGAH_BUKTI:
        bill = loads(case["pnbp"]) or {}
        updates["pnbp"] = dumps({**bill, "bukti_bayar": data["file"]})
    elif action == Action.SETUJUI_BAYAR:
        bill = loads(case["pnbp"]) or {}
        if not bill.get("bukti_bayar"):
            raise Conflict(
                "Bukti bayar belum diunggah: pembayaran belum dapat disetujui",
                "No proof of payment has been uploaded: the payment cannot be approved",
                where="action",
                hint_id="Tunggu pemohon mengunggah bukti bayar",
                hint_en="Wait for the applicant to upload the proof of payment",
            )
    elif action == Action.TOLAK_BUKTI:
        bill = loads(case["pnbp"]) or {}
        bill.pop("bukti_bayar", None)
        updates["pnbp"] = dumps(bill)
    elif action == Action.PERTEK:
        updates["pertek"] = dumps({k: data[k] for k in ("nomor", "tanggal", "file")})
    elif action == Action.FPR:
        members = data["anggota"]
        if not isinstance(members, list) or not all(str(m).strip() for m in members):
            raise _missing("anggota", action)
        updates["fpr"] = dumps(
            {k: data[k] for k in ("anggota", "tanggal", "berita_acara", "rekomendasi")}
        )
    return keterangan, data, updates


def needs_fpr(case: Row, settings: Settings) -> None:
    """A decision comes after the Pertek (state 45) and, when required, the FPR."""
    if (
        settings.pkkpr_fpr_required
        and not case["fpr"]
        and case["step"] == State.PERTIMBANGAN_TEKNIS
    ):
        raise Conflict(
            "Penilaian Forum Penataan Ruang belum dicatat: keputusan belum dapat diambil",
            "The spatial-planning forum's assessment is not recorded: no decision yet",
            where="action",
            hint_id="Catat penilaian FPR (anggota, tanggal, berita acara, rekomendasi) dulu",
            hint_en="Record the FPR assessment (members, date, minutes, recommendation) first",
        )
