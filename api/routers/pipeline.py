"""The single window: applications and their stages, the PKKPR assessment (its steps,
decision, deadline and the decision's later life), webhook subscriptions, the staff
queue, the region's assessment records with their public verification, and the
applicant's tracking by number and access code.

Writers (``permit_system``, ``staff``) submit applications, report the later stages and
manage subscriptions; staff decide reviews. Anyone may verify a document by its number
and code; a public caller sees a document's content only with its valid code.
"""

from __future__ import annotations

import base64
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.auth import Anyone, Caller, Staff, Writer, may_use, owner_filter, wrong_role
from api.deps import AppState, StateDep
from api.errors import responses
from api.limits import check_site_limits
from api.pipeline_deps import MapCache, MapCacheDep, PipelineDb, PipelineDep
from api.routers.pages import verify_page
from api.routers.tracking import tracking_limit, tracking_url
from api.schemas import ProposalIn, SiteIn, known_crs
from kkpr.db.database import Database
from kkpr.errors import Conflict, NotFound
from kkpr.model import Proposal
from kkpr.pipeline import documents, subscriptions
from kkpr.pipeline.applications import Pipeline, Submission
from kkpr.pipeline.assessment import DeadlineDone
from kkpr.pipeline.cases import Officer
from kkpr.pipeline.document_render import document_map, document_pdf, document_sheet
from kkpr.pipeline.integration import IntegrationSetting
from kkpr.pipeline.outbox import EVENT_TYPES
from kkpr.pipeline.pnbp import PnbpEstimate, Purpose, estimate
from kkpr.pipeline.review import CaseView, Decision, View
from kkpr.pipeline.stages import PERMIT_SYSTEM_STAGES, Stage
from kkpr.pipeline.state import ApplicationView, submitted_by
from kkpr.pipeline.statuses import ACTIONS, STATES, Action, Actor
from kkpr.pipeline.subscriptions import NewSubscription, Subscription
from kkpr.pipeline.targets import refuse_private_target
from kkpr.pipeline.tracking import TrackingAnswer
from kkpr.site import site_from_geojson

router = APIRouter(prefix="/v1", tags=["pipeline"])
TEMPLATES = Jinja2Templates(directory=FilePath(__file__).resolve().parents[1] / "templates")


AppId = Annotated[str, Path(min_length=1, max_length=64)]
EXAMPLE_SITE: dict[str, Any] = {
    "type": "Polygon",
    "coordinates": [
        [[123.5801, -10.1702], [123.5806, -10.1702], [123.5806, -10.1706], [123.5801, -10.1706],
         [123.5801, -10.1702]]
    ],
}  # fmt: skip


# ---------------------------------------------------------------- bodies


