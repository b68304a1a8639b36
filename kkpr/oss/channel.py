"""The OSS channel of the outbox: which events of an OSS application go to OSS, and as what.

An event of an application that came from OSS (``oss_applications``) and that has a
``kd_status`` (``kkpr.oss.status``) is queued, in the event's own transaction, as a
delivery to the ``oss`` subscription: the outbox's ordering, retries, leases and
"send again" then apply to it as to any webhook. What is sent is rendered from the
stored event, the OSS identifiers and the application when the delivery is made:
the same bytes on every attempt (the event and identifiers never change), and a value
that does not fit OSS's types is a clear error on that delivery, never a cut value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kkpr.db.database import Database, Row, Tx
from kkpr.db.sql import sql
from kkpr.oss import messages
from kkpr.oss.fields import Number, Spec, oss_time
from kkpr.oss.polygon import vertices_of
from kkpr.oss.status import FINAL, KD_STATUS, PAYLOAD, call_for, kd_status_of
from kkpr.pipeline.db import iso, loads, parse_iso
from kkpr.pipeline.documents import verify_url
from kkpr.pipeline.technical import road_setbacks
from kkpr.settings import Settings

if TYPE_CHECKING:  # the outbox queues its events here at run time
    from kkpr.pipeline.outbox import OutboxEvent

SUBSCRIPTION_ID = "oss"
ZONE_CODE = re.compile(r"\(([^()]+)\)\s*$")


@dataclass(frozen=True)
class Message:
    call: str
    body: str  # JSON text, as sent


def ensure_subscription(tx: Tx, now: datetime) -> None:
    """The ``oss`` subscription: no event pattern of its own (only ``queue`` feeds it)."""
    tx.execute(
        sql(
            "INSERT INTO subscriptions (id, url, secret, events, description, active, created_at,"
            " created_by) VALUES ({}, 'oss:', '', '[]', 'OSS-RBA host to host', 1, {}, 'kkpr')"
            " ON CONFLICT (id) DO NOTHING"
        ),
        (SUBSCRIPTION_ID, iso(now)),
    )


def _link(tx: Tx, application_id: str) -> Row | None:
    return tx.one(
        sql(
            "SELECT o.* FROM oss_applications o JOIN applications a"
            " ON a.external_ref = o.external_ref WHERE a.id = {}"
        ),
        (application_id,),
    )


def queue(tx: Tx, event: OutboxEvent, now: datetime) -> None:
    """Queue ``event`` for OSS when its application came from OSS and it has a status."""
    if kd_status_of(event) is None or _link(tx, event["application_id"]) is None:
        return
    ensure_subscription(tx, now)
    tx.execute(
        sql(
            "INSERT INTO deliveries (event_id, subscription_id, application_id, seq, status,"
            " attempts, next_attempt_at, created_at) VALUES ({}, {}, {}, {}, 'pending', 0, {}, {})"
        ),
        (event["id"], SUBSCRIPTION_ID, event["application_id"], event["seq"], iso(now), iso(now)),
    )


def render(db: Database, event_id: str, settings: Settings) -> Message:
    """The OSS call and body of one queued event (``OssValueError`` when a value does not fit)."""
    with db.transaction() as tx:
        ev = tx.one(sql("SELECT body FROM outbox WHERE event_id = {}"), (event_id,))
        assert ev is not None
        event = loads(ev["body"])
        link = _link(tx, event["application_id"])
        app = tx.one(sql("SELECT * FROM applications WHERE id = {}"), (event["application_id"],))
        doc = tx.one(
            sql("SELECT number, code FROM documents WHERE application_id = {}"),
            (event["application_id"],),
        )
    assert link is not None and app is not None
    return message(event, link, app, doc, settings)


def _officer(data: dict[str, Any], settings: Settings) -> tuple[str, str]:
    officer = data.get("officer") or {}
    return (
        str(officer.get("nip") or settings.oss_officer_nip),
        str(officer.get("name") or officer.get("nama") or settings.oss_officer_name),
    )


def _keterangan(kd: str, data: dict[str, Any]) -> str:
    if data.get("keterangan"):
        return str(data["keterangan"])
    lines = [KD_STATUS.get(kd, kd)]
    lines += [r.get("id") or r.get("en", "") for r in data.get("reasons") or []]
    lines += [c.get("id") or c.get("en", "") for c in data.get("conditions") or []]
    return "\n".join(x for x in lines if x)


def message(
    event: Mapping[str, Any], link: Row, app: Row, doc: Row | None, settings: Settings
) -> Message:
    """The OSS call for ``event`` of the OSS application ``link`` / ``app``."""
    kd = kd_status_of(event)
    assert kd is not None
    data = event.get("data") or {}
    payload = data.get(PAYLOAD.get(event["type"], ""))  # the state machine's own fields
    src: dict[str, Any] = payload if isinstance(payload, dict) else {}
    nip, name = _officer(data, settings)
    when = src.get("tgl_status") or oss_time(
        parse_iso(data.get("at") or event["created_at"]), settings.office_timezone
    )
    common = {
        "id_proyek": link["id_proyek"],
        "oss_id": link["oss_id"],
        "id_izin": link["id_izin"],
        "kd_izin": link["kd_izin"],
        "kd_status": kd,
        "tgl_status": when,
        "nip_status": src.get("nip_status") or nip,
        "nama_status": src.get("nama_status") or name,
        "keterangan": src.get("keterangan") or _keterangan(kd, data),
    }
    call = call_for(event, kd)
    body: messages.LicenseStatus | messages.LicenseKkpr
    if call == messages.RECEIVE_LICENSE_STATUS:
        pnbp = src.get("data_pnbp") or data.get("data_pnbp")
        body = messages.izin_status(
            {**common, "nib": link["nib"], "kd_instansi": settings.oss_kd_instansi or None},
            _only(pnbp, messages.DATA_PNBP) if pnbp else None,
        )
    else:
        teknis = {
            **data_teknis(kd, app, link, doc, settings),
            **oss_teknis(src.get("data_teknis") or data.get("data_teknis") or {}),
        }
        body = messages.izin_final_kkpr(common, teknis)
    return Message(call, messages.body_text(body))


def _only(values: dict[str, Any], specs: tuple[Spec, ...]) -> dict[str, Any]:
    names = {s.name for s in specs}
    return {k: v for k, v in values.items() if k in names}


def oss_teknis(teknis: dict[str, Any]) -> dict[str, Any]:
    """The decision's technical data as kkpr keeps it, in OSS's ``data_teknis`` fields:
    numbers stay numbers (a limit the plan does not set is left out), lists become
    text, ``persetujuan`` is its documented phrase (the reasons go in ``keterangan``),
    the boundary is OSS's own ``{serial, lat_lng}`` list, the space use its sub-zone
    codes (a value without them, such as "tidak diatur", leaves the check's code)."""
    numbers = {s.name for s in messages.DATA_TEKNIS if isinstance(s.kind, Number)}
    out: dict[str, Any] = {}
    for key, value in _only(teknis, messages.DATA_TEKNIS).items():
        if value is None or value == "" or value == []:
            continue
        if key in numbers:
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                out[key] = Decimal(str(value))
            continue  # "tidak diatur": the plan sets no such limit
        if key == "luas" and isinstance(value, int | float | Decimal):
            out[key] = f"{float(value):.2f}"
        elif key == "jenis_peruntukan":
            codes = [m.group(1) for part in str(value).split(";") if (m := ZONE_CODE.search(part))]
            if codes:  # "Taman Kota (RTH-2)": OSS's string(10) takes the sub-zone code
                out[key] = ", ".join(codes)
        elif key == "persetujuan":
            out[key] = str(value).split(":", 1)[0].strip()
        elif key == "koordinat_batas_bidang" and isinstance(value, list):
            out[key] = json.dumps(
                [{"serial": i, "lat_lng": f"{p['lat']:.7f}, {p['lon']:.7f}"}
                 for i, p in enumerate(value, 1)]
            )  # fmt: skip
        elif isinstance(value, list):
            out[key] = "; ".join(str(v) for v in value)
        else:
            out[key] = value
    return out


def _limit(found: dict[str, Any], rule: str, source: str | None) -> Decimal | None:
    rows = [r for r in found.get("intensity") or [] if r["rule"] == rule and r["limit"] is not None]
    pick = [r for r in rows if r.get("source") == source] or rows
    return Decimal(str(pick[0]["limit"])).quantize(Decimal("0.01")) if pick else None


def _by_road(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def data_teknis(
    kd: str, app: Row, link: Row, doc: Row | None, settings: Settings
) -> dict[str, Any]:
    """``data_teknis`` from the check kept with the application: the site's area, the
    largest sub-zone's use and limits, the conditions, the document, the boundary."""
    # the stored check (kkpr.pipeline.findings.CheckJson), read defensively: an older
    # row may lack a key
    found: Any = loads(app["check_result"]) or {}
    fields = loads(link["fields"])
    parts = sorted(found.get("parts") or [], key=lambda p: -float(p.get("area_m2") or 0))
    zone = parts[0]["kodszn"] if parts else None
    conditions = loads(app["conditions"]) or []
    gsb, jbb = road_setbacks(found)  # by the roads the site fronts, where the plan has them
    return {
        "luas": f"{float(found.get('site', {}).get('area_m2') or 0):.2f}",
        "jenis_peruntukan": zone,
        "koefisien_dasar_bangunan": _limit(found, "KDB", zone),
        "koefisien_lantai_bangunan": _limit(found, "KLB", zone),
        "koefisien_dasar_hijau": _limit(found, "KDH", zone),
        "garis_sempadan_bangunan": _by_road(gsb) or _limit(found, "GSB", zone),
        "jarak_bebas_bangunan": _by_road(jbb) or _limit(found, "JBB", zone),
        "persyaratan_pelaksanaan_kegiatan": "; ".join(c.get("id", "") for c in conditions) or None,
        "persetujuan": FINAL.get(kd, "ditolak seluruhnya"),
        "url_peta": verify_url(doc["number"], doc["code"], settings) if doc else None,
        "ketentuan_umum": ", ".join(
            f"{p['kodszn']} ({p.get('itbx') or '-'})" for p in parts if p.get("kodszn")
        )
        or None,
        "koordinat_batas_bidang": json.dumps(vertices_of(loads(app["site"]))),
        "nomor_perda_rtr": found.get("plan", {}).get("legal_basis"),
        "nama_perairan": fields.get("nama_perairan"),
        "kedalaman": Decimal(fields["kedalaman"]) if fields.get("kedalaman") else None,
    }
