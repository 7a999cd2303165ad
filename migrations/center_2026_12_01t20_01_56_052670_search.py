"""Catalog search and case lookup: the everyday words of each item, the last 4 digits of each visit's phone."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T20:01:56:052670"
VERSION = "1.38.0"
DESCRIPTION = "catalog search and case lookup: item.keywords (everyday words), visit.phone_tail"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="center", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Item",
        tablename="item",
        column_name="keywords",
        db_column_name="keywords",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
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

    manager.add_column(
        table_class_name="Visit",
        tablename="visit",
        column_name="phone_tail",
        db_column_name="phone_tail",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 4,
            "default": "",
            "null": False,
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
