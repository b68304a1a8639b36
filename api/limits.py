"""Limits that keep one client from hurting the others: body size, site size, public rate.

- Request bodies larger than ``max_body_bytes`` answer 413 before any parsing. The
  body is read to its end (up to a cap) first, so an HTTP client still sending it
  reads the 413 instead of a reset connection. Plan uploads have their own limit,
  ``max_plan_upload_bytes``, and are streamed, never buffered here.
- Sites with more than ``max_site_vertices`` vertices answer 413; sites larger than
  ``max_site_area_m2`` answer 422 (no permit is for a site that large).
- The site of a JSON body is counted on its raw bytes before the body is parsed
  (:func:`scan_site_body`: its positions and its polygons, cheaply, an upper bound),
  so a body of a million vertices is a 413 without ever becoming Python objects; a
  large body is parsed and validated in the threadpool, never on the event loop
  (:func:`parse_body`). The public upload (``/pages/upload``) counts the same before
  GDAL reads the file.
- The public pre-check allows ``public_rate_limit_per_minute`` requests per client
  (a token bucket per address, shared by every worker through the records database:
  ``kkpr.records.ratelimit``), then 429 with ``Retry-After``; an IPv6 client is its
  /64. A client refused and asking again is answered by :mod:`api.gate`, outside the
  app's every layer, from this process's memory of the refusal. The address is the TCP peer's: ``make run`` starts uvicorn with
  ``--no-proxy-headers``, since uvicorn otherwise believes ``X-Forwarded-For`` from
  127.0.0.1 and any local process could claim a new address per request. Behind a
  reverse proxy, start uvicorn with ``--proxy-headers --forwarded-allow-ips=<proxy>``
  and a proxy that appends the peer (nginx ``$proxy_add_x_forwarded_for``): uvicorn
  takes the rightmost address the proxy did not vouch for.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import math
import re
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import shapely
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import RateLimited, SiteTooLarge, problem_response
from kkpr.errors import InputTooLarge, KkprError, SiteError
from kkpr.model import Site
from kkpr.records.ratelimit import Buckets, MemoryBuckets
from kkpr.site import check_site_geometry, to_plan_crs, too_many_vertices
from kkpr.text import num_id

DRAIN_FACTOR = 4  # read at most this many times the limit before answering 413


def body_too_large(limit: int, where: str = "body") -> InputTooLarge:
    return InputTooLarge(
        f"Isi permintaan melebihi batas {num_id(limit, 0)} bita",
        f"The request body exceeds the limit of {limit:,} bytes",
        where=where,
        hint_id="Kirim tapak yang lebih sederhana atau bagi kumpulan menjadi beberapa permintaan",
        hint_en="Send a simpler site or split the batch into several requests",
        extra={"limit_bytes": limit},
    )


class BodySizeLimit:
    """ASGI middleware: 413 problem+json for bodies over the limit of their route."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, streamed: dict[tuple[str, str], int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.streamed = streamed or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        streamed_limit = self.streamed.get((scope["method"], scope["path"].rstrip("/")))
        limit = streamed_limit if streamed_limit is not None else self.max_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send, limit, 0, declared <= limit * DRAIN_FACTOR)
            return
        if streamed_limit is not None:
            await self.app(scope, _counting(receive, limit), send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            more = bool(message.get("more_body", False))
            if size > limit:
                await self._refuse(scope, receive, send, limit, size, more)
                return
            if not more:
                break
        await self.app(scope, _replay(messages, receive), send)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, limit: int, read: int, more: bool
    ) -> None:
        # drain what the client is still sending (up to a cap) so that it reads the 413
        while more and read <= limit * DRAIN_FACTOR:
            message = await receive()
            if message["type"] != "http.request":
                break
            read += len(message.get("body", b""))
            more = bool(message.get("more_body", False))
        response = problem_response(body_too_large(limit), scope["path"])
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(messages: list[Message], receive: Receive) -> Receive:
    queue = list(messages)

    async def replay() -> Message:
        return queue.pop(0) if queue else await receive()

    return replay


def _counting(receive: Receive, limit: int) -> Receive:
    size = 0

    async def counting() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise body_too_large(limit)
        return message

    return counting


# ---------------------------------------------------------------- the public limit, first

PUBLIC_LIMITED = frozenset(
    {("POST", "/v1/precheck"), ("POST", "/pages/upload"), ("GET", "/pages/precheck.pdf")}
)


