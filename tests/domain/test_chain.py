"""Hash chains (center.domain.chain): any edit, insert or delete breaks the chain at a row that can be named."""

from datetime import date, datetime, timedelta, timezone

import pytest

from center.domain.chain import GENESIS, canonical, first_break, link
from center.timeutil import LOCAL_TZ


def chained(contents):
    rows, previous = [], GENESIS
    for n, content in enumerate(contents, start=1):
        previous = link(previous, content)
        rows.append((n, previous, content))
    return rows


ROWS = [{"amount_fen": 20000 * n, "memo": f"第{n}笔"} for n in range(1, 6)]


def test_an_untouched_chain_has_no_break_and_ends_at_its_head():
    rows = chained(ROWS)
    assert first_break(rows) == (None, rows[-1][1], 5)


def test_a_changed_row_breaks_at_itself():
    rows = chained(ROWS)
    rows[2] = (3, rows[2][1], {**rows[2][2], "amount_fen": 1})
    assert first_break(rows)[0].row_id == 3


def test_a_deleted_row_breaks_at_the_row_after_it():
    rows = chained(ROWS)
    del rows[1]
    assert first_break(rows)[0].row_id == 3


def test_a_row_slipped_in_breaks_at_itself():
    rows = chained(ROWS)
    rows.insert(2, (25, link(rows[1][1], {"amount_fen": 5}), {"amount_fen": 5}))
    assert first_break(rows)[0].row_id == 3  # the row after it was linked to row 2, not to the newcomer


def test_a_row_whose_hash_was_recomputed_breaks_the_next_one():
    rows = chained(ROWS)
    forged = {**rows[1][2], "amount_fen": 1}
    rows[1] = (2, link(rows[0][1], forged), forged)
    assert first_break(rows)[0].row_id == 3


def test_rows_without_a_hash_are_named_as_outside_the_chain():
    rows = chained(ROWS)
    rows[0] = (1, "", rows[0][2])
    assert "未入链" in first_break(rows)[0].reason


def test_the_last_rows_cut_off_leave_a_chain_that_holds_only_a_kept_head_shows_it():
    rows = chained(ROWS)
    kept_head = rows[-1][1]
    broken, head, _ = first_break(rows[:-1])
    assert broken is None and head != kept_head


def test_the_same_moment_in_any_zone_hashes_alike_and_naive_times_are_refused():
    moment = datetime(2026, 12, 3, 4, 5, 6, tzinfo=timezone.utc)
    assert canonical({"at": moment}) == canonical({"at": moment.astimezone(LOCAL_TZ)})
    assert canonical({"day": date(2026, 12, 3)}) == b'{"day":"2026-12-03"}'
    with pytest.raises(ValueError):
        canonical({"at": datetime(2026, 12, 3)})
    assert canonical({"at": moment}) != canonical({"at": moment + timedelta(microseconds=1)})


def test_key_order_does_not_matter_but_every_value_does():
    assert canonical({"a": 1, "b": [1, "二"]}) == canonical({"b": [1, "二"], "a": 1})
    assert link(GENESIS, {"a": 1}) != link(GENESIS, {"a": "1"})
