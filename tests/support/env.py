"""Test environment, set before anything imports center (Piccolo's configuration reads it once)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

if "CENTER_TEST_TMP" not in os.environ:
    os.environ["CENTER_TEST_TMP"] = tempfile.mkdtemp(prefix="center-tests-")
TMP = Path(os.environ["CENTER_TEST_TMP"])
# Under pytest-xdist the workers inherit one CENTER_TEST_TMP: each gets a folder of its own, so nothing one worker's
# servers and backups write under var/ can meet another's.
if os.environ.get("PYTEST_XDIST_WORKER"):
    TMP = TMP / os.environ["PYTEST_XDIST_WORKER"]
    TMP.mkdir(parents=True, exist_ok=True)
SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"

os.environ.update(
    {
        "CENTER_VAR_DIR": str(TMP),
        "CENTER_DEMO": "1",
        "CENTER_SCHEDULER": "0",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": f"sqlite:///{TMP}/bootstrap.db",
    }
)