def anonymous_client(scope: Scope) -> str | None:
    """The peer address of an anonymous request to a publicly limited route, else None.

    A request with an API key (``X-API-Key``, ``Authorization``) is not anonymous: its
    key is verified by the route, and a wrong key is a 401 there."""
    if (
        scope["type"] != "http"
        or (scope["method"], scope["path"].rstrip("/")) not in PUBLIC_LIMITED
    ):
        return None
    for name, _value in scope.get("headers", ()):
        if name == b"x-api-key" or name == b"authorization":
            return None
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class PublicRateLimit:
    """ASGI middleware: the public rate limit of an anonymous request to a limited
    route is taken before its body is read, so a client over its limit costs a 429 and
    nothing else: no body read, no JSON parsed, no site checked.

    A client refused a moment ago never gets this far: :class:`api.gate.RefusedGate`,
    outside every other layer, answers it from the limiter's memory. Here the buckets
    are asked (a database round trip when they are shared, so in the threadpool).
    """

    def __init__(self, app: ASGIApp, limiter: Callable[[], RateLimiter]) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        host = anonymous_client(scope)
        if host is not None:
            try:  # the shared buckets are a database round trip: off the event loop
                await run_in_threadpool(self.limiter().check, host)
            except KkprError as exc:  # 429, or 503 when the buckets' database is down
                await problem_response(exc, scope["path"])(scope, receive, send)
                return
        await self.app(scope, receive, send)


# ---------------------------------------------------------------- bodies, before parsing

PARSE_INLINE_BYTES = 64_000  # bodies larger than this are counted and parsed in the threadpool
# a GeoJSON position: an opening bracket and a number (the brackets around it hold none)
POSITION = re.compile(rb"\[\s*-?[\d.]")
# a polygon: three brackets before its first number (a hole has two, a position one)
POLYGON = re.compile(rb"\[\s*\[\s*\[\s*-?[\d.]")
Model = TypeVar("Model", bound=BaseModel)


def too_many_parts(parts: int, max_parts: int, where: str = "site.coordinates") -> InputTooLarge:
    return InputTooLarge(
        f"Tapak terdiri dari {num_id(parts, 0)} bidang; batasnya {num_id(max_parts, 0)}",
        f"The site is made of {parts:,} separate areas; the limit is {max_parts:,}",
        where=where,
        hint_id="Kirim satu tapak: bidang-bidang yang terpisah jauh diajukan sendiri-sendiri",
        hint_en="Send one site: parcels far apart are submitted separately",
        extra={"parts": parts, "limit": max_parts},
    )


def scan_site_body(raw: bytes, max_vertices: int, max_parts: int, where: str = "site") -> None:
    """413 when the JSON text ``raw`` holds more positions or polygons than the limits,
    counted on the bytes: no number is read, no object made. A count is an upper bound
    (any array that starts with a number counts as a position), so what passes here is
    counted again exactly once parsed (:func:`check_site_limits`)."""
    if raw.count(b"[") > max_vertices:  # memchr-fast; most bodies stop here
        positions = sum(1 for _ in POSITION.finditer(raw))
        if positions > max_vertices:
            raise too_many_vertices(positions, max_vertices, where=f"{where}.coordinates")
    if raw.count(b"[") > max_parts:
        polygons = sum(1 for _ in POLYGON.finditer(raw))
        if polygons > max_parts:
            raise too_many_parts(polygons, max_parts, where=f"{where}.coordinates")


def _parse(raw: bytes, model: type[Model], max_vertices: int, max_parts: int) -> Model:
    scan_site_body(raw, max_vertices, max_parts)
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:  # answered as FastAPI answers a body it parsed
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None


async def parse_body(
    request: Request, model: type[Model], max_vertices: int, max_parts: int
) -> Model:
    """The request's JSON body as ``model``: the site limits first, on the raw bytes,
    then parsing and validation; both in the threadpool for a large body, so an
    anonymous client's megabytes never hold up the event loop."""
    raw = await request.body()
    if len(raw) > PARSE_INLINE_BYTES:
        return await run_in_threadpool(_parse, raw, model, max_vertices, max_parts)
    return _parse(raw, model, max_vertices, max_parts)


# ---------------------------------------------------------------- sites


