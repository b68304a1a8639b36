"""kkpr errors as RFC 9457 problem+json: one table from exception type to status."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kkpr.errors import (
    Conflict,
    InputTooLarge,
    KkprError,
    NotFound,
    PlanError,
    SiteError,
    SiteOutsidePlan,
    StoreError,
    UnknownActivity,
)

PROBLEM_BASE = "https://kkpr.example/problems/"
STATUS: list[tuple[type[KkprError], int]] = [  # most specific first
    (SiteOutsidePlan, 422),
    (SiteError, 422),
    (UnknownActivity, 422),
    (InputTooLarge, 413),
    (NotFound, 404),
    (Conflict, 409),
    (PlanError, 422),
    (StoreError, 503),
    (KkprError, 400),
]


def status_of(exc: KkprError) -> int:
    return next(code for cls, code in STATUS if isinstance(exc, cls))


def problem(exc: KkprError, request: Request) -> JSONResponse:
    status = status_of(exc)
    body = {
        "type": PROBLEM_BASE + exc.kind,
        "title": exc.message_en,
        "status": status,
        "detail": exc.text,
        "instance": str(request.url.path),
        **exc.to_dict(),
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def install(app: FastAPI) -> None:
    @app.exception_handler(KkprError)
    async def _kkpr_error(request: Request, exc: KkprError) -> JSONResponse:
        return problem(exc, request)
