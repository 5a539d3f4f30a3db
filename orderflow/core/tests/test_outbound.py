"""The outbound guard: which addresses the product may reach, judged when a URL is entered and again at
the connection itself (so a DNS answer that changes in between cannot lead inside), and the time budget
of a send. Nothing here leaves this machine: local listeners, and names answered by the `dns` fixture."""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import socket
import sys
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from orderflow.core import outbound
from orderflow.core.outbound import OutboundRefused, guarded

PUBLIC = "93.184.216.34"

# Every form of an address that is not public that the entry check must see through.
PRIVATE_HOSTS = [
    "127.0.0.1",
    "127.1",  # inet_aton short form
    "2130706433",  # 127.0.0.1 as one number
    "0x7f000001",
    "0x7f.1",
    "017700000001",  # octal
    "[::ffff:127.0.0.1]",  # IPv4-mapped
    "[::1]",
    "169.254.169.254",  # link-local: cloud metadata
    "100.100.100.200",  # shared address space 100.64/10: cloud metadata too
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "0.0.0.0",
    "224.0.0.1",  # multicast
    "255.255.255.255",
    "[fc00::1]",  # unique local
    "[fd12:3456::1]",
    "[fe80::1]",  # link-local
    "[ff02::1]",  # multicast
    "[::]",
    "[64:ff9b::7f00:1]",  # NAT64 of 127.0.0.1
    "[64:ff9b::a00:1]",  # NAT64 of 10.0.0.1
    "[2002:7f00:1::1]",  # 6to4 of 127.0.0.1
    "[2001::1]",  # Teredo
    "[::7f00:1]",  # IPv4-compatible (deprecated)
    "localhost",
]


@pytest.fixture
def no_private(settings):
    settings.ALLOW_PRIVATE_DESTINATIONS = False


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A local TCP port nobody should reach: accept() tells whether something connected."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    yield server
    server.close()


def reached(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except TimeoutError:
        return False
    connection.close()
    return True


# -- the address rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address", [PUBLIC, "8.8.8.8", "2606:4700::1111", "::ffff:93.184.216.34", "64:ff9b::5db8:d822"]
)
def test_public_addresses_and_forms_embedding_one_are_public(address):
    assert outbound.is_public(ipaddress.ip_address(address))


# -- when a URL is entered ------------------------------------------------------------------------


@pytest.mark.parametrize("host", PRIVATE_HOSTS)
def test_a_webhook_url_to_any_form_of_a_private_address_is_refused(no_private, host):
    with pytest.raises(OutboundRefused) as refused:
        outbound.check_webhook_url(f"http://{host}:8080/hooks")
    assert refused.value.code == "private_destination"


def test_a_name_resolving_to_a_private_address_is_refused(no_private, dns):
    dns["intranet.example"] = [[PUBLIC, "10.1.2.3"]]  # one private answer among public ones is enough
    with pytest.raises(OutboundRefused) as refused:
        outbound.check_webhook_url("https://intranet.example/hooks")
    assert refused.value.code == "private_destination"


def test_a_public_address_or_name_is_allowed(no_private, dns):
    dns["hooks.example"] = [[PUBLIC, "2606:4700::1111"]]
    outbound.check_webhook_url(f"https://{PUBLIC}/hooks")
    outbound.check_webhook_url("https://hooks.example/hooks")
    outbound.check_apprise_url("ntfys://hooks.example/topic")


def test_a_name_that_does_not_resolve_now_is_left_to_the_connection(no_private):
    outbound.check_webhook_url("https://not-yet.example/hooks")


@pytest.mark.parametrize("url", ["ftp://example.com/x", "https:///x", "https://example.com:99999/", "x"])
def test_a_webhook_url_that_is_not_http_with_a_host_is_a_bad_url(no_private, url):
    with pytest.raises(OutboundRefused) as refused:
        outbound.check_webhook_url(url)
    assert refused.value.code == "bad_url"


def test_private_addresses_are_allowed_when_the_settings_allow_them(settings):
    settings.ALLOW_PRIVATE_DESTINATIONS = True
    outbound.check_webhook_url("http://127.0.0.1:8080/hooks")
    outbound.check_apprise_url("ntfy://127.0.0.1:8199/x")


# Every Apprise scheme whose URL names the server to post to, the self-hosted services the product's
# sellers and contacts may use for SMS and chat.
APPRISE_LOOPBACK_URLS = [
    "json://{host}:8199/sms",
    "jsons://{host}/sms",
    "xml://{host}:8199/sms",
    "xmls://{host}/sms",
    "form://{host}:8199/sms",
    "forms://{host}/sms",
    "ntfy://{host}:8199/topic",
    "ntfys://{host}/topic",
    "gotify://{host}/abcdefghijklmnop",
    "gotifys://{host}/abcdefghijklmnop",
    "mmost://{host}/abcdefghijklmnopqrstuvwxyz",
    "mmosts://{host}/abcdefghijklmnopqrstuvwxyz",
    "apprise://{host}/mykey",
    "apprises://{host}/mykey",
    "rocket://user:password@{host}/#channel",
    "matrix://user:password@{host}/#room",
    "nctalk://user:password@{host}/roomid",
    "rsyslog://{host}",
    "signal://{host}:8080/+15555550100/+15555550101",
]


