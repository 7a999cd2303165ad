"""Piccolo's configuration module (PICCOLO_CONF=center.piccolo_conf): the engine comes from DATABASE_URL."""

from piccolo.conf.apps import AppRegistry

from center.config import get_settings
from center.db import make_engine

DB = make_engine(get_settings())

APP_REGISTRY = AppRegistry(apps=["center.piccolo_app"])
