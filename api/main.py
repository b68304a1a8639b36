"""The app factory: ``uvicorn api.main:create_app --factory``."""

from __future__ import annotations

from fastapi import FastAPI

from api import errors
from api.deps import AppState
from api.routers import catalogue, checks, ogc, pages, pipeline, plans
from kkpr import __version__
from kkpr.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="kkpr — Kesesuaian Kegiatan Pemanfaatan Ruang",
        version=__version__,
        description=(
            "Pemeriksaan kesesuaian lokasi usaha terhadap RDTR. "
            "Spatial-conformity checks of business sites against a city's detailed plan."
        ),
    )
    app.state.kkpr = AppState.build(settings)
    errors.install(app)
    for module in (checks, plans, catalogue, ogc, pipeline, pages):
        app.include_router(module.router)

    @app.get("/healthz", tags=["meta"], summary="Liveness and the plan being served")
    def healthz() -> dict[str, object]:
        state: AppState = app.state.kkpr
        rules = state.store.rules()
        return {
            "status": "ok",
            "plan": rules.meta.id,
            "version": rules.meta.version,
            "store": state.store_kind,
        }

    return app
