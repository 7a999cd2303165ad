"""The log of changes to a published week: once residents can see a week, every edit to it is recorded and shown
under the grid (发布后的修改), so what was announced and what changed stay readable. Every editing cluster writes it."""

from __future__ import annotations

from datetime import date

from center.domain.periods import monday_of
from center.services.identity import CurrentUser
from center.tables import RosterChange, RosterWeek
from center.timeutil import utcnow


async def week_status(center_id: int, monday: date) -> str:
    """"published" once the week was published, "draft" before."""
    row = await RosterWeek.select(RosterWeek.status).where(
        (RosterWeek.center == center_id) & (RosterWeek.week == monday)).first()
    return row["status"] if row else "draft"


async def log_if_published(actor: CurrentUser, center_id: int, day: date, description: str) -> None:
    """Record an edit of the week holding `day`, if that week is published (a draft's edits are not news)."""
    monday = monday_of(day)
    if await week_status(center_id, monday) == "published":
        await RosterChange.insert(RosterChange(center=center_id, week=monday, at=utcnow(), actor=actor.id,
                                               description=description[:300]))


async def week_changes(center_id: int, monday: date) -> list[dict]:
    """The week's log, newest first."""
    return await RosterChange.select(
        RosterChange.at, RosterChange.description, RosterChange.actor.display_name.as_alias("actor_name"),
    ).where((RosterChange.center == center_id) & (RosterChange.week == monday)).order_by(RosterChange.at, ascending=False)
