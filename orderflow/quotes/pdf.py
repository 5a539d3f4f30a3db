"""The PDF copy of an accepted customer confirmation: exactly what was accepted (the summary as stored,
the terms version, its text and SHA-256), who accepted it, when and how. Never a price.

Made from the `Acceptance` row each time it is needed (the email carrying it is rendered at sending),
so the outbox keeps a reference, not a file; the same row always gives the same bytes."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from orderflow.core import formatting
from orderflow.quotes.models import Acceptance

# The PDF's built-in fonts write Latin-1 only: the usual typographic characters are written plainly.
_PLAIN = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
     "\u2026": "...", "\u0153": "oe", "\u0152": "OE", "\u20ac": "EUR", "\u202f": " ", "\u00a0": " ",
     "\u2022": "-"}
)  # fmt: skip


def _plain(text: object) -> str:
    return str(text).translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def file_name(acceptance: Acceptance) -> str:
    return f"confirmation-{acceptance.summary.get('order_number', acceptance.order_id)}-{acceptance.pk}.pdf"


def acceptance_pdf(acceptance: Acceptance, *, locale: str = "en") -> tuple[str, bytes, str]:
    """(file name, PDF bytes, MIME type) of the acceptance, its words in `locale`."""
    with translation.override(locale):
        return file_name(acceptance), _render(acceptance, locale), "application/pdf"


def _render(acceptance: Acceptance, locale: str) -> bytes:
    summary: dict[str, Any] = acceptance.summary
    terms = acceptance.terms
    try:
        zone: zoneinfo.ZoneInfo | None = zoneinfo.ZoneInfo(acceptance.seller.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = None
    pdf = FPDF(format="A4")
    pdf.set_creation_date(acceptance.accepted_at)  # the same bytes at every render
    pdf.set_title(_plain(_("Customer confirmation")))
    pdf.set_author(_plain(summary.get("seller", "")))
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    width = pdf.epw

    def heading(text: str, size: int = 13) -> None:
        pdf.set_font("Helvetica", "B", size)
        pdf.multi_cell(width, 7, _plain(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def fact(label: str, value: object) -> None:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(52, 6, _plain(label))
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(width - 52, 6, _plain(value), new_x="LMARGIN", new_y="NEXT")

    heading(_("Customer confirmation of %(seller)s") % {"seller": summary.get("seller", "")}, size=16)
    fact(_("Customer"), summary.get("customer", ""))
    fact(_("Order"), f"#{summary.get('order_number', '')} {summary.get('order_title', '')}")
    fact(_("Quote version"), summary.get("quote_version", acceptance.quote_version))
    completion = summary.get("completion_on")
    fact(_("Completion date"), formatting.day(completion, language=locale) if completion else "-")
    pdf.ln(3)
    heading(_("Products and services"))
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(width - 30, 6, _plain(_("Description")), border="B")
    pdf.cell(30, 6, _plain(_("Quantity")), border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for item in summary.get("items", []):
        y = pdf.get_y()
        pdf.multi_cell(width - 30, 6, _plain(item.get("description", "")), new_x="RIGHT", new_y="TOP")
        pdf.cell(30, 6, _plain(formatting.number(item.get("quantity", ""), language=locale)), align="R")
        pdf.set_xy(pdf.l_margin, max(pdf.get_y(), y + 6))
        pdf.ln(0)
    pdf.ln(4)
    heading(
        _("Terms and conditions: %(title)s, version %(version)s")
        % {"title": terms.title, "version": acceptance.terms_version}
    )
    pdf.set_font("Courier", "", 8)
    pdf.multi_cell(width, 4, _plain(f"SHA-256 {acceptance.terms_sha256}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(width, 4.6, _plain(terms.body), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    heading(_("Accepted"))
    fact(_("Accepted by"), f"{acceptance.contact_name} <{acceptance.contact_email}>")
    fact(_("On behalf of"), summary.get("customer", ""))
    fact(_("Accepted at"), formatting.when(acceptance.accepted_at, zone, locale))
    fact(_("Identified by"), acceptance.identity)
    fact(_("IP address"), acceptance.ip_address or "-")
    fact(_("Browser"), acceptance.user_agent or "-")
    pdf.ln(2)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(
        width,
        4.6,
        _plain(
            _(
                '%(name)s ticked "I have read, understood and agree to the terms" and "I am authorised '
                'to accept them on behalf of %(customer)s", then pressed Accept terms.'
            )
            % {"name": acceptance.contact_name, "customer": summary.get("customer", "")}
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
