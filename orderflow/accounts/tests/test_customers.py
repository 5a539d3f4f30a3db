"""The customer and contact actions: who may change them, what they refuse, and the log they keep."""

from __future__ import annotations

import pytest

from orderflow.accounts.actions import (
    create_contact,
    create_customer,
    create_portal_login,
    deactivate_contact,
    invite_contact,
    reactivate_contact,
    record_reach,
    update_contact,
    update_customer,
)
from orderflow.accounts.models import Contact, Customer, CustomerDomain, CustomerEvent, Invitation
from orderflow.accounts.selectors import contact_of_user, customers_matching, needs_reach_question
from orderflow.conftest import PASSWORD
from orderflow.core.actors import Actor
from orderflow.core.errors import ActionError
from orderflow.notifications import links
from orderflow.notifications.models import DeliverySchedule


def _types(customer):
    return list(CustomerEvent.objects.filter(customer=customer).values_list("type", flat=True))


def test_a_customer_has_several_domains_and_the_log_says_who_added_it(acme, sam):
    customer = create_customer(
        acme,
        name=" Harbour Café ",
        reference="C-7",
        email_domains=["Harbour.Example", "@mail.harbour.example.", "harbour.example"],
        notes="Pays on delivery",
        actor=Actor.staff(sam),
    )
    assert customer.name == "Harbour Café"
    assert customer.domain_names == ["harbour.example", "mail.harbour.example"]
    event = CustomerEvent.objects.get(customer=customer)
    assert (event.type, event.actor_user, event.data["reference"]) == ("customer_created", sam.user, "C-7")


@pytest.mark.parametrize(
    ("domains", "code"),
    [(["not a domain"], "invalid"), (["gmail.com"], "public_domain"), (["cornerbar.example"], "duplicate")],
)
def test_a_bad_or_taken_domain_is_refused_and_nothing_is_saved(acme, sam, corner_bar, domains, code):
    with pytest.raises(ActionError) as refused:
        create_customer(acme, name="Other", email_domains=domains, actor=Actor.staff(sam))
    assert refused.value.code == code
    assert list(refused.value.details["fields"]) == ["email_domains"]
    assert not Customer.objects.filter(name="Other").exists()


def test_another_sellers_domain_and_account_number_are_free(rival, rita, corner_bar):
    customer = create_customer(
        rival, name="Corner Bar too", email_domains=["cornerbar.example"], actor=Actor.staff(rita)
    )
    assert customer.domain_names == ["cornerbar.example"]


def test_an_account_number_names_one_customer(acme, sam, corner_bar):
    update_customer(corner_bar, reference="A-1", actor=Actor.staff(sam))
    with pytest.raises(ActionError) as refused:
        create_customer(acme, name="Other", reference="a-1", actor=Actor.staff(sam))
    assert (refused.value.code, list(refused.value.details["fields"])) == ("duplicate", ["reference"])


def test_a_change_is_logged_with_before_and_after_and_no_change_logs_nothing(sam, corner_bar):
    update_customer(
        corner_bar,
        name="Corner Bar & Grill",
        email_domains=["cornerbar.example", "grill.example"],
        actor=Actor.staff(sam),
    )
    update_customer(corner_bar, name="Corner Bar & Grill", actor=Actor.staff(sam))
    event = CustomerEvent.objects.filter(customer=corner_bar, type="customer_changed").get()
    assert event.data["changes"] == {
        "name": ["Corner Bar", "Corner Bar & Grill"],
        "email_domains": [["cornerbar.example"], ["cornerbar.example", "grill.example"]],
    }
    assert set(CustomerDomain.objects.filter(customer=corner_bar).values_list("domain", flat=True)) == {
        "cornerbar.example",
        "grill.example",
    }


def test_only_the_sellers_active_staff_change_customers(corner_bar, rita, sam, alice):
    for actor in (Actor.staff(rita), Actor.customer(alice)):
        with pytest.raises(ActionError) as refused:
            update_customer(corner_bar, name="Taken over", actor=actor)
        assert refused.value.code == "forbidden"
        with pytest.raises(ActionError):
            deactivate_contact(alice, actor=actor)
    sam.is_active = False
    with pytest.raises(ActionError):
        create_contact(corner_bar, name="Zoe", email="zoe@x.example", actor=Actor.staff(sam))
    assert Customer.objects.get(pk=corner_bar.pk).name == "Corner Bar"


def test_a_contact_email_is_one_contacts_within_the_seller(acme, sam, alice, rival, rita):
    other = create_customer(acme, name="Other", actor=Actor.staff(sam))
    with pytest.raises(ActionError) as refused:
        create_contact(other, name="Al", email="ALICE@cornerbar.example", actor=Actor.staff(sam))
    assert (refused.value.code, list(refused.value.details["fields"])) == ("duplicate", ["email"])
    bob = create_contact(other, name="Bob", email="bob@other.example", actor=Actor.staff(sam))
    with pytest.raises(ActionError):
        update_contact(bob, email="alice@cornerbar.example", actor=Actor.staff(sam))
    # Another seller's contact may have the same address
    theirs = create_customer(rival, name="Theirs", actor=Actor.staff(rita))
    create_contact(theirs, name="Alice", email="alice@cornerbar.example", actor=Actor.staff(rita))


