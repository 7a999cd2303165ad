"""Piccolo's configuration module (PICCOLO_CONF=center.piccolo_conf): the engine comes from DATABASE_URL.

`DB` is looked up each time Piccolo asks for it (engine_finder: its CLI, the migrations): the engine that
center.db.bind() chose, or else the one of DATABASE_URL. This module depends on center.db; nothing imports it back.
"""

from piccolo.conf.apps import AppRegistry

from center.config import get_settings
from center.db.engines import bound, make_engine

APP_REGISTRY = AppRegistry(apps=["center.piccolo_app"])


def __getattr__(name: str):
    if name == "DB":
        return bound() or make_engine(get_settings())
    raise AttributeError(name)
