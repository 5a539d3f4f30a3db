"""Validate a workflow file and publish it as the next version of a seller's order type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.workflows.actions import publish_workflow
from orderflow.workflows.definition import WorkflowError, parse, resolve
from orderflow.workflows.loader import read_definition
from orderflow.workflows.models import OrderType


class Command(BaseCommand):
    help = "Check a workflow definition file (TOML or JSON); with --seller and --order-type, publish it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--seller", help="seller slug")
        parser.add_argument("--order-type", help="order type key")
        parser.add_argument("--note", default="", help="why this version")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            raw = read_definition(options["file"])
            workflow = parse(resolve(raw))
        except WorkflowError as exc:
            raise CommandError(_("Refused: %(problem)s") % {"problem": exc}) from None
        self.stdout.write(
            _("%(file)s: valid workflow %(key)r with %(states)d states and %(transitions)d transitions.")
            % {
                "file": options["file"],
                "key": workflow.key,
                "states": len(workflow.states),
                "transitions": len(workflow.transitions),
            }
        )
        if not options["seller"]:
            return
        if not options["order_type"]:
            raise CommandError(_("--order-type is required with --seller"))
        try:
            order_type = OrderType.objects.get(seller__slug=options["seller"], key=options["order_type"])
        except OrderType.DoesNotExist:
            raise CommandError(
                _("No order type %(order_type)r for seller %(seller)r.")
                % {"order_type": options["order_type"], "seller": options["seller"]}
            ) from None
        try:
            version = publish_workflow(
                order_type, definition=raw, actor=Actor.system("load_workflow"), note=options["note"]
            )
        except ActionError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Published %(name)s version %(number)s.")
                % {"name": order_type.name, "number": version.number}
            )
        )
