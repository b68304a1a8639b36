"""Where webhooks may go: public addresses only, unless a setting allows private ones.

A permit system names the URL its events are POSTed to. Without a check, the service
would POST (and report the answer's status) to any address it can reach, its own
loopback, the cloud metadata address or the office network included: a request
forgery (SSRF) that the subscriber steers. A target must resolve to public addresses
only, when the subscription is made and again at every delivery (the name may have
been pointed elsewhere since), and delivery never follows a redirect.
``webhook_allow_private_targets`` lifts the address rule for a closed network (and
for tests with a receiver on 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from kkpr.errors import InvalidInput


def private_address(url: str) -> str | None:
    """The first non-public address ``url``'s host resolves to; None when every one is
    public. An unresolvable host is returned as itself (nothing can be sent to it)."""
    host = urlsplit(url).hostname or ""
    port = urlsplit(url).port or 443
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return host or url
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            return str(ip)
    return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is the answer: a webhook target cannot send the POST elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


NO_REDIRECTS = urllib.request.build_opener(_NoRedirect)


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
