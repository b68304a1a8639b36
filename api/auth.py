"""Callers and roles: API keys, the staff session cookie, and the anonymous public caller.

The contract other routers rely on::

    from api.auth import Staff
    def route(caller: Staff): ...

The callers a route may have are ``Annotated`` aliases over one ``require_role``
dependency each, declared with ``Security``: ``Writer`` (permit system or staff),
``Staff`` (staff or admin), ``Admin``, ``PlanWriter`` (staff keys, admin sessions),
``Anyone`` (the public too). ``require_role`` makes others.

``require_role(*roles)`` returns a FastAPI dependency that yields the authenticated
``Caller(id, role, name)`` or answers 401 (no or bad credentials) / 403 (a valid key of
another role) as problem+json. Roles: ``permit_system``, ``staff``, ``admin``, ``public``.

``admin`` is staff with one power more: it may act wherever ``staff`` may (a route that
requires ``staff`` accepts it, ``owner_filter`` lets it see every record, ``is_staff``
says yes), and managing the plan from the web (upload, activate, roll back on
``/staf/rencana``) needs it. ``require_role(..., session_roles=("admin",))`` narrows what
a staff session cookie may do on a route that API keys of wider roles may use (see
``PLAN_WRITERS`` and docs/security.md).

Credentials, the first one present is used:

1. header ``X-API-Key: kkpr_<id>_<secret>``;
2. header ``Authorization: Bearer kkpr_<id>_<secret>``;
3. cookie ``kkpr_staff``: a staff session (see below).

A key that is present but wrong, revoked or malformed is a 401, also on public routes.
Without credentials, a route that allows ``"public"`` gets
``Caller(id="public:<hash of the client address>", role="public")``; other routes 401.
``Caller.id`` of a key is ``key:<key id>`` (``name`` is the key's name): that is what
the check log and every other write records as the author.

Keys are made with ``kkpr keys create --role staff --name "..."`` (printed once) and
stored hashed (``kkpr.records.keys``). A key that verified is remembered in the process
for the setting ``api_key_cache_ttl_s`` seconds (0 = read the key on every request): a key revoked through this process stops
working at once, one revoked elsewhere (``kkpr keys revoke``, another worker) within
that many seconds.

Staff session cookie, for the staff login form of the web pages::

    from api.auth import login_staff, logout_staff, current_caller

    @router.post("/staff/login")
    def login(request: Request, key: str = Form(...)) -> RedirectResponse:
        response = RedirectResponse("/staff", status_code=303)
        login_staff(response, key, request)   # raises 401 / 403 as problem+json
        return response

    @router.get("/staff")
    def staff_page(caller: Staff): ...

The cookie holds a signed, expiring token naming the key and a server-side session
(never the key itself): HttpOnly, SameSite=Lax, Secure when ``public_base_url`` is
https, valid ``session_max_age_s``. Revoking the key ends its sessions; logging out
revokes the session (``kkpr.records.sessions``). ``current_caller(request)`` gives the
Caller or None without raising, for pages that only show who is logged in. An expired,
forged or logged-out cookie counts as absent.

Forgery (CSRF): SameSite does not separate the ports of one host, so a page on another
port could send the cookie. A request that the cookie authenticates and that changes
state (not GET/HEAD/OPTIONS) must carry the session's ``csrf_token`` (header
``X-CSRF-Token``; the staff page holds it) or it answers 403; API keys, sent as
headers, need none. The login and logout forms refuse other origins
(``refuse_cross_origin``), and logout needs the token too.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Request, Response, Security
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPBearer
from starlette.routing import BaseRoute

from api.deps import AppState, latest_state, state_of
from api.errors import Forbidden, NotAuthenticated
from kkpr.records.keys import ROLES, ApiKey

SESSION_COOKIE = "kkpr_staff"

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="Kunci API / API key: `kkpr_<id>_<secret>` (kkpr keys create)",
)
bearer = HTTPBearer(auto_error=False, description="The same API key as a Bearer token")
session_cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="Staff session from the login form"
)


@dataclass(frozen=True)
class Caller:
    id: str
    role: str  # "permit_system" | "staff" | "admin" | "public"
    name: str | None = None

    @property
    def is_staff(self) -> bool:
        """Staff or admin: the office's own people, who act on every record."""
        return is_staff_role(self.role)


