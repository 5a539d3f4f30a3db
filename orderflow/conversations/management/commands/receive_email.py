"""`manage.py receive_email`: one email on standard input, posted to its order's thread if it is a
reply. For a mail server's pipe, e.g. Postfix's master.cf:

    orderflow unix - n n - - pipe flags=Rq user=orderflow argv=/srv/orderflow/.venv/bin/python
      /srv/orderflow/manage.py receive_email --recipient ${original_recipient}

It exits 0 when the mail was posted, refused or ignored (each is logged with its reason: a refusal is
not the mail server's problem to retry), and 75 (EX_TEMPFAIL: the server retries later) when the
database could not be reached."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from orderflow.conversations.actions import receive_email


class Command(BaseCommand):
    help = "Read one RFC 5322 email from standard input and post it to its order's thread if it is a reply."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--recipient", action="append", default=[], help="The envelope recipient (repeatable)"
        )

    def handle(self, *args: Any, recipient: list[str], **options: Any) -> None:
        raw = sys.stdin.buffer.read(settings.INBOUND_EMAIL_MAX_BYTES + 1)
        try:
            received = receive_email(raw, via="receive_email", recipients=tuple(recipient))
        except DatabaseError as exc:
            self.stderr.write(f"temporary failure: {exc}")
            sys.exit(75)
        if received.message is not None:
            self.stdout.write(f"posted: message {received.message.pk} on order {received.message.order_id}")
        else:
            self.stdout.write(f"{received.outcome} ({received.code}): {received.reason}")
