"""Rendering pages: one template per page, htmx fragments are its blocks; the shared layout context; flashes."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, pass_context
from markupsafe import Markup, escape
from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Litestar, Request
from litestar.plugins.jinja import JinjaTemplateEngine as _Engine
from litestar.template.config import TemplateConfig

from center.domain.access import Area
from center.domain.money import yuan, yuan_plain
from center.domain.privacy import mask_id_number, mask_name, mask_phone
from center.domain.calendar import next_year_warning
from center.domain.periods import month_day, month_day_weekday, weekday_name, year_month
from center.services.calendar import peek_calendar
from center.web import csrf
from center.web.assets import Assets
from center.web.links import build, url_for
from center.timeutil import fmt_local, local_today, to_local

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
VARY = "HX-Request, HX-Target"
FLASH_KEY = "_flash"

# (label, route name, area) of the main navigation, shown to the roles that may open the area.
NAV: tuple[tuple[str, str, Area], ...] = (
    ("前台受理", "counter:index", Area.counter),
    ("事项目录", "catalog:index", Area.catalog),
    ("窗口统计", "stats:index", Area.stats),
    ("好差评", "ratings:list", Area.ratings),
    ("民情诉求", "demands:list", Area.demands),
    ("排班值班", "rosters:index", Area.rosters),
    ("我的值班", "duty:index", Area.duty),
    ("老年助餐", "dining:desk", Area.dining),
    ("工作日历", "calendar:index", Area.calendar),
    ("中心信息", "centers:list", Area.centers),
)

# Where people work by touch (the kiosk counter and its cases, the canteen desk, the worker's own duty page opened
# at the same kiosk): 44 px targets (app.css `.touch`).
TOUCH_AREAS = frozenset({"counter", "cases", "dining", "duty"})


@pass_context
def csrf_token(context) -> str:
    """This session's CSRF token, freshly masked (center.web.csrf); made on the first page that needs one."""
    request = context.get("request")
    return csrf.token_for(request.scope) if request is not None else ""


@pass_context
def csrf_field(context) -> Markup:
    """The hidden CSRF field of a plain form post (htmx sends the header set on <body> instead)."""
    return Markup('<input type="hidden" name="%s" value="%s">' % (csrf.FIELD, escape(csrf_token(context))))


def num(value: int | float | None) -> str:
    """A count for reading: 1033 -> '1,033' (spreadsheets keep the number itself)."""
    if value is None:
        return ""
    return f"{value:,}"


def time_tag(value: datetime | date | None, pattern: str = "%Y-%m-%d %H:%M") -> Markup:
    """A moment as people read it (Asia/Shanghai), inside <time datetime="…"> with the exact machine value."""
    if value is None:
        return Markup("")
    if isinstance(value, datetime):
        local = to_local(value)
        machine = local.isoformat(timespec="minutes")
    else:
        local, machine = value, value.isoformat()
        pattern = pattern if "%H" not in pattern else "%Y-%m-%d"
    return Markup('<time datetime="%s">%s</time>') % (machine, local.strftime(pattern))


def long_date(value: datetime | date | None, with_time: bool = False) -> str:
    """One date style on the case page, the slip and the status page: 2027年1月21日 (+ 10:05 for a moment)."""
    if value is None:
        return ""
    local = to_local(value) if isinstance(value, datetime) else value
    text = f"{local.year}年{local.month}月{local.day}日"
    return f"{text} {local:%H:%M}" if with_time and isinstance(local, datetime) else text


def day_label(value: date | None) -> str:
    """A near date as said at the counter: 1月21日 this year, 2027年1月21日 when it is in another year."""
    if value is None:
        return ""
    return f"{value.month}月{value.day}日" if value.year == local_today().year else long_date(value)


def _setup_env(assets: Assets, engine: _Engine) -> None:
    env: Environment = engine.engine
    env.globals["csrf_token"] = csrf_token  # replaces Litestar's (its CSRFConfig double-submit cookie is gone)
    env.globals["csrf_field"] = csrf_field
    env.globals["static_url"] = assets.url
    env.globals["url_for"] = url_for  # ours: path parameters in the path, the rest as the query (center.web.links)
    env.filters["local"] = fmt_local
    env.filters["time_tag"] = time_tag
    env.filters["long_date"] = long_date
    env.filters["day_label"] = day_label
    env.filters["mask_id"] = mask_id_number
    env.filters["mask_phone"] = mask_phone
    env.filters["mask_name"] = mask_name
    env.filters["yuan"] = yuan  # 12,345.00 for reading; yuan_plain (12345.00) for a field's value
    env.filters["yuan_plain"] = yuan_plain
    env.filters["num"] = num
    env.filters["weekday"] = weekday_name  # 周{{ d|weekday }}
    env.filters["month_day"] = month_day  # 12月7日
    env.filters["month_day_weekday"] = month_day_weekday  # 12月7日（周一）
    env.filters["year_month"] = year_month  # 2026-12
    env.trim_blocks = True
    env.lstrip_blocks = True


def template_config(assets: Assets | None = None) -> TemplateConfig:
    return TemplateConfig(directory=TEMPLATES, engine=_Engine, engine_callback=partial(_setup_env, assets or Assets()))


@lru_cache(maxsize=8)
def _nav(app: Litestar) -> tuple[tuple[str, str, Area], ...]:
    """NAV with each route's address (they take no parameters, so once per application, not per page)."""
    return tuple((label, build(app, name), area) for label, name, area in NAV)


@lru_cache(maxsize=256)
def _blocks(env: Environment, template_name: str) -> frozenset[str]:
    return frozenset(env.get_template(template_name).blocks)


def fragment(request: Request) -> str | None:
    """The block htmx asks for: the one named like the element it targets (`case-rows` -> `case_rows`), or None
    for the whole page. The one place a handler learns what htmx wants (hx-boost makes every navigation an htmx
    request, so "is this htmx?" alone never picks a fragment)."""
    htmx = getattr(request, "htmx", None)
    target = htmx.target if htmx else None
    return target.replace("-", "_") if target else None


def target_block(request: Request, template_name: str) -> str | None:
    """The block to render: the one named like the element htmx targets, else the whole page."""
    block = fragment(request)
    if block is None:
        return None
    engine = request.app.template_engine
    env: Environment = engine.engine  # type: ignore[union-attr]
    return block if block in _blocks(env, template_name) else None


def flash(request: Request, message: str, category: str = "success") -> None:
    """Show a message on the next page this browser renders."""
    messages = list(request.session.get(FLASH_KEY, []))
    messages.append({"message": message, "category": category})
    request.session[FLASH_KEY] = messages


def _pop_flashes(request: Request) -> list[dict[str, str]]:
    session = request.scope.get("session")
    if not isinstance(session, dict) or FLASH_KEY not in session:
        return []
    return session.pop(FLASH_KEY)


def layout_context(request: Request) -> dict[str, Any]:
    user = request.scope.get("user")
    settings = request.app.state.settings
    nav = [(label, href) for label, href, area in _nav(request.app) if user is not None and user.may_open(area)]
    warning = warning_href = warning_link = None
    today = local_today()
    # Not on next year's own calendar page, which explains the provisional year itself.
    handler = request.scope.get("route_handler")
    on_next_year = (getattr(handler, "name", None) == "calendar:index"
                    and request.query_params.get("year") == str(today.year + 1))
    if user is not None and user.may_open(Area.calendar) and not on_next_year:
        warning = next_year_warning(today, peek_calendar())
        # The banner leads to next year's notice form (admins enter it; managers see the provisional calendar).
        editor = user.may_open(Area.calendar_edit)
        warning_href = build(request.app, "calendar:index", year=today.year + 1, _anchor="notice" if editor else "")
        warning_link = "录入放假安排" if editor else "查看工作日历"
    area = request.url.path.strip("/").split("/", 1)[0]
    # The one menu entry for this page: the longest that contains it (/counter/stats is 窗口统计, not 前台受理).
    path = request.url.path
    matching = [href for _, href in nav if path == href or path.startswith(href.rstrip("/") + "/")]
    return {
        "nav_current": max(matching, key=len, default=None),
        "user": user,
        "nav": nav,
        "area": area,
        "touch": area in TOUCH_AREAS,
        "current_path": request.url.path,
        "district_name": settings.district_name,
        "demo": settings.demo,
        "flashes": _pop_flashes(request),
        "calendar_warning": warning,
        "calendar_warning_href": warning_href,
        "calendar_warning_link": warning_link,
    }


def page(
    request: Request,
    template_name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMXBlockTemplate:
    """Render a page template, or only the block htmx targeted (HX-Target names the block's element)."""
    block_name = block or target_block(request, template_name)
    ctx = layout_context(request)
    if context:
        ctx.update(context)
    return HTMXBlockTemplate(
        template_name=template_name,
        block_name=block_name,
        context=ctx,
        status_code=status_code,
        headers={"Vary": VARY, **(headers or {})},
    )
