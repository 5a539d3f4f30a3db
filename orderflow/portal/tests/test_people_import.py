"""A partner imports participants into their own order from a file, by the order's link or signed in:
upload, mapping, the outcome and the refused rows; never leads, never another customer's order, never
someone else's import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orderflow.core.actors import Actor
from orderflow.leads.models import Person
from orderflow.notifications import links
from orderflow.notifications.models import LinkPurpose
from orderflow.transfers.actions.imports import upload_people_file
from orderflow.transfers.models import PeopleImport

CSV = "Prénom;Nom;Courriel\r\nZoé;Roy;zoe@example.com\r\nSans;Courriel;\r\n".encode("cp1252")


@pytest.fixture
def order(make_order):
    return make_order("services-marketplace")


def test_partner_imports_participants_by_the_orders_link(
    client, order, alice, django_capture_on_commit_callbacks
):
    token = links.token(LinkPurpose.TRACK, contact=alice, order=order.pk)
    assert 'data-testid="import-participants"' in client.get(f"/t/{token}/participants/").content.decode()
    base = f"/t/{token}/participants/import/"
    response = client.post(base, {"kind": "participant", "file": SimpleUploadedFile("p.csv", CSV)})
    assert response.status_code == 302
    record = PeopleImport.objects.get()
    assert (record.kind, record.uploaded_by_contact) == ("participant", alice)
    page = client.get(response.url).content.decode()
    assert 'data-testid="mapping-form"' in page
    form = {"column_0": "first_name", "column_1": "last_name", "column_2": "email", "mode": "valid_only"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(response.url, form).status_code == 302
    outcome = client.get(response.url).content.decode()
    assert 'data-testid="refused-file"' in outcome
    assert client.get(f"{response.url}refused.csv").status_code == 200
    assert client.get(f"{response.url}progress/").json()["finished"] is True
    person = Person.objects.get()
    assert (person.kind, person.added_by_contact) == ("participant", alice)


def test_partner_signed_in_sees_own_orders_and_own_imports_only(client, order, alice, olivia):
    from orderflow.accounts.actions import create_portal_login
    from orderflow.conftest import PASSWORD

    create_portal_login(alice, password=PASSWORD, actor=Actor.system())
    client.force_login(alice.user)
    own = reverse("portal_order_import", kwargs={"number": order.number})
    assert client.get(own).status_code == 200
    other = reverse("portal_order_import", kwargs={"number": order.number + 100})
    assert client.post(other, {"file": SimpleUploadedFile("p.csv", CSV)}).status_code == 404
    # A staff import of leads into the same order is not hers to see
    staff_import = upload_people_file(
        order,
        actor=Actor.staff(olivia),
        kind="lead",
        file_name="leads.csv",
        file=SimpleUploadedFile("l.csv", CSV),
    )
    assert client.get(f"{own}{staff_import.pk}/").status_code == 404
    assert client.get(f"{own}{staff_import.pk}/progress/").status_code == 404


def test_a_lying_file_is_refused_in_the_portal(client, order, alice):
    token = links.token(LinkPurpose.TRACK, contact=alice, order=order.pk)
    response = client.post(
        f"/t/{token}/participants/import/",
        {"kind": "participant", "file": SimpleUploadedFile("p.xlsx", b"MZ\x90\x00" + bytes(300))},
    )
    assert response.status_code == 400
    assert not PeopleImport.objects.exists()
