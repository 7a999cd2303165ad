"""Cases remember which materials were received (☑ = received everywhere), beside the missing ones they imply.

NULL on cases from before: their received list is derived from `missing` (required materials not missing)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T20:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "service_case.received: JSON list of the materials received"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Case",
        tablename="service_case",
        column_name="received",
        db_column_name="received",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
