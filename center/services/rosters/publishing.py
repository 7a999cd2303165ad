"""Publishing a week: from then on residents (the hall screen, the hours API) and the iCal feeds see it; a week
with conflicts, missing or surplus people is published only after the manager confirmed its list of problems."""

from __future__ import annotations

from datetime import date

from center import db
from center.domain.periods import monday_of
from center.domain.roster import PublishWarning
from center.services import audit
from center.services.identity import CurrentUser
from center.services.rosters.common import RosterError, check_center
from center.services.rosters.grid import Week, week_view
from center.tables import RosterWeek
from center.timeutil import utcnow


class PublishNeedsConfirmation(RosterError):
    """The week has conflicts, missing or surplus people: the manager sees the list and confirms it first."""

    def __init__(self, warnings: list[PublishWarning], fingerprint: str):
        super().__init__(f"本周排班有 {len(warnings)} 处问题，请确认后再发布")
        self.warnings = warnings
        self.fingerprint = fingerprint


async def published_weeks(center_id: int, first: date, last: date) -> set[date]:
    """The Mondays of the published weeks of a center that touch [first, last]."""
    rows = await RosterWeek.select(RosterWeek.week).where(
        (RosterWeek.center == center_id) & (RosterWeek.status == "published")
        & (RosterWeek.week >= monday_of(first)) & (RosterWeek.week <= last))
    return {r["week"] for r in rows}


async def confirmation(actor: CurrentUser, center_id: int, any_day: date) -> Week:
    """The week as the manager confirms it before publishing: its warnings and their fingerprint."""
    return await week_view(actor, center_id, monday_of(any_day))


async def publish(actor: CurrentUser, center_id: int, any_day: date, confirmed: str | None = None) -> None:
    """Publish a week: from now on residents see it. A week with conflicts, missing or surplus people is
    published only with `confirmed` equal to the fingerprint of the warnings the manager was shown."""
    check_center(actor, center_id)
    monday = monday_of(any_day)
    week = await confirmation(actor, center_id, monday)
    if week.warnings and confirmed != week.fingerprint:
        raise PublishNeedsConfirmation(week.warnings, week.fingerprint)
    async with db.write_transaction():
        await RosterWeek.insert(RosterWeek(center=center_id, week=monday, status="published", published_at=utcnow(),
                                           published_by=actor.id)).on_conflict(
            target=(RosterWeek.center, RosterWeek.week), action="DO UPDATE",
            values=[RosterWeek.status, RosterWeek.published_at, RosterWeek.published_by])
        await audit.record("roster.publish", actor=actor, center_id=center_id, object_type="week",
                           object_id=monday.isoformat(), detail={"warnings_confirmed": len(week.warnings)})
