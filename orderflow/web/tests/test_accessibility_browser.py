"""Every page passes axe-core with no violation, on a 375 px phone and at 1280 px, in English and in
French, and none scrolls sideways: Debian's Chromium driven by Playwright, axe-core injected into each
page (installed at set-up by scripts/ensure-axe.sh, not committed).

To check a new page, add it to PAGES: who visits it (STAFF, CUSTOMER or ANYONE) and how to build its
address from the Scene (the data made once for all pages). While working, ORDERFLOW_A11Y_PAGES=order,outbox
checks only the pages whose name contains one of those words, and ORDERFLOW_SCREENSHOTS=<folder> keeps a
full-page screenshot of every page visited."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from orderflow.conftest import PASSWORD
from orderflow.web.tests.conftest import DAYTIME, run_worker
from orderflow.web.tests.test_browser import CHROMIUM_ARGS, chromium_path  # noqa: F401 (fixture)

AXE = Path(__file__).resolve().parents[3] / "var" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}
LANGUAGES = {"en": "en-US", "fr": "fr-CA"}

STAFF, CUSTOMER, ANYONE = "staff", "customer", "anyone"


@dataclass
class Scene:
    """What the pages show: Acme's orders, a message in the outbox, a webhook endpoint, links."""

    seller: str
    order: int  # a shop order in preparation, with a thread (its number)
    delivery: int  # an email in the outbox
    endpoint: int
    reset: str  # a password reset link's path
    links: dict[str, str] = field(default_factory=dict)  # purpose: path
    quoted: int = 0  # a request with a sent quote (its number)
    drafted: int = 0  # a request with a draft quote

    def staff(self, name: str, **kwargs: object) -> str:
        return reverse(name, kwargs={"seller_slug": self.seller, **kwargs})


class Page(NamedTuple):
    who: str  # STAFF, CUSTOMER or ANYONE
    what: str
    where: Callable[[Scene], str]
    status: int = 200  # the status it answers with (after redirects)


PAGES: list[Page | tuple] = [
    (STAFF, "dashboard", lambda s: s.staff("dashboard")),
    (STAFF, "dashboard, filtered", lambda s: s.staff("dashboard") + "?category=open&q=cake"),
    (STAFF, "order page", lambda s: s.staff("order_detail", number=s.order)),
    (STAFF, "outbox", lambda s: s.staff("outbox")),
    (STAFF, "outbox message", lambda s: s.staff("outbox_message", delivery_id=s.delivery)),
    (STAFF, "inbox", lambda s: s.staff("inbox")),
    (STAFF, "conversations", lambda s: s.staff("conversations")),
    (STAFF, "conversations, waiting for us", lambda s: s.staff("conversations") + "?show=waiting_us"),
    (STAFF, "conversation", lambda s: s.staff("conversation", number=s.order)),
    (STAFF, "calls", lambda s: s.staff("calls")),
    (STAFF, "notification settings", lambda s: s.staff("notification_settings")),
    (
        STAFF,
        "message template editor",
        lambda s: s.staff("message_template", key="status_changed", locale="fr"),
    ),
    (STAFF, "my settings", lambda s: s.staff("my_notifications")),
    (STAFF, "change password", lambda s: s.staff("password_change")),
    (STAFF, "team", lambda s: s.staff("team")),
    (STAFF, "integrations", lambda s: s.staff("integrations")),
    (STAFF, "webhook endpoint", lambda s: s.staff("webhook_endpoint", endpoint_id=s.endpoint)),
    (STAFF, "customers", lambda s: s.staff("customers")),
    (STAFF, "new customer", lambda s: s.staff("customer_new")),
    (STAFF, "new order (phone)", lambda s: s.staff("order_new")),
    (STAFF, "catalogue", lambda s: s.staff("catalog")),
    (STAFF, "new catalogue item", lambda s: s.staff("catalog_item_new")),
    (STAFF, "seller settings", lambda s: s.staff("seller_settings")),
    (STAFF, "quotes: sent", lambda s: s.staff("order_quotes", number=s.quoted)),
    (STAFF, "quotes: draft editor", lambda s: s.staff("order_quotes", number=s.drafted)),
    (STAFF, "terms and conditions", lambda s: s.staff("terms_settings")),
    (STAFF, "import and export people", lambda s: s.staff("people_transfer", number=s.order)),
    (STAFF, "my downloads", lambda s: s.staff("downloads")),
    (STAFF, "participants and leads", lambda s: s.staff("order_people", number=s.order)),
    (CUSTOMER, "portal: my orders", lambda s: reverse("portal_orders")),
    (CUSTOMER, "portal: order", lambda s: reverse("portal_order", kwargs={"number": s.order})),
    (CUSTOMER, "portal: inbox", lambda s: reverse("portal_inbox")),
    (CUSTOMER, "portal: conversations", lambda s: reverse("portal_conversations")),
    (CUSTOMER, "portal: place an order", lambda s: reverse("portal_order_new")),
    (CUSTOMER, "portal: preferences", lambda s: reverse("portal_my_preferences")),
    (CUSTOMER, "portal: change password", lambda s: reverse("portal_password_change")),
    (CUSTOMER, "portal: a quote to answer", lambda s: reverse("portal_order", kwargs={"number": s.quoted})),
    (CUSTOMER, "portal: ask for a quote", lambda s: reverse("portal_request_new")),
    (
        CUSTOMER,
        "portal: import participants",
        lambda s: reverse("portal_order_import", kwargs={"number": s.order}),
    ),
    (
        CUSTOMER,
        "portal: participants",
        lambda s: reverse("portal_order_participants", kwargs={"number": s.order}),
    ),
    (ANYONE, "login", lambda s: reverse("login")),
    (ANYONE, "password reset", lambda s: reverse("password_reset")),
    (ANYONE, "password reset sent", lambda s: reverse("password_reset_done")),
    (ANYONE, "password reset: new password", lambda s: s.reset),
    (ANYONE, "password reset done", lambda s: reverse("password_reset_complete")),
    (ANYONE, "tracking link", lambda s: s.links["track"]),
    (ANYONE, "rate link", lambda s: s.links["rate"]),
    (ANYONE, "delivery time link", lambda s: s.links["delivery"]),
    (ANYONE, "preferences link", lambda s: s.links["prefs"]),
    (ANYONE, "unsubscribe link", lambda s: s.links["unsubscribe"]),
    (ANYONE, "quote link", lambda s: s.links["quote"]),
    (ANYONE, "opt-in link", lambda s: s.links["opt_in"]),
    (ANYONE, "a link that no longer works", lambda s: "/t/not-a-real-token-at-all/", 404),
]

