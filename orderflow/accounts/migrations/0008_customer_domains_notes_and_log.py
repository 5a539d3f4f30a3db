import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import orderflow.accounts.models



def copy_email_domains(apps, schema_editor):
    """Each customer's one `email_domain` becomes its first CustomerDomain. A domain that is not one, is
    a public mail service, or was already another customer's of the same seller (matching by domain
    would be a guess) is left out; those customers are listed in the migration's output."""
    Customer = apps.get_model("accounts", "Customer")
    CustomerDomain = apps.get_model("accounts", "CustomerDomain")
    taken = set()
    for customer in Customer.objects.exclude(email_domain="").order_by("pk").iterator():
        domain = customer.email_domain.strip().lstrip("@").rstrip(".").lower()
        key = (customer.seller_id, domain)
        try:
            orderflow.accounts.models.validate_domain(domain)
        except Exception:
            print(f"\n  customer {customer.pk}: {customer.email_domain!r} left out (not a usable domain)")
            continue
        if key in taken:
            print(f"\n  customer {customer.pk}: {domain} left out (another customer of the seller has it)")
            continue
        taken.add(key)
        CustomerDomain.objects.create(seller_id=customer.seller_id, customer_id=customer.pk, domain=domain)


def restore_email_domains(apps, schema_editor):
    Customer = apps.get_model("accounts", "Customer")
    CustomerDomain = apps.get_model("accounts", "CustomerDomain")
    for row in CustomerDomain.objects.order_by("-pk").iterator():
        Customer.objects.filter(pk=row.customer_id).update(email_domain=row.domain)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0007_seller_allow_backorders"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="notes",
            field=models.TextField(
                blank=True,
                help_text="For staff only; never shown to the customer.",
                max_length=5000,
                verbose_name="notes",
            ),
        ),
        migrations.AddField(
            model_name="contact",
            name="reach_answered_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the contact (or staff for them) last stated their preferred channels and "
                "hours; empty: never asked, so the portal asks them",
                null=True,
            ),
        ),
        migrations.CreateModel(
            name="CustomerDomain",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "domain",
                    models.CharField(max_length=253, validators=[orderflow.accounts.models.validate_domain]),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="domains", to="accounts.customer"
                    ),
                ),
                (
                    "seller",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="accounts.seller"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("seller", "domain"), name="one_customer_per_domain")
                ],
            },
        ),
        migrations.RunPython(copy_email_domains, restore_email_domains),
        migrations.RemoveField(model_name="customer", name="email_domain"),
        migrations.CreateModel(
            name="CustomerEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("customer_created", "Customer added"),
                            ("customer_changed", "Customer details changed"),
                            ("contact_added", "Contact added"),
                            ("contact_changed", "Contact changed"),
                            ("contact_deactivated", "Contact deactivated"),
                            ("contact_reactivated", "Contact reactivated"),
                            ("reach_answered", "Contact chose their channels and hours"),
                        ],
                        max_length=24,
                    ),
                ),
                ("actor_name", models.CharField(max_length=200)),
                ("data", models.JSONField(blank=True, default=dict, help_text="Before and after of what changed")),
                ("created_at", models.DateTimeField(db_index=True)),
                (
                    "actor_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "contact",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.contact",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="events", to="accounts.customer"
                    ),
                ),
                (
                    "seller",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="accounts.seller"
                    ),
                ),
            ],
            options={"ordering": ["created_at", "id"]},
        ),
    ]
