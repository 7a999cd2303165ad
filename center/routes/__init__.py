"""Thin HTTP handlers, one module per area; ROUTES lists them for create_app."""

from center.routes.areas import CatalogController, CounterController, DiningController, RostersController
from center.routes.auth import AuthController
from center.routes.centers import CentersController
from center.routes.health import healthz
from center.routes.home import home

ROUTES = [
    AuthController,
    CentersController,
    CounterController,
    CatalogController,
    RostersController,
    DiningController,
    healthz,
    home,
]
