"""`manage.py load_demo`: create the demo sellers (skipping those already there) and print the logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orderflow.demo.data import ADMIN_USERNAME, PASSWORD, SELLERS
from orderflow.demo.loader import DemoError, SellerReport, load_demo


class Command(BaseCommand):
    help = "Load the demo: one seller per workflow preset, with staff, customers and orders. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the demo is served, for the printed login links (default: %(default)s)",
        )

    def handle(self, *args: Any, base_url: str, **options: Any) -> None:
        try:
            reports = load_demo()
        except DemoError as exc:
            raise CommandError(f"The demo could not be loaded: {exc}") from exc
        for report in reports:
            self.stdout.write(self._summary(report))
        self.stdout.write(logins_table(base_url.rstrip("/")))

    def _summary(self, report: SellerReport) -> str:
        spec = report.spec
        states = ", ".join(f"{state} {n}" for state, n in sorted(report.states.items()))
        if report.created:
            return self.style.SUCCESS(f"Created {spec.name} ({spec.slug}): {report.orders} orders ({states})")
        return f"Skipped {spec.name} ({spec.slug}): already there, {report.orders} orders"


def logins_table(base_url: str) -> str:
    """Every demo login, grouped by seller (staff, then customers with a portal login), with where to
    sign in and the one password."""
    rows = [("Seller", "Workflow", "Orders", "Username", "Role")]
    for spec in SELLERS:
        for index, person in enumerate(spec.staff):
            seller = (spec.name, spec.preset, f"/s/{spec.slug}/orders/") if index == 0 else ("", "", "")
            rows.append((*seller, spec.username(person.handle), person.role))
        for customer in spec.customers:
            for contact in customer.contacts:
                if contact.portal_login:
                    rows.append(("", "", "/my/", contact.email, f"customer portal ({customer.name})"))
    rows.append(("Django admin", "", "/admin/", ADMIN_USERNAME, "superuser"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "",
        "Orderflow demo logins",
        f"  sign in:  {base_url}/login/",
        f"  admin:    {base_url}/admin/",
        f"  password: {PASSWORD}   (the same for every login below)",
        "",
    ]
    for number, row in enumerate(rows):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append("  " + "  ".join(cells).rstrip())
        if number == 0:
            lines.append("  " + "  ".join("-" * width for width in widths))
    return "\n".join(lines) + "\n"
