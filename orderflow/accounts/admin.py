from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from orderflow.accounts.models import Contact, Customer, CustomerDomain, Membership, Seller


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "time_zone", "locale", "currency", "sender_domains")
    search_fields = ("name", "slug", "sender_domains")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ("name", "email", "phone", "locale", "time_zone", "preferred_channels")


class CustomerDomainInline(admin.TabularInline):
    """Shown only: staff change a customer's domains in the workspace, where they are checked."""

    model = CustomerDomain
    extra = 0
    fields = ("domain",)
    readonly_fields = ("domain",)
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "seller", "kind", "reference")
    list_filter = ("seller", "kind")
    search_fields = ("name", "reference", "domains__domain")
    inlines = [CustomerDomainInline, ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "customer", "email", "phone", "locale", "time_zone")
    search_fields = ("name", "email", "phone")
