"""Rows that are written once and never changed: activity logs and evidence.

`AppendOnly` refuses, in the app, every way Django has to change or remove a saved row (save of an
existing row, delete, queryset update and delete). `refuse_changes(table)` is the database's half, for a
migration: a trigger that refuses UPDATE and DELETE on SQLite and PostgreSQL, so not even raw SQL or the
admin can edit the row."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import migrations, models


class AppendOnlyError(TypeError):
    pass


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.append_only_name} is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.append_only_name} is append-only")


class AppendOnly(models.Model):
    """An abstract model whose rows are inserted and then only read."""

    append_only_name: ClassVar[str] = "This log"

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{self.append_only_name} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.append_only_name} is append-only")


def _statements(table: str) -> dict[str, tuple[list[str], list[str]]]:
    message = f"{table} rows are immutable"
    return {
        "sqlite": (
            [
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END;",
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END;",
            ],
            [f"DROP TRIGGER IF EXISTS {table}_no_update;", f"DROP TRIGGER IF EXISTS {table}_no_delete;"],
        ),
        "postgresql": (
            [
                f"CREATE OR REPLACE FUNCTION {table}_immutable() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION "
                f"'{message}' USING ERRCODE = 'integrity_constraint_violation'; END; $$ LANGUAGE plpgsql;",
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_immutable();",
            ],
            [
                f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};",
                f"DROP FUNCTION IF EXISTS {table}_immutable();",
            ],
        ),
    }


def refuse_changes(table: str) -> migrations.RunPython:
    """A migration operation: the database refuses UPDATE and DELETE on `table` (SQLite, PostgreSQL;
    other engines rely on the app having no path that does it)."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        for statement in _statements(table).get(schema_editor.connection.vendor, ([], []))[0]:
            schema_editor.execute(statement)

    def backwards(apps: Any, schema_editor: Any) -> None:
        for statement in _statements(table).get(schema_editor.connection.vendor, ([], []))[1]:
            schema_editor.execute(statement)

    return migrations.RunPython(forwards, backwards)
