"""Which column of a file goes to which field of a person: the fields, the guess from headers in English
and French, and the rule that one field takes one column at most."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orderflow.core.errors import ActionError

# Field -> label, in the order the mapping form shows them.
FIELDS = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "company": gettext_lazy("Company"),
    "job_title": gettext_lazy("Job title"),
    "source": gettext_lazy("Source"),
    "notes": gettext_lazy("Notes"),
}
# Headers as people write them, folded (lower case, no accents, letters and digits only).
_SYNONYMS = {
    "first_name": ["firstname", "first", "givenname", "forename", "prenom", "prenoms"],
    "last_name": ["lastname", "last", "surname", "familyname", "nom", "nomdefamille", "name"],
    "email": [
        "email",
        "emailaddress",
        "mail",
        "courriel",
        "adressecourriel",
        "adresseemail",
        "adressemail",
        "emails",
    ],
    "phone": [
        "phone",
        "phonenumber",
        "telephone",
        "tel",
        "mobile",
        "cell",
        "cellulaire",
        "portable",
        "numerodetelephone",
    ],
    "company": [
        "company",
        "companyname",
        "organization",
        "organisation",
        "societe",
        "entreprise",
        "compagnie",
        "employer",
    ],
    "job_title": ["jobtitle", "title", "position", "role", "poste", "fonction", "titre", "titredeposte"],
    "source": ["source", "origin", "leadsource", "provenance", "origine"],
    "notes": ["notes", "note", "comments", "comment", "remarques", "remarque", "commentaires", "commentaire"],
}
_GUESS = {synonym: field for field, synonyms in _SYNONYMS.items() for synonym in synonyms}


def fold(header: str) -> str:
    text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", text.lower())


def header_key(headers: list[str]) -> str:
    """What identifies a header set, to remember its mapping: the folded headers, in order."""
    return hashlib.sha256("\x1f".join(fold(header) for header in headers).encode()).hexdigest()


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Column index (as a string, as forms and JSON carry it) -> field, for the headers recognised;
    a field goes to the first column that names it."""
    mapping: dict[str, str] = {}
    for index, header in enumerate(headers):
        field = _GUESS.get(fold(header))
        if field is not None and field not in mapping.values():
            mapping[str(index)] = field
    return mapping


def check_mapping(mapping: dict[str, str], column_count: int) -> dict[str, str]:
    """The mapping without its empty choices; refused when a column is unknown, a field is unknown or
    taken by two columns, or neither the email nor the phone has a column."""
    clean: dict[str, str] = {}
    for column, field in mapping.items():
        if not field:
            continue
        if field not in FIELDS:
            raise ActionError("unknown_field", _("Unknown field %(field)s.") % {"field": field})
        if not column.isdigit() or int(column) >= column_count:
            raise ActionError("unknown_column", _("Unknown column %(column)s.") % {"column": column})
        if field in clean.values():
            raise ActionError(
                "duplicate_mapping",
                (_("Two columns are mapped to %(field)s; map one column to each field."))
                % {"field": FIELDS[field]},
                details={"field": field},
            )
        clean[column] = field
    if not {"email", "phone"} & set(clean.values()):
        raise ActionError(
            "missing_contact_column",
            (_("Map a column to the email or to the phone: every person needs one.")),
        )
    return clean