class ApplicationIn(BaseModel):
    """An application to the single window; its KKPR stage runs at once."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "applicant": "Maria Bere",
                    "business_name": "Toko Sejahtera",
                    "kbli": "47111",
                    "site": EXAMPLE_SITE,
                    "proposal": {"footprint_m2": 120, "floor_area_m2": 180, "floors": 2},
                    "external_ref": "OSS-2026-000123",
                    "nib": "9120001234567",
                    "purpose": "berusaha",
                }
            ]
        },
    )

    applicant: str = Field(..., min_length=1, max_length=200)
    business_name: str = Field(..., min_length=1, max_length=200)
    kbli: str = Field(..., min_length=1, max_length=16, description="KBLI 2020, five digits")
    site: SiteIn = Field(..., description="GeoJSON (RFC 7946: longitude, latitude) unless `crs`")
    proposal: ProposalIn = Field(default_factory=ProposalIn)
    crs: str | None = Field(None, pattern=r"^EPSG:\d{4,6}$")
    plan_id: str | None = Field(None, max_length=100)
    external_ref: str | None = Field(
        None,
        max_length=200,
        description="The permit system's own id: submitting it again returns the same application",
    )
    nib: str | None = Field(
        None, pattern=r"^\d{13}$", description="The applicant's NIB (OSS registers it first)"
    )
    purpose: Purpose = Field(
        Purpose.BERUSAHA, description="berusaha or non_berusaha (sets the PNBP tariff)"
    )

    @field_validator("crs")
    @classmethod
    def _crs(cls, value: str | None) -> str | None:
        return known_crs(value)


class StageReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["in_progress", "completed", "rejected"]
    note: str | None = Field(None, max_length=2000)


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(..., min_length=8, max_length=2000, examples=["https://oss.example/hooks"])
    events: list[str] = Field(
        default_factory=lambda: ["*"],
        min_length=1,
        max_length=20,
        description=f"Patterns of event types ({', '.join(EVENT_TYPES)}); `*` for all",
    )
    secret: str | None = Field(
        None, min_length=16, max_length=200, description="HMAC key; made for you when omitted"
    )
    description: str | None = Field(None, max_length=500)


class OfficerIn(BaseModel):
    """The officer taking the step, as the record names them."""

    model_config = ConfigDict(extra="forbid")
    nip: str = Field(..., pattern=r"^\d{18}$", description="NIP, 18 digits")
    name: str = Field(..., min_length=1, max_length=200)


class StepIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "data": {"nomor": "PTP/53.71/2026/011", "tanggal": "2026-03-17",
                             "file": "pertek-011.pdf"},
                    "officer": {"nip": "198501012010012001", "name": "Siti Nurhaliza"},
                },
                {"keterangan": "Menunggu rekomendasi instansi lain", "data": {}},
            ]
        },
    )  # fmt: skip
    keterangan: str | None = Field(None, max_length=2000, description="Why (required to stop "
                                   "or restart the clock, return, or refuse)")  # fmt: skip
    data: dict[str, Any] = Field(default_factory=dict, description="What the step carries")
    officer: OfficerIn | None = None


class AfterIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Pembangunan belum selesai"}]},
    )
    reason: str = Field(..., min_length=1, max_length=2000)
    changes: dict[str, Any] = Field(default_factory=dict)
    officer: OfficerIn | None = None


class IntegrationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "rdtr_integrated": False,
                    "reason": "RDTR belum terintegrasi di OSS (surat ATR/BPN)",
                }
            ]
        },
    )
    rdtr_integrated: bool
    reason: str = Field(..., min_length=1, max_length=2000)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Decision
    reasons: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(
        ..., min_length=1, max_length=50
    )
    conditions: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(
        default_factory=list, max_length=50
    )
    approved_site: SiteIn | None = Field(
        None, description="approve_in_part: the approved polygon, inside the requested site"
    )
    approved_crs: str | None = Field(None, pattern=r"^EPSG:\d{4,6}$")
    officer: OfficerIn | None = None

    @field_validator("approved_crs")
    @classmethod
    def _crs(cls, value: str | None) -> str | None:
        return known_crs(value)


def officer_of(given: OfficerIn | None, caller: Caller) -> Officer:
    """The officer named in the body, else the acting key's name (no NIP)."""
    if given is not None:
        return Officer(name=given.name, nip=given.nip, key=caller.id)
    return Officer(name=caller.name or caller.id, key=caller.id)


class VerifyIn(BaseModel):
    """A code, or the document content as received (JSON), to check against the original."""

    model_config = ConfigDict(extra="forbid")
    code: str | None = Field(None, max_length=64)
    content: dict[str, Any] | None = None


# ---------------------------------------------------------------- applications


@router.post(
    "/applications",
    status_code=201,
    response_model=dict[str, Any],  # the application as it is (a TypedDict is not validated)
    responses={
        200: {"description": "Already submitted (same external_ref)"},
        **responses(401, 403, 409, 413, 422),
    },
    summary="Ajukan permohonan / submit an application (runs the KKPR stage)",
    description="The first answer (201) carries the application `number` and its "
    "`access_code`, shown this once, and `tracking_url`: the page where the applicant "
    "follows the application (`/lacak`, number and code filled in). Give the applicant "
    "the number and the code (or the link).",
)
def post_application(
    body: Annotated[ApplicationIn, Body()],
    response: Response,
    caller: Writer,
    state: StateDep,
    pipe: PipelineDep,
) -> ApplicationView:
    known = body.external_ref and pipe.find(body.external_ref)
    if known and not may_use(caller, submitted_by(pipe.db, known)):
        raise Conflict(
            "external_ref ini sudah dipakai oleh pengaju lain",
            "This external_ref is already used by another caller",
            where="external_ref",
            hint_id="Pakai acuan yang unik di sistem Anda",
            hint_en="Use a reference that is unique in your system",
        )
    if known:
        response.status_code = 200  # submitted before under this external_ref
        response.headers["Location"] = f"/v1/applications/{known}"
        return pipe.get(known)
    plan_crs = state.store.rules(body.plan_id).meta.crs
    geojson = body.site.model_dump(mode="json", exclude_none=True)
    s = state.settings
    check_site_limits(
        site_from_geojson(geojson, body.crs), plan_crs, s.max_site_vertices, s.max_site_area_m2
    )
    app = pipe.submit(
        Submission(
            applicant=body.applicant,
            business_name=body.business_name,
            kbli=body.kbli,
            site=geojson,
            proposal=Proposal(**body.proposal.model_dump()),
            site_crs=body.crs,
            external_ref=body.external_ref,
            plan_id=body.plan_id,
            nib=body.nib,
            purpose=body.purpose,
        ),
        by=caller.id,
    )
    response.headers["Location"] = f"/v1/applications/{app['id']}"
    app["tracking_url"] = tracking_url(app["number"], app["access_code"], s)
    return app


