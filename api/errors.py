"""kkpr errors as RFC 9457 problem+json: one table from exception type to status.

Every error answers ``application/problem+json`` with a stable ``type`` per kind of
error (``PROBLEM_BASE + kind``), a fixed bilingual ``title`` per kind, the specific
``detail``, and the message in Bahasa Indonesia (``message_id``) and English
(``message_en``) with ``where`` and a hint. Nothing here ever answers with a stack
trace; an unexpected exception is logged and answered as ``internal-error``.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import validation
from kkpr.errors import (
    Conflict,
    InputTooLarge,
    InvalidInput,
    KkprError,
    NotFound,
    PlanError,
    SiteError,
    SiteOutsidePlan,
    StoreError,
    UnknownActivity,
)
from kkpr.settings import Settings

log = logging.getLogger("kkpr.api")

PROBLEM_BASE = "https://kkpr.example/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
MAX_PROBLEMS_LISTED = 1000


# ---------------------------------------------------------------- API-only errors


class NotAuthenticated(KkprError):
    """No credentials, or credentials that match no active key."""

    kind = "unauthenticated"


class Forbidden(KkprError):
    """A valid key whose role may not do this."""

    kind = "forbidden"


class RateLimited(KkprError):
    """Too many public requests from one client."""

    kind = "rate-limited"

    def __init__(self, message_id: str, message_en: str, *, retry_after: int, **kw: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message_id, message_en, **kw)


class Busy(KkprError):
    """The public work queue is full: try again shortly (503 with Retry-After)."""

    kind = "busy"

    def __init__(self, message_id: str, message_en: str, *, retry_after: int, **kw: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message_id, message_en, **kw)


class SiteTooLarge(SiteError):
    """A site larger than a permit could be for (``max_site_area_m2``)."""

    kind = "site-too-large"


class RequestInvalid(KkprError):
    """A request that does not match the schema (wrong fields, types, values)."""

    kind = "request-invalid"


class BatchInvalid(KkprError):
    """Some checks of a batch cannot be run; nothing of the batch was stored."""

    kind = "batch-invalid"


class InvalidParameter(KkprError):
    """A query parameter with a value the service cannot use (OGC API: 400)."""

    kind = "invalid-parameter"


class BodyUnreadable(KkprError):
    """A body that is not JSON the service can read (bad UTF-8, nesting too deep)."""

    kind = "body-unreadable"


class MethodNotAllowed(KkprError):
    kind = "method-not-allowed"


class InternalError(KkprError):
    kind = "internal-error"


STATUS: list[tuple[type[KkprError], int]] = [  # most specific first
    (SiteOutsidePlan, 422),
    (SiteTooLarge, 422),
    (SiteError, 422),
    (UnknownActivity, 422),
    (RequestInvalid, 422),
    (InvalidInput, 422),
    (BatchInvalid, 422),
    (InputTooLarge, 413),
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (MethodNotAllowed, 405),
    (Conflict, 409),
    (RateLimited, 429),
    (Busy, 503),
    (PlanError, 422),
    (StoreError, 503),
    (InternalError, 500),
    (InvalidParameter, 400),
    (BodyUnreadable, 400),
    (KkprError, 400),
]

TITLES: dict[str, str] = {
    "site-outside-plan": "Tapak di luar wilayah rencana / Site outside every plan",
    "site-too-large": "Tapak terlalu luas / Site too large",
    "site-invalid": "Tapak tidak sah / Site not valid",
    "unknown-activity": "Kegiatan (KBLI) tidak dikenal / Unknown activity (KBLI)",
    "request-invalid": "Permintaan tidak sah / Request not valid",
    "body-unreadable": "Isi permintaan tidak terbaca / Request body unreadable",
    "invalid-parameter": "Nilai parameter tidak sah / Invalid parameter value",
    "batch-invalid": "Sebagian kumpulan tidak sah / Part of the batch not valid",
    "input-invalid": "Masukan tidak dapat diterima / Input not acceptable",
    "input-too-large": "Masukan terlalu besar / Input too large",
    "unauthenticated": "Perlu kunci API / API key required",
    "forbidden": "Peran tidak berwenang / Role not allowed",
    "not-found": "Tidak ditemukan / Not found",
    "method-not-allowed": "Metode tidak diizinkan / Method not allowed",
    "conflict": "Bertentangan dengan data tersimpan / Conflicts with stored state",
    "rate-limited": "Terlalu banyak permintaan / Too many requests",
    "busy": "Layanan sedang sibuk / Service busy",
    "plan-invalid": "Paket rencana tidak sah / Plan package not valid",
    "store-unavailable": "Penyimpanan tidak tersedia / Store unavailable",
    "internal-error": "Galat internal / Internal error",
    "kkpr-error": "Permintaan tidak dapat diproses / Request cannot be processed",
}


def status_of(exc: KkprError) -> int:
    return next(code for cls, code in STATUS if isinstance(exc, cls))


def problem_body(exc: KkprError, instance: str) -> dict[str, Any]:
    status = status_of(exc)
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + exc.kind,
        "title": TITLES.get(exc.kind, TITLES["kkpr-error"]),
        "status": status,
        "detail": exc.text,
        "instance": instance,
        **exc.to_dict(),
    }
    if isinstance(exc, PlanError) and exc.problems:
        body["problems"] = [p.to_dict() for p in exc.problems[:MAX_PROBLEMS_LISTED]]
        body["problems_total"] = len(exc.problems)
    return body


def problem_response(
    exc: KkprError, instance: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    headers = dict(headers or {})
    if isinstance(exc, NotAuthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="kkpr", charset="UTF-8"'
    if isinstance(exc, RateLimited | Busy):
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse(
        problem_body(exc, instance),
        status_code=status_of(exc),
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def problem(
    exc: KkprError, request: Request, headers: dict[str, str] | None = None
) -> JSONResponse:
    return problem_response(exc, str(request.url.path), headers)


def _validation_error(exc: RequestValidationError) -> RequestInvalid:
    # the offending input is not echoed: it can be megabytes of coordinates
    errors = [
        {
            "loc": [str(p) for p in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
            "message_id": validation.message_id(e),
            "message_en": str(e.get("msg", "")),
        }
        for e in exc.errors()[:50]
    ]
    first = errors[0] if errors else {"loc": [], "msg": "", "message_id": "", "type": ""}
    where = ".".join(first["loc"]) or None
    if first["type"] == "json_invalid":
        message = ("Isi permintaan bukan JSON yang sah", "The request body is not valid JSON")
    else:
        message = (
            f"Permintaan tidak sesuai skema: {first['message_id']}",
            f"The request does not match the schema: {first['msg']}",
        )
    return RequestInvalid(
        *message,
        where=where,
        hint_id="Lihat skema dan contoh di /docs atau /openapi.json",
        hint_en="See the schema and examples at /docs or /openapi.json",
        extra={"errors": errors},
    )


def _http_error(exc: StarletteHTTPException) -> KkprError:
    if exc.status_code == 404:
        return NotFound(
            "Alamat tidak ditemukan",
            "No such path",
            hint_id="Daftar alamat ada di /docs",
            hint_en="The paths are listed at /docs",
        )
    if exc.status_code == 405:
        return MethodNotAllowed("Metode HTTP tidak diizinkan", "HTTP method not allowed")
    if exc.status_code == 400:
        return BodyUnreadable(
            "Isi permintaan tidak dapat dibaca sebagai JSON (UTF-8, kedalaman wajar)",
            "The request body cannot be read as JSON (UTF-8, reasonable nesting)",
            where="body",
            hint_id="Kirim JSON UTF-8 yang sah, lihat contoh di /docs",
            hint_en="Send valid UTF-8 JSON; see the examples at /docs",
        )
    if exc.status_code == 413:
        return InputTooLarge("Permintaan terlalu besar", "Request too large")
    err = KkprError(str(exc.detail), str(exc.detail))
    err.kind = f"http-{exc.status_code}"
    return err


def install(app: FastAPI) -> None:
    @app.exception_handler(KkprError)
    async def _kkpr_error(request: Request, exc: KkprError) -> JSONResponse:
        return problem(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(_validation_error(exc), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        err = _http_error(exc)
        if err.kind.startswith("http-"):
            return JSONResponse(
                {
                    "type": PROBLEM_BASE + err.kind,
                    "title": str(exc.detail),
                    "status": exc.status_code,
                    "detail": str(exc.detail),
                    "instance": str(request.url.path),
                },
                status_code=exc.status_code,
                media_type=PROBLEM_MEDIA_TYPE,
                headers=dict(exc.headers or {}),
            )
        return problem(err, request, dict(exc.headers or {}))  # a 405 keeps its Allow

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(
            InternalError(
                "Terjadi galat internal; sudah dicatat",
                "An internal error occurred; it has been logged",
                hint_id="Coba lagi nanti atau hubungi pengelola layanan",
                hint_en="Try again later or contact the service operator",
            ),
            request,
            # the server closes the connection after an unhandled error: say so, so that
            # a client does not send its next request on it
            {"Connection": "close"},
        )


# ---------------------------------------------------------------- OpenAPI


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the problem statuses a route can answer."""
    kinds = {code: [cls.kind for cls, c in STATUS if c == code] for code in codes}
    return {
        code: {
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            "description": "; ".join(TITLES.get(k, k) for k in kinds[code]) or "Problem",
        }
        for code in codes
    }


def complete_openapi(doc: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The generated document plus what routes cannot say themselves: the Problem
    schema, the 422 of request validation as problem+json, and limits from settings."""
    from api.schemas import Problem

    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    problem_422 = responses(422)[422]
    unreadable = {  # a JSON body FastAPI cannot decode as text or nests too deep
        **responses(400)[400],
        "description": TITLES[BodyUnreadable.kind],
    }
    for path, ops in doc.get("paths", {}).items():
        for op in ops.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            answers = op["responses"]
            if "422" in answers and "application/json" in answers["422"].get("content", {}):
                answers["422"] = problem_422
            if "application/json" in op.get("requestBody", {}).get("content", {}):
                answers.setdefault("400", unreadable)
            if path.endswith("/items"):
                for param in op.get("parameters", []):
                    if param.get("name") == "limit":
                        param["schema"]["maximum"] = settings.ogc_max_limit
    return doc
