"""``receiveNIBKKPR``: OSS's KKPR applications opened through the pipeline's own submission.

Each project becomes one application (``Pipeline.submit``, external reference
``oss:<id_izin>``). Its OSS identifiers are kept in ``oss_applications``, written
before the application itself so that the application's first events are already
queued for OSS. The same ``id_izin`` with the same content is the same application
(OSS retries); with other content it is refused, naming the application it would
have changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from typing_extensions import TypedDict

from kkpr.db.database import Database, Tx
from kkpr.db.sql import sql
from kkpr.errors import Conflict, NotFound
from kkpr.model import Proposal
from kkpr.oss.messages import KkprApplication, applications_of
from kkpr.pipeline.applications import Pipeline, Submission
from kkpr.pipeline.db import dumps, iso, loads
from kkpr.site import WGS84

EXTERNAL_PREFIX = "oss:"


class OssConflict(Conflict):
    """The same ``id_izin`` sent again with different content."""

    kind = "oss-conflict"


@dataclass(frozen=True)
class Received:
    application: KkprApplication
    application_id: str
    repeated: bool  # the same id_izin and content had been received before


def external_ref(id_izin: str) -> str:
    return EXTERNAL_PREFIX + id_izin


def digest(app: KkprApplication) -> str:
    text = json.dumps(app.to_dict(), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def submission(app: KkprApplication) -> Submission:
    """What the pipeline is asked: the applicant, the activity, the site, the figures."""
    return Submission(
        applicant=app.nama_perseroan or f"NIB {app.nib}",
        business_name=app.nama_kegiatan or app.uraian_usaha or app.nama_perseroan or app.nib,
        kbli=app.kbli,
        site=app.site,
        site_crs=WGS84,
        proposal=Proposal(
            land_area_m2=app.land_area_m2,
            floor_area_m2=float(app.luas_lantai_bangunan),
            floors=app.jumlah_lantai_bangunan,
        ),
        external_ref=external_ref(app.id_izin),
        nib=app.nib,
    )


def _claim(tx: Tx, app: KkprApplication, sha: str, now: str) -> tuple[str | None, bool]:
    """Record ``app`` under its id_izin; (its application id if one exists, repeated)."""
    row = tx.one(sql("SELECT * FROM oss_applications WHERE id_izin = {}"), (app.id_izin,))
    if row is None:
        tx.execute(
            sql("INSERT INTO oss_applications (id_izin, external_ref, application_id, nib, oss_id,"
            " id_proyek, kd_izin, body_sha256, fields, received_at)"
            " VALUES ({}, {}, NULL, {}, {}, {}, {}, {}, {}, {}) ON CONFLICT (id_izin) DO NOTHING"),
            (app.id_izin, external_ref(app.id_izin), app.nib, app.oss_id, app.id_proyek,
             app.kd_izin, sha, dumps(app.to_dict()), now),
        )  # fmt: skip
        row = tx.one(sql("SELECT * FROM oss_applications WHERE id_izin = {}"), (app.id_izin,))
        assert row is not None
        if row["body_sha256"] == sha and row["received_at"] == now:
            return None, False
    if row["body_sha256"] == sha:
        return row["application_id"], True
    if row["application_id"] is None:  # never opened: the corrected request replaces it
        tx.execute(
            sql("UPDATE oss_applications SET nib = {}, oss_id = {}, id_proyek = {}, kd_izin = {},"
            " body_sha256 = {}, fields = {}, received_at = {} WHERE id_izin = {}"),
            (app.nib, app.oss_id, app.id_proyek, app.kd_izin, sha, dumps(app.to_dict()), now,
             app.id_izin),
        )  # fmt: skip
        return None, False
    raise OssConflict(
        f"id_izin {app.id_izin} sudah diterima dengan isi lain (permohonan "
        f"{row['application_id']}); permohonan itu tidak diubah",
        f"id_izin {app.id_izin} was already received with other content (application "
        f"{row['application_id']}); that application is left unchanged",
        where=f"dataNIB.id_izin={app.id_izin}",
        hint_id="Perubahan data permohonan dikirim dengan id_izin baru",
        hint_en="Send a changed application under a new id_izin",
    )


def receive(pipeline: Pipeline, body: Any) -> list[Received]:
    """Open (or find again) the applications of a ``receiveNIBKKPR`` body.

    Every project is read and checked against what was received before it is opened,
    so a refused request opens nothing it had not opened already.
    """
    apps = applications_of(body)
    now = iso(pipeline.clock())
    claimed: list[tuple[KkprApplication, str | None, bool]] = []
    with pipeline.db.transaction() as tx:
        for app in apps:
            app_id, repeated = _claim(tx, app, digest(app), now)
            claimed.append((app, app_id, repeated))
    out = []
    for app, app_id, repeated in claimed:
        if app_id is None:
            app_id = pipeline.submit(submission(app), by=f"oss:{app.oss_id}")["id"]
            with pipeline.db.transaction() as tx:
                tx.execute(
                    sql("UPDATE oss_applications SET application_id = {} WHERE id_izin = {}"),
                    (app_id, app.id_izin),
                )
        out.append(Received(app, app_id, repeated))
    return out


class OssIdentifiers(TypedDict):
    """The OSS side of an application (``identifiers``)."""

    application_id: str
    id_izin: str
    received_at: str
    fields: dict[str, Any]  # what OSS sent for the project (KkprApplication.to_dict)


def identifiers(db: Database, application_id: str) -> OssIdentifiers:
    """The OSS side of an application: its identifiers and every field OSS sent for it."""
    with db.transaction() as tx:
        row = tx.one(
            sql("SELECT * FROM oss_applications WHERE application_id = {}"), (application_id,)
        )
    if row is None:
        raise NotFound(
            f"Permohonan {application_id} tidak datang dari OSS",
            f"Application {application_id} did not come from OSS",
            where="application_id",
        )
    return {
        "application_id": application_id,
        "id_izin": row["id_izin"],
        "received_at": row["received_at"],
        "fields": loads(row["fields"]),
    }