@router.get(
    "/applications/{app_id}",
    responses=responses(401, 403, 404),
    response_model=dict[str, Any],  # the application as it is (a TypedDict is not validated)
    summary="Permohonan, tahapnya dan peristiwanya / an application, its stages and events",
)
def get_application(app_id: AppId, caller: Writer, pipe: PipelineDep) -> ApplicationView:
    _own_application(caller, pipe, app_id)
    return pipe.get(app_id)


def _own_application(caller: Caller, pipe: Pipeline, app_id: str) -> None:
    """404 for an application another permit-system key submitted (api.auth.may_use)."""
    if not may_use(caller, submitted_by(pipe.db, app_id)):
        raise NotFound(
            f"Permohonan {app_id} tidak ada",
            f"Application {app_id} does not exist",
            where="application_id",
        )


@router.post(
    "/applications/{app_id}/stages/{stage}",
    responses=responses(401, 403, 404, 409, 422),
    response_model=dict[str, Any],  # the application as it is (a TypedDict is not validated)
    summary="Laporan tahap oleh sistem perizinan / the permit system reports a later stage",
    description=f"Stages reported here: {', '.join(PERMIT_SYSTEM_STAGES)}. They run in order; "
    "an impossible move is a 409; repeating what is recorded changes nothing.",
)
def post_stage(
    app_id: AppId,
    stage: Stage,
    body: Annotated[StageReportIn, Body()],
    caller: Writer,
    pipe: PipelineDep,
) -> ApplicationView:
    _own_application(caller, pipe, app_id)
    return pipe.report_stage(app_id, stage, body.status, by=caller.id, note=body.note)


# ---------------------------------------------------------------- subscriptions


@router.get(
    "/subscriptions",
    response_model=list[dict[str, Any]],  # the answer as it is (TypedDicts are not validated)
    responses=responses(401, 403),
    summary="Langganan webhook",
)
def get_subscriptions(caller: Writer, db: PipelineDb) -> list[Subscription]:
    return subscriptions.active(db, created_by=owner_filter(caller))


@router.post(
    "/subscriptions",
    status_code=201,
    response_model=dict[str, Any],
    responses=responses(401, 403, 422),
    summary="Daftarkan webhook / subscribe a webhook (the secret is shown only here)",
)
def post_subscription(
    body: Annotated[SubscriptionIn, Body()],
    caller: Writer,
    db: PipelineDb,
    pipe: PipelineDep,
) -> NewSubscription:
    refuse_private_target(body.url, pipe.settings.webhook_allow_private_targets)
    return subscriptions.create(
        db,
        body.url,
        pipe.clock(),
        secret=body.secret,
        events=body.events,
        description=body.description,
        created_by=caller.id,
    )


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=204,
    responses=responses(401, 403, 404),
    summary="Hentikan langganan / unsubscribe (undelivered events are cancelled)",
)
def delete_subscription(
    caller: Writer,
    db: PipelineDb,
    subscription_id: Annotated[str, Path(min_length=1, max_length=64)],
) -> Response:
    subscriptions.delete(db, subscription_id, created_by=owner_filter(caller))
    return Response(status_code=204)


# ---------------------------------------------------------------- reviews


