"""Attachments cannot be changed or deleted once saved: a trigger refuses UPDATE and DELETE of their rows
on SQLite and on PostgreSQL (other engines rely on the app having no path that does it)."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER conversations_attachment_no_update BEFORE UPDATE ON conversations_attachment
    BEGIN SELECT RAISE(ABORT, 'attachments are immutable'); END;""",
    """CREATE TRIGGER conversations_attachment_no_delete BEFORE DELETE ON conversations_attachment
    BEGIN SELECT RAISE(ABORT, 'attachments are immutable'); END;""",
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS conversations_attachment_no_update;",
    "DROP TRIGGER IF EXISTS conversations_attachment_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION conversations_attachment_immutable() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'attachments are immutable' USING ERRCODE = 'integrity_constraint_violation';
    END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER conversations_attachment_immutable BEFORE UPDATE OR DELETE ON conversations_attachment
    FOR EACH ROW EXECUTE FUNCTION conversations_attachment_immutable();""",
]
POSTGRES_UNDO = [
    "DROP TRIGGER IF EXISTS conversations_attachment_immutable ON conversations_attachment;",
    "DROP FUNCTION IF EXISTS conversations_attachment_immutable();",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, []):
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_UNDO, "postgresql": POSTGRES_UNDO}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("conversations", "0002_attachments_and_inbound_email")]

    operations = [migrations.RunPython(forwards, backwards)]
