"""The fast path of ``POST /v1/checks``, switched by one setting (``check_fast_path``,
``KKPR_CHECK_FAST_PATH``, on by default).

``PlainCheckRoute`` answers a plainly well-formed request without FastAPI's generic
request handling: a ``Content-Length`` JSON body that validates as ``CheckIn``, an
``Idempotency-Key`` as declared or none. That handling (reading the body by its content
type, solving the dependencies, collecting errors) was 40 % of what the app adds around
a check, measured in-process with the check stubbed.

Anything else takes the generic path, so every error in the request's body or headers
is answered by FastAPI as declared. The fast path's model is the generic path's:
pydantic's JSON parser where FastAPI uses ``json.loads``, and a body on which they could
differ (NaN, UTF-16, a BOM, ...) fails here and so goes the generic way. The caller
comes from the same ``require_role`` dependency (``api.auth.WRITERS``, the route's
``Writer``), called directly; what follows is the route's own endpoint, called with the
body, the caller and the key. With the setting off every request takes the generic
path. tests/api/routers/test_checks.py holds the two paths, and the two settings, to
the same model and the same answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.auth import WRITERS
from api.deps import state_of
from api.limits import PARSE_INLINE_BYTES
from api.schemas import IDEMPOTENCY_KEY_CHAR, IDEMPOTENCY_KEY_MAX, CheckIn

IDEMPOTENCY_KEY = re.compile(f"{IDEMPOTENCY_KEY_CHAR}{{1,{IDEMPOTENCY_KEY_MAX}}}")  # as declared
JSON_TYPES = frozenset({"application/json", "application/json;charset=utf-8"})  # no spaces


class PlainCheckRoute(APIRoute):
    """A route whose endpoint takes ``request``, ``body`` (``CheckIn``), ``caller``
    (``Writer``) and ``idempotency_key``: ``POST /v1/checks``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        generic = super().get_route_handler()
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            if not state_of(request).settings.check_fast_path:
                return await generic(request)
            # who asks comes first: an unauthenticated request is a 401 before its body
            # is read or parsed (the generic path below asks again)
            caller = await WRITERS(request)
            plainly = await plainly_well_formed(request)
            if plainly is None:
                return await generic(request)
            body, key = plainly
            answer: Response = await endpoint(
                request=request, body=body, caller=caller, idempotency_key=key
            )
            return answer

        return handler


async def plainly_well_formed(request: Request) -> tuple[CheckIn, str | None] | None:
    """The body and the Idempotency-Key of a plainly well-formed ``POST /v1/checks``,
    else None."""
    headers = request.headers
    if headers.get("content-type", "").replace(" ", "").lower() not in JSON_TYPES:
        return None
    if not headers.get("content-length", "").isdigit():
        return None  # chunked: the body limits apply as the body streams in
    key = headers.get("idempotency-key")
    if key is not None and IDEMPOTENCY_KEY.fullmatch(key) is None:
        return None
    try:
        raw = await request.body()
    except Exception:  # a client gone: the generic path answers it as FastAPI does
        return None
    try:
        if len(raw) > PARSE_INLINE_BYTES:  # a large body is parsed off the event loop
            return await run_in_threadpool(CheckIn.model_validate_json, raw), key
        return CheckIn.model_validate_json(raw), key
    except ValidationError:
        return None
