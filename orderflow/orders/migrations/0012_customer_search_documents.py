"""A customer's search text moves from each of its orders' documents to one document per customer.

Before, `OrderSearch.customer_text` repeated the customer's name, account number and contacts in every
order of the customer: a search for a customer read hundreds of index entries per customer, and a change
to a customer rewrote all of its orders' documents. Now `CustomerSearch` holds it once per customer.

PostgreSQL: a trigram GIN index on `CustomerSearch.text` (the `pg_trgm` extension is enabled by 0009);
dropping `customer_text` drops its index. SQLite: the FTS5 table of 0009 covered both columns; it is made
again over `order_text` alone, with its triggers, and filled from the documents. The customers' documents
are filled from the customers that have orders (the others get theirs with their first order).
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

from orderflow.catalog.models import search_key

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS orders_ordersearch_fts_insert",
    "DROP TRIGGER IF EXISTS orders_ordersearch_fts_delete",
    "DROP TRIGGER IF EXISTS orders_ordersearch_fts_update",
    "DROP TABLE IF EXISTS orders_ordersearch_fts",
]
SQLITE_ORDER_TEXT = [
    "CREATE VIRTUAL TABLE orders_ordersearch_fts USING fts5(order_text, "
    "content='orders_ordersearch', content_rowid='order_id', tokenize='trigram')",
    "CREATE TRIGGER orders_ordersearch_fts_insert AFTER INSERT ON orders_ordersearch BEGIN "
    "INSERT INTO orders_ordersearch_fts(rowid, order_text) VALUES (new.order_id, new.order_text); END",
    "CREATE TRIGGER orders_ordersearch_fts_delete AFTER DELETE ON orders_ordersearch BEGIN "
    "INSERT INTO orders_ordersearch_fts(orders_ordersearch_fts, rowid, order_text) "
    "VALUES ('delete', old.order_id, old.order_text); END",
    "CREATE TRIGGER orders_ordersearch_fts_update AFTER UPDATE ON orders_ordersearch BEGIN "
    "INSERT INTO orders_ordersearch_fts(orders_ordersearch_fts, rowid, order_text) "
    "VALUES ('delete', old.order_id, old.order_text); "
    "INSERT INTO orders_ordersearch_fts(rowid, order_text) VALUES (new.order_id, new.order_text); END",
    "INSERT INTO orders_ordersearch_fts(orders_ordersearch_fts) VALUES ('rebuild')",
]
POSTGRESQL_INDEX = (
    "CREATE INDEX IF NOT EXISTS customer_search_trgm ON orders_customersearch USING gin (text gin_trgm_ops)"
)


def drop_fts(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


def order_text_fts(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_ORDER_TEXT:
            schema_editor.execute(statement)


def two_column_fts(apps, schema_editor):
    """Back: 0009's FTS5 table over both columns (the customers' text left empty until changed)."""
    if schema_editor.connection.vendor == "sqlite":
        before = importlib.import_module("orderflow.orders.migrations.0009_order_search_and_counts")
        for statement in before.SQLITE:
            schema_editor.execute(statement)


def customer_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_INDEX)


def fill(apps, schema_editor):
    Customer = apps.get_model("accounts", "Customer")
    Contact = apps.get_model("accounts", "Contact")
    Order = apps.get_model("orders", "Order")
    CustomerSearch = apps.get_model("orders", "CustomerSearch")
    with_orders = Order.objects.values_list("customer_id", flat=True).distinct()
    documents = []
    for customer in Customer.objects.filter(pk__in=with_orders).iterator():
        parts = [customer.name, customer.reference]
        for contact in Contact.objects.filter(customer_id=customer.pk).order_by("pk"):
            parts += [contact.name, contact.email]
        text = search_key(" ".join(part for part in parts if part))
        documents.append(CustomerSearch(customer_id=customer.pk, seller_id=customer.seller_id, text=text))
        if len(documents) >= 1000:
            CustomerSearch.objects.bulk_create(documents)
            documents = []
    CustomerSearch.objects.bulk_create(documents)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_customer_domains_notes_and_log"),
        ("orders", "0011_choices_after_merge"),
    ]

    operations = [
        migrations.RunPython(drop_fts, two_column_fts),
        migrations.RemoveField(model_name="ordersearch", name="customer_text"),
        migrations.RunPython(order_text_fts, drop_fts),
        migrations.CreateModel(
            name="CustomerSearch",
            fields=[
                (
                    "customer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="accounts.customer",
                    ),
                ),
                ("text", models.TextField(default="")),
                (
                    "seller",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="accounts.seller"
                    ),
                ),
            ],
        ),
        migrations.RunPython(customer_index, migrations.RunPython.noop),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
