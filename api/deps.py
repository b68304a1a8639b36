"""Application state and the dependencies routers ask for.

One ``AppState`` per app: the settings, the zone store (memory with all versions, or
PostGIS), the records database (check log and API keys: SQLite under ``data_dir``,
or PostgreSQL when ``database_url`` is set), the pipeline's database (opened when first
used), the public rate limiter, the secret that signs staff sessions, the plan desk
(api.plan_desk) and the rendered location maps. Everything the app keeps is here:
routers reach it through ``StateDep`` (or ``state_of``), never through attributes of
their own on ``app.state``.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import Busy
from api.limits import RateLimiter
from api.plan_desk import Desk
from kkpr.db.database import Database
from kkpr.errors import KkprError, NotFound, StoreError
from kkpr.pipeline.db import open_database, pipeline_url
from kkpr.plan.package import read_plan
from kkpr.records.checks import CheckLog, open_records, records_url
from kkpr.records.keys import KeyStore
from kkpr.records.plan_events import PlanEvents
from kkpr.records.ratelimit import SharedBuckets
from kkpr.records.secrets import service_secret
from kkpr.records.sessions import Sessions
from kkpr.settings import Settings
from kkpr.store.base import FeatureSource, PlanAdmin, Store
from kkpr.store.versions import VersionedMemoryStore

if TYPE_CHECKING:  # the router imports this module
    from api.routers.plans import ValidationReport

_latest: list[AppState] = []
MAP_CACHE_SIZE = 128  # rendered location maps kept in memory (documents never change)


class MapCache:
    """Location-map PNGs by document number, the most recently used kept."""

    def __init__(self, size: int = MAP_CACHE_SIZE) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, number: str) -> bytes | None:
        with self._lock:
            png = self._items.get(number)
            if png is not None:
                self._items.move_to_end(number)
            return png

    def put(self, number: str, png: bytes) -> None:
        with self._lock:
            self._items[number] = png
            while len(self._items) > self._size:
                self._items.popitem(last=False)


@dataclass
class AppState:
    settings: Settings
    store: Store
    store_kind: str
    check_log: CheckLog
    keys: KeyStore
    secret: bytes
    limiter: RateLimiter
    sessions: Sessions
    plan_desk: Desk  # the plan admin pages' events, placed reports and impact jobs
    # validation reports by (plan, version), kept when a version is loaded
    reports: dict[tuple[str, str], ValidationReport] = field(default_factory=dict)
    in_flight: int = 0  # HTTP requests the app is serving now (CountInFlight)
    # the public pre-checks' own threads (run_public); made with the state
    public_threads: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(1))
    map_cache: MapCache = field(default_factory=MapCache)  # the documents' location maps
    # the pipeline's database: opened by the first request that uses it (pipeline_db)
    _pipeline_db: Database | None = field(default=None, repr=False)
    _pipeline_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # threads that send through the pipeline's database (api.background's worker): it is
    # not closed under one still running
    senders: list[threading.Thread] = field(default_factory=list, repr=False)
    # lifespans running on this state (one app served by two servers at once, as a
    # test's client and uvicorn): the last one to end closes the connections
    _lifespans: int = field(default=0, repr=False)
    _lifespan_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def build(cls, settings: Settings, store: Store | None = None) -> AppState:
        """The state for ``settings``; ``store`` replaces the one settings would open."""
        kind = "memory"
        if store is None and settings.database_url:
            from kkpr.store.postgis import PostgisStore

            store = PostgisStore(settings.database_url)
            kind = "postgis"
        elif store is None:
            store = VersionedMemoryStore.from_plan(
                read_plan(settings.plan_dir),
                outside_margin_m=settings.outside_plan_margin_m,
                max_vertices=settings.max_site_vertices,
            )
        elif not isinstance(store, VersionedMemoryStore):
            kind = type(store).__name__.removesuffix("Store").lower() or "custom"
        url = records_url(settings)
        records = open_records(url)
        secret = (  # one key for every worker: configured, or made once and kept
            settings.session_secret.encode()
            if settings.session_secret
            else service_secret(records, "session")
        )
        state = cls(
            settings=settings,
            store=store,
            store_kind=kind,
            check_log=CheckLog(records),
            plan_desk=Desk(events=PlanEvents(records)),
            keys=KeyStore(
                records,
                cache_ttl_s=settings.api_key_cache_ttl_s,
            ),
            secret=secret,
            sessions=Sessions(records, cache_ttl_s=settings.api_key_cache_ttl_s),
            limiter=RateLimiter(
                settings.public_rate_limit_per_minute,
                buckets=SharedBuckets(url),  # one count for all workers
            ),
        )
        state.public_threads = anyio.CapacityLimiter(settings.public_check_threads)
        _latest[:] = [state]
        return state

    def pipeline_db(self) -> Database:
        """The pipeline's database (``settings.database_url``, else SQLite
        ``data_dir/pipeline.db``): one per app, opened and migrated when first asked
        for, closed with the state."""
        db = self._pipeline_db
        if db is None:
            with self._pipeline_lock:
                db = self._pipeline_db
                if db is None:
                    db = self._pipeline_db = open_database(pipeline_url(self.settings))
        return db

    def databases(self) -> list[Database]:
        """The records database and the rate buckets' (one pool each)."""
        dbs = [self.check_log.db]
        buckets = getattr(self.limiter.buckets, "db", None)
        if isinstance(buckets, Database):
            dbs.append(buckets)
        return dbs

    def database_state(self) -> dict[str, str]:
        """``records``: ``ok`` or ``unavailable``; ``store``: ``ok``, ``unavailable`` or
        ``no-active-plan``. At most one round trip to each database."""
        out: dict[str, str] = {}
        try:
            self.check_log.db.ping()
            out["records"] = "ok"
        except KkprError:
            out["records"] = "unavailable"
        try:
            self.store.rules()
            out["store"] = "ok"
        except StoreError:
            out["store"] = "unavailable"
        except KkprError:
            out["store"] = "no-active-plan"
        return out

    def open(self) -> None:
        """Open every pool's first connection (the app's startup; a database that is
        down is reported by ``/readyz``, not fatal). A second lifespan on the same
        state finds them open."""
        with self._lifespan_lock:
            self._lifespans += 1
            if self._lifespans > 1:
                return
        for db in self.databases():
            db.open()
        open_ = getattr(self.store, "open", None)
        if callable(open_):
            open_()

    def close(self) -> None:
        """Close every database connection the state holds (the app's shutdown): when
        the last lifespan running on it ends, and the pipeline's database only once no
        sender runs on it (a worker that did not stop in time leaves it open until the
        process exits; the deliveries it holds are sent again when their lease ends)."""
        with self._lifespan_lock:
            self._lifespans = max(0, self._lifespans - 1)
            if self._lifespans:
                return  # another server of this app still runs on it
        for db in self.databases():
            db.close()
        running = any(thread.is_alive() for thread in self.senders)
        if self._pipeline_db is not None and not running:
            self._pipeline_db.close()
        close = getattr(self.store, "close", None)
        if callable(close):
            close()

    def pinned(self, plan_id: str | None = None) -> Store:
        """A store that stays on one plan version for the length of a request."""
        if isinstance(self.store, VersionedMemoryStore):
            return self.store.pinned(plan_id)
        return self.store

    @property
    def features(self) -> FeatureSource:
        if not isinstance(self.store, FeatureSource):
            raise not_supported("FeatureSource")
        return self.store

    @property
    def admin(self) -> PlanAdmin:
        if not isinstance(self.store, PlanAdmin):
            raise not_supported("PlanAdmin")
        return self.store


