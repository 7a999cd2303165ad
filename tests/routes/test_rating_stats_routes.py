"""好差评 on /counter/stats over HTTP: the figures shown against a recount of the rating tables, the tables and the
ranking of the worked month (tests/support/rating_month.py), "—" for an empty period, the year by month."""

from __future__ import annotations

import re
from datetime import datetime

from bs4 import BeautifulSoup

from center.tables import Rating, RatingFollowup
from center.timeutil import LOCAL_TZ
from tests.factories import login
from tests.support.rating_month import MONTH, known_rating_month


def figures(section) -> dict[str, str]:
    return {node["data-figure"]: (node.select_one("strong") or node).get_text(strip=True)
            for node in section.select("[data-figure]")}


async def rating_section(client, db, month: str = MONTH):
    known = await known_rating_month(db)
    assert (await login(client, known["manager"]["username"])).status_code == 302
    response = await client.get(f"/counter/stats?month={month}")
    assert response.status_code == 200
    return known, BeautifulSoup(response.text, "html.parser").select_one("#rating-figures")


def pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole, 1)}%" if whole else "—"


async def test_the_six_figures_shown_match_a_recount_of_the_ratings(client, db):
    known, section = await rating_section(client, db)
    assert section.h2.get_text(strip=True) == "好差评"
    rows = await Rating.select(Rating.id, Rating.score, Rating.channel).where(
        (Rating.center == known["center"]["id"]) & (Rating.at >= datetime(2026, 10, 1, tzinfo=LOCAL_TZ))
        & (Rating.at < datetime(2026, 11, 1, tzinfo=LOCAL_TZ)))
    follow = {f["rating"]: f for f in await RatingFollowup.select()}
    counted = [r for r in rows if follow.get(r["id"], {}).get("appeal") != "upheld"]
    bad = [r for r in counted if r["score"] <= 2]
    checked = [r for r in bad if follow[r["id"]]["founded"] is not None]
    founded = [r for r in checked if follow[r["id"]]["founded"]]
    fixed = [r for r in founded if follow[r["id"]]["fixed_on"]]
    shown = figures(section)
    assert shown["rating_count"] == str(len(counted))
    assert shown["rating_good_rate"] == pct(len(counted) - len(bad), len(counted)) == "50.0%"
    assert shown["rating_bad"] == str(len(bad)) == "4"
    assert shown["rating_founded_rate"] == pct(len(founded), len(checked)) == "66.7%"
    assert shown["rating_fix_rate"] == pct(len(fixed), len(founded)) == "100.0%"
    assert shown["rating_fix_on_time_rate"] == pct(sum(follow[r["id"]]["fixed_on_time"] for r in fixed),
                                                   len(founded)) == "50.0%"
    assert shown["rating_callback_rate"] == pct(sum(r["channel"] == "callback" for r in counted),
                                                len(counted)) == "25.0%"
    notes = [li.get_text(" ", strip=True) for li in section.select(".rating-notes li")]
    assert len(notes) == 6 and notes[2] == "核实属实率 = 核实属实 2 条 ÷ 已核实的差评 3 条"


async def test_the_tables_ranking_and_chart_of_the_month(client, db):
    _, section = await rating_section(client, db)

    def table(title: str) -> dict[str, list[str]]:
        heading = section.find("h3", string=title)
        rows = heading.find_next("table").select("tbody tr")
        return {r.td.get_text(strip=True): [c.get_text(strip=True) for c in r.select("td")[1:]] for r in rows}

    assert table("按社工（首接人）") == {
        "张敏": ["4", "100.0%", "0", "—", "—", "—", "50.0%"],
        "李华": ["4", "0.0%", "4", "66.7%", "100.0%", "50.0%", "0.0%"]}
    assert list(table("按窗口")) == ["2号窗口", "1号窗口", "（未记录窗口）"]
    assert set(table("按类别")) == {"民政与养老", "住房与公积金"}
    assert set(table("按事项")) == {"老年人优待证办理（老年证）", "住房公积金提取（离退休）"}
    assert section.find("h3", string="按月") is None  # a month's view has no table by month
    ranking = section.select_one("#window-ranking")
    assert ranking.h3.get_text(strip=True) == "本月窗口排名" and "并列" in ranking.get_text()
    assert [[c.get_text(strip=True) for c in tr.select("td")] for tr in ranking.select("tbody tr")] == [
        ["1", "1号窗口", "100.0%", "3", "0"], ["2", "2号窗口", "0.0%", "4", "4"]]
    bars = section.select("svg#rating-level-chart rect")
    assert [b.title.get_text() for b in bars] == ["非常满意：2 条", "满意：1 条", "基本满意：1 条", "不满意：2 条",
                                                  "非常不满意：2 条"]
    assert section.select_one("svg#rating-level-chart")["role"] == "img"


async def test_an_empty_month_shows_dashes_not_zero_percent(client, db):
    _, section = await rating_section(client, db, "2026-09")
    shown = figures(section)
    for key in ("rating_good_rate", "rating_founded_rate", "rating_fix_rate", "rating_fix_on_time_rate",
                "rating_callback_rate"):
        assert shown[key] == "—", key
    assert shown["rating_bad"] == "0" and not re.search(r"\d%", section.get_text())  # no rate of nothing
    assert "本期暂无评价" in section.get_text() and "本期暂无窗口评价" in section.get_text()
    assert not [b for b in section.select("svg rect") if float(b["height"]) > 0]


async def test_the_year_tells_each_month_and_ranks_the_windows_month_by_month(client, db):
    _, section = await rating_section(client, db, "2026")
    assert figures(section)["rating_good_rate"] == "55.6%"
    months = section.find("h3", string="按月").find_next("table").select("tbody tr")
    assert len(months) == 12
    by_month = {r.td.get_text(strip=True): r.select("td")[2].get_text(strip=True) for r in months}
    assert by_month["10月"] == "50.0%" and by_month["11月"] == "100.0%" and by_month["1月"] == "—"
    ranking = section.select_one("#window-ranking")
    assert ranking.h3.get_text(strip=True) == "每月窗口排名"
    assert [t.caption.get_text(strip=True) for t in ranking.select("table")] == ["10月", "11月"]
    bars = section.select("svg#rating-month-chart rect")
    assert len(bars) == 12 and "11月：100.0%（1 条）" in [b.title.get_text() for b in bars]


async def test_the_pages_with_ratings_pass_the_nu_html_checker(client, db):
    """The demo district has no ratings, so tests/routes/test_html_valid.py sees these sections empty: here they are
    full (the stats page for a month and a year, the center's page with its switch, the screen showing 满意率)."""
    from center.tables import Center
    from tests.support.vnu import Vnu

    known = await known_rating_month(db)
    slug = known["center"]["slug"]
    await Center.update({Center.screen_rating: True}).where(Center.slug == slug)
    assert (await login(client, known["manager"]["username"])).status_code == 302
    checker = Vnu()
    try:
        errors = {}
        for url in (f"/counter/stats?month={MONTH}", "/counter/stats?month=2026", f"/centers/{slug}",
                    f"/screen/{slug}?at=2026-10-20T10:00"):
            response = await client.get(url)
            assert response.status_code == 200, url
            errors[url] = checker.errors(response.text)
        assert not any(errors.values()), errors
    finally:
        checker.stop()
