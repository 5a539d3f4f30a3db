"""Changes to a seller's catalogue: the only writers of catalogue items, their log and their imports."""

from orderflow.catalog.actions.imports import (
    MAX_IMPORT_BYTES,
    ImportRefused,
    run_catalog_import,
    start_catalog_import,
)
from orderflow.catalog.actions.items import (
    ITEM_FIELDS,
    create_item,
    discontinue_item,
    may_manage_catalog,
    set_availability,
    update_item,
)

__all__ = [
    "ITEM_FIELDS",
    "MAX_IMPORT_BYTES",
    "ImportRefused",
    "create_item",
    "discontinue_item",
    "may_manage_catalog",
    "run_catalog_import",
    "set_availability",
    "start_catalog_import",
    "update_item",
]
