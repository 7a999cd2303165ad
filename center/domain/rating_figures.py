"""好差评 figures for managers (/counter/stats) and the hall screen: the six figures of center.domain.ratings.figures
grouped by worker, window, category, item and month, ratings per level, the monthly ranking of windows, and the
screen's 满意率.

Every rating counts in exactly one group of each grouping, so a table's rows add up to the period's figures; a
rating whose appeal was upheld is kept in its group but not counted (figures() leaves it out), as on /ratings.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Sequence

from center.domain.ratings import SCORE_LABELS, RatingFact, Score, figures


def group_figures(pairs: Iterable[tuple[str, RatingFact]]) -> list[tuple[str, dict]]:
    """The figures of each group (a worker, a window, a category, an item), most counted ratings first, then by
    name."""
    groups: dict[str, list[RatingFact]] = defaultdict(list)
    for key, fact in pairs:
        groups[key].append(fact)
    return sorted(((key, figures(facts)) for key, facts in groups.items()),
                  key=lambda kv: (-kv[1]["ratings"], window_order(kv[0])))


def by_month(pairs: Iterable[tuple[str, RatingFact]], months: Sequence[str]) -> list[tuple[str, dict]]:
    """Every month of the period ("YYYY-MM") in order, the ones without ratings too (their rates None: told "—")."""
    groups: dict[str, list[RatingFact]] = {month: [] for month in months}
    for month, fact in pairs:
        groups.setdefault(month, []).append(fact)
    return [(month, figures(groups[month])) for month in sorted(groups)]


def level_counts(facts: Iterable[RatingFact]) -> list[tuple[int, str, int]]:
    """(score, label, counted ratings) for each of the five levels, 非常满意 first: the chart's bars."""
    counts = {score: 0 for score in Score}
    for fact in facts:
        if fact.counted:
            counts[Score(fact.score)] += 1
    return [(int(score), SCORE_LABELS[score], counts[score]) for score in sorted(Score, reverse=True)]


def window_order(window: str) -> tuple:
    """Windows in their numbers' order (2 before 10), names after numbers."""
    digits = "".join(ch for ch in window if ch.isdigit())
    return (0, int(digits), window) if digits and window.startswith(digits) else (1, 0, window)


def rank_windows(pairs: Iterable[tuple[str, RatingFact]]) -> list[dict]:
    """窗口排名: 好评率 (满意率, the same three levels) high to low, then more counted ratings first. Windows equal in
    both (the same share of the same number of ratings) share a rank and the next rank is skipped (1, 1, 3);
    within a rank they are listed by window number. A window with no counted rating (every one taken out by an upheld appeal) has no
    rate: it is listed last, without a rank. Ratings without a window (a callback about a case received outside
    one) are ranked nowhere."""
    rows = [{"window": window, **f} for window, f in group_figures((w, fact) for w, fact in pairs if w)]
    rated = sorted((r for r in rows if r["good_rate"] is not None),
                   key=lambda r: (-r["good_rate"], -r["ratings"], window_order(r["window"])))
    unrated = sorted((r for r in rows if r["good_rate"] is None), key=lambda r: window_order(r["window"]))
    previous: tuple | None = None
    for place, row in enumerate(rated, start=1):
        tied = (row["good_rate"], row["ratings"])
        row["rank"] = rated[place - 2]["rank"] if tied == previous else place
        previous = tied
    for row in unrated:
        row["rank"] = None
    return rated + unrated


def monthly_window_ranking(rows: Iterable[tuple[str, str, RatingFact]]) -> list[tuple[str, list[dict]]]:
    """(month "YYYY-MM", window, fact) -> each month that has ratings at a window, in order, with its ranking."""
    months: dict[str, list[tuple[str, RatingFact]]] = defaultdict(list)
    for month, window, fact in rows:
        months[month].append((window, fact))
    ranked = [(month, rank_windows(pairs)) for month, pairs in sorted(months.items())]
    return [(month, ranking) for month, ranking in ranked if ranking]


def satisfaction(facts: Iterable[RatingFact]) -> dict:
    """本月满意率 on the hall screen: the share of counted ratings at 基本满意 or better (score ≥ 3), one decimal; the
    same rule and number as the manager's 好评率. `rate` is None when nothing was rated (the screen then says so,
    never "0%")."""
    f = figures(list(facts))
    return {"rate": f["good_rate"], "ratings": f["ratings"]}

