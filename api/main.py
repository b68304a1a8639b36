"""The app factory: ``uvicorn api.main:create_app --factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api import auth, background, docs, errors, webhooks
from api.deps import AppState, CountInFlight
from api.gate import RefusedGate
from api.limits import BodySizeLimit, PublicRateLimit
from api.routers import (
    catalogue,
    checks,
    ogc,
    ogc_styles,
    ogc_tiles,
    oss,
    pages,
    pipeline,
    plan_files,
    plans,
    staff_audit,
    staff_cases,
    staff_plans,
    tracking,
)
from kkpr import __version__
from kkpr.errors import InvalidInput
from kkpr.settings import Settings, get_settings
from kkpr.store.base import Store

# Bodies smaller than TCP's initial congestion window (10 segments, ~14.6 kB) reach the
# client in the first flight compressed or not: compressing them (a check record is
# ~5 kB) costs both ends CPU and saves no round trip.
GZIP_MINIMUM_BYTES = 16_384

TAGS = [
    {
        "name": "checks",
        "description": "Pemeriksaan KKPR dan log auditnya / checks and their audit log",
    },
    {"name": "plans", "description": "Rencana dan versinya / plans and their versions"},
    {"name": "catalogue", "description": "Katalog KBLI 2020 / the KBLI 2020 catalogue"},
    {"name": "ogc", "description": "OGC API - Features: zones, overlays, RTRW for GIS clients"},
    {
        "name": "pipeline",
        "description": "Permohonan, webhook, antrean petugas / applications, webhooks, the staff queue",
    },
    {"name": "oss", "description": "OSS-RBA host to host (receiveNIBKKPR); see docs/oss.md"},
    {"name": "meta", "description": "Kesehatan layanan / service health"},
]


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The app for ``settings``; ``store`` replaces the one the settings would open."""
    settings = settings or get_settings()
    if settings.trial_document_secret_served():
        raise InvalidInput(
            "KKPR_DOCUMENT_SECRET belum diatur: dengan kunci bawaan siapa pun dapat "
            "memalsukan dokumen KKPR",
            "KKPR_DOCUMENT_SECRET is not set: with the built-in key anyone could forge "
            "KKPR documents",
            where="KKPR_DOCUMENT_SECRET",
            hint_id="Atur KKPR_DOCUMENT_SECRET ke nilai acak yang panjang, mis. "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`",
            hint_en="Set KKPR_DOCUMENT_SECRET to a long random value, e.g. "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`",
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # the state (and its pools, which open connections when first used) is built
        # with the app, so that an app served without a lifespan still works; here
        # the pools open their first connection and are closed when the server stops
        state: AppState = app.state.kkpr
        await run_in_threadpool(state.open)
        try:
            async with background.lifespan(state):  # the in-app delivery worker, if on
                yield
        finally:
            await run_in_threadpool(state.close)  # the pipeline's database too

    app = FastAPI(
        lifespan=lifespan,
        title="kkpr — Kesesuaian Kegiatan Pemanfaatan Ruang",
        version=__version__,
        description=(
            "Pemeriksaan kesesuaian lokasi usaha terhadap RDTR. "
            "Spatial-conformity checks of business sites against a city's detailed plan."
        ),
        openapi_tags=TAGS,
        docs_url=None,  # served by api.docs from vendored files, no CDN
        redoc_url=None,
    )
    app.state.kkpr = AppState.build(settings, store)
    errors.install(app)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        streamed={
            ("POST", "/v1/plans"): settings.max_plan_upload_bytes,
            ("POST", staff_plans.UPLOAD_PATH): settings.max_plan_upload_bytes,
        },
    )
    # outside BodySizeLimit: a client over its public limit is answered before any of
    # its body is read
    app.add_middleware(PublicRateLimit, limiter=lambda: app.state.kkpr.limiter)
    if settings.cors_origins:  # closed unless origins are configured
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type", "Idempotency-Key"],
            expose_headers=["Location", "Link", "Content-Crs", "Retry-After"],
        )
    # the map pages fetch whole plans as GeoJSON: compressed, Kupang's 3 MB becomes ~0.4 MB
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES)
    app.add_middleware(CountInFlight, state=app.state.kkpr)  # counts every request it sees
    # outside everything, Starlette's own error layer too: a client refused by the public
    # limit and asking again is answered before any layer sees its request (api.gate)
    build_stack = app.build_middleware_stack
    app.build_middleware_stack = lambda: RefusedGate(  # type: ignore[method-assign]
        build_stack(), limiter=lambda: app.state.kkpr.limiter, settings=settings
    )
    routers = (
        checks, plans, plan_files, catalogue, ogc, ogc_styles, ogc_tiles, pipeline, oss, pages,
        tracking, staff_audit, staff_plans, staff_cases,
    )  # fmt: skip
    for module in routers:
        app.include_router(module.router)
    docs.install(app)
    webhooks.install(app)

    def health(state: AppState) -> dict[str, object]:
        databases = state.database_state()
        body: dict[str, object] = {
            "status": "ok" if set(databases.values()) == {"ok"} else "degraded",
            "store": state.store_kind,
            "databases": databases,
        }
        if databases["store"] == "ok":
            rules = state.store.rules()
            body |= {"plan": rules.meta.id, "version": rules.meta.version}
        return body

    @app.get(
        "/healthz",
        tags=["meta"],
        summary="Liveness: the process answers (200 while it runs), with the databases' state",
    )
    async def healthz() -> dict[str, object]:
        state: AppState = app.state.kkpr
        return await run_in_threadpool(health, state)  # a database may take its timeout

    @app.get(
        "/readyz",
        tags=["meta"],
        summary="Readiness: 200 when checks can be answered and logged, else 503",
        responses={503: {"description": "A database cannot be used or no plan is active"}},
    )
    async def readyz() -> JSONResponse:
        state: AppState = app.state.kkpr
        body = await run_in_threadpool(health, state)
        ready = body["status"] == "ok"
        body["status"] = "ready" if ready else "unavailable"
        return JSONResponse(body, status_code=200 if ready else 503)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            doc = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                webhooks=app.webhooks.routes,
            )
            # the routers' own routes: app.routes may hold them wrapped (FastAPI >= 0.16x)
            routes = [*app.routes, *(r for m in routers for r in m.router.routes)]
            auth.document_security(doc, routes)
            app.openapi_schema = errors.complete_openapi(doc, settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