# Each page's report: its rule, impact, help and the first few elements it found.
REPORT = """
(results) => results.violations.map((v) =>
  `${v.id} (${v.impact}): ${v.help}\\n` +
  v.nodes.slice(0, 4).map((n) => `      ${n.target.join(" ")}: ${n.failureSummary.replace(/\\n/g, " ")}`)
    .join("\\n"))
"""


# At 1280 px the header's links sit on one line: every visible one has the same middle.
ONE_LINE_HEADER = """
(() => {
  const shown = [...document.querySelectorAll(".topbar-inner > *, .nav-items > *")]
    .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().width > 0);
  const middles = shown.map((e) => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; });
  return Math.max(...middles) - Math.min(...middles) < 8;
})()
"""


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def make_scene(make_order, olivia, alice) -> Scene:
    from orderflow.accounts.actions import create_portal_login
    from orderflow.conversations.actions import post_message
    from orderflow.core.actors import Actor
    from orderflow.integrations.actions import create_webhook_endpoint
    from orderflow.leads.actions import add_person, save_people
    from orderflow.notifications import links
    from orderflow.notifications.models import Channel, Delivery, Notification
    from orderflow.orders.actions import LineInput
    from orderflow.quotes.actions import QuoteLineInput, create_quote, send_quote

    # Long names, as the header must fit them on one line at 1280 px in French too
    type(olivia.seller).objects.filter(pk=olivia.seller.pk).update(
        name="Quincaillerie et fournitures générales du Plateau-Mont-Royal"
    )
    type(olivia.user).objects.filter(pk=olivia.user.pk).update(last_name="Tremblay-Desrosiers")
    create_portal_login(alice, password=PASSWORD, actor=Actor.system())
    endpoint = create_webhook_endpoint(
        olivia.seller,
        url="https://erp.example.com/hooks/orderflow-status-changes",
        event_types=["order.status_changed"],
        actor=Actor.staff(olivia),
    )
    packed = ("measurements", "design_agreed", "materials_selected", "in_production", "packed")
    with time_machine.travel(DAYTIME, tick=False):
        order = make_order("shop", path=("in_preparation",), title="Birthday cake with a long inscription")
        post_message(order, body="Could you write Happy birthday Sam on it?", actor=Actor.customer(alice))
        for number in range(3):
            make_order("distributor", title=f"Weekly restock number {number} for the bar and terrace")
        delivered = make_order("custom-production", path=(*packed, "shipped", "delivered"), title="Doors")
        waiting = make_order("custom-production", path=packed, title="Cupboards")
        quoted, drafted = (
            make_order("services-marketplace", lines=[LineInput(title)], title=title)
            for title in ("Spring campaign for the terrace menu", "Trade show booth")
        )
        lines = [
            QuoteLineInput("Campaign design, two rounds of changes", 1, "1800.00", "14.975"),
            QuoteLineInput("Sponsored posts, per week", 4, "150.00"),
        ]
        expires, done = DAYTIME.date() + dt.timedelta(days=14), DAYTIME.date() + dt.timedelta(days=40)
        sent = create_quote(
            quoted, actor=Actor.staff(olivia), lines=lines, expires_on=expires, completion_on=done,
            notes="Includes the photo shoot.",
        )  # fmt: skip
        send_quote(sent, actor=Actor.staff(olivia))
        create_quote(drafted, actor=Actor.staff(olivia), lines=lines, expires_on=expires)
        run_worker()
    # Now, not in the past: the opt-in link must still be open when the browser follows it.
    people = [
        {"first_name": "Zoé", "last_name": "Lefebvre-Tremblay", "email": "zoe@example.com"},
        {"first_name": "Marc", "phone": "+15145550199", "company": "Boulangerie du Plateau"},
    ]
    save_people(Actor.customer(alice), order, "participant", people, source="portal")
    lead = add_person(Actor.staff(olivia), order, "lead", {"email": "lead@example.com"}, confirm_opt_in=True)
    opt_in = Notification.objects.get(template="lead_opt_in", email=lead.email).payload or {}
    delivery = Delivery.objects.filter(
        channel=Channel.EMAIL, address=alice.email, sandbox_copy__isnull=False
    ).first()
    assert delivery is not None
    user = olivia.user
    uid, token = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    reset = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return Scene(
        seller=olivia.seller.slug,
        order=order.number,
        delivery=delivery.pk,
        endpoint=endpoint.pk,
        reset=reset,
        links={
            "track": path_of(links.url("track", order=order.pk, contact=alice.pk)),
            "rate": path_of(links.url("rate", order=delivered.pk, contact=alice.pk)),
            "delivery": path_of(links.url("delivery", order=waiting.pk, contact=alice.pk)),
            "prefs": path_of(links.url("prefs", contact=alice.pk)),
            "unsubscribe": path_of(links.url("unsubscribe", contact=alice.pk)),
            "quote": path_of(links.url("quote", order=quoted.pk, contact=alice.pk)),
            "opt_in": path_of(str(opt_in["action_url"])),
        },
        quoted=quoted.number,
        drafted=drafted.number,
    )


