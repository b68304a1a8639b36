"""Callers and roles (filled in by the API issue: hashed API keys, rate limits).

The contract other routers rely on::

    from api.auth import Caller, require_role
    def route(caller: Caller = Depends(require_role("staff"))): ...

``require_role(*roles)`` returns a FastAPI dependency that yields the authenticated
Caller (``id``, ``role``) or answers 401/403 as problem+json.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    id: str
    role: str  # "permit_system" | "staff" | "public"


def require_role(*roles: str) -> Callable[..., Caller]:
    raise NotImplementedError("api.auth is built by the API issue")