@router.get(
    "/reviews",
    responses=responses(401, 403),
    summary="Antrean kajian petugas / the staff review queue",
    description="`all`: open cases by deadline; `overdue`; `due_soon`: due within "
    "`review_due_soon_working_days` working days; `decided` (with `reviewer_name`, the name "
    "of the deciding key). Each case carries its `site` "
    "as an RFC 7946 GeoJSON geometry (longitude, latitude), whatever CRS it was sent in.",
    response_model=list[dict[str, Any]],  # the queue as it is (a TypedDict is not validated)
)
def get_reviews(
    _caller: Staff, pipe: PipelineDep, state: StateDep, view: View = Query(View.ALL)
) -> list[CaseView]:
    cases = pipe.reviews(view)
    if any("reviewer" in case for case in cases):
        # who decided, by the name of their key (a revoked key keeps its name)
        names = {f"key:{key.id}": key.name for key in state.keys.list()}
        for case in cases:
            if "reviewer" in case:
                case["reviewer_name"] = names.get(case["reviewer"] or "")
    return cases


@router.post(
    "/reviews/{review_id}/decision",
    responses=responses(401, 403, 404, 409, 422),
    response_model=dict[str, Any],  # the application as it is (a TypedDict is not validated)
    summary="Keputusan PKKPR / the PKKPR decision (review id = application id)",
    description="After the Pertek (45) and the FPR assessment: `approve` (disetujui "
    "seluruhnya), `approve_with_conditions`, `approve_in_part` (with `approved_site`, "
    "inside the requested site; re-checked by the engine) or `reject` (ditolak). Reasons "
    "are required; a decision out of order is a 409 and changes nothing.",
)
@router.post(
    "/applications/{review_id}/decision",
    responses=responses(401, 403, 404, 409, 422),
    response_model=dict[str, Any],  # the application as it is (a TypedDict is not validated)
    summary="Keputusan PKKPR / the PKKPR decision",
)
def post_decision(
    body: Annotated[DecisionIn, Body()],
    caller: Staff,
    pipe: PipelineDep,
    review_id: Annotated[str, Path(min_length=1, max_length=64)],
) -> ApplicationView:
    return pipe.decide(
        review_id,
        body.decision,
        officer=officer_of(body.officer, caller),
        reasons=body.reasons,
        conditions=body.conditions,
        approved_site=None
        if body.approved_site is None
        else body.approved_site.model_dump(mode="json", exclude_none=True),
        approved_crs=body.approved_crs,
    )


STEP_DOC = "; ".join(
    f"`{a}` ({ACTIONS[a].actor}: {', '.join(STATES[t].kd_status for t in ACTIONS[a].targets)})"
    for a in Action
    if a not in (Action.PUTUSKAN, Action.FIKTIF_POSITIF)
)


@router.post(
    "/applications/{app_id}/steps/{action}",
    responses=responses(401, 403, 404, 409, 422),
    response_model=dict[str, Any],  # the application as it is (a TypedDict is not validated)
    summary="Langkah penilaian PKKPR / a step of the PKKPR assessment",
    description=f"Steps (actor: resulting OSS kd_status): {STEP_DOC}. A step out of order "
    "is a 409 naming the steps possible now; a step without what it must carry is a 422.",
)
def post_step(
    app_id: AppId,
    action: Action,
    body: Annotated[StepIn, Body()],
    caller: Writer,
    pipe: PipelineDep,
) -> ApplicationView:
    _own_application(caller, pipe, app_id)
    if ACTIONS[action].actor == Actor.STAFF and not caller.is_staff:
        raise wrong_role(caller.role, ("staff",))  # the applicant's steps only, via OSS
    return pipe.act(
        app_id, action, officer_of(body.officer, caller), keterangan=body.keterangan,
        data=body.data,
    )  # fmt: skip


@router.post(
    "/applications/{app_id}/{what}",
    responses=responses(401, 403, 404, 409, 422),
    response_model=dict[str, Any],  # the application as it is (a TypedDict is not validated)
    summary="Setelah keputusan / after the decision: extension, change, revocation",
)
def post_after(
    app_id: AppId,
    what: Literal["extension", "change", "revocation"],
    body: Annotated[AfterIn, Body()],
    caller: Staff,
    pipe: PipelineDep,
) -> ApplicationView:
    officer = officer_of(body.officer, caller)
    if what == "extension":
        return pipe.extend(app_id, officer, reason=body.reason)
    if what == "revocation":
        return pipe.revoke(app_id, officer, reason=body.reason)
    return pipe.change(app_id, officer, reason=body.reason, changes=body.changes)


