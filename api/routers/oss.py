"""OSS-RBA host to host (docs/oss.md): OSS's ``receiveNIBKKPR`` in OSS's own format,
and the staff's view of deliveries that are not through (to OSS or to webhooks), with
"send again".

``POST /oss/receiveNIBKKPR`` answers as OSS's own services do: ``responreceiveNIBKKPR``
with ``status`` ``1`` (accepted) or ``2`` (refused) and a ``keterangan``; HTTP 401 for a
wrong or missing ``Token`` (logged with the caller's address, never the token), 400 for
a body that does not fit the documented types, 409 for an ``id_izin`` already received
with other content, 422 when the application cannot be opened (a site outside the
plan, an unknown KBLI).
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Request
from fastapi.responses import JSONResponse

from api.auth import Staff, Writer
from api.errors import responses
from api.pipeline_deps import PipelineDb, PipelineDep
from kkpr.errors import Conflict, KkprError
from kkpr.oss.fields import OssValueError
from kkpr.oss.inbound import OssIdentifiers, identifiers, receive
from kkpr.oss.messages import RECEIVE_NIB_KKPR, RESPONSE_CODES, nib_answer
from kkpr.pipeline import delivery

router = APIRouter(tags=["oss"])
log = logging.getLogger("kkpr.oss")

EXAMPLE: dict[str, Any] = {
    "dataNIB": {
        "nib": "9120001234567",
        "oss_id": "P-202603170900000000001",
        "id_izin": "I-202603170900000000001",
        "kd_izin": "000000000001",
        "kd_daerah": "5371",
        "kewenangan": "02",
        "status_penanaman_modal": "02",
        "nama_perseroan": "CV Sejahtera",
        "skala_usaha": "01",
        "data_proyek": [
            {
                "id_proyek": "R-202603170900000000001",
                "kbli": "47111",
                "nama_kegiatan": "Minimarket Sejahtera",
                "status_tanah": "02",
                "luas_tanah": 784,
                "satuan_luas_tanah": "01",
                "jumlah_lantai_bangunan": 2,
                "luas_lantai_bangunan": 150,
                "flag_psn": "N",
                "data_lokasi_proyek": [
                    {
                        "id_proyek_lokasi": "L-1",
                        "alamat_usaha": "Jl. El Tari, Oebobo, Kota Kupang",
                        "data_lokasi_proyek": [
                            {"serial": 1, "lat_lng": "-10.1665151, 123.6061293"},
                            {"serial": 2, "lat_lng": "-10.1662618, 123.6061288"},
                            {"serial": 3, "lat_lng": "-10.1662623, 123.6058732"},
                            {"serial": 4, "lat_lng": "-10.1665155, 123.6058737"},
                        ],
                    }
                ],
            }
        ],
    }
}


def _refused(status: int, keterangan: str) -> JSONResponse:
    return JSONResponse(nib_answer(False, keterangan), status_code=status)


def _said(exc: KkprError) -> str:
    return f"{exc.message_id} / {exc.message_en}" + (f" → {exc.hint_id}" if exc.hint_id else "")


@router.post(
    f"/oss/{RECEIVE_NIB_KKPR}",
    summary="OSS: permohonan KKPR (receiveNIBKKPR) / a KKPR application from OSS",
    response_description="responreceiveNIBKKPR: status 1 diterima / accepted, 2 ditolak / refused",
)
def receive_nib_kkpr(
    request: Request,
    body: Annotated[Any, Body(openapi_examples={"oss": {"value": EXAMPLE}})],
    pipe: PipelineDep,
    token: Annotated[str | None, Header(alias="Token")] = None,
) -> JSONResponse:
    expected = pipe.settings.oss_token
    if not expected or token is None or not hmac.compare_digest(token, expected):
        log.warning(
            "receiveNIBKKPR refused: %s Token from %s",
            "no" if token is None else "a wrong",
            request.client.host if request.client else "?",
        )
        return _refused(401, RESPONSE_CODES["401"])
    try:
        received = receive(pipe, body)
    except OssValueError as exc:
        return _refused(400, f"{RESPONSE_CODES['400']}: {_said(exc)}")
    except Conflict as exc:
        return _refused(409, _said(exc))
    except KkprError as exc:
        return _refused(422, _said(exc))
    said = "; ".join(
        f"id_izin {r.application.id_izin}: permohonan {r.application_id}"
        + (" (sudah diterima / already received)" if r.repeated else "")
        for r in received
    )
    log.info("receiveNIBKKPR accepted: %s", said)
    return JSONResponse(nib_answer(True, f"Diterima / accepted: {said}"))


@router.get(
    "/v1/oss/applications/{application_id}",
    responses=responses(401, 403, 404),
    summary="Data OSS sebuah permohonan / what OSS sent for an application (NIB, id_izin, ...)",
    response_model=dict[str, Any],  # the answer as it is (a TypedDict is not validated)
)
def get_oss_application(
    application_id: Annotated[str, Path(min_length=1, max_length=64)],
    _caller: Writer,
    db: PipelineDb,
) -> OssIdentifiers:
    return identifiers(db, application_id)


# ---------------------------------------------------------------- the staff's view


@router.get(
    "/v1/deliveries",
    tags=["pipeline"],
    responses=responses(401, 403),
    summary="Pengiriman yang belum sampai / deliveries not through yet, with the last answer",
)
def get_failing(
    _caller: Staff,
    db: PipelineDb,
    subscription: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:
    return delivery.failing(db, subscription)


@router.post(
    "/v1/deliveries/{subscription_id}/{event_id}/send-again",
    tags=["pipeline"],
    responses=responses(401, 403, 404),
    summary="Kirim lagi / send a delivery again now (a dead one too)",
)
def send_again(
    subscription_id: Annotated[str, Path(min_length=1, max_length=64)],
    event_id: Annotated[str, Path(min_length=1, max_length=64)],
    _caller: Staff,
    db: PipelineDb,
) -> dict[str, Any]:
    delivery.revive(db, event_id=event_id, subscription_id=subscription_id)
    return {"event_id": event_id, "subscription_id": subscription_id, "status": "pending"}