def test_a_contact_keeps_a_way_to_reach_them(sam, alice):
    with pytest.raises(ActionError) as refused:
        update_contact(alice, email="", actor=Actor.staff(sam))
    assert refused.value.code == "unreachable"
    assert Contact.objects.get(pk=alice.pk).email == "alice@cornerbar.example"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"time_zone": "Mars/Base"}, "time_zone"),
        ({"locale": "xx"}, "locale"),
        ({"phone": "555-1234"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"preferred_channels": ["pigeon"]}, "preferred_channels"),
        ({"messenger_url": "no-scheme"}, "messenger_url"),
    ],
)
def test_a_bad_contact_field_is_refused_by_name(sam, alice, change, field):
    with pytest.raises(ActionError) as refused:
        update_contact(alice, actor=Actor.staff(sam), **change)
    assert list(refused.value.details["fields"]) == [field]
    assert not CustomerEvent.objects.filter(type="contact_changed").exists()


def test_hours_are_the_notifications_schedule_and_a_bad_day_saves_nothing(sam, alice):
    update_contact(alice, name="Alice M.", hours={"Monday": "09:00-12:00"}, actor=Actor.staff(sam))
    assert DeliverySchedule.objects.get(contact=alice).schedule == {"0": [[540, 720]]}
    changes = CustomerEvent.objects.get(type="contact_changed").data["changes"]
    assert set(changes) == {"name", "hours"}

    with pytest.raises(ActionError):
        update_contact(alice, name="Alice X", hours={"Monday": "9 to 5"}, actor=Actor.staff(sam))
    assert Contact.objects.get(pk=alice.pk).name == "Alice M."
    assert DeliverySchedule.objects.get(contact=alice).schedule == {"0": [[540, 720]]}

    update_contact(alice, hours=None, actor=Actor.staff(sam))  # back to the seller's
    assert not DeliverySchedule.objects.filter(contact=alice).exists()


def test_deactivating_keeps_history_and_stops_links_login_and_invitations(sam, olivia, alice, make_order):
    order = make_order("shop")
    create_portal_login(alice, password=PASSWORD, actor=Actor.system())
    grant = links.grant("track", order=order.pk, contact=alice)
    deactivate_contact(alice, actor=Actor.staff(sam))
    deactivate_contact(alice, actor=Actor.staff(sam))  # again: nothing more

    assert contact_of_user(alice.user_id) is None
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert order.placed_by_id == alice.pk
    assert Contact.objects.filter(pk=alice.pk).exists()
    assert _types(alice.customer).count("contact_deactivated") == 1

    reactivate_contact(alice, actor=Actor.staff(olivia))
    assert contact_of_user(alice.user_id) == alice
    assert _types(alice.customer)[-1] == "contact_reactivated"


def test_deactivating_withdraws_an_open_invitation(sam, alice):
    invitation = invite_contact(alice, actor=Actor.staff(sam))
    deactivate_contact(alice, actor=Actor.staff(sam))
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None
    assert not Invitation.objects.filter(contact=alice, withdrawn_at__isnull=True).exists()


def test_the_log_is_append_only(corner_bar):
    event = CustomerEvent.objects.filter(customer=corner_bar).first()
    assert event is not None
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        CustomerEvent.objects.filter(customer=corner_bar).delete()


def test_a_contact_answers_the_reach_question_for_themselves_only(alice, bruno):
    assert needs_reach_question(alice)
    with pytest.raises(ActionError) as refused:
        record_reach(alice, channels=["sms"], hours=None, actor=Actor.customer(bruno))
    assert refused.value.code == "forbidden"
    with pytest.raises(ActionError) as refused:
        record_reach(alice, channels=[], hours=None, actor=Actor.customer(alice))
    assert list(refused.value.details["fields"]) == ["preferred_channels"]

    record_reach(
        alice, channels=["email", "in_app"], hours={"Friday": "10:00-16:00"}, actor=Actor.customer(alice)
    )

    alice.refresh_from_db()
    assert alice.preferred_channels == ["email", "in_app"]
    assert alice.reach_answered_at is not None
    assert not needs_reach_question(alice)
    assert DeliverySchedule.objects.get(contact=alice).schedule == {"4": [[600, 960]]}
    assert _types(alice.customer)[-1] == "reach_answered"


def test_search_finds_names_numbers_domains_and_contacts(acme, sam, corner_bar, alice, bruno):
    create_customer(acme, name="Harbour Café", reference="H-22", actor=Actor.staff(sam))

    def names(search):
        return [c.name for c in customers_matching(acme, search)]

    assert names("") == ["Corner Bar", "Harbour Café"]
    assert names("h-22") == ["Harbour Café"]
    assert names("cornerbar.example") == ["Corner Bar"]
    assert names("petit") == ["Corner Bar"]  # Bruno Petit, once though two contacts match "corner"
    assert names("corner") == ["Corner Bar"]
    assert names("bar nobody") == []
