"""Application state and the dependencies routers ask for."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from kkpr.plan.package import read_plan
from kkpr.settings import Settings
from kkpr.store.base import Store
from kkpr.store.memory import MemoryStore


@dataclass
class AppState:
    settings: Settings
    store: Store
    store_kind: str

    @classmethod
    def build(cls, settings: Settings) -> AppState:
        if settings.database_url:
            from kkpr.store.postgis import PostgisStore

            store: Store = PostgisStore(settings.database_url)
            kind = "postgis"
        else:
            plan = read_plan(settings.plan_dir)
            store = MemoryStore(
                plan,
                outside_margin_m=settings.outside_plan_margin_m,
                max_vertices=settings.max_site_vertices,
            )
            kind = "memory"
        return cls(settings=settings, store=store, store_kind=kind)


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.kkpr
    return state