def check_site_limits(
    site: Site,
    plan_crs: str,
    max_vertices: int,
    max_area_m2: float,
    max_parts: int | None = None,
) -> None:
    """413 for too many vertices or parts, 422 for an invalid site or one too large for
    a permit."""
    vertices = int(shapely.get_num_coordinates(site.geometry))
    if vertices > max_vertices:
        raise too_many_vertices(vertices, max_vertices, where="site.coordinates")
    parts = int(shapely.get_num_geometries(site.geometry))
    if max_parts is not None and parts > max_parts:
        raise too_many_parts(parts, max_parts)
    check_site_geometry(site)
    with np.errstate(all="ignore"):  # an absurd site overflows to inf: too large, below
        area = float(shapely.area(to_plan_crs(site, plan_crs)))  # kept on the site for the store
    if math.isnan(area):
        raise SiteError(
            f"Koordinat tapak tidak dapat diubah dari {site.crs} ke CRS rencana {plan_crs}",
            f"The site coordinates cannot be transformed from {site.crs} to the plan CRS "
            f"{plan_crs}",
            where="site.coordinates",
            hint_id="Periksa CRS dan urutan koordinat (bujur, lintang)",
            hint_en="Check the CRS and the coordinate order (longitude, latitude)",
        )
    if area > max_area_m2:
        raise SiteTooLarge(
            f"Luas tapak {num_id(area, 0)} m² melebihi batas {num_id(max_area_m2, 0)} m²",
            f"The site area {area:,.0f} m² exceeds the limit of {max_area_m2:,.0f} m²",
            where="site",
            hint_id="Periksa koordinat dan CRS tapak; ajukan bidang-bidang besar secara terpisah",
            hint_en="Check the site's coordinates and CRS; submit large parcels separately",
            extra={"area_m2": area if math.isfinite(area) else None, "limit_m2": max_area_m2},
        )


# ---------------------------------------------------------------- the public rate limit

REFUSED_KEPT = 100_000  # refused clients remembered by one process
CLIENTS_PARSED_KEPT = 16_384  # addresses whose client (network) is remembered, parsed once
IPV6_CLIENT_PREFIX = 64  # one IPv6 subscriber holds a /64: every address in it is one client


@functools.lru_cache(maxsize=CLIENTS_PARSED_KEPT)  # a flood repeats its address
def client_network(host: str) -> str:
    """The client a rate limit counts: an IPv4 address, or the /64 of an IPv6 one (a
    phone or a home router holds 2^64 addresses and may rotate through them)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(ip)


class RateLimiter:
    """``per_minute`` requests per client, refilled continuously, counted in
    ``buckets``: this process's own by default, ``SharedBuckets`` in the app (every
    worker counts the same requests). Clients are kept as a hash of their address."""

    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.time,  # wall time: shared across processes
        buckets: Buckets | None = None,
    ) -> None:
        self.capacity = float(max(per_minute, 0))
        self.rate = self.capacity / 60.0
        self._clock = clock
        self.buckets: Buckets = buckets if buckets is not None else MemoryBuckets()
        self._refused: dict[str, float] = {}  # client -> when its wait ends (clock)

    def take(self, client: str) -> float | None:
        """None when the request may go ahead, else the seconds until it may."""
        key = hashlib.sha256(client.encode("utf-8")).hexdigest()[:32]
        return self.buckets.take(key, self._clock(), self.capacity, self.rate)

    def refused(self, client: str) -> RateLimited | None:
        """The refusal of a client this process refused a moment ago and whose bucket
        cannot have refilled since, else None: no bucket asked, no database touched.
        Exact, not a guess: a refused request takes no token, and other workers can
        only take tokens, so the bucket holds less than one until the wait is over."""
        wait = self.refused_wait(client)
        return None if wait is None else self.refusal(wait)

    def refused_wait(self, client: str) -> float | None:
        """The seconds ``client`` must still wait after a refusal by this process, else
        None (see :meth:`refused`): two dictionary look-ups."""
        net = client_network(client)
        until = self._refused.get(net)
        if until is None:
            return None
        wait = until - self._clock()
        if wait <= 0:
            self._refused.pop(net, None)
            return None
        return wait

    def check(self, client: str) -> None:
        net = client_network(client)
        wait = self.take(net)
        if wait is not None:
            if len(self._refused) >= REFUSED_KEPT:  # a flood of addresses: start again
                self._refused.clear()
            self._refused[net] = self._clock() + wait
            raise self.refusal(wait)

    def refusal(self, wait: float) -> RateLimited:
        per_minute = int(self.capacity)
        return RateLimited(
            f"Terlalu banyak pemeriksaan awal; batasnya {per_minute} per menit",
            f"Too many pre-checks; the limit is {per_minute} per minute",
            where="client",
            hint_id=f"Coba lagi dalam {math.ceil(wait)} detik, atau minta kunci API",
            hint_en=f"Try again in {math.ceil(wait)} s, or ask for an API key",
            retry_after=max(1, math.ceil(wait)),
        )
