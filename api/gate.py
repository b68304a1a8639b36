"""The outermost layer: a client refused by the public rate limit is answered here.

A flood over its limit must cost the server as little as a refusal can: the refusal is
decided from the request's line and headers (route, method, peer address, whether a
key is sent), never from its body, and answered before any other layer (the error
handler, compression, CORS, the in-flight count, routing) sees the request. The answer
is the same 429 problem+json with ``Retry-After`` as the rest of the app's, encoded once
per route and wait and then reused.

A client that asks again at once while it must wait (a script in a loop, not a person)
gets its refusal after ``public_refusal_delay_s``, or at the end of its wait if that is
sooner; the wait holds no thread, only the request's connection. Such a client then
makes at most one request per connection per delay, whatever it sends, so a flood of
refusals stops taking the event loop from the staff. An open-loop client (one that does
not wait for answers but opens more connections) is not slowed by the delay: at most
``public_refusals_held_per_client`` of its refusals are held at once (and
``public_refusals_held`` of every client's), beyond that each is answered at once with
``Connection: close``. Connections beyond that are for a connection limit in front of
the server (a reverse proxy's or the firewall's), not for the application.

The first refusal of a client, and every request within its limit, go on to
:class:`api.limits.PublicRateLimit`, which asks the buckets.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem_response
from api.limits import RateLimiter, anonymous_client, client_network
from kkpr.settings import Settings

Encoded = tuple[list[tuple[bytes, bytes]], bytes]  # (headers, body) of a 429
CLOSE = (b"connection", b"close")


class RefusedGate:
    """ASGI middleware, outside the app's whole middleware stack (``api.main``)."""

    def __init__(
        self, app: ASGIApp, limiter: Callable[[], RateLimiter], settings: Settings
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.delay_s = settings.public_refusal_delay_s
        self.held_per_client = settings.public_refusals_held_per_client
        self.held_max = settings.public_refusals_held
        self.held: dict[str, int] = {}  # client -> refusals waiting out their delay
        self.held_total = 0
        self._encoded: dict[tuple[str, float, int], Encoded] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        host = anonymous_client(scope)
        if host is None:
            await self.app(scope, receive, send)
            return
        limiter = self.limiter()
        wait = limiter.refused_wait(host)
        if wait is None:  # within its limit, or first refused by the buckets
            await self.app(scope, receive, send)
            return
        close = False
        if self.delay_s > 0:
            client = client_network(host)
            held = self.held.get(client, 0)
            if held < self.held_per_client and self.held_total < self.held_max:
                await self._hold(client, min(self.delay_s, wait))
                wait = limiter.refused_wait(host)
                if wait is None:  # its wait is over: the request is served after all
                    await self.app(scope, receive, send)
                    return
            else:
                close = True
        headers, body = self._refusal(limiter, scope["path"], wait)
        start: Message = {
            "type": "http.response.start",
            "status": 429,
            "headers": [*headers, CLOSE] if close else headers,
        }
        await send(start)
        await send({"type": "http.response.body", "body": body})

    async def _hold(self, client: str, seconds: float) -> None:
        self.held[client] = self.held.get(client, 0) + 1
        self.held_total += 1
        try:
            await anyio.sleep(seconds)
        finally:
            self.held_total -= 1
            left = self.held[client] - 1
            if left:
                self.held[client] = left
            else:
                del self.held[client]

    def _refusal(self, limiter: RateLimiter, path: str, wait: float) -> Encoded:
        """The app's 429 for ``path`` and ``wait``, encoded once: a refusal depends on
        nothing else than the limit, the route and the whole seconds to wait."""
        key = (path, limiter.capacity, max(1, math.ceil(wait)))
        encoded = self._encoded.get(key)
        if encoded is None:
            response = problem_response(limiter.refusal(wait), path)
            encoded = (list(response.raw_headers), bytes(response.body))
            if len(self._encoded) < ENCODED_KEPT:  # three routes, waits of a minute at most
                self._encoded[key] = encoded
        return encoded


ENCODED_KEPT = 1_024
