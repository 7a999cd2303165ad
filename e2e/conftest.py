"""End-to-end: a real `center serve` (demo data, SQLite in a temp dir) driven by Debian's Chromium."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.audit import Auditor, strict
from e2e.servers import demo_env
from tests.support.live_server import LiveServer
from tests.support.vnu import Vnu

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# The journeys run on a fixed clock (CENTER_CLOCK, demo mode): a Wednesday morning in service hours, whatever the
# machine's date and hour, so nothing depends on when the suite happens to run.
CLOCK = "2026-12-09T10:00:00+08:00"
TODAY = date(2026, 12, 9)


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None  # elsewhere: `playwright install chromium` provides Playwright's own build


# On a busy 2-core machine a page can take seconds: wait longer for the state a person waits for (never a fixed
# delay). A test still fails at once when the state is wrong and nothing is in flight.
EXPECT_TIMEOUT_MS = 20_000
ACTION_TIMEOUT_MS = 30_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)


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
def vnu():
    checker = Vnu()  # starts now, answers by the time the first test ends
    yield checker
    checker.stop()


@pytest.fixture(scope="session")
def auditor(vnu) -> Auditor:
    return Auditor(vnu)


@pytest.fixture(scope="session")
def browser(browser, auditor):
    """Every context and page a test opens is watched by the auditor (axe-core and the Nu Html Checker) and patient."""
    new_context, new_page = browser.new_context, browser.new_page

    def watched_context(*args, **kwargs):
        kwargs.setdefault("locale", "zh-CN")  # as at the office: date and month fields read in Chinese
        context = new_context(*args, **kwargs)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        auditor.watch_context(context)
        return context

    def watched_page(*args, **kwargs):
        kwargs.setdefault("locale", "zh-CN")
        page = new_page(*args, **kwargs)
        page.context.set_default_timeout(ACTION_TIMEOUT_MS)
        auditor.watch_context(page.context)
        return page

    browser.new_context, browser.new_page = watched_context, watched_page
    return browser


@pytest.fixture(autouse=True)
def audit(request, auditor):
    auditor.begin()
    yield
    problems = auditor.end()
    report = ARTIFACTS / "audit" / f"{request.node.name}.txt"
    if problems:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text("\n".join(problems) + "\n")
        if strict():
            pytest.fail(f"{len(problems)} problem(s) found by axe-core / the Nu Html Checker:\n" + "\n".join(problems),
                        pytrace=False)
    elif report.exists():
        report.unlink()


@pytest.fixture(scope="session")
def server():
    env = demo_env("center-e2e-", CLOCK, scheduler="1")  # migrated, the demo loaded (e2e/servers.py)
    live = LiveServer(env, Path(env["CENTER_VAR_DIR"]) / "server.log").start()
    live.today = TODAY
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

    def on_console(message) -> None:
        # A search superseded by the next keystroke is aborted by design (hx-sync replace); htmx logs that abort
        # (htmx:sendAbort with its htmx:afterRequest) as an error. Whether a request is still in flight when the
        # next key comes is the machine's timing, not a fault the person sees; htmx:sendError, htmx:timeout and
        # htmx:responseError still count.
        if message.type == "error" and not message.text.startswith(("htmx:sendAbort", "htmx:afterRequest")):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors
