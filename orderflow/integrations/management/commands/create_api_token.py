"""Create an API token that acts as one staff member of a seller, and print it once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from orderflow.accounts.models import Membership, Seller
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.integrations.actions import create_api_token


class Command(BaseCommand):
    help = (
        "Create an API token for a seller that acts as one of its active staff members (with their role, "
        "while they stay active); the token is printed once and stored only as a hash."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seller", required=True, help="seller slug")
        parser.add_argument("--user", required=True, help="username of the staff member the token acts as")
        parser.add_argument("--name", required=True, help="what uses the token, e.g. 'ERP sync'")
        parser.add_argument("--scope", choices=["read", "read_write"], default="read")

    def handle(self, *args: Any, **options: Any) -> None:
        seller = Seller.objects.filter(slug=options["seller"]).first()
        if seller is None:
            raise CommandError(_("No seller %(slug)r.") % {"slug": options["seller"]})
        member = (
            Membership.objects.select_related("user")
            .filter(seller=seller, user__username=options["user"])
            .first()
        )
        if member is None:
            raise CommandError(
                _("%(user)r is not staff of %(seller)s.") % {"user": options["user"], "seller": seller.name}
            )
        try:
            token, raw = create_api_token(
                seller,
                name=options["name"],
                scope=options["scope"],
                member=member,
                actor=Actor.system("create_api_token"),
            )
        except ActionError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            _("Token %(name)r (%(scope)s) for %(seller)s, acting as %(member)s (%(role)s):\n")
            % {
                "name": token.name,
                "scope": token.get_scope_display(),
                "seller": seller.name,
                "member": member.display_name,
                "role": member.get_role_display(),
            }
        )
        self.stdout.write(raw + "\n")
        self.stdout.write(
            _("Keep it now: it is not shown again. Send it as 'Authorization: Bearer <token>'.") + "\n"
        )