@pytest.mark.parametrize("template", APPRISE_LOOPBACK_URLS)
@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "169.254.169.254"])
def test_every_apprise_scheme_naming_a_server_is_refused_on_a_private_address(no_private, template, host):
    with pytest.raises(OutboundRefused) as refused:
        outbound.check_apprise_url(template.format(host=host))
    assert refused.value.code == "private_destination"


@pytest.mark.parametrize(
    "url",
    [
        # 167772161 is 10.0.0.1 as one number, 12345 is 0.0.48.57: here they are a bot id and a sender
        "tgram://167772161:AAHabcdefghijklmnopqrstuvwxyz12345/12345",
        "twilio://ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@12345/15557654321",
    ],
)
def test_services_at_a_fixed_address_are_not_judged_by_the_tokens_in_their_url(no_private, url):
    outbound.check_apprise_url(url)


# -- when connecting ------------------------------------------------------------------------------


def test_a_connection_to_a_private_address_is_refused_inside_the_guard(no_private, listener):
    port = listener.getsockname()[1]
    with guarded() as guard, pytest.raises(OutboundRefused):
        socket.create_connection(("127.0.0.1", port), timeout=1)
    assert [error.code for error in guard.refused] == ["private_destination"]
    assert not reached(listener)


def test_the_address_connected_to_is_judged_so_a_changed_dns_answer_cannot_lead_inside(
    no_private, dns, listener
):
    # Given a name whose first answer is public and whose next answer is loopback (DNS rebinding)
    port = listener.getsockname()[1]
    dns["rebind.example"] = [[PUBLIC], ["127.0.0.1"]]
    outbound.check_webhook_url(f"http://rebind.example:{port}/")  # passes: the first answer is public

    # When the send connects (its own lookup gets the second answer)
    with guarded() as guard, pytest.raises(requests.ConnectionError):
        requests.post(f"http://rebind.example:{port}/", data=b"{}", timeout=1)

    # Then the connection was refused and never reached the local port
    assert [error.code for error in guard.refused] == ["private_destination"]
    assert not reached(listener)


def test_a_connection_to_a_public_address_is_let_through(no_private):
    with guarded() as guard, socket.socket() as sock:
        sys.audit("socket.connect", sock, (PUBLIC, 443))  # what connect() announces before connecting
        sys.audit("socket.connect", sock, ("2606:4700::1111", 443, 0, 0))
    assert guard.refused == []


def test_outside_the_guard_nothing_is_judged(no_private, listener):
    with guarded():
        pass
    socket.create_connection(listener.getsockname(), timeout=1).close()
    assert reached(listener)


def test_private_addresses_are_reached_when_the_settings_allow_them(settings, listener):
    settings.ALLOW_PRIVATE_DESTINATIONS = True
    with guarded() as guard:
        socket.create_connection(listener.getsockname(), timeout=1).close()
    assert guard.refused == []
    assert reached(listener)


def test_threads_that_copy_the_senders_context_are_guarded_and_others_are_not(no_private, listener):
    results: dict[str, object] = {}

    def connect(name: str) -> None:
        try:
            socket.create_connection(listener.getsockname(), timeout=1).close()
            results[name] = "connected"
        except OutboundRefused as error:
            results[name] = error.code

    with guarded():
        copied = threading.Thread(target=contextvars.copy_context().run, args=(connect, "copied"))
        unrelated_context = contextvars.Context()
        other = threading.Thread(target=unrelated_context.run, args=(connect, "other"))
        for thread in (copied, other):
            thread.start()
            thread.join()
    assert results == {"copied": "private_destination", "other": "connected"}


def test_a_send_that_outlasts_its_budget_is_cut_off(settings):
    # Given a local endpoint that drips its answer's headers, one every 0.2 s, for ever
    settings.ALLOW_PRIVATE_DESTINATIONS = True
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip() -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\n")
            while not stop.is_set():
                try:
                    connection.sendall(b"X-Slow: yes\r\n")
                except OSError:
                    return
                time.sleep(0.2)

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    started = time.monotonic()

    # When it is sent to with a budget of 1 s (every single read is well within the read timeout)
    with guarded(budget=1) as guard, contextlib.suppress(requests.RequestException):
        requests.post(f"http://127.0.0.1:{server.getsockname()[1]}/", data=b"{}", timeout=(1, 5))

    # Then the send ends when the budget runs out, and says so
    assert guard.expired
    assert time.monotonic() - started < 3
    stop.set()
    server.close()
