"""What a seller's own wording of a message may contain, enforced by the parser that reads it.

Placeholders (`{{ status }}`), conditions (`{% if note %}…{% elif … %}…{% else %}…{% endif %}` with
`and`, `or`, `not`, `==`, `!=` against a placeholder or a literal) and a few text filters: nothing
else. Without loops, a template renders in time linear in its length; without include, extends or
load, and with no template loader at all, it cannot read a file. Anything else is refused naming the
construct, by the same code when the template is saved and when a stored one is rendered (a template
saved before these rules, or written straight into the database, is refused too).

The product's own message files are trusted and rendered by the full engine (see `render`)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any, cast

from django.template import Context, Engine, Library, Template, TemplateSyntaxError
from django.template.base import (
    FilterExpression,
    Lexer,
    NodeList,
    Parser,
    TextNode,
    Token,
    TokenType,
    Variable,
    VariableNode,
)
from django.template.defaultfilters import register as default_filters
from django.template.defaulttags import IfNode, TemplateLiteral, do_if
from django.utils.translation import gettext as _

PLACEHOLDERS = frozenset({
    "seller_name", "customer_name", "recipient_name", "order_number", "order_title", "status", "note",
    "customer_notes", "estimated_completion", "refund_amount", "currency", "custom_message", "upsell",
    "order_url", "reply_url", "action_url", "rate_url", "preferences_url", "unsubscribe_url", "total",
    "endpoint_url", "reason", "valid_hours", "valid_until", "changes",
    "carrier", "tracking_number", "tracking_url", "estimated_delivery",
    "quote_version", "quote_total", "quote_expires_on", "quote_completion_on",
    "title", "valid_days",  # an export in My downloads
})  # fmt: skip
ALLOWED_TAGS = ("if", "elif", "else", "endif")
ALLOWED_FILTERS = ("default", "lower", "upper", "capfirst", "title")  # each linear, none reads anything
ALLOWED_OPERATORS = frozenset({"literal", "and", "or", "not", "==", "!="})
MAX_DEPTH = 10  # conditions inside conditions
MAX_CONDITION_WORDS = 30
# The longest source the staff page accepts for each part (a longer one can only come from elsewhere).
SOURCE_LIMITS = {"subject": 300, "body": 20_000, "sms": 2_000}

MISSING = "\x00missing:%s\x00"

_allowed = Library()
_allowed.tag("if", do_if)
for _name in ALLOWED_FILTERS:
    _allowed.filters[_name] = default_filters.filters[_name]

# No loaders: even a template that slipped past the parser could not find a file to include.
_engine = Engine(loaders=[], libraries={}, string_if_invalid=MISSING, autoescape=False)


class TemplateProblem(ValueError):
    """A message template that cannot be used. Permanent: rendering it again gives the same answer.

    `code` is stable: `template_forbidden` (a construct sellers may not use, named in `construct`),
    `invalid_template` (bad syntax, unknown placeholder), `template_too_long`."""

    def __init__(self, message: str, *, code: str = "invalid_template", construct: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.construct = construct


def forbidden(construct: str, what: str) -> TemplateProblem:
    return TemplateProblem(
        _("%(what)s is not allowed in a message template: use placeholders and if/elif/else only.")
        % {"what": what},
        code="template_forbidden",
        construct=construct,
    )


def unknown_placeholders(names: Iterator[str] | set[str]) -> TemplateProblem:
    return TemplateProblem(
        _("Unknown placeholder(s): %(names)s. Use: %(known)s.")
        % {"names": ", ".join(sorted(names)), "known": ", ".join(sorted(PLACEHOLDERS))}
    )


class _SellerParser(Parser):
    """Django's parser knowing only the allowed tag and filters; anything else is named and refused
    before it is compiled."""

    def invalid_block_tag(self, token: Token, command: str, parse_until: Any = None) -> None:
        if command in ALLOWED_TAGS:  # an else or endif without its if
            super().invalid_block_tag(token, command, parse_until)
        raise forbidden(command, _("The tag {%% %(tag)s %%}") % {"tag": command})

    def find_filter(self, filter_name: str) -> Any:
        if filter_name not in self.filters:
            raise forbidden(filter_name, _("The filter |%(filter)s") % {"filter": filter_name})
        return super().find_filter(filter_name)


class _SellerTemplate(Template):
    def compile_nodelist(self) -> NodeList:
        tokens = Lexer(self.source).tokenize()
        _check_depth(tokens)
        nodelist = _SellerParser(tokens, builtins=[_allowed]).parse()
        names = set(_names_in(nodelist))
        if names - PLACEHOLDERS:
            raise unknown_placeholders(names - PLACEHOLDERS)
        return nodelist


def _check_depth(tokens: list[Token]) -> None:
    """The parser and the renderer recurse once per nested condition and per operator of a condition:
    a template of nested ifs, or of `not not not …`, would exhaust Python's stack (a crash, not a
    refusal) long before it reached the length limit."""
    depth = 0
    for token in tokens:
        words = token.contents.split() if token.token_type == TokenType.BLOCK else []
        if not words:
            continue
        depth += {"if": 1, "endif": -1}.get(words[0], 0)
        if depth > MAX_DEPTH or len(words) > MAX_CONDITION_WORDS:
            raise TemplateProblem(
                _("A condition may hold at most %(words)d words, and conditions nest at most %(depth)d deep.")
                % {"words": MAX_CONDITION_WORDS, "depth": MAX_DEPTH},
                code="template_forbidden",
                construct=words[0],
            )


def _names_in(nodes: NodeList) -> Iterator[str]:
    """Every placeholder the nodes read; refuses what the parser let through but sellers may not use
    (attribute lookups), and any node a future Django might add to the `if` tag."""
    for node in nodes:
        if isinstance(node, TextNode):
            continue
        if isinstance(node, VariableNode):
            yield from _names_in_expression(node.filter_expression)
        elif isinstance(node, IfNode):
            for condition, branch in node.conditions_nodelists:
                if condition is not None:
                    yield from _names_in_condition(condition)
                yield from _names_in(branch)
        else:
            raise forbidden(type(node).__name__, type(node).__name__)


def _names_in_condition(condition: Any) -> Iterator[str]:
    if isinstance(condition, TemplateLiteral):
        yield from _names_in_expression(cast(FilterExpression, condition.value))
        return
    if condition.id not in ALLOWED_OPERATORS:
        raise forbidden(condition.id, _("The operator %(op)s") % {"op": condition.id})
    for operand in (condition.first, condition.second):
        if operand is not None:
            yield from _names_in_condition(operand)


def _names_in_expression(expression: FilterExpression) -> Iterator[str]:
    yield from _names_in_variable(expression.var)
    for _function, arguments in expression.filters:
        for is_variable, argument in arguments:
            if is_variable:
                yield from _names_in_variable(argument)


def _names_in_variable(variable: Variable | object) -> Iterator[str]:
    if not isinstance(variable, Variable) or variable.lookups is None:
        return  # a literal: "text" or 3
    if len(variable.lookups) > 1:
        raise forbidden(str(variable), _("Looking inside a placeholder (%(var)s)") % {"var": variable})
    yield variable.lookups[0]


@lru_cache(maxsize=512)
def compile_template(source: str, part: str) -> Template:
    """The seller's template for one part (subject, body or sms), checked; parsed once per process.
    Raises TemplateProblem."""
    limit = SOURCE_LIMITS[part]
    if len(source) > limit:
        raise TemplateProblem(
            _("The template is too long: at most %(limit)d characters.") % {"limit": limit},
            code="template_too_long",
        )
    try:
        return _SellerTemplate(source, engine=_engine)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(_("The template has a syntax error: %(error)s") % {"error": exc}) from None
    except RecursionError:  # the limits above should make this unreachable: refuse, never crash
        raise TemplateProblem(_("The template is nested too deeply."), code="template_forbidden") from None


def render_text(source: str, part: str, context: dict[str, Any]) -> str:
    """The seller's text for one part, not HTML-escaped (the HTML version escapes it once)."""
    return compile_template(source, part).render(Context(context, autoescape=False))