# roles that include others: an admin may do whatever staff may
IMPLIED_ROLES: dict[str, tuple[str, ...]] = {"admin": ("staff",)}
STAFF_ROLES = ("staff", "admin")  # the roles that may log in to the staff pages


def is_staff_role(role: str) -> bool:
    return role in STAFF_ROLES


def acts_as(role: str, roles: Iterable[str]) -> bool:
    """Whether a caller of ``role`` may act where one of ``roles`` is required."""
    wanted = set(roles)
    return role in wanted or bool(wanted & set(IMPLIED_ROLES.get(role, ())))


def _caller_of(key: ApiKey) -> Caller:
    return Caller(id=f"key:{key.id}", role=key.role, name=key.name)


def public_caller(state: AppState, request: Request) -> Caller:
    host = request.client.host if request.client else "unknown"
    digest = hmac.new(state.secret, host.encode(), hashlib.sha256).hexdigest()[:16]
    return Caller(id=f"public:{digest}", role="public")


# ---------------------------------------------------------------- session tokens


def _sign(state: AppState, payload: str) -> str:
    return hmac.new(state.secret, payload.encode(), hashlib.sha256).hexdigest()


def session_token(state: AppState, key_id: str, now: float | None = None) -> str:
    """A new session of ``key_id`` (a row in ``staff_sessions``) as a signed token."""
    expires = int((time.time() if now is None else now) + state.settings.session_max_age_s)
    sid = state.sessions.open(key_id, expires)
    payload = f"{key_id}.{sid}.{expires}"
    return f"{payload}.{_sign(state, payload)}"


def _session_parts(state: AppState, token: str) -> tuple[str, str] | None:
    """``(key id, session id)`` of a token signed here and not expired, else None."""
    parts = token.split(".")
    if len(parts) != 4 or not parts[2].isdigit():
        return None
    key_id, sid, expires, signature = parts
    if not hmac.compare_digest(_sign(state, f"{key_id}.{sid}.{expires}"), signature):
        return None
    if int(expires) < time.time():
        return None
    return key_id, sid


def session_key(state: AppState, token: str) -> ApiKey | None:
    """The active staff key a session token names; None if forged, expired, logged out
    or its key revoked."""
    parts = _session_parts(state, token)
    if parts is None:
        return None
    key_id, sid = parts
    key = state.keys.get(key_id)
    if key is None or not key.active or not is_staff_role(key.role):
        return None
    if not state.sessions.active(sid, key_id):
        return None
    return key


def csrf_token(state: AppState, session: str) -> str:
    """The anti-forgery token of a session: given to the staff page (never in a cookie,
    which a page on another port of the same host could read) and required, as the
    header ``X-CSRF-Token`` or the form field ``csrf_token``, on every state-changing
    request that a session cookie authenticates."""
    return _sign(state, f"csrf.{session}")


def login_staff(response: Response, key: str, request: Request | None = None) -> Caller:
    """Check a staff key and set the session cookie on ``response``.

    Raises NotAuthenticated (401) for an unknown key, Forbidden (403) for a key that is
    neither a staff nor an admin key. ``request`` picks the app; without it, the app built last.
    """
    state = state_of(request) if request is not None else latest_state()
    found = state.keys.verify(key)
    if found is None:
        raise bad_key()
    if not is_staff_role(found.role):
        raise wrong_role(found.role, STAFF_ROLES)
    response.set_cookie(
        SESSION_COOKIE,
        session_token(state, found.id),
        max_age=state.settings.session_max_age_s,
        httponly=True,
        samesite="lax",
        secure=state.settings.public_base_url.startswith("https:"),
        path="/",
    )
    return _caller_of(found)


