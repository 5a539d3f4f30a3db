"""Files people attach to a message: judged by their content (puremagic reads the magic numbers, the
zip directory tells office documents apart), never by their name, checked against the limits in
settings, and named cleanly for showing. Pure rules: nothing here writes to the database or storage.

A file is refused when it is empty, too large, of a type not allowed (executables, archives, scripts,
HTML), when its name claims another type than its content ("invoice.pdf" holding a program), or when it
is an office document whose content expands beyond the limits (a zip bomb)."""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

import puremagic
from django.conf import settings
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from orderflow.conversations.models import Attachment
from orderflow.core.errors import ActionError

# The types people may attach, each with the extensions a name may carry for it (the first is added to
# a name that has none). ATTACHMENT_TYPES in settings narrows this list.
KNOWN_TYPES: dict[str, tuple[str, ...]] = {
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
    "application/vnd.oasis.opendocument.presentation": (".odp",),
    "application/x-ole-storage": (".doc", ".xls", ".ppt"),
    "text/csv": (".csv",),
    "text/plain": (".txt", ".text", ".log", ".md", ".tsv", ".csv"),
}
_IMAGE_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
# Inside a zip: the member that names an Office Open XML document's kind.
_OOXML_PARTS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_NAME_LIMIT = 150
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check, ready to be stored."""

    name: str
    content: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def _refuse(code: str, message: str, name: str) -> ActionError:
    return ActionError(code, message, details={"field": "files", "file": name})


def clean_name(raw: str) -> str:
    """The name to show: without any folder (a name like "../../etc/passwd" keeps "passwd"), control
    characters or surrounding dots and spaces, at most 150 characters with its extension kept."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = _CONTROL.sub("", name).strip().strip(".").strip()
    if len(name) > _NAME_LIMIT:
        stem, ext = os.path.splitext(name)
        ext = ext[:16]
        name = stem[: _NAME_LIMIT - len(ext)].rstrip() + ext
    return name


def _zip_type(content: bytes, name: str) -> str:
    """An office document's type from its zip directory, after checking it cannot expand beyond the
    limits; any other zip is an archive, refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(
            "damaged_file", _("%(name)s is damaged: it cannot be read.") % {"name": name}, name
        ) from None
    expanded = sum(member.file_size for member in members)
    if (
        len(members) > settings.ATTACHMENT_MAX_ZIP_ENTRIES
        or expanded > settings.ATTACHMENT_MAX_EXPANDED_BYTES
        or expanded > len(content) * settings.ATTACHMENT_MAX_ZIP_RATIO
    ):
        raise _refuse(
            "zip_bomb",
            _("%(name)s expands to far more than its size: it is refused as unsafe.") % {"name": name},
            name,
        )
    names = {member.filename for member in members}
    for part, kind in _OOXML_PARTS.items():
        if part in names:
            return kind
    if "mimetype" in names:
        declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
        if declared.startswith("application/vnd.oasis.opendocument."):
            return declared
    return "application/zip"


def _text_type(content: bytes, extension: str) -> str:
    """Text is what has no NUL byte and reads as UTF-8 (or Latin-1 without control characters)."""
    if b"\x00" in content:
        return "application/octet-stream"
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
        if re.search(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]", text):
            return "application/octet-stream"
    head = text[:2048].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<script", "<svg", "<?xml")):
        return "text/html"  # markup runs in a browser: not an attachment for plain text
    if head.startswith("#!"):
        return "text/x-script"
    return "text/csv" if extension == ".csv" else "text/plain"


def sniff(content: bytes, name: str) -> str:
    """The content's type, read from its bytes (the name only tells CSV from other plain text)."""
    for magic, kind in _IMAGE_MAGIC.items():
        if content.startswith(magic):
            return kind
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content.startswith(b"PK\x03\x04"):
        return _zip_type(content, name)
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/x-ole-storage"  # Word 97, Excel 97, PowerPoint 97
    try:
        found = puremagic.magic_string(content[:65536])
    except (puremagic.PureError, ValueError):
        found = []
    if found:
        best = max(found, key=lambda match: match.confidence)
        if best.mime_type:
            if best.mime_type == "application/pdf" or best.extension == ".pdf":
                return "application/pdf"
            if not best.mime_type.startswith("text/"):
                return best.mime_type
    return _text_type(content, os.path.splitext(name)[1].lower())


def allowed_types() -> dict[str, tuple[str, ...]]:
    return {kind: exts for kind, exts in KNOWN_TYPES.items() if kind in settings.ATTACHMENT_TYPES}


def check_file(raw_name: str, content: bytes) -> CheckedFile:
    """One file, checked (raises ActionError with the field "files" and the file's name)."""
    name = clean_name(raw_name)
    if not name:
        raise _refuse("bad_file_name", _("A file has no usable name."), str(raw_name)[:100])
    if not content:
        raise _refuse("empty_file", _("%(name)s is empty.") % {"name": name}, name)
    limit = settings.ATTACHMENT_MAX_BYTES
    if len(content) > limit:
        raise _refuse(
            "file_too_large",
            _("%(name)s is larger than %(limit)s MB.") % {"name": name, "limit": round(limit / 1_000_000, 1)},
            name,
        )
    kind = sniff(content, name)
    allowed = allowed_types()
    if kind not in allowed:
        raise _refuse(
            "file_type_refused",
            _("%(name)s is not a kind of file that may be attached (its content is %(kind)s).")
            % {"name": name, "kind": kind},
            name,
        )
    extension = os.path.splitext(name)[1].lower()
    if not extension:
        name = f"{name}{allowed[kind][0]}"
    elif extension not in allowed[kind]:
        raise _refuse(
            "file_type_mismatch",
            _("%(name)s is not what its name says: its content is %(kind)s.") % {"name": name, "kind": kind},
            name,
        )
    return CheckedFile(
        name=name, content=content, content_type=kind, sha256=hashlib.sha256(content).hexdigest()
    )


def read_upload(upload: IO[bytes]) -> bytes:
    """An uploaded file's bytes, reading at most one byte past the limit (enough to refuse it)."""
    return upload.read(settings.ATTACHMENT_MAX_BYTES + 1)


def check_files(files: list[tuple[str, bytes]]) -> list[CheckedFile]:
    """Every file of one message, or none: the first refusal names its file."""
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        raise ActionError(
            "too_many_files",
            _("A message can carry at most %(limit)s files.") % {"limit": settings.ATTACHMENT_MAX_FILES},
            details={"field": "files"},
        )
    return [check_file(name, content) for name, content in files]


def download(attachment: Attachment) -> HttpResponse:
    """The file as a download, never shown inline: the browser must not run or sniff it (an HTML or SVG
    file under an image's name stays inert), and no cache keeps it. Files are small (ATTACHMENT_MAX_BYTES):
    read whole."""
    with default_storage.open(attachment.stored_as, "rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