def session_cookie(user, live_server_url: str) -> dict[str, object]:
    """A signed-in session made once and handed to the browser, instead of logging in on every round."""
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client.cookies[name].value, "url": live_server_url}


@pytest.mark.browser
@pytest.mark.slow
def test_every_page_passes_axe_at_375_and_1280_px_in_english_and_french(
    transactional_db,
    live_server,
    chromium_path,  # noqa: F811 (the fixture imported above)
    monkeypatch,
    settings,
    make_order,
    olivia,
    alice,
):
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the accessibility test, but {AXE} is missing")
        pytest.skip(f"{AXE} is missing: run scripts/ensure-axe.sh (make pytest does)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    from orderflow.accounts.actions import set_own_language

    settings.NOTIFICATIONS_SANDBOX = True  # the outbox keeps the messages it shows
    scene = make_scene(make_order, olivia, alice)
    axe = AXE.read_text()
    shots = Path(os.environ["ORDERFLOW_SCREENSHOTS"]) if os.environ.get("ORDERFLOW_SCREENSHOTS") else None
    only = [word for word in os.environ.get("ORDERFLOW_A11Y_PAGES", "").split(",") if word]
    pages = [Page(*entry) for entry in PAGES if not only or any(word in entry[1] for word in only)]
    failures: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            for language, locale in LANGUAGES.items():
                # Staff and customers read their saved language; signed-out pages follow the browser's.
                set_own_language(olivia.user, language=language)
                set_own_language(alice.user, language=language)
                alice.refresh_from_db()
                cookies = {
                    STAFF: session_cookie(olivia.user, live_server.url),
                    CUSTOMER: session_cookie(alice.user, live_server.url),
                }
                # axe is injected as a script: the pages' Content-Security-Policy would refuse it.
                context = browser.new_context(locale=locale, bypass_csp=True)
                page = context.new_page()
                page.set_default_timeout(15_000)
                for viewport, size in VIEWPORTS.items():
                    page.set_viewport_size(size)
                    for who, what, where, status in pages:
                        context.clear_cookies()
                        if who in cookies:
                            context.add_cookies([cookies[who]])
                        url = where(scene)
                        response = page.goto(f"{live_server.url}{url}")
                        label = f"{language} {viewport} {what} ({url})"
                        if (
                            response is None
                            or response.status != status
                            or (page.url.endswith("/login/") and what != "login")
                        ):
                            answer = response and response.status
                            failures.append(f"{label}: answered {answer} at {page.url}, not {status}")
                            continue
                        if page.evaluate("document.documentElement.lang") != language:
                            failures.append(f"{label}: <html lang> is not {language}")
                        width = page.evaluate("document.documentElement.scrollWidth")
                        if width > size["width"]:
                            failures.append(f"{label}: scrolls sideways ({width} px wide)")
                        if viewport == "desktop" and page.evaluate(ONE_LINE_HEADER) is False:
                            failures.append(f"{label}: the header's links wrap onto a second line")
                        page.add_script_tag(content=axe)
                        found = page.evaluate(f"axe.run(document).then({REPORT})")
                        failures.extend(f"{label}: {violation}" for violation in found)
                        if shots is not None:
                            shots.mkdir(parents=True, exist_ok=True)
                            name = re.sub(r"\W+", "-", f"{language}-{viewport}-{what}").strip("-")
                            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
                context.close()
        finally:
            browser.close()

    assert not failures, "\n" + "\n".join(failures)
