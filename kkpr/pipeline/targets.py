"""Where webhooks may go: public addresses only, unless a setting allows private ones.

A permit system names the URL its events are POSTed to. Without a check, the service
would POST (and report the answer's status) to any address it can reach, its own
loopback, the cloud metadata address or the office network included: a request
forgery (SSRF) that the subscriber steers. A target must resolve to public addresses
only, when the subscription is made and again at every delivery (the name may have
been pointed elsewhere since), and delivery never follows a redirect. At delivery the
name is resolved once: the addresses that pass the check are the ones connected to
(:func:`opener`), so a name that answers a public address to the check and a private
one to the connection (DNS rebinding) reaches nothing.
``webhook_allow_private_targets`` lifts the address rule for a closed network (and
for tests with a receiver on 127.0.0.1).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from kkpr.errors import InvalidInput

Resolver = Callable[..., list[Any]]


def _not_public(infos: list[Any]) -> str | None:
    """The first address of ``getaddrinfo``'s answer that is not public, or None."""
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            return str(ip)
    return None


def private_address(url: str) -> str | None:
    """The first non-public address ``url``'s host resolves to; None when every one is
    public. An unresolvable host is returned as itself (nothing can be sent to it)."""
    host = urlsplit(url).hostname or ""
    port = urlsplit(url).port or 443
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return host or url
    return _not_public(infos)


class TargetRefused(OSError):
    """The target's name resolved to an address that is not public."""


def _pinned_connect(allow_private: bool, resolve: Resolver | None) -> Callable[..., socket.socket]:
    """``socket.create_connection`` that resolves once, refuses a non-public answer
    (unless allowed) and connects to exactly the addresses it checked."""

    def create(
        address: tuple[str, int],
        timeout: float | object = socket._GLOBAL_DEFAULT_TIMEOUT,  # type: ignore[attr-defined]
        source_address: tuple[str, int] | None = None,
        **_: Any,
    ) -> socket.socket:
        host, port = address
        infos = (resolve or socket.getaddrinfo)(host, port, 0, socket.SOCK_STREAM)
        if not allow_private and (where := _not_public(infos)):
            raise TargetRefused(f"refused: the target resolves to {where}, not public")
        error: OSError | None = None
        for family, kind, proto, _name, sockaddr in infos:
            sock = socket.socket(family, kind, proto)
            try:
                if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:  # type: ignore[attr-defined]
                    sock.settimeout(timeout)  # type: ignore[arg-type]
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                error = exc
                sock.close()
        raise error or OSError(f"{host}: no address to connect to")

    return create


def _pinned(cls: type[http.client.HTTPConnection], create: Callable[..., socket.socket]) -> Any:
    def connection(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        conn = cls(host, **kwargs)
        conn._create_connection = create  # type: ignore[attr-defined]  # http.client's hook
        return conn

    return connection


class _PinnedHTTP(urllib.request.HTTPHandler):
    def __init__(self, create: Callable[..., socket.socket]) -> None:
        super().__init__()
        self._create = create

    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_pinned(http.client.HTTPConnection, self._create), req)


class _PinnedHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, create: Callable[..., socket.socket]) -> None:
        super().__init__()
        self._create = create

    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(
            _pinned(http.client.HTTPSConnection, self._create),
            req,
            context=self._context,  # type: ignore[attr-defined]
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is the answer: a webhook target cannot send the POST elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


NO_REDIRECTS = urllib.request.build_opener(_NoRedirect)


def opener(
    url: str, allow_private: bool, resolve: Resolver | None = None
) -> urllib.request.OpenerDirector:
    """An opener for a webhook call to ``url``: no redirects, and every connection made
    to the addresses its one resolution checked (non-public ones refused unless
    ``allow_private``). Where the environment sends ``url`` through a proxy
    (``https_proxy``, ``no_proxy``), the proxy connects: the name is checked before the
    call (:func:`private_address`) and the proxy's own rules do the rest."""
    parts = urlsplit(url)
    proxied = parts.scheme in urllib.request.getproxies() and not urllib.request.proxy_bypass(
        parts.hostname or ""
    )
    if proxied:
        return NO_REDIRECTS
    create = _pinned_connect(allow_private, resolve)
    return urllib.request.build_opener(
        _NoRedirect, urllib.request.ProxyHandler({}), _PinnedHTTP(create), _PinnedHTTPS(create)
    )


def refuse_private_target(url: str, allow_private: bool) -> None:
    """422 for a webhook URL that resolves to a non-public address (unless allowed)."""
    if allow_private:
        return
    where = private_address(url)
    if where is not None:
        raise InvalidInput(
            f"URL webhook menuju alamat yang bukan publik ({where})",
            f"The webhook URL leads to an address that is not public ({where})",
            where="url",
            hint_id="Pakai URL publik sistem Anda; jaringan tertutup: pengelola dapat "
            "mengizinkan dengan KKPR_WEBHOOK_ALLOW_PRIVATE_TARGETS",
            hint_en="Use your system's public URL; on a closed network the operator may "
            "allow it with KKPR_WEBHOOK_ALLOW_PRIVATE_TARGETS",
        )
