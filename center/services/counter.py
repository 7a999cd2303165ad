"""What the kiosk counter page shows: search results, the chosen item with its promise, the worker's sidebar."""

from __future__ import annotations

from datetime import date

from center.domain.catalog import ItemKind
from center.domain.cases import due_date
from center.domain.privacy import mask_name
from center.services import demands, cases, ratings
from center.services.calendar import get_calendar
from center.services.catalog import get_item, search_items
from center.services.identity import CurrentUser
from center.tables import Ticket, Visit
from center.timeutil import local_today, to_local


async def item_panel(item_id: int, today: date | None = None) -> dict | None:
    """The chosen item with its materials and the promise read out to the resident (服务承诺)."""
    item = await get_item(item_id)
    if item is None or not item["active"]:
        return None
    today = today or local_today()
    calendar = await get_calendar()
    days = item["promised_days"] if item["kind"] == ItemKind.promised else 0
    item["expected_due"] = due_date(today, days, calendar)
    item["expected_unknown_years"] = calendar.unknown_years(today, item["expected_due"])
    return item


async def sidebar(actor: CurrentUser, today: date | None = None) -> dict:
    today = today or local_today()
    mine = await cases.open_cases(actor, mine=True, today=today)
    return {
        "my_cases": mine,
        "visits": await cases.visits_today(actor, today),
        "reminders": await cases.reminders_today(actor, today),
        # The manager's 差评 follow-ups due soon or overdue, beside the case reminders.
        "rating_reminders": await ratings.reminders_today(actor, today),
        # Demands due soon or overdue: the grid worker's own, the manager's whole center.
        "demand_reminders": await demands.reminders(actor),
        "overdue_count": sum(1 for c in mine if c["mark"] == "overdue"),
    }


async def continuing_visit(actor: CurrentUser, visit_id: int | None, today: date | None = None) -> dict | None:
    """A visit of today at the actor's center, to attach another case to (masked for display)."""
    if visit_id is None or actor.center_id is None:
        return None
    visit = await Visit.select(Visit.id, Visit.center, Visit.resident_name, Visit.created_at).where(
        Visit.id == visit_id).first()
    today = today or local_today()
    if visit is None or visit["center"] != actor.center_id or to_local(visit["created_at"]).date() != today:
        return None
    # A visit opened by 开始办理 at the window: its ticket number names the resident until the first case does.
    ticket = await Ticket.select(Ticket.ticket_no).where(Ticket.visit == visit_id).first()
    return {"id": visit["id"], "resident_name": mask_name(visit["resident_name"]), "named": bool(visit["resident_name"]),
            "ticket_no": ticket["ticket_no"] if ticket else ""}


async def search(query: str) -> list[dict]:
    return await search_items(query) if query.strip() else []


async def find_cases(actor: CurrentUser, query: str) -> list[dict]:
    """Cases of the actor's center the search box names by code, phone tail or resident name (masked)."""
    return await cases.lookup_cases(actor, query) if query.strip() else []


async def find_demands(actor: CurrentUser, query: str) -> list[dict]:
    """Demands of the actor's center the search box names by number, phone or resident name (masked)."""
    return await demands.lookup(actor, query) if query.strip() else []
