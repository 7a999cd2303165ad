"""CENTER_CLOCK: a demo process's clock starts at a chosen moment and runs on; refused outside demo mode."""

import os
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from center.config import ConfigError, load_settings
from center.timeutil import local_today, set_clock, utcnow
from tests.support.live_server import LiveServer, center_command


def test_the_clock_is_refused_outside_demo_mode(monkeypatch):
    monkeypatch.setenv("CENTER_DEMO", "0")
    monkeypatch.setenv("CENTER_CLOCK", "2026-12-09T10:00:00+08:00")
    with pytest.raises(ConfigError, match="CENTER_CLOCK"):
        load_settings()


@pytest.mark.parametrize("raw", ["2026-12-09", "2026-12-09T10:00:00", "next tuesday"])
def test_the_clock_needs_a_moment_with_its_offset(monkeypatch, raw):
    monkeypatch.setenv("CENTER_DEMO", "1")
    monkeypatch.setenv("CENTER_CLOCK", raw)
    with pytest.raises(ConfigError, match="CENTER_CLOCK"):
        load_settings()


def test_the_clock_starts_at_the_moment_and_runs_on(monkeypatch):
    monkeypatch.setenv("CENTER_DEMO", "1")
    monkeypatch.setenv("CENTER_CLOCK", "2027-02-10T23:59:59+08:00")
    settings = load_settings()
    try:
        set_clock(settings.clock)
        first = utcnow()
        assert abs(first - datetime(2027, 2, 10, 15, 59, 59, tzinfo=timezone.utc)) < timedelta(seconds=5)
        assert utcnow() >= first  # it runs on
        assert local_today().isoformat() in ("2027-02-10", "2027-02-11")
    finally:
        set_clock(None)
    assert abs(utcnow() - datetime.now(timezone.utc)) < timedelta(seconds=1)


def test_a_served_demo_lives_on_the_clock(db, tmp_path):
    env = {**os.environ, "DATABASE_URL": db.database_url, "CENTER_DEMO": "1", "CENTER_SCHEDULER": "0",
           "CENTER_CLOCK": "2026-12-09T10:00:00+08:00"}
    center_command(["migrate"], env)
    center_command(["demo"], env)
    server = LiveServer(env, tmp_path / "server.log").start()
    try:
        hours = httpx.get(server.url + "/api/v1/centers/daxi/hours", timeout=60)
        # Without a date the hours answer for the clock's day, whatever the machine's date.
        assert hours.status_code == 200
        assert hours.json()["date"] == "2026-12-09"
    finally:
        server.stop()
