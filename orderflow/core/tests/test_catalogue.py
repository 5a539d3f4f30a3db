"""The French catalogue keeps up with the code: every string marked for translation (in Python and in
templates) is in the committed orderflow/locale/fr/LC_MESSAGES/django.po with a French translation that
is neither empty nor fuzzy, and the catalogue compiles with its placeholders checked."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.conf import settings
from django.core.management import call_command

CATALOGUE = settings.BASE_DIR / "orderflow" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
# The same options as `make messages`.
IGNORED = ["var/*", "node_modules/*", "bench/*", "*/tests/*"]

needs_gettext = pytest.mark.skipif(
    shutil.which("msgcmp") is None,
    reason="Debian's gettext tools are missing (make compile-messages installs them)",
)


@needs_gettext
def test_every_marked_string_has_a_french_translation(tmp_path, monkeypatch, settings):
    # Given the strings the code marks today, extracted as `make messages` would, from a copy of the code
    # with an empty locale/ (makemessages writes beside the nearest locale/ it finds)
    shutil.copytree(
        settings.BASE_DIR / "orderflow",
        tmp_path / "orderflow",
        ignore=shutil.ignore_patterns("locale", "tests", "__pycache__", "static"),
    )
    (tmp_path / "orderflow" / "locale").mkdir()
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = [tmp_path / "orderflow" / "locale"]
    call_command(
        "makemessages", locale=["fr"], ignore_patterns=IGNORED, no_wrap=True, add_location="file", verbosity=0
    )
    extracted = tmp_path / "orderflow" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    assert extracted.exists()

    # Then each of them is translated in the committed catalogue (msgcmp counts an empty or fuzzy
    # translation as missing and names each string it misses)
    compared = subprocess.run(["msgcmp", str(CATALOGUE), str(extracted)], capture_output=True, text=True)
    assert compared.returncode == 0, f"run `make messages` and translate:\n{compared.stderr}"


@needs_gettext
def test_the_catalogue_compiles_and_its_placeholders_match(tmp_path):
    checked = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(CATALOGUE)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    assert "fuzzy" not in checked.stderr, checked.stderr
    assert "untranslated" not in checked.stderr, checked.stderr
