"""Customer links' tokens never reach a log: a link is a capability."""

from __future__ import annotations

import logging

from orderflow.core.logmask import LINK_PREFIXES, MaskLinkTokens, mask
from orderflow.notifications import links


def test_the_log_filter_masks_a_token_in_a_request_line(make_order, alice):
    order = make_order("shop")
    token = links.token("track", order=order.pk, contact=alice.pk)
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /t/{token}/move/ HTTP/1.1", 200, 12),
        None,
    )

    assert MaskLinkTokens().filter(record)

    assert token not in record.getMessage()
    assert record.getMessage() == '"GET /t/[link]/move/ HTTP/1.1" 200 12'
    assert set(LINK_PREFIXES) == {prefix for prefix, _days in links.PURPOSES.values()} | {
        links.APPROVAL_PREFIX
    }


def test_gunicorn_and_runserver_request_lines_are_masked():
    token = "Zq3v9Xy-_aBcDeFgHiJkLmNo"
    gunicorn = f'127.0.0.1 - - [02/Dec/2026:01:00:00 +0000] "POST /d/{token}/ HTTP/1.1" 302 0 "-" "curl"'
    referer = f'"GET /static/portal/site.css HTTP/1.1" 200 "https://shop.example/p/{token}/"'
    for line in (gunicorn, referer):
        assert token not in mask(line)
        assert "[link]" in mask(line)
    assert mask("GET /s/acme/orders/12/ HTTP/1.1") == "GET /s/acme/orders/12/ HTTP/1.1"


def test_service_urls_keep_their_scheme_only_and_web_addresses_their_host():
    from orderflow.core.logmask import mask_secrets

    assert mask_secrets("tgram://123456789:AAH-secret/987654") == "tgram://…"
    assert mask_secrets("twilio://AC123:authtoken@+15551234567/+15557654321") == "twilio://…"
    assert (
        mask_secrets("refused https://user:pw@hooks.example.com/t/abc?key=1: 401")
        == "refused https://hooks.example.com/…: 401"
    )
    assert mask_secrets("alice@cornerbar.example") == "alice@cornerbar.example"
    assert mask_secrets("+15145550123") == "+15145550123"
    assert mask_secrets("") == ""
