"""No template writes a date, a time or an amount in a fixed format for people: they go through
`{% load formatting %}` (`|when`, `|day`, `|clock`, `|money:currency`), which writes them the reader's
way. Machines keep theirs: `datetime="{{ moment|date:'c' }}"` in a `<time>` element."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the orderflow package
# The one machine format a template may write: ISO 8601 in a <time> element's datetime attribute.
MACHINE_DATE = re.compile(r"""datetime=(["'])\{\{\s*[\w.]+\|date:(["'])c\2\s*\}\}\1""")
PROBLEMS = {
    "a date or time in a fixed format (use |when, |day or |clock)": re.compile(r"\|\s*(date|time)\b"),
    "an amount followed by its currency code (use |money:currency)": re.compile(
        r"\}\}\s*\{\{\s*[\w.]*currency\s*\}\}"
    ),
}


def problems_in(source: str) -> list[str]:
    """What in a template's source writes a date or an amount in a fixed format, with its line."""
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        line = MACHINE_DATE.sub("", line)
        found += [
            f"{number}: {what}: {line.strip()[:120]}" for what, rx in PROBLEMS.items() if rx.search(line)
        ]
    return found


def templates() -> list[Path]:
    """Every page, layout and message template of the product (not its tests, static files or catalogues)."""
    skip = {"static", "tests", "locale", "node_modules", "__pycache__"}
    return sorted(
        path
        for path in ROOT.rglob("*")
        if path.suffix in {".html", ".txt"} and not skip & set(path.relative_to(ROOT).parts)
    )


@pytest.mark.parametrize(
    "source",
    [
        '<dd>{{ order.submitted_at|date:"Y-m-d H:i" }}</dd>',
        "{% blocktranslate with time=x.locked_until|date:'H:i' %}until {{ time }}{% endblocktranslate %}",
        "{{ order.estimated_completion|date }}",
        "{{ moment|time:'H:i' }}",
        '<time datetime="{{ x|date:\'c\' }}">{{ x|date:"c" }}</time>',  # the text shows ISO to people
        "{{ refund_amount }} {{ currency }}",
        "<strong>{{ amount }} {{ order.currency }}</strong>",
    ],
)
def test_the_check_finds_fixed_formats(source):
    assert problems_in(source)


@pytest.mark.parametrize(
    "source",
    [
        "<time datetime=\"{{ entry.at|date:'c' }}\">{{ entry.at|when }}</time>",
        "{{ total|money:order.currency }}",
        "{{ order.estimated_completion|day|default:'—' }}",
        "{% if currency == 'EUR' %}{{ update }}{% endif %}",
    ],
)
def test_the_check_lets_the_readers_formats_through(source):
    assert not problems_in(source)


def test_the_check_reads_the_product_templates():
    names = {path.relative_to(ROOT).as_posix() for path in templates()}
    assert "web/templates/web/order_detail.html" in names
    assert "portal/templates/portal/track.html" in names
    assert "notifications/messages/fr/order_refunded-sms.txt" in names


def test_no_template_writes_a_date_or_an_amount_in_a_fixed_format():
    found = {
        path.relative_to(ROOT).as_posix(): problems
        for path in templates()
        if (problems := problems_in(path.read_text(encoding="utf-8")))
    }
    assert found == {}
