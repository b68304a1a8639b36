"""Conformity checks: one, a batch, a correction, the public pre-check; reading them back.

Every answered check is stored in the check log before it is answered, and the
answer is the stored record itself (``GET /v1/checks/{id}`` returns the same bytes).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response
from pydantic import BaseModel

from api.auth import Anyone, Caller, Staff, Writer, may_use
from api.deps import AppState, StateDep, run_blocking, run_public, state_of
from api.errors import PROBLEM_BASE, BatchInvalid, responses
from api.fastpath import PlainCheckRoute
from api.limits import check_site_limits, parse_body
from api.schemas import (
    IDEMPOTENCY_KEY_CHAR,
    IDEMPOTENCY_KEY_MAX,
    BatchIn,
    BatchOut,
    CheckIn,
    CheckRecordOut,
    CorrectionIn,
)
from kkpr.check import check, check_many
from kkpr.errors import InputTooLarge, KkprError
from kkpr.model import CheckResult, Proposal, Site
from kkpr.records.checks import CheckRecord, Idempotency, NewCheck, not_found, request_hash
from kkpr.site import site_from_geojson
from kkpr.text import num_id

router = APIRouter(prefix="/v1", tags=["checks"])


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=IDEMPOTENCY_KEY_MAX,
        pattern=f"^{IDEMPOTENCY_KEY_CHAR}+$",
        description="Kunci idempotensi / idempotency key: the same key and the same body "
        "return the stored result; the same key with another body is a 409",
        examples=["oss-2024-000123-kkpr"],
    ),
]
CheckId = Annotated[str, Path(min_length=1, max_length=64, examples=["3f1c0e9a..."])]


# ---------------------------------------------------------------- work


def _site(body: CheckIn, state: AppState, plan_crs: str) -> Site:
    site = site_from_geojson(body.site_geojson(), body.crs)
    s = state.settings
    check_site_limits(site, plan_crs, s.max_site_vertices, s.max_site_area_m2, s.max_site_parts)
    return site


def _new_check(body: CheckIn, result: CheckResult, kind: str, **kw: Any) -> NewCheck:
    return NewCheck(
        # pydantic's JSON mode is already plain: JSON types only, non-finite floats None
        inputs=body.model_dump(mode="json"),
        result=result,  # the log encodes it as result.to_dict() would be, without copies
        plan_id=str(result.plan["id"]),
        plan_version=str(result.plan["version"]),
        kind=kind,
        **kw,
    )


def run_check(state: AppState, body: CheckIn, kind: str = "check", **kw: Any) -> NewCheck:
    """Check one request against the active plan version (pinned for the whole check)."""
    store = state.pinned(body.plan_id)
    site = _site(body, state, store.rules(body.plan_id).meta.crs)
    proposal = Proposal(**body.proposal.model_dump())
    result = check(store, site, body.kbli, proposal, plan_id=body.plan_id)
    return _new_check(body, result, kind, **kw)


def run_batch(state: AppState, items: Sequence[CheckIn]) -> list[NewCheck]:
    """All checks located in one store call; any failing item fails the batch with a
    list of every failing item (so the caller fixes them all in one go)."""
    plan_ids = {i.plan_id for i in items}
    if len(plan_ids) > 1:
        raise BatchInvalid(
            "Semua pemeriksaan dalam satu kumpulan harus memakai rencana yang sama",
            "All checks of one batch must use the same plan",
            where="checks[].plan_id",
        )
    plan_id = next(iter(plan_ids))
    store = state.pinned(plan_id)
    plan_crs = store.rules(plan_id).meta.crs
    failures: list[dict[str, Any]] = []
    requests: list[tuple[Site, str, Proposal]] = []
    for i, item in enumerate(items):
        try:
            site = _site(item, state, plan_crs)
        except KkprError as exc:
            failures.append(_failure(i, item, exc))
            continue
        requests.append((site, item.kbli, Proposal(**item.proposal.model_dump())))
    if not failures:
        try:
            results = check_many(store, requests, plan_id=plan_id)
            return [_new_check(b, r, "check") for b, r in zip(items, results, strict=True)]
        except KkprError:
            pass  # find every failing item, not just the first
    for i, item in enumerate(items):
        if any(f["index"] == i for f in failures):
            continue
        try:
            site, kbli, proposal = _site(item, state, plan_crs), item.kbli, item.proposal
            check(store, site, kbli, Proposal(**proposal.model_dump()), plan_id=plan_id)
        except KkprError as exc:
            failures.append(_failure(i, item, exc))
    failures.sort(key=lambda f: f["index"])
    raise BatchInvalid(
        f"{len(failures)} dari {len(items)} pemeriksaan tidak dapat dijalankan; "
        "tidak ada yang disimpan",
        f"{len(failures)} of {len(items)} checks cannot be run; none was stored",
        where=f"checks[{failures[0]['index']}]" if failures else "checks",
        hint_id="Perbaiki butir yang tercantum lalu kirim ulang seluruh kumpulan",
        hint_en="Fix the listed items and send the whole batch again",
        extra={"failures": failures},
    )


def _failure(index: int, item: CheckIn, exc: KkprError) -> dict[str, Any]:
    return {
        "index": index,
        "ref": item.ref,
        "type": PROBLEM_BASE + exc.kind,
        **exc.to_dict(),
    }


# ---------------------------------------------------------------- answers


# Answers are the canonical JSON of the stored records (sorted keys, no spaces), spliced
# from the texts the check log stored and hashed: a record is encoded once, never parsed
# and encoded again, and never validated again against CheckRecordOut (the models
# document the answers in OpenAPI; the records are what was stored).


def _json(text: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(text.encode(), status, headers=headers, media_type="application/json")


def record_response(record: CheckRecord, status: int = 201, replayed: bool = False) -> Response:
    headers = {"Location": f"/v1/checks/{record.id}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return _json(record.to_json(), status, headers)


def batch_response(records: list[CheckRecord], replayed: bool = False) -> Response:
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    batch_id = json.dumps(records[0].batch_id if records else None)
    checks = ",".join(r.to_json() for r in records)
    text = f'{{"batch_id":{batch_id},"checks":[{checks}],"count":{len(records)}}}'
    return _json(text, 201, headers)


def _idempotency(key: str | None, route: str, body: BaseModel) -> Idempotency | None:
    """The idempotency of a request with ``key``; the body is dumped only then."""
    return Idempotency(key, request_hash(route, body.model_dump(mode="json"))) if key else None


# ---------------------------------------------------------------- routes

RECORD = {
    201: {"model": CheckRecordOut, "description": "Stored and answered / disimpan"},
    **responses(401, 403, 404, 409, 413, 422),
}


async def post_check(
    request: Request,
    body: CheckIn,
    caller: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """The endpoint of both paths (api.fastpath calls it with the body it parsed)."""
    state = state_of(request)  # not a dependency: one fewer for FastAPI to solve per check
    return await run_blocking(state, _check_and_store, state, body, caller, idempotency_key)


router.add_api_route(
    "/checks",
    post_check,
    methods=["POST"],
    route_class_override=PlainCheckRoute,
    status_code=201,
    response_model=CheckRecordOut,
    responses=RECORD,
    summary="Periksa kesesuaian satu tapak / check one site",
    description="Checks a site and an activity (KBLI) against the active plan version, "
    "stores the check (inputs, result, plan version, caller, content hash) and answers "
    "the stored record. Keys: `permit_system` or `staff`.",
)


def _check_and_store(
    state: AppState, body: CheckIn, caller: Caller, idempotency_key: str | None
) -> Response:
    idem = _idempotency(idempotency_key, "checks", body)
    if idem is not None and (stored := state.check_log.replay(caller.id, idem)):
        return record_response(stored[0], replayed=True)
    new = run_check(state, body)
    records, replayed = state.check_log.store(
        [new], caller=caller.id, caller_role=caller.role, idempotency=idem
    )
    return record_response(records[0], replayed=replayed)


@router.post(
    "/checks/batch",
    status_code=201,
    response_model=BatchOut,
    responses={
        201: {"model": BatchOut, "description": "All stored, in request order"},
        **responses(401, 403, 404, 409, 413, 422),
    },
    summary="Periksa banyak tapak / check many sites",
    description="Up to `max_batch_sites` checks (1,000 by default) in one request, "
    "located in one store call and stored together: all or none. Keys: `permit_system` "
    "or `staff`.",
)
def post_batch(
    body: BatchIn, caller: Writer, state: StateDep, idempotency_key: IdempotencyKey = None
) -> Response:
    limit = state.settings.max_batch_sites
    if len(body.checks) > limit:
        raise InputTooLarge(
            f"Kumpulan berisi {num_id(len(body.checks), 0)} pemeriksaan; batasnya {num_id(limit, 0)}",
            f"The batch holds {len(body.checks):,} checks; the limit is {limit:,}",
            where="checks",
            hint_id="Bagi menjadi beberapa kumpulan",
            hint_en="Split it into several batches",
            extra={"count": len(body.checks), "limit": limit},
        )
    idem = _idempotency(idempotency_key, "checks/batch", body)
    if idem is not None and (stored := state.check_log.replay(caller.id, idem)):
        return batch_response(stored, replayed=True)
    new = run_batch(state, body.checks)
    records, replayed = state.check_log.store(
        new, caller=caller.id, caller_role=caller.role, idempotency=idem, batch=True
    )
    return batch_response(records, replayed=replayed)


@router.get(
    "/checks/{check_id}",
    response_model=CheckRecordOut,
    responses={
        200: {"model": CheckRecordOut, "description": "The record, exactly as stored"},
        **responses(401, 403, 404),
    },
    summary="Baca pemeriksaan tersimpan / read a stored check",
    description="The stored record, unchanged, with its content hash. Corrections of it "
    'are listed in `Link: </v1/checks/{id}>; rel="successor-version"` headers.',
)
def get_check(
    check_id: CheckId,
    caller: Writer,
    state: StateDep,
) -> Response:
    record = state.check_log.get(check_id)
    if not may_use(caller, record.caller):
        raise not_found(check_id)
    links = [
        f'</v1/checks/{c}>; rel="successor-version"'
        for c in state.check_log.corrected_by(record.id)
    ]
    if record.corrects:
        links.append(f'</v1/checks/{record.corrects}>; rel="predecessor-version"')
    headers = {"Link": ", ".join(links)} if links else None
    return _json(record.to_json(), 200, headers)


@router.post(
    "/checks/{check_id}/corrections",
    status_code=201,
    response_model=CheckRecordOut,
    responses=RECORD | responses(404),
    summary="Koreksi pemeriksaan / correct a check (staff)",
    description="Checks again with the corrected inputs (fields not given are taken from "
    "the original; `crs` too) against the active plan version, and stores the result "
    "as a new record whose `corrects` names the original. The original is never "
    "changed. Key: `staff`.",
)
def post_correction(
    check_id: CheckId,
    body: CorrectionIn,
    caller: Staff,
    state: StateDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    route = f"checks/{check_id}/corrections"
    idem = _idempotency(idempotency_key, route, body)
    if idem is not None and (stored := state.check_log.replay(caller.id, idem)):
        return record_response(stored[0], replayed=True)
    original = state.check_log.get(check_id)
    inputs = dict(original.inputs)
    changes = body.model_dump(mode="json", exclude={"reason"}, exclude_none=True)
    inputs.update(changes)
    corrected = CheckIn.model_validate(inputs)
    new = run_check(
        state, corrected, "correction", corrects=original.id, correction_reason=body.reason
    )
    records, replayed = state.check_log.store(
        [new], caller=caller.id, caller_role=caller.role, idempotency=idem
    )
    return record_response(records[0], replayed=replayed)


@router.post(
    "/precheck",
    status_code=201,
    response_model=CheckRecordOut,
    responses={
        201: {"model": CheckRecordOut, "description": "Stored and answered"},
        **responses(401, 404, 413, 422, 429),
    },
    summary="Pemeriksaan awal publik / public pre-check",
    description="The same check for anyone, without a key, limited to "
    "`public_rate_limit_per_minute` requests per client (then 429 with Retry-After). "
    "Stored with the caller `public:<hash of the client address>`.",
    # the body is read by the endpoint (api.limits.parse_body), declared here as FastAPI
    # would declare a CheckIn body
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckIn"}}},
        }
    },
)
async def post_precheck(request: Request, caller: Anyone) -> Response:
    state = state_of(request)  # the public rate limit was taken: api.limits.PublicRateLimit
    s = state.settings
    # the site limits on the raw bytes, then parsing, off the event loop for a large body
    body = await parse_body(request, CheckIn, s.max_site_vertices, s.max_site_parts)
    # on the public threads: an anonymous crowd never takes the staff's threads
    return await run_public(state, _precheck_and_store, state, body, caller)


def _precheck_and_store(state: AppState, body: CheckIn, caller: Caller) -> Response:
    new = run_check(state, body, "precheck")
    record = state.check_log.append([new], caller=caller.id, caller_role=caller.role)[0]
    return record_response(record)
