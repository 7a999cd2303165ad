"""The Piccolo app of center: its tables and the top-level migrations/ folder."""

from piccolo.conf.apps import AppConfig

from center.config import REPO_ROOT
from center.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="center",
    migrations_folder_path=str(REPO_ROOT / "migrations"),
    table_classes=list(ALL_TABLES),
    migration_dependencies=[],
    commands=[],
)