def logout_staff(response: Response, request: Request, csrf: str | None) -> None:
    """End the request's session (its row is revoked: the cookie is worthless even if
    kept) and delete the cookie. Without the session's CSRF token nothing happens, so a
    forged logout cannot end anyone's session."""
    state = state_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    parts = _session_parts(state, token) if token else None
    if token is None or parts is None:
        response.delete_cookie(SESSION_COOKIE, path="/")
        return
    if not csrf or not hmac.compare_digest(csrf.encode(), csrf_token(state, token).encode()):
        raise csrf_refused()
    state.sessions.revoke(parts[1])
    response.delete_cookie(SESSION_COOKIE, path="/")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_refused() -> Forbidden:
    return Forbidden(
        "Permintaan ini tidak membawa token anti-pemalsuan (CSRF) sesi petugas",
        "This request lacks the staff session's anti-forgery (CSRF) token",
        where="X-CSRF-Token",
        hint_id="Muat ulang halaman petugas dan coba lagi; program memakai kunci API",
        hint_en="Reload the staff page and try again; programs use an API key",
    )


def refuse_cross_origin(request: Request) -> None:
    """403 for a browser request sent by a page of another origin (another site, or
    another port of this host): the login and logout forms accept only their own.

    Browsers say where a request comes from (``Sec-Fetch-Site``, ``Origin``); a client
    that says nothing is not a browser carrying someone's cookies.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise cross_origin(site)
    origin = request.headers.get("origin")
    if origin is not None and origin != _own_origin(request):
        raise cross_origin(origin)


def _own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def cross_origin(source: str) -> Forbidden:
    return Forbidden(
        f"Formulir ini hanya menerima permintaan dari halamannya sendiri (bukan {source})",
        f"This form accepts requests from its own page only (not {source})",
        where="Origin",
        hint_id="Buka halaman petugas di alamat layanan ini",
        hint_en="Open the staff page at this service's own address",
    )


def current_caller(request: Request) -> Caller | None:
    """Who the request comes from by key or session, None when anonymous or invalid."""
    state = state_of(request)
    raw = _raw_key(request.headers.get("x-api-key"), request.headers.get("authorization"))
    if raw:
        key = state.keys.verify(raw)
        return _caller_of(key) if key else None
    token = request.cookies.get(SESSION_COOKIE)
    key = session_key(state, token) if token else None
    return _caller_of(key) if key else None


# ---------------------------------------------------------------- the dependency


def _raw_key(header: str | None, authorization: str | None) -> str | None:
    if header:
        return header.strip()
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return None


def bad_key() -> NotAuthenticated:
    return NotAuthenticated(
        "Kunci API tidak dikenal, salah, atau sudah dicabut",
        "The API key is unknown, wrong or revoked",
        where="X-API-Key",
        hint_id="Minta kunci baru kepada pengelola (kkpr keys create)",
        hint_en="Ask the operator for a new key (kkpr keys create)",
    )


def wrong_role(role: str, roles: tuple[str, ...]) -> Forbidden:
    return Forbidden(
        f"Peran {role!r} tidak berwenang di sini; perlu: {', '.join(roles)}",
        f"Role {role!r} may not do this; needs: {', '.join(roles)}",
        where="X-API-Key",
        hint_id="Pakai kunci dengan peran yang sesuai",
        hint_en="Use a key with a suitable role",
    )


def require_role(
    *roles: str, session_roles: tuple[str, ...] | None = None
) -> Callable[..., Awaitable[Caller]]:
    """A dependency yielding the Caller when its role is one of ``roles`` (or implies
    one: an admin where staff is required). ``session_roles``, when given, are the
    roles a caller authenticated by the staff session cookie must have instead: a
    person at a browser may need more than a key issued to a program."""
    unknown = (set(roles) | set(session_roles or ())) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"require_role: unknown roles {sorted(unknown)}; known: {ROLES}")

    # One dependency node that reads the headers itself, async so that FastAPI runs it
    # inline: a sub-dependency per scheme cost every request more than the key lookup.
    # ``document_security`` declares the schemes in OpenAPI instead.
    async def dependency(request: Request) -> Caller:
        state = state_of(request)
        headers = request.headers
        raw = _raw_key(headers.get("x-api-key"), headers.get("authorization"))
        caller: Caller | None = None
        allowed = roles
        if raw is not None:
            key = state.keys.verify(raw)
            if key is None:
                raise bad_key()
            caller = _caller_of(key)
        elif session := request.cookies.get(SESSION_COOKIE):
            key = session_key(state, session)
            caller = _caller_of(key) if key else None
            if caller is not None and session_roles is not None:
                allowed = session_roles
            if caller is not None and request.method not in SAFE_METHODS:
                given = headers.get("x-csrf-token", "").encode()
                if not hmac.compare_digest(given, csrf_token(state, session).encode()):
                    if "public" not in roles:
                        raise csrf_refused()
                    # a public route (the pre-check page, opened by someone logged in):
                    # the cookie without its token is no credential, the caller is public
                    caller = None
        if caller is None:
            if "public" in roles:
                return public_caller(state, request)
            raise NotAuthenticated(
                "Perlu kunci API (header X-API-Key atau Authorization: Bearer)",
                "An API key is required (header X-API-Key or Authorization: Bearer)",
                where="X-API-Key",
                hint_id="Minta kunci kepada pengelola layanan (kkpr keys create)",
                hint_en="Ask the service operator for a key (kkpr keys create)",
            )
        if not acts_as(caller.role, allowed):
            raise wrong_role(caller.role, allowed)
        return caller

    dependency.__name__ = f"require_role_{'_'.join(roles)}"
    dependency.kkpr_roles = roles  # type: ignore[attr-defined]  # for document_security
    return dependency


# Loading, activating and rolling back a plan version: staff and admin API keys (the
# operator's automation, as before the admin role existed), but from a browser session
# only an admin (docs/security.md).
PLAN_WRITERS = require_role("staff", session_roles=("admin",))
WRITERS = require_role("permit_system", "staff")  # the permit system's keys and staff
STAFF = require_role("staff")  # staff and admins
ADMIN = require_role("admin")
ANYONE = require_role("permit_system", "staff", "public")  # the public too, without a key

# What a route asks for: ``caller: Writer`` and so on. ``Security`` rather than
# ``Depends`` says what these are; the schemes themselves are declared in OpenAPI by
# ``document_security`` (the dependency reads the headers itself).
Writer = Annotated[Caller, Security(WRITERS)]
Staff = Annotated[Caller, Security(STAFF)]
Admin = Annotated[Caller, Security(ADMIN)]
PlanWriter = Annotated[Caller, Security(PLAN_WRITERS)]
Anyone = Annotated[Caller, Security(ANYONE)]


# ---------------------------------------------------------------- ownership


def owner_filter(caller: Caller) -> str | None:
    """Whose records ``caller`` may see: None (everyone's) for staff and admins, else
    its own id.

    Permit-system keys are separate clients (several systems, several agencies): what
    one key created (checks, applications, subscriptions) is visible and changeable by
    that key and by staff only. Another key's record answers 404, as one that does not
    exist, so ids cannot be probed.
    """
    return None if caller.is_staff else caller.id


def may_use(caller: Caller, owner: str | None) -> bool:
    """Whether ``caller`` may read or change a record created by ``owner``."""
    mine = owner_filter(caller)
    return mine is None or (owner is not None and hmac.compare_digest(owner, mine))


# ---------------------------------------------------------------- OpenAPI

SCHEMES = (api_key_header, bearer, session_cookie)


def document_security(doc: dict[str, Any], routes: Iterable[BaseRoute]) -> None:
    """Declare the schemes, and on every operation of ``routes`` that depends on
    ``require_role`` that any one of them is accepted: what FastAPI writes itself for
    routes with ``Security`` parameters."""
    guarded = [
        r
        for r in routes
        if isinstance(r, APIRoute) and r.include_in_schema and _requires_role(r.dependant)
    ]
    if not guarded:
        return
    schemes = doc.setdefault("components", {}).setdefault("securitySchemes", {})
    for scheme in SCHEMES:
        schemes[scheme.scheme_name] = scheme.model.model_dump(
            mode="json", by_alias=True, exclude_none=True
        )
    paths = doc.get("paths", {})
    for route in guarded:
        for method in route.methods or ():
            operation = paths.get(route.path_format, {}).get(method.lower())
            if operation is not None:
                operation["security"] = [{scheme.scheme_name: []} for scheme in SCHEMES]


def _requires_role(dependant: Dependant) -> bool:
    return any(hasattr(d.call, "kkpr_roles") or _requires_role(d) for d in dependant.dependencies)
