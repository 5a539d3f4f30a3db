from django.contrib import admin

from orderflow.leads.models import Person, Recipient


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ("display_name", "kind", "order", "email", "phone", "opt_in", "created_at")
    list_filter = ("kind", "opt_in", "do_not_contact", "needs_qualification")
    search_fields = ("email_normalised", "phone_normalised", "last_name", "company")
    raw_id_fields = ("order", "seller", "added_by_membership", "added_by_contact", "converted_from")


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin[Recipient]):
    list_display = ("order", "email", "membership")
    raw_id_fields = ("order", "membership")