def not_supported(what: str) -> KkprError:
    return NotFound(
        f"Penyimpanan ini tidak mendukung {what}",
        f"This store does not support {what}",
        where="store",
    )


def state_of(request: Request) -> AppState:
    """The app's state: the one way to it. Routes ask for it as ``state: StateDep``;
    code that holds a request outside dependency injection (middleware, the auth
    dependency, helpers of pages) calls this."""
    state: AppState = request.app.state.kkpr
    return state


async def get_state(request: Request) -> AppState:
    """The dependency behind ``StateDep``: async, so that FastAPI runs it inline, without
    the thread hop it spends on every sync dependency of every request."""
    return state_of(request)


StateDep = Annotated[AppState, Depends(get_state)]
"""A route's parameter ``state: StateDep`` is the app's state."""


P = ParamSpec("P")
PUBLIC_BUSY_RETRY_S = 5  # a full public queue: ask again after this many seconds
T = TypeVar("T")


class CountInFlight:
    """ASGI middleware (outermost): keeps ``state.in_flight`` for ``run_blocking``."""

    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state
        self._lock = threading.Lock()  # one loop in a server; test clients may run several

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with self._lock:
            self.state.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            with self._lock:
                self.state.in_flight -= 1


async def run_blocking(state: AppState, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn`` (a single check and its durable log append) on the event loop when this is
    the only request the app is serving, else in the threadpool.

    Alone, nothing waits for the loop, and the two thread switches of the threadpool
    cost more than they save. With other requests in flight, the threadpool lets one
    request's commit (fsync) and GEOS work overlap another's. A request that arrives
    while ``fn`` runs inline waits for it, as it would wait for the GIL: at most one
    check, which the site limits (vertices, area) keep bounded. Batches never come here.
    """
    if state.in_flight <= 1:
        return fn(*args, **kwargs)
    return await run_in_threadpool(fn, *args, **kwargs)


async def run_public(state: AppState, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn`` (a public pre-check) on the public threads: at most
    ``public_check_threads`` run at once, so an anonymous flood within its rate limits
    takes that share of the machine and no more (the staff's and the permit system's
    checks keep their own threadpool). Beyond ``public_check_queue`` waiting, a 503 with
    Retry-After: nothing is started, nothing is stored."""
    limiter = state.public_threads
    if limiter.statistics().tasks_waiting >= state.settings.public_check_queue:
        raise Busy(
            "Layanan pemeriksaan awal sedang sibuk; coba lagi sebentar lagi",
            "The pre-check service is busy; try again shortly",
            retry_after=PUBLIC_BUSY_RETRY_S,
            hint_id="Tunggu beberapa detik lalu kirim ulang",
            hint_en="Wait a few seconds and send it again",
        )
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=limiter)


def latest_state() -> AppState:
    """The state of the app built last in this process (for helpers without a request)."""
    if not _latest:
        raise RuntimeError("no kkpr app has been created in this process")
    return _latest[0]
