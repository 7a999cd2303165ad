"""Every migration has its own ID: Piccolo skips a second file whose ID is already recorded as applied."""

import re
from collections import Counter
from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def test_no_two_migrations_share_an_id():
    ids = Counter(re.search(r'^ID = "([^"]+)"', p.read_text(), re.M).group(1) for p in MIGRATIONS.glob("center_*.py"))
    assert [i for i, n in ids.items() if n > 1] == []