@router.post(
    "/assessments/deadlines",
    response_model=list[dict[str, Any]],
    responses=responses(401, 403),
    summary="Periksa batas waktu / apply the overdue policy (flag or fiktif positif)",
)
def post_deadlines(_caller: Staff, pipe: PipelineDep) -> list[DeadlineDone]:
    return pipe.enforce_deadlines()


@router.get(
    "/pnbp/estimate",
    response_model=dict[str, Any],  # the estimate as it is (a TypedDict is not validated)
    responses=responses(401, 403, 422),
    summary="Perkiraan tagihan PNBP / the PNBP bill estimate (tariffs are settings)",
)
def get_pnbp_estimate(
    _caller: Writer,
    state: StateDep,
    area_m2: float = Query(..., gt=0, le=1e9),
    purpose: Purpose = Query(Purpose.BERUSAHA),
) -> PnbpEstimate:
    return estimate(area_m2, purpose, state.settings)


@router.put(
    "/plans/{plan_id}/versions/{version}/oss-integration",
    responses=responses(401, 403, 404, 422),
    summary="RDTR terintegrasi OSS? / whether a plan version's RDTR is integrated in OSS",
    response_model=dict[str, Any],  # the setting as it is (a TypedDict is not validated)
)
def put_integration(
    body: Annotated[IntegrationIn, Body()],
    caller: Staff,
    pipe: PipelineDep,
    plan_id: Annotated[str, Path(min_length=1, max_length=100)],
    version: Annotated[str, Path(min_length=1, max_length=100)],
) -> IntegrationSetting:
    return pipe.set_integration(
        plan_id, version, body.rdtr_integrated, reason=body.reason, by=caller.id
    )


@router.get(
    "/tracking/{number}",
    responses=responses(404, 429),
    summary="Lacak permohonan / the applicant's view, by number and access code",
    response_model=dict[str, Any],  # the answer as it is (a TypedDict is not validated)
)
def get_tracking(
    request: Request,
    caller: Anyone,
    state: StateDep,
    pipe: PipelineDep,
    number: Annotated[str, Path(min_length=1, max_length=64)],
    code: str = Query(..., min_length=1, max_length=64),
) -> TrackingAnswer:
    tracking_limit(request, state, caller)  # its own allowance: tracking_attempts_per_minute
    return pipe.applicant_status(number, code)


# ---------------------------------------------------------------- documents


def _document(db: Database, number: str) -> dict[str, Any]:
    doc = documents.get(db, number)
    if doc is None:
        raise NotFound(
            f"Dokumen {number} tidak dikenal",
            f"Document {number} is unknown",
            where="number",
            hint_id="Periksa nomor pada dokumen (mis. KKPR/53.71/2026/000123)",
            hint_en="Check the number printed on the document (e.g. KKPR/53.71/2026/000123)",
        )
    return doc


def _withhold(verdict: documents.Verification) -> None:
    """What the public learns without the code: the status only. Neither the document
    nor which of its fields a guessed copy got wrong (that would let anyone read the
    document a field at a time)."""
    verdict.pop("document", None)
    verdict.pop("differences", None)


def _may_see(caller: Caller, doc: dict[str, Any], code: str | None) -> None:
    """Staff and permit systems see any document; the public, one whose code it holds."""
    if caller.role != "public":
        return
    if code is None or documents.normal_code(code) != doc["code"]:
        raise NotFound(
            f"Dokumen {doc['number']} dengan kode itu tidak ada",
            f"No document {doc['number']} with that code",
            where="code",
            hint_id="Pindai QR pada dokumen atau ketik kode verifikasinya",
            hint_en="Scan the QR code on the document or type its verification code",
        )


def _public_limit(caller: Caller, request: Request, state: AppState) -> None:
    if caller.role == "public":
        state.limiter.check(request.client.host if request.client else "unknown")


