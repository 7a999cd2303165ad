"""The README shows the key pages: every screenshot it names is committed, and `make screenshots` retakes each."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_every_screenshot_the_readme_shows_is_committed_and_retaken():
    shown = re.findall(r"\]\((docs/screenshots/[^)]+\.png)\)", (REPO / "README.md").read_text())
    retaken = (REPO / "scripts" / "screenshots.sh").read_text()
    assert len(shown) >= 7  # counter, case, slip, roster grid, hall screen, canteen desk, month reconciliation
    for path in shown:
        assert (REPO / path).is_file(), path
        assert Path(path).name in retaken, path
