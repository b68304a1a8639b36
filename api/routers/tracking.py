"""The applicant's tracking page (``/lacak``): the application number and the access
code given at submission, then the application's stage and state in plain words.

The answer comes from :func:`kkpr.pipeline.tracking.applicant_status`. A wrong code
and an unknown number get the same page, status and wording; attempts with a code, on
this page and on ``GET /v1/tracking/{number}``, are counted per client against
``tracking_attempts_per_minute`` (its own buckets in the public limiter's store, so
tracking and pre-checks do not use up each other's allowance). The form posts, so the
code stays out of the address bar and the access log; a link with ``?nomor=&kode=``
(what a permit system may send the applicant) also works.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from api import i18n
from api.auth import Caller, current_caller
from api.deps import AppState, state_of
from api.errors import RateLimited
from api.limits import RateLimiter, client_network
from api.pipeline_deps import PipelineDep
from api.routers.pages import render
from kkpr.errors import NotFound
from kkpr.pipeline import documents
from kkpr.pipeline.applications import Pipeline
from kkpr.pipeline.tracking import TrackingAnswer
from kkpr.settings import Settings
from kkpr.text import num_en, num_id

router = APIRouter(include_in_schema=False)
BUCKET = "lacak:"  # the tracking buckets' prefix beside the pre-check's
MAX_NUMBER, MAX_CODE = 64, 64
MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip


def tracking_limit(request: Request, state: AppState, caller: Caller | None = None) -> None:
    """429 once this client has tried ``tracking_attempts_per_minute`` codes in a minute
    (staff and permit systems, known by their key, are not counted)."""
    if caller is not None and caller.role != "public":
        return
    per_minute = state.settings.tracking_attempts_per_minute
    limiter = RateLimiter(per_minute, buckets=state.limiter.buckets)
    host = request.client.host if request.client else "unknown"
    wait = limiter.take(BUCKET + client_network(host))
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise RateLimited(
            f"Terlalu banyak percobaan melacak permohonan; batasnya {per_minute} per menit",
            f"Too many attempts to track an application; the limit is {per_minute} per minute",
            where="client",
            hint_id=f"Coba lagi dalam {seconds} detik",
            hint_en=f"Try again in {seconds} s",
            retry_after=seconds,
        )


@router.get("/lacak", response_class=HTMLResponse)
def tracking_form(
    request: Request, pipe: PipelineDep, nomor: str = "", kode: str = ""
) -> HTMLResponse:
    """The form; with ``nomor`` and ``kode`` (a link) the application's status."""
    return _answer(request, pipe, nomor, kode)


@router.post("/lacak", response_class=HTMLResponse)
def tracking_post(
    request: Request, pipe: PipelineDep, nomor: str = Form(""), kode: str = Form("")
) -> HTMLResponse:
    return _answer(request, pipe, nomor, kode)


def _answer(request: Request, pipe: Pipeline, nomor: str, kode: str) -> HTMLResponse:
    number, code = nomor.strip()[:MAX_NUMBER], kode.strip()[:MAX_CODE]
    lang = i18n.language(request)
    errors = {
        "number": i18n.translate("trk.number_missing", lang) if code and not number else "",
        "code": i18n.translate("trk.code_missing", lang) if number and not code else "",
    }
    if not (number and code):
        status = 422 if any(errors.values()) else 200
        return _render(request, status_code=status, number=number, errors=errors)
    state = state_of(request)
    try:
        tracking_limit(request, state, current_caller(request))
        seen = pipe.applicant_status(number, code)
    except RateLimited as exc:
        response = _render(request, status_code=429, number=number,
                          errors=errors, refused="limit", retry_after=exc.retry_after)  # fmt: skip
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except NotFound:  # a wrong code or an unknown number: one answer, never which
        return _render(request, status_code=404, number=number,
                      errors=errors, refused="nomatch")  # fmt: skip
    return _render(request, number=number, errors=errors,
                  seen=seen, record_href=_record_href(pipe, seen))  # fmt: skip


def _record_href(pipe: Pipeline, seen: TrackingAnswer) -> str | None:
    """The decision's record, opened with its own verification code (the applicant
    holds the access code, so may read the record issued to them)."""
    record = seen["decision"]["record"] if "decision" in seen else None
    doc = documents.get(pipe.db, record) if record else None
    if doc is None:
        return None
    return documents.verify_url(doc["number"], doc["code"], pipe.settings)


def tracking_url(number: str, code: str, settings: Settings) -> str:
    """The link that opens the applicant's tracking page with number and code filled in."""
    base = settings.public_base_url.rstrip("/")
    return f"{base}/lacak?{urlencode({'nomor': number, 'kode': code})}"


def day(value: str | None, lang: str) -> str:
    """``2026-03-17`` (or a timestamp) as "17 Maret 2026" / "17 March 2026"."""
    if not value:
        return ""
    try:
        d = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{d.day} {MONTHS[lang][d.month - 1]} {d.year}"


def _render(request: Request, *, status_code: int = 200, **extra: Any) -> HTMLResponse:
    lang = i18n.language(request)
    number_in = num_id if lang == "id" else num_en
    return render(
        request,
        "tracking.html",
        status_code=status_code,
        day=lambda value: day(value, lang),
        num=lambda value, digits=0: number_in(float(value), digits),
        seen=extra.pop("seen", None),
        refused=extra.pop("refused", None),
        retry_after=extra.pop("retry_after", None),
        record_href=extra.pop("record_href", None),
        **extra,
    )