def _map(doc: dict[str, Any], cache: MapCache) -> bytes:
    png = cache.get(doc["number"])
    if png is None:
        png = document_map(doc)
        cache.put(doc["number"], png)
    return png


def _page(
    request: Request,
    doc: dict[str, Any],
    state: AppState,
    cache: MapCache,
    verdict: documents.Verification | None = None,
) -> HTMLResponse:
    from kkpr.pipeline.document_render import qr_png

    sheet = document_sheet(doc, state.settings)
    context = {
        "s": sheet,
        "verdict": verdict,
        "map_src": "data:image/png;base64," + base64.b64encode(_map(doc, cache)).decode(),
        "qr_src": "data:image/png;base64," + base64.b64encode(qr_png(sheet["url"])).decode(),
        "pdf_href": f"/v1/documents/{doc['number']}.pdf?code={doc['code']}",
    }
    return TEMPLATES.TemplateResponse(request, "pipeline/document.html", context)


@router.get(
    "/documents/{number:path}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **responses(404, 429)},
    summary="Dokumen KKPR (PDF) / the KKPR document as PDF",
)
def get_document_pdf(
    request: Request,
    number: str,
    caller: Anyone,
    state: StateDep,
    db: PipelineDb,
    cache: MapCacheDep,
    code: str | None = Query(None, max_length=64),
) -> Response:
    _public_limit(caller, request, state)
    doc = _document(db, number)
    _may_see(caller, doc, code)
    pdf = document_pdf(doc, state.settings, _map(doc, cache))
    name = number.replace("/", "-")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )


@router.get(
    "/documents/{number:path}.html",
    response_class=HTMLResponse,
    responses=responses(404, 429),
    summary="Dokumen KKPR (HTML) / the KKPR document as a page",
)
def get_document_html(
    request: Request,
    number: str,
    caller: Anyone,
    state: StateDep,
    db: PipelineDb,
    cache: MapCacheDep,
    code: str | None = Query(None, max_length=64),
) -> HTMLResponse:
    _public_limit(caller, request, state)
    doc = _document(db, number)
    _may_see(caller, doc, code)
    return _page(request, doc, state, cache)


@router.get(
    "/documents/{number:path}",
    responses={404: {"description": 'Unknown number: `{"status": "unknown"}`'}, **responses(429)},
    summary="Verifikasi dokumen / verify a document: valid, changed or unknown",
    description="With `?code=`: `valid` when it is the code issued under the number, "
    "`changed` when not, `unknown` (404) when no document has the number. The content "
    "is included when the code is valid (or for staff and permit systems). A browser "
    "(Accept: text/html), e.g. after scanning the QR code, gets the page instead.",
)
def get_document(
    request: Request,
    number: str,
    caller: Anyone,
    state: StateDep,
    db: PipelineDb,
    cache: MapCacheDep,
    pipe: PipelineDep,
    code: str | None = Query(None, max_length=64),
) -> Response:
    _public_limit(caller, request, state)
    verdict = documents.verify(db, number, code, state.settings, pipe.today())
    if caller.role == "public" and (code is None or verdict["status"] != "valid"):
        _withhold(verdict)
    status = 404 if verdict["status"] == "unknown" else 200
    wants_html = request.headers.get("accept", "").startswith("text/html")
    if wants_html and "document" in verdict:
        doc = _document(db, number)
        return _page(request, doc, state, cache, verdict)
    if wants_html:  # a scanned or typed code that shows nothing: a page, not JSON
        return verify_page(request, number, code, verdict["status"])
    return JSONResponse(verdict, status_code=status)


@router.post(
    "/documents/{number:path}/verify",
    responses={404: {"description": "Unknown number"}, **responses(422, 429)},
    summary="Verifikasi salinan / verify a copy by its code or its content",
)
def post_verify(
    request: Request,
    number: str,
    body: Annotated[VerifyIn, Body()],
    caller: Anyone,
    state: StateDep,
    db: PipelineDb,
    pipe: PipelineDep,
) -> JSONResponse:
    _public_limit(caller, request, state)
    verdict = documents.verify(db, number, body.content or body.code, state.settings, pipe.today())
    if caller.role == "public" and verdict["status"] != "valid":
        _withhold(verdict)
    return JSONResponse(verdict, status_code=404 if verdict["status"] == "unknown" else 200)
