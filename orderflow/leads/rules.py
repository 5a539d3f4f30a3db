"""The pure rules of one participant or lead: what a row may hold, how email and phone are normalised
for deduplication. No database: the importer pre-validates whole files with `validate_person`, and
`save_people` validates with it again before writing.

Problems are (field, code) pairs; `problem_message` words them for people."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# What a person sets on a participant or lead, in the order forms and files show them.
PERSON_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "job_title",
    "source",
    "notes",
)
TEXT_LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 40,
    "company": 200,
    "job_title": 200,
    "source": 100,
    "notes": 2000,
}
# Sellers have no country of their own; their currency tells where a number without its country
# code is most likely dialled from.
_REGION_OF_CURRENCY = {"CAD": "CA", "USD": "US", "EUR": "FR", "GBP": "GB", "CHF": "CH", "AUD": "AU"}

_email_validator = EmailValidator()
_E164 = re.compile(r"\+[1-9]\d{6,14}")

Problem = tuple[str, str]  # (field, code)


def region_for(currency: str) -> str:
    """The region a national phone number is read in for a seller with this currency."""
    return _REGION_OF_CURRENCY.get(currency.upper(), "US")


def normalise_email(raw: str) -> str:
    """The address as deduplication compares it: trimmed, lower case."""
    return raw.strip().lower()


# The regions of the North American Numbering Plan (+1): ten digits, no leading 0 or 1.
_NANP = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])
_PUNCTUATION = str.maketrans("", "", " ()-.\u00a0")
_NANP_INTERNATIONAL = re.compile(r"\+1([2-9]\d{9})")
_NANP_NATIONAL = re.compile(r"1?([2-9]\d{9})")


def _nanp(text: str, region: str) -> str | None:
    """The E.164 of a valid North American number written plainly ("+1 212 555 0199", "(212)
    555-0199" in a NANP region), without phonenumbers' general parser (the slow part of a large
    import); None for anything else, which then goes through the parser."""
    digits = text.translate(_PUNCTUATION)
    found = _NANP_INTERNATIONAL.fullmatch(digits)
    if found is None and region in _NANP:
        found = _NANP_NATIONAL.fullmatch(digits)
    if found is None:
        return None
    national = found.group(1)
    number = phonenumbers.PhoneNumber(country_code=1, national_number=int(national))
    valid = (region in _NANP and phonenumbers.is_valid_number_for_region(number, region)) or (
        phonenumbers.is_valid_number(number)
    )
    return f"+1{national}" if valid else None


_PLAIN = re.compile(r"\+?[1-9]\d{3,17}|0\d{3,17}")


def _plain(text: str, region: str) -> str | None:
    """The E.164 of a valid number written plainly, digits and punctuation only, read with the library's
    own metadata and validity rules but without its general parser: "+33 6 12 34 56 78" anywhere, or
    "06 12 34 56 78" in a region whose national prefix is a plain one (France, Belgium, Germany, ...).
    None for anything else, and for a number it finds invalid: the general parser then decides, so this
    never refuses what the parser accepts (tests compare both on thousands of numbers)."""
    digits = text.translate(_PUNCTUATION)
    if _PLAIN.fullmatch(digits) is None:
        return None
    if digits[0] == "+":
        country = next(
            (
                int(digits[1:end])
                for end in (2, 3, 4)
                if int(digits[1:end]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE
            ),
            None,
        )
        if country is None:
            return None
        national = digits[1 + len(str(country)) :]
    else:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        prefix = metadata.national_prefix if metadata is not None else None
        if (
            metadata is None
            or not prefix
            or metadata.national_prefix_for_parsing != prefix
            or metadata.national_prefix_transform_rule is not None
            or not digits.startswith(prefix)
        ):
            return None
        country, national = metadata.country_code, digits[len(prefix) :]
    if not national or national[0] == "0":  # Italian-style leading zeros: the parser knows them
        return None
    number = phonenumbers.PhoneNumber(country_code=country, national_number=int(national))
    if not (phonenumbers.is_valid_number_for_region(number, region) or phonenumbers.is_valid_number(number)):
        return None
    formatted = f"+{country}{national}"
    return formatted if _E164.fullmatch(formatted) else None


@lru_cache(maxsize=8192)
def normalise_phone(raw: str, region: str = "US") -> str | None:
    """The number in E.164 (+15145550199), read in `region` when it has no country code; None when it
    is not a valid number. Empty gives ""."""
    text = raw.strip()
    if not text:
        return ""
    quick = _nanp(text, region) or _plain(text, region)
    if quick is not None:
        return quick
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    # Most numbers are the seller's region's: checking that region first spares is_valid_number's
    # search through every region of the country code (NANP has 25). Valid there is valid.
    if not (phonenumbers.is_valid_number_for_region(parsed, region) or phonenumbers.is_valid_number(parsed)):
        return None
    formatted = f"+{parsed.country_code}{phonenumbers.national_significant_number(parsed)}"
    return formatted if _E164.fullmatch(formatted) else None


def _valid_email(address: str) -> bool:
    try:
        _email_validator(address)
    except ValidationError:
        return False
    return True


def validate_person(
    row: Mapping[str, Any], *, region: str = "US", partial: bool = False
) -> tuple[dict[str, str], list[Problem]]:
    """The clean values of one row (text stripped, `email_normalised` and `phone_normalised` added) and
    its problems as (field, code): `unknown_field`, `too_long`, `invalid` (NUL character),
    `invalid_email`, `invalid_phone`, and `email_or_phone_required` (field "email") when it has
    neither. With `partial`, only the fields given are checked (an edit), not the email-or-phone rule.
    """
    clean: dict[str, str] = {}
    problems: list[Problem] = []
    for field, raw in row.items():
        if field not in TEXT_LIMITS:
            problems.append((field, "unknown_field"))
            continue
        text = "" if raw is None else str(raw).strip()
        if "\x00" in text:
            problems.append((field, "invalid"))
            continue
        if len(text) > TEXT_LIMITS[field]:
            problems.append((field, "too_long"))
            continue
        clean[field] = text
    if "email" in clean:
        email = normalise_email(clean["email"])
        if email and not _valid_email(email):
            problems.append(("email", "invalid_email"))
            email = ""
        clean["email_normalised"] = email
    if "phone" in clean:
        phone = normalise_phone(clean["phone"], region)
        if phone is None:
            problems.append(("phone", "invalid_phone"))
            phone = ""
        clean["phone_normalised"] = phone
    given = {field for field, _code in problems}
    if (
        not partial
        and not clean.get("email_normalised")
        and not clean.get("phone_normalised")
        and not given & {"email", "phone"}
    ):
        problems.append(("email", "email_or_phone_required"))
    return clean, problems


def problem_message(field: str, code: str) -> str:
    """A problem as people read it, naming the field."""
    labels = field_labels()
    name = labels.get(field, field)
    messages = {
        "unknown_field": _("%(field)s is not a field of a participant or lead."),
        "too_long": _("%(field)s is too long."),
        "invalid": _("%(field)s contains a NUL character."),
        "invalid_email": _("%(field)s is not a valid email address."),
        "invalid_phone": _("%(field)s is not a valid phone number (e.g. +15145550199)."),
        "email_or_phone_required": _("An email address or a phone number is required."),
        "duplicate_in_batch": _("%(field)s appears twice in what was sent."),
        "conflict": _("%(field)s belongs to another person of this order."),
    }
    return messages.get(code, _("%(field)s is refused.")) % {"field": name}


def field_labels() -> dict[str, str]:
    return {
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "email": _("Email"),
        "phone": _("Phone"),
        "company": _("Company"),
        "job_title": _("Job title"),
        "source": _("Source"),
        "notes": _("Notes"),
    }


def describe_save(data: Mapping[str, Any]) -> str:
    """What one save of people did, for the activity log and the digest: "3 leads added, 2 updated
    (import): Ann Lee, Bob Roy, …"."""
    created, updated = int(data.get("created") or 0), int(data.get("updated") or 0)
    if data.get("kind") == "lead":
        added = ngettext("%(count)d lead added", "%(count)d leads added", created) % {"count": created}
    else:
        added = ngettext("%(count)d participant added", "%(count)d participants added", created) % {
            "count": created
        }
    text = added
    if updated:
        text += ", " + ngettext("%(count)d updated", "%(count)d updated", updated) % {"count": updated}
    if data.get("source"):
        text += f" ({data['source']})"
    names = [str(name) for name in data.get("names") or []]
    if names:
        more = created + updated > len(names)
        text += ": " + ", ".join(names) + (", …" if more else "")
    return text


# The activity-log events of people (orders.models.EventType values), described by `describe_event`.
PEOPLE_EVENTS = frozenset({"people_added", "person_changed", "person_removed", "person_converted", "opt_in"})


def describe_event(type: str, data: Mapping[str, Any]) -> str:
    """One sentence for the activity log about a change to people."""
    name = str(data.get("name") or "")
    if type == "people_added":
        return describe_save(data)
    if type == "person_changed":
        labels = field_labels()
        fields = ", ".join(labels.get(str(field), str(field)) for field in data.get("changes") or {})
        if data.get("kind") == "lead":
            text = _("Lead %(name)s changed") % {"name": name}
        else:
            text = _("Participant %(name)s changed") % {"name": name}
        return f"{text}: {fields}" if fields else text
    if type == "person_removed":
        if data.get("kind") == "lead":
            return _("Lead %(name)s removed") % {"name": name}
        return _("Participant %(name)s removed") % {"name": name}
    if type == "person_converted":
        return _("Participant %(name)s made a lead") % {"name": name}
    if type == "opt_in":
        if data.get("opt_in") == "confirmed":
            return _("%(name)s agreed to be contacted") % {"name": name}
        return _("%(name)s refused to be contacted") % {"name": name}
    return type
