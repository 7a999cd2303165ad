"""The ledger and the audit log become hash chains: a row_hash column on ledger_txn and audit_log (issue #11).

The next migration links the rows already there and refuses REPLACE on every append-only table."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "ledger_txn.row_hash, audit_log.row_hash"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)
    for class_name, tablename in (("LedgerTxn", "ledger_txn"), ("AuditLog", "audit_log")):
        manager.add_column(
            table_class_name=class_name,
            tablename=tablename,
            column_name="row_hash",
            db_column_name="row_hash",
            column_class_name="Varchar",
            column_class=Varchar,
            params={
                "length": 64,
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
