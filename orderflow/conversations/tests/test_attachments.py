"""Files on messages: judged by content, stored under random names, immutable, served only to readers."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from orderflow.accounts.actions import add_contact, add_customer, add_staff, create_portal_login
from orderflow.conftest import PASSWORD
from orderflow.conversations.actions import post_message
from orderflow.conversations.models import Attachment, Message
from orderflow.conversations.tests import files
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications import links
from orderflow.orders.models import EventType

zip_bomb = functools.cache(files.zip_bomb)


def stored_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_files_are_stored_under_random_names_and_judged_by_content(make_order, sam, settings):
    order = make_order("distributor")

    message = post_message(
        order,
        body="The contract and the price list",
        files=[("contract.docx", files.docx()), ("prices.csv", files.CSV), ("photo", files.PNG)],
        actor=Actor.staff(sam),
    )

    found = {a.name: a for a in message.attachments.all()}
    assert set(found) == {"contract.docx", "prices.csv", "photo.png"}  # a name without extension gets one
    assert found["contract.docx"].content_type.endswith("wordprocessingml.document")
    assert found["prices.csv"].content_type == "text/csv"
    assert found["prices.csv"].sha256 == hashlib.sha256(files.CSV).hexdigest()
    assert found["prices.csv"].size == len(files.CSV)
    for attachment in found.values():
        assert attachment.name not in attachment.stored_as
        assert "." not in attachment.stored_as.rsplit("/", 1)[-1]
    assert len(stored_files(settings)) == 3
    event = order.events.get(type=EventType.MESSAGE)
    assert sorted(event.data["files"]) == ["contract.docx", "photo.png", "prices.csv"]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("big.pdf", files.PDF + b"x" * (5 * 1024 * 1024), "file_too_large"),
        ("invoice.pdf", files.EXE, "file_type_refused"),
        ("setup.exe", files.EXE, "file_type_refused"),
        ("photo.pdf", files.PNG, "file_type_mismatch"),
        ("empty.txt", b"", "empty_file"),
        ("archive.zip", files.plain_zip(), "file_type_refused"),
        ("page.txt", b"<html><script>alert(1)</script></html>", "file_type_refused"),
        ("bomb.docx", None, "zip_bomb"),
        ("../../..", files.CSV, "bad_file_name"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_saved(make_order, sam, settings, name, content, code):
    order = make_order("distributor")
    content = zip_bomb() if content is None else content

    with pytest.raises(ActionError) as refused:
        post_message(order, body="See attached", files=[(name, content)], actor=Actor.staff(sam))

    assert refused.value.code == code
    assert refused.value.details["field"] == "files"
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_six_files_are_refused(make_order, sam, settings):
    with pytest.raises(ActionError) as refused:
        post_message(
            make_order("shop"),
            body="x",
            files=[(f"{i}.csv", files.CSV) for i in range(6)],
            actor=Actor.staff(sam),
        )
    assert refused.value.code == "too_many_files"
    assert stored_files(settings) == []


def test_names_lose_their_folders_and_are_cut(make_order, sam):
    message = post_message(
        make_order("shop"),
        body="x",
        files=[("..\\..\\windows/evil.csv", files.CSV), ("a" * 1000 + ".csv", files.CSV)],
        actor=Actor.staff(sam),
    )
    names = sorted(a.name for a in message.attachments.all())
    assert names[1] == "evil.csv"
    assert len(names[0]) == 150
    assert names[0].endswith(".csv")


def test_no_file_outlives_a_message_that_was_not_saved(make_order, sam, settings, monkeypatch):
    order = make_order("shop")

    def broken(event):
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr("orderflow.conversations.actions.messages.notify", broken)
    with pytest.raises(RuntimeError):
        post_message(order, body="x", files=[("a.csv", files.CSV)], actor=Actor.staff(sam))

    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_attachments_cannot_be_changed_or_deleted(make_order, sam):
    message = post_message(make_order("shop"), body="x", files=[("a.csv", files.CSV)], actor=Actor.staff(sam))
    attachment = message.attachments.get()

    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Attachment.objects.filter(pk=attachment.pk).update(name="other.csv")
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Attachment.objects.filter(pk=attachment.pk).delete()

    attachment.refresh_from_db()
    assert attachment.name == "a.csv"


# Who may download: staff of the seller (any role), the order's customer's contacts for public messages
# only; another seller's staff, another customer's contact and anonymous visitors get nothing.
READERS = {
    "owner": (True, True),
    "manager": (True, True),
    "staff": (True, True),
    "rival_staff": (False, False),
    "alice_portal": (True, False),
    "bruno_link": (True, False),
    "alice_link": (True, False),
    "carla_portal": (False, False),
    "anonymous": (False, False),
}


@pytest.mark.parametrize("reader", list(READERS))
def test_files_are_served_only_to_who_may_read_the_message(
    make_order, acme, olivia, sam, alice, bruno, rita, client, reader
):
    order = make_order("distributor")
    public = post_message(order, body="Contract", files=[("c.pdf", files.PDF)], actor=Actor.staff(sam))
    note = post_message(
        order, body="Credit", files=[("n.csv", files.CSV)], actor=Actor.staff(sam), internal=True
    )
    public_file, note_file = public.attachments.get(), note.attachments.get()

    staff_base = f"/s/acme/orders/{order.number}/files/"
    if reader in ("owner", "manager", "staff", "rival_staff"):
        member = {
            "owner": olivia,
            "staff": sam,
            "rival_staff": rita,
            "manager": reader == "manager"
            and add_staff(acme, username="max", password=PASSWORD, role="manager"),
        }[reader]
        client.force_login(member.user)
        base = staff_base if reader != "rival_staff" else f"/s/rival/orders/{order.number}/files/"
    elif reader in ("alice_portal", "carla_portal"):
        who = alice
        if reader == "carla_portal":
            who = add_contact(
                add_customer(acme, name="Harbour Cafe"), name="Carla", email="carla@cafe.example"
            )
        create_portal_login(who, password=PASSWORD, actor=Actor.system())
        client.force_login(who.user)
        base = f"/my/orders/{order.number}/files/"
    elif reader in ("alice_link", "bruno_link"):
        who = alice if reader == "alice_link" else bruno
        base = urlsplit(links.url("track", order=order.pk, contact=who.pk)).path + "files/"
    else:
        base = staff_base

    may_public, may_note = READERS[reader]
    for attachment, allowed, content in (
        (public_file, may_public, files.PDF),
        (note_file, may_note, files.CSV),
    ):
        response = client.get(f"{base}{attachment.pk}/")
        if allowed:
            assert response.status_code == 200, reader
            assert response.content == content
            assert response["Content-Disposition"].startswith("attachment;")
            assert response["X-Content-Type-Options"] == "nosniff"
        else:
            assert response.status_code in (302, 404), reader
            assert response.status_code == 302 if reader == "anonymous" else 404


def test_staff_attach_from_the_order_page_and_the_customer_from_the_portal(make_order, olivia, alice, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = make_order("distributor")
    client.force_login(olivia.user)
    response = client.post(
        f"/s/acme/orders/{order.number}/messages/",
        {"body": "Signed contract", "attachments": [SimpleUploadedFile("contract.pdf", files.PDF)]},
    )
    assert response.status_code == 302
    page = client.get(f"/s/acme/orders/{order.number}/").content.decode()
    assert "contract.pdf" in page
    refused = client.post(
        f"/s/acme/orders/{order.number}/messages/",
        {"body": "Program", "attachments": [SimpleUploadedFile("tool.pdf", files.EXE)]},
    )
    assert refused.status_code == 400

    client.logout()
    track = urlsplit(links.url("track", order=order.pk, contact=alice.pk)).path
    response = client.post(
        track, {"body": "Our list", "attachments": [SimpleUploadedFile("list.csv", files.CSV)]}
    )
    assert response.status_code == 302
    assert "list.csv" in client.get(track).content.decode()
    assert sorted(Attachment.objects.values_list("name", flat=True)) == ["contract.pdf", "list.csv"]
