"""Issue #16, point 5: the old single policy becomes policy versions by migration, and the ledger carries over
untouched. A real SQLite file is migrated up to the last migration before dining policies, filled as the old code
left a district (a year's setting with a per-meal cap, grants, meals, a void), read, migrated the rest of the way,
and read again: balances, a senior's statement and the month's totals are the same, and the versions govern every
day with the numbers it had before."""

import os
import sqlite3
import subprocess
import sys
from datetime import date

import pytest

from center.domain.ledger import Policy as OldPolicy
from center.domain.ledger import decide
from center.domain.policy import Pays, Usage, in_force, parse_policy

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BEFORE_POLICIES = "2026-12-07T15:18:00:000000"  # the demands' constraints: the last migration of issue #15

pytestmark = pytest.mark.sqlite_only


def run(args, env):
    result = subprocess.run(args, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def fill_as_the_old_code_did(path):
    con = sqlite3.connect(path)
    x = con.execute
    x("INSERT INTO center (id, slug, name) VALUES (1, 'old', '旧中心')")
    x("INSERT INTO canteen (id, center, code, name) VALUES (1, 1, 'C1', '旧食堂')")
    for n in (1, 2):
        x("INSERT INTO senior (id, name, id_number, birth_date, center, card_no, created_at) VALUES "
          f"({n}, '老人{n}', '37162619500505{n:03d}X', '1950-05-05', 1, 'OLD{n}', '2026-01-01 00:00:00+00:00')")
    # The manager had set 2026: 200 yuan, at most 8 yuan a meal, carry over; 2027 had no row (the defaults).
    x("INSERT INTO subsidy_policy (year, annual_fen, per_meal_cap_fen, year_end, birthday_rule, updated_at) "
      "VALUES (2026, 20000, 800, 'carry', 'full', '2026-01-01 00:00:00+00:00')")
    txn = 0

    def post(kind, day, senior, lines, canteen=None, reverses=None, key=None):
        nonlocal txn
        txn += 1
        x("INSERT INTO ledger_txn (id, kind, at, book_date, year, senior, canteen, reverses, idempotency_key, memo, "
          "reason, row_hash) VALUES (?, ?, ?, ?, 2026, ?, ?, ?, ?, '', '', '')",
          (txn, kind, f"{day} 04:00:00+00:00", day, senior, canteen, reverses, key or f"k{txn}"))
        for account, amount in lines:
            x("INSERT INTO ledger_posting (txn, account, amount_fen) VALUES (?, ?, ?)", (txn, account, amount))
        return txn

    for senior in (1, 2):
        post("grant", "2026-01-01", senior, [("fund:2026", -20000), (f"allowance:{senior}:2026", 20000)])
    meals = [(1, "2026-03-02", 1500, 800), (1, "2026-03-03", 600, 600), (2, "2026-03-02", 1200, 800)]
    for number, (senior, day, price, subsidy) in enumerate(meals, start=1):
        t = post("meal", day, senior, [(f"allowance:{senior}:2026", -subsidy), ("canteen:1", subsidy)], canteen=1)
        x("INSERT INTO meal (canteen, senior, kind, price_fen, subsidy_fen, paid_fen, balance_after_fen, eaten_at, "
          "book_date, idempotency_key, request_hash, txn, created_at) VALUES (1, ?, 'lunch', ?, ?, ?, 0, ?, ?, ?, "
          "'h', ?, ?)", (senior, price, subsidy, price - subsidy, f"{day} 04:00:00+00:00", day, f"m{number}", t,
                        f"{day} 04:00:00+00:00"))
    post("reversal", "2026-03-03", 1, [("allowance:1:2026", 600), ("canteen:1", -600)], canteen=1, reverses=txn)
    con.commit()
    con.close()


def read_ledger(path):
    """What people read from the ledger: every balance, a senior's statement line by line, the month's totals."""
    con = sqlite3.connect(path)
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    balances = q("SELECT account, SUM(amount_fen) FROM ledger_posting GROUP BY account ORDER BY account")
    statement = q("SELECT t.id, t.kind, t.book_date, p.amount_fen FROM ledger_posting p JOIN ledger_txn t "
                  "ON t.id = p.txn WHERE p.account = 'allowance:1:2026' ORDER BY t.id")
    month = q("SELECT COUNT(*), SUM(price_fen), SUM(subsidy_fen), SUM(paid_fen) FROM meal "
              "WHERE book_date BETWEEN '2026-03-01' AND '2026-03-31' AND txn NOT IN "
              "(SELECT reverses FROM ledger_txn WHERE reverses IS NOT NULL)")
    rows = q("SELECT COUNT(*) FROM ledger_txn"), q("SELECT COUNT(*) FROM ledger_posting"), q("SELECT COUNT(*) FROM meal")
    con.close()
    return balances, statement, month, rows


def test_the_old_policy_becomes_versions_and_the_ledger_reads_the_same(tmp_path):
    path = tmp_path / "old.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "CENTER_DEMO": "1",
           "PICCOLO_CONF": "center.piccolo_conf"}
    run([sys.executable, "-m", "piccolo.main", "migrations", "forwards", "center", BEFORE_POLICIES], env)
    fill_as_the_old_code_did(path)
    before = read_ledger(path)
    run([sys.executable, "-m", "center.cli", "migrate"], env)
    assert read_ledger(path) == before

    con = sqlite3.connect(path)
    texts = [r[0] for r in con.execute("SELECT source_text FROM dining_policy ORDER BY id")]
    origins = {r[0] for r in con.execute("SELECT origin FROM dining_policy")}
    con.close()
    versions = [parse_policy(t) for t in texts]
    assert [v.effective for v in versions] == [date(2000, 1, 1), date(2026, 1, 1), date(2027, 1, 1)]
    assert origins == {"migration"}
    # Every day is governed by the numbers it had: the 2026 setting in 2026, the defaults before and after.
    old = {2025: OldPolicy(2025), 2026: OldPolicy(2026, 20000, 800, "carry"), 2027: OldPolicy(2027)}
    for day in (date(2025, 6, 1), date(2026, 1, 1), date(2026, 12, 31), date(2027, 3, 1)):
        policy = in_force(versions, day)
        (scheme,) = policy.schemes
        was = old[day.year]
        assert (scheme.pays, scheme.min_age, scheme.amount_fen, scheme.cap_per_meal_fen, scheme.source) == (
            Pays.yearly_allowance, 65, was.annual_fen, was.per_meal_cap_fen, "区财政")
        assert (policy.year_end, policy.birthday_rule) == (was.year_end, was.birthday_rule)
        # A meal of 15 yuan with 10 yuan left: the old rule min(price, cap, balance) and the scheme agree.
        assert scheme.pays_for("lunch", 1500, 1000, Usage()) == decide(
            price_fen=1500, cap_fen=was.per_meal_cap_fen, balance_fen=1000).subsidy_fen
