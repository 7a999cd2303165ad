"""End-to-end: a real `center serve` (demo data, SQLite in a temp dir) driven by Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.support.live_server import LiveServer, center_command

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None  # elsewhere: `playwright install chromium` provides Playwright's own build


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = _chromium()
    if executable is None:
        return browser_type_launch_args
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def server():
    tmp = Path(tempfile.mkdtemp(prefix="center-e2e-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp}/center.db",
        "CENTER_VAR_DIR": str(tmp),
        "CENTER_DEMO": "1",
        "CENTER_SCHEDULER": "1",
    }
    env.pop("SECRET_KEY", None)
    center_command(["migrate"], env)
    center_command(["demo"], env)
    live = LiveServer(env, tmp / "server.log").start()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def console_errors(page):
    """Console errors (a CSP violation, a failed script) collected during the test."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors
