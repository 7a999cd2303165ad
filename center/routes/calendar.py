"""The working-day calendar (/calendar): a year's holidays and make-up days; the district admin enters the year's
State Council notice (with a preview) and single-date overrides; managers view."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery

from center.domain import DomainError
from center.domain.access import Area
from center.domain.calendar import DAY_KIND_LABELS, SOURCE_LABELS, DayKind, Source, parse_notice
from center.domain.periods import year_param
from center.services import calendar as calendar_service
from center.services.identity import CurrentUser
from center.timeutil import local_today
from center.web.confirm import ask_first, confirmed
from center.web.deps import STAFF, Staff
from center.web.forms import FormData
from center.web.guards import requires
from center.web.links import redirect, url
from center.web.render import flash, page

TEMPLATE = "calendar/index.html"


def _year(raw: int | None) -> int:
    return raw if raw and 2000 <= raw <= 2100 else local_today().year


async def _year_context(staff: CurrentUser, year: int, **extra) -> dict:
    calendar = await calendar_service.get_calendar()
    start, end = date(year, 1, 1), date(year, 12, 31)
    source = calendar.source(year)
    can_edit = staff.may_open(Area.calendar_edit)
    context = {
        "year": year,
        "known": calendar.year_known(year),
        "source": source.value,
        "source_label": SOURCE_LABELS[source],
        "notice_info": await calendar_service.notice_entered_by(year) if source == Source.notice else None,
        "holidays": calendar.holidays_in(start, end),
        "makeup_days": calendar.makeup_days_in(start, end),
        "overrides": await calendar_service.list_overrides(year),
        "kind_labels": DAY_KIND_LABELS,
        "can_edit": can_edit,
        # A year the package ships needs no notice; single dates there are overrides.
        "notice_allowed": can_edit and source != Source.statutory_data,
        "notice_form": calendar_service.notice_form(year, calendar),
        "preview": None,
        "notice_error": None,
        "form": {},
    }
    context.update(extra)
    return context


def _typed_notice(form: FormData) -> tuple[int, calendar_service.NoticeForm]:
    year = _year(form.int("year"))
    typed = calendar_service.typed_notice_form(
        form.texts("h_name", limit=60), form.texts("h_first", limit=20), form.texts("h_last", limit=20),
        form.texts("makeup", limit=20), form.text("title", limit=200))
    return year, typed


# Calendar changes are district-wide: only the admin enters notices and overrides; managers read the calendar.
EDITOR = requires(Area.calendar_edit)


def _notice_of(year: int, typed: calendar_service.NoticeForm):
    """The notice as typed, checked (a DomainError or ValueError names what to fix)."""
    return parse_notice(year, [r["name"] for r in typed.rows], [r["first"] for r in typed.rows],
                        [r["last"] for r in typed.rows], typed.makeup, typed.title)


class CalendarController(Controller):
    path = "/calendar"
    guards = [requires(Area.calendar)]
    dependencies = {"staff": STAFF}
    include_in_schema = False

    @get("/", name="calendar:index")
    async def show_calendar(self, request: Request, staff: Staff, year: FromQuery[str] = "") -> Response:
        return page(request, TEMPLATE, await _year_context(staff, year_param(year) or local_today().year))

    @post("/notice/preview", name="calendar:preview_notice", guards=[EDITOR])
    async def preview_notice(self, request: Request, staff: Staff) -> Response:
        """What the typed notice changes (days, open deadlines), before anything is saved."""
        form = await FormData.read(request)
        year, typed = _typed_notice(form)
        try:
            notice = _notice_of(year, typed)
            preview = await calendar_service.preview_notice(staff, notice)
        except (DomainError, ValueError) as exc:
            return page(request, TEMPLATE, await _year_context(staff, year, notice_form=typed, notice_error=str(exc)),
                        status_code=422)
        return page(request, TEMPLATE, await _year_context(staff, year, notice_form=typed, preview=preview))

    @post("/notice", name="calendar:enter_notice", guards=[EDITOR])
    async def enter_notice(self, request: Request, staff: Staff) -> Response:
        """Save the previewed notice; every open deadline it concerns moves, on the case's timeline."""
        form = await FormData.read(request)
        year, typed = _typed_notice(form)
        try:
            notice = _notice_of(year, typed)
            moved = await calendar_service.enter_notice(staff, notice, digest=form.text("digest", limit=64))
        except (DomainError, ValueError) as exc:
            return page(request, TEMPLATE, await _year_context(staff, year, notice_form=typed, notice_error=str(exc)),
                        status_code=422)
        flash(request, f"已录入 {year} 年放假安排；{moved} 件在办件的办结期限已调整并记入办件过程"
              if moved else f"已录入 {year} 年放假安排；没有在办件的办结期限需要调整")
        return redirect(request, "calendar:index", year=year)

    @post("/overrides", name="calendar:add_override", guards=[EDITOR])
    async def add_override(self, request: Request, staff: Staff) -> Response:
        form = await FormData.read(request)
        raw_day = form.text("day", limit=20)
        try:
            try:
                day = date.fromisoformat(raw_day)
            except ValueError:
                raise calendar_service.CalendarOverrideError("请填写有效日期（YYYY-MM-DD）") from None
            moved = await calendar_service.set_override(staff, day, form.text("kind", limit=20),
                                                        form.text("name", limit=100))
        except DomainError as exc:
            year = _year(form.int("year"))
            return page(request, TEMPLATE, await _year_context(staff, year, error=str(exc), form=form.as_dict()),
                        status_code=422)
        message = f"{day.isoformat()} 已设为{DAY_KIND_LABELS[DayKind(form.text('kind'))]}"
        flash(request, message + (f"；{moved} 件在办件的办结期限已调整" if moved else ""))
        return redirect(request, "calendar:index", year=day.year)

    @post("/overrides/{override_id:int}/delete", name="calendar:remove_override",
          guards=[EDITOR])
    async def remove_override(self, request: Request, staff: Staff, override_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        if not confirmed(form):
            row = await calendar_service.override_for(staff, override_id)
            label = DAY_KIND_LABELS.get(row["kind"], row["kind"]) + (f"（{row['name']}）" if row["name"] else "")
            return ask_first(request, form, question=f"删除 {row['day'].isoformat()} 的日历调整？",
                             lines=[f"这一天现在按“{label}”计算；删除后按法定日历计算。",
                                    "在办件的办结期限随之重新计算，并记在各自的时间线上。"],
                             action=url(request, "calendar:remove_override", override_id=override_id),
                             back=url(request, "calendar:index", year=_year(form.int("year"))),
                             confirm_label="确认删除")
        moved = await calendar_service.remove_override(staff, override_id)
        flash(request, "已删除该日历调整" + (f"；{moved} 件在办件的办结期限已调整" if moved else ""))
        return redirect(request, "calendar:index", year=_year(form.int("year")))
