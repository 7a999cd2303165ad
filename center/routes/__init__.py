"""Thin HTTP handlers, one module per area; ROUTES lists them for create_app."""

from center.routes.api import ApiController, TerminalController
from center.routes.dining import DeskController, ManagementController
from center.routes.demands import DemandsController, ErrandsController
from center.routes.duty import DutyController, IcalController
from center.routes.rosters import RostersController
from center.routes.screen import ScreenController
from center.routes.auth import AuthController
from center.routes.calendar import CalendarController
from center.routes.cases import CasesController, PublicStatusController, VisitsController
from center.routes.my import MyPageController
from center.routes.catalog import CatalogController
from center.routes.centers import CentersController
from center.routes.counter import CounterController
from center.routes.hall_api import HallApiController
from center.routes.hall_setup import HallSetupController
from center.routes.health import healthz
from center.routes.home import home
from center.routes.rating_pads import RatingPadsController
from center.routes.ratings import PublicRatingController, RatePadController, RatingsApiController, RatingsController
from center.routes.stats import StatsController
from center.routes.take import TakeController, TicketController
from center.routes.window import WindowController

ROUTES = [
    ApiController,
    AuthController,
    CalendarController,
    CasesController,
    CatalogController,
    CentersController,
    CounterController,
    DemandsController,
    ErrandsController,
    DeskController,
    DutyController,
    HallApiController,
    HallSetupController,
    IcalController,
    ManagementController,
    PublicStatusController,
    MyPageController,
    PublicRatingController,
    RatePadController,
    RatingPadsController,
    RatingsApiController,
    RatingsController,
    RostersController,
    ScreenController,
    StatsController,
    TakeController,
    TerminalController,
    TicketController,
    VisitsController,
    WindowController,
    healthz,
    home,
]
