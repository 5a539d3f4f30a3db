"""Every refusal an action raises is told in the reader's language: its message goes through gettext
where it is raised, and its code stays the same in every language."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from orderflow.accounts.actions import deactivate_staff
from orderflow.conversations.actions import post_message
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.integrations.actions import create_api_token
from orderflow.notifications.actions import record_feedback
from orderflow.orders.actions import transition_order
from orderflow.workflows.actions import install_order_type

# Where each refusal carries its message: ActionError(code, message), ApiError(status, code, message).
MESSAGE_ARG = {"ActionError": 1, "NotAllowed": 1, "Conflict": 1, "Forbidden": 1, "ApiError": 2}
ACTION_FILES = sorted(
    path
    for path in (settings.BASE_DIR / "orderflow").glob("*/actions*")
    for path in ([path] if path.is_file() else sorted(path.glob("*.py")))
)
SOURCE_FILES = sorted(
    path
    for path in (settings.BASE_DIR / "orderflow").rglob("*.py")
    if "tests" not in path.parts and "migrations" not in path.parts
)


def _gettext_call(node: ast.expr) -> bool:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        node = node.left  # _("... %(name)s ...") % {...}, or a message chosen above % {...}
        if isinstance(node, ast.Name):
            return True
    return isinstance(node, ast.Call) and getattr(node.func, "id", None) in {"_", "gettext", "ngettext"}


def _untranslated_raises(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call) or getattr(node.func, "id", None) not in MESSAGE_ARG:
            continue
        position = MESSAGE_ARG[getattr(node.func, "id", "")]
        if len(node.args) <= position:
            continue
        message = node.args[position]
        # A literal or an f-string must be translated here; a name passes on a message made elsewhere.
        if isinstance(message, (ast.Constant, ast.JoinedStr, ast.BinOp)) and not _gettext_call(message):
            found.append(f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}")
    return found


def test_every_message_raised_in_an_action_goes_through_gettext():
    assert len(ACTION_FILES) >= 8
    untranslated = [where for path in ACTION_FILES for where in _untranslated_raises(path)]
    assert untranslated == []


def test_every_refusal_raised_anywhere_goes_through_gettext():
    """The same for refusals raised outside actions: views, the API's own errors, helpers."""
    untranslated = [where for path in SOURCE_FILES for where in _untranslated_raises(path)]
    assert untranslated == []


def _refusal(attempt: Callable[[], object], language: str) -> tuple[str, str]:
    with translation.override(language), pytest.raises(ActionError) as refused:
        attempt()
    return refused.value.code, refused.value.message


@pytest.fixture
def refusals(make_order, olivia, sam, alice):
    """One refusal from each app's actions."""
    order = make_order("shop")
    return {
        "accounts": lambda: deactivate_staff(olivia, actor=Actor.staff(olivia)),
        "conversations": lambda: post_message(order, body="  ", actor=Actor.staff(sam)),
        "integrations": lambda: create_api_token(
            olivia.seller, name="ERP", scope="read", actor=Actor.staff(sam)
        ),
        "notifications": lambda: record_feedback(order, rating=5, comment="", actor=Actor.staff(sam)),
        "orders": lambda: transition_order(order, to="no-such-state", actor=Actor.staff(sam)),
        "workflows": lambda: install_order_type(olivia.seller, preset="shop", actor=Actor.staff(sam)),
    }


@pytest.mark.parametrize(
    "app", ["accounts", "conversations", "integrations", "notifications", "orders", "workflows"]
)
def test_a_refusal_is_in_french_for_a_french_reader_with_the_same_code(refusals, app):
    english_code, english = _refusal(refusals[app], "en")
    french_code, french = _refusal(refusals[app], "fr")

    assert french_code == english_code
    assert french
    assert french != english
