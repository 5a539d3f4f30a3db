"""Create an API token for a seller and print it once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orderflow.accounts.models import Seller
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.integrations.actions import create_api_token


class Command(BaseCommand):
    help = "Create an API token for a seller; the token is printed once and stored only as a hash."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seller", required=True, help="seller slug")
        parser.add_argument("--name", required=True, help="what uses the token, e.g. 'ERP sync'")
        parser.add_argument("--scope", choices=["read", "read_write"], default="read")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            seller = Seller.objects.get(slug=options["seller"])
        except Seller.DoesNotExist:
            raise CommandError(f"No seller {options['seller']!r}.") from None
        try:
            token, raw = create_api_token(
                seller, name=options["name"], scope=options["scope"], actor=Actor.system("create_api_token")
            )
        except ActionError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Token {token.name!r} ({token.get_scope_display()}) for {seller.name}:\n")
        self.stdout.write(raw + "\n")
        self.stdout.write("Keep it now: it is not shown again. Send it as 'Authorization: Bearer <token>'.\n")
