"""Where the product may connect: one rule for every destination outside this system (webhooks, every
Apprise scheme, and anything that later connects out), applied twice.

When a URL is entered, `check_webhook_url` / `check_apprise_url` resolve its host through the system
resolver (which also reads odd literal forms: `127.1`, `2130706433`, `0x7f.1`) and refuse it at once when
an address is not public. A name that does not resolve now cannot be judged now; it is judged when used.

When sending, `with guarded(budget=...)` judges every connection (and every UDP datagram) made inside
it, in this thread or in any thread that copies its context (Apprise's worker threads do), against the
address handed to `connect()` itself, through a process audit hook. `socket.create_connection` (which
requests, urllib3, smtplib and http.client use) resolves once and connects to exactly what it got, so
the address judged is the address connected to: a DNS answer that changes after a check (rebinding)
cannot lead inside the network, redirects are judged like the first request, and no URL is rewritten
(TLS, SNI and Host stay those of the URL). The budget bounds the whole send: when it runs out, every
socket the send connected is shut down, which ends a slow or dripping answer wherever it is.

`settings.ALLOW_PRIVATE_DESTINATIONS` (tests, a closed network) lets private addresses through; the
budget still applies.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import apprise
from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges `is_global` lets through (on some Python versions) that no product message should reach.
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT; 100.100.100.200 is cloud metadata
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # the IPv4 address is in the last 32 bits
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_TEREDO = ipaddress.ip_network("2001::/32")  # a tunnel to an obfuscated IPv4 address

_WATCHED_EVENTS = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg"})


class OutboundRefused(OSError):
    """A destination the product may not reach. An OSError so that network libraries treat it as a
    connection that failed; `code` is stable: `private_destination`, `bad_url`, `out_of_time`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


def is_public(address: IPAddress) -> bool:
    """Whether the address is globally routable (and not an IPv6 form that embeds one that is not)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public(embedded)
        if address in _TEREDO or address in _NAT64_LOCAL or address.is_site_local:
            return False
    return address.is_global and not (
        address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or address.is_link_local
        or address.is_loopback
        or address.is_private
        or address in _SHARED
    )


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _parse_address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])  # without an IPv6 zone (fe80::1%eth0)
    except ValueError:
        return None


def _refused(host: str) -> OutboundRefused:
    return OutboundRefused(
        "private_destination",
        _("%(host)s is not a public address; nothing is sent there.") % {"host": host},
    )


# -- when a URL is entered ------------------------------------------------------------------------


def check_host(host: str, port: int | None = None) -> None:
    """Refuse the host when any address it resolves to is not public. Literal addresses in any form
    the system resolver reads are judged by the address they mean."""
    if settings.ALLOW_PRIVATE_DESTINATIONS:
        return
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        return  # unknown today: judged at each connection
    for *_rest, sockaddr in found:
        address = _parse_address(str(sockaddr[0]))
        if address is None or not is_public(address):
            raise _refused(host)


def check_webhook_url(url: str) -> None:
    """An http(s) URL whose host is public; raises OutboundRefused."""
    parts = urlsplit(url.strip())
    bad = OutboundRefused("bad_url", _("The endpoint must be an http(s) URL with a host name."))
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise bad
    try:
        port = parts.port
    except ValueError:
        raise bad from None
    check_host(parts.hostname, port)


def check_apprise_url(url: str) -> None:
    """For Apprise schemes whose URL names the server to post to (json, xml, form, ntfy, gotify, mmost,
    apprise, ...), that server must be public. Schemes of a fixed service (twilio, tgram, slack, ...) put
    tokens where a host would be: those are not hosts, and their service is judged when connecting. A URL
    Apprise cannot read is left to the send, which refuses it for good."""
    service = apprise.Apprise.instantiate(url.strip())
    if not service or not any("{host}" in template for template in getattr(service, "templates", ())):
        return
    # Apprise keeps brackets and sometimes the port in `host` ("[::1]:8080"): read it as a URL would.
    host = urlsplit(f"//{getattr(service, 'host', '') or ''}").hostname
    if host:
        check_host(host)


# -- when sending ---------------------------------------------------------------------------------


@dataclass(eq=False)
class Guard:
    """One guarded send. `refused` lists what the guard stopped (from any thread of the send);
    `expired` is true when the budget ran out."""

    allow_private: bool
    budget: float | None
    refused: list[OutboundRefused] = field(default_factory=list)
    expired: bool = False
    _sockets: list[socket.socket] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closed: bool = False

    def _on_connect(self, sock: socket.socket, address: Any) -> None:
        if self.expired:
            raise self._refuse(OutboundRefused("out_of_time", _("The time allowed for the send ran out.")))
        if not self.allow_private:
            self._judge(sock, address)
        if self.budget is not None:
            with self._lock:
                if not self._closed:
                    # A duplicate of the descriptor, taken before the connection is made: it still names
                    # this connection after a TLS wrapper takes the original over.
                    self._sockets.append(sock.dup())

    def _judge(self, sock: socket.socket, address: Any) -> None:
        if sock.family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple):
            raise self._refuse(_refused(str(address)))  # unix sockets and the like: local by nature
        host = str(address[0])
        literal = _parse_address(host)
        if literal is not None:
            if not is_public(literal):
                raise self._refuse(_refused(host))
            return
        # A name handed straight to connect() is resolved again by the C library: judge all it may mean.
        try:
            found = socket.getaddrinfo(host, address[1], sock.family)
        except OSError:
            raise self._refuse(_refused(host)) from None
        for *_rest, sockaddr in found:
            resolved = _parse_address(str(sockaddr[0]))
            if resolved is None or not is_public(resolved):
                raise self._refuse(_refused(host))

    def _refuse(self, error: OutboundRefused) -> OutboundRefused:
        self.refused.append(error)
        return error

    def _expire(self) -> None:
        with self._lock:
            if self._closed:
                return
            self.expired = True
            for sock in self._sockets:
                with contextlib.suppress(OSError):  # not connected yet, or already closed
                    sock.shutdown(socket.SHUT_RDWR)

    def _close(self) -> None:
        with self._lock:
            self._closed = True
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


_current: ContextVar[Guard | None] = ContextVar("orderflow_outbound_guard", default=None)
_install_lock = threading.Lock()
_installed = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    # Called for every audited event of the process: leave at once unless it is a guarded connection.
    if event not in _WATCHED_EVENTS:
        return
    guard = _current.get()
    if guard is None or args[1] is None:
        return
    guard._on_connect(args[0], args[1])


def _install() -> None:
    global _installed
    with _install_lock:
        if not _installed:
            sys.addaudithook(_audit)  # cannot be removed: it stays, idle outside guarded()
            _installed = True


@contextmanager
def guarded(*, budget: float | None = None) -> Iterator[Guard]:
    """Judge every connection made inside against the address rule, and end the send after `budget`
    seconds (when given) by shutting down every socket it connected."""
    _install()
    guard = Guard(allow_private=settings.ALLOW_PRIVATE_DESTINATIONS, budget=budget)
    token = _current.set(guard)
    timer = None
    if budget is not None:
        timer = threading.Timer(budget, guard._expire)
        timer.daemon = True
        timer.start()
    try:
        yield guard
    finally:
        _current.reset(token)
        if timer is not None:
            timer.cancel()
        guard._close()
