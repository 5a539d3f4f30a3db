"""Search indexes for `OrderSearch` and the first counts of `OrderCount`.

PostgreSQL: enables the `pg_trgm` extension (trigram GIN indexes make `LIKE '%word%'` an index scan).
SQLite: an FTS5 table with the trigram tokenizer over the same two columns, kept in step by triggers.
The documents are stored already without accents and case-folded, so neither engine needs `unaccent`.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.models import Count

from orderflow.catalog.models import search_key

POSTGRESQL = [
    "CREATE INDEX IF NOT EXISTS order_search_order_trgm ON orders_ordersearch "
    "USING gin (order_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS order_search_customer_trgm ON orders_ordersearch "
    "USING gin (customer_text gin_trgm_ops)",
]
POSTGRESQL_BACK = ["DROP INDEX IF EXISTS order_search_order_trgm", "DROP INDEX IF EXISTS order_search_customer_trgm"]
SQLITE = [
    "CREATE VIRTUAL TABLE orders_ordersearch_fts USING fts5(order_text, customer_text, "
    "content='orders_ordersearch', content_rowid='order_id', tokenize='trigram')",
    "CREATE TRIGGER orders_ordersearch_fts_insert AFTER INSERT ON orders_ordersearch BEGIN "
    "INSERT INTO orders_ordersearch_fts(rowid, order_text, customer_text) "
    "VALUES (new.order_id, new.order_text, new.customer_text); END",
    "CREATE TRIGGER orders_ordersearch_fts_delete AFTER DELETE ON orders_ordersearch BEGIN "
    "INSERT INTO orders_ordersearch_fts(orders_ordersearch_fts, rowid, order_text, customer_text) "
    "VALUES ('delete', old.order_id, old.order_text, old.customer_text); END",
    "CREATE TRIGGER orders_ordersearch_fts_update AFTER UPDATE ON orders_ordersearch BEGIN "
    "INSERT INTO orders_ordersearch_fts(orders_ordersearch_fts, rowid, order_text, customer_text) "
    "VALUES ('delete', old.order_id, old.order_text, old.customer_text); "
    "INSERT INTO orders_ordersearch_fts(rowid, order_text, customer_text) "
    "VALUES (new.order_id, new.order_text, new.customer_text); END",
]
SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS orders_ordersearch_fts_insert",
    "DROP TRIGGER IF EXISTS orders_ordersearch_fts_delete",
    "DROP TRIGGER IF EXISTS orders_ordersearch_fts_update",
    "DROP TABLE IF EXISTS orders_ordersearch_fts",
]


class TrigramOnPostgreSQL(TrigramExtension):
    """`CREATE EXTENSION pg_trgm` on PostgreSQL; nothing elsewhere, either way (Django's operation skips
    other engines going forward only)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def search_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRESQL if vendor == "postgresql" else SQLITE if vendor == "sqlite" else []:
        schema_editor.execute(statement)


def drop_search_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRESQL_BACK if vendor == "postgresql" else SQLITE_BACK if vendor == "sqlite" else []:
        schema_editor.execute(statement)


def fill(apps, schema_editor):
    """Counts and search documents of the orders already there (as the actions keep them from now on)."""
    Order = apps.get_model("orders", "Order")
    OrderLine = apps.get_model("orders", "OrderLine")
    OrderCount = apps.get_model("orders", "OrderCount")
    OrderSearch = apps.get_model("orders", "OrderSearch")
    Customer = apps.get_model("accounts", "Customer")
    Contact = apps.get_model("accounts", "Contact")
    groups = Order.objects.values("seller_id", "order_type_id", "state", "archived", "state_category").annotate(
        n=Count("pk")
    )
    OrderCount.objects.bulk_create(
        OrderCount(
            seller_id=g["seller_id"],
            order_type_id=g["order_type_id"],
            state=g["state"],
            archived=g["archived"],
            state_category=g["state_category"],
            count=g["n"],
        )
        for g in groups.order_by()
    )
    customer_texts: dict[int, str] = {}
    for customer in Customer.objects.iterator():
        parts = [customer.name, customer.reference]
        for contact in Contact.objects.filter(customer_id=customer.pk).order_by("pk"):
            parts += [contact.name, contact.email]
        customer_texts[customer.pk] = search_key(" ".join(p for p in parts if p))
    last = 0
    while True:
        orders = list(Order.objects.filter(pk__gt=last).order_by("pk")[:2000])
        if not orders:
            break
        last = orders[-1].pk
        lines: dict[int, list] = {order.pk: [] for order in orders}
        for line in OrderLine.objects.filter(order_id__in=lines).order_by("order_id", "position"):
            lines[line.order_id].append(line)
        documents = []
        for order in orders:
            parts = [f"#{order.number}#", order.title, order.customer_notes, order.internal_notes]
            for line in lines[order.pk]:
                parts += [line.sku, line.description, line.substitute_description, line.backup_description]
            documents.append(
                OrderSearch(
                    order_id=order.pk,
                    order_text=search_key(" ".join(p for p in parts if p)),
                    customer_text=customer_texts.get(order.customer_id, ""),
                )
            )
        OrderSearch.objects.bulk_create(documents)


class Migration(migrations.Migration):
    dependencies = [("orders", "0008_dashboard_scale")]

    operations = [
        TrigramOnPostgreSQL(),
        migrations.RunPython(search_indexes, drop_search_indexes),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
