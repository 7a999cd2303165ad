"""The hall screen's event stream against a real server: an open stream gets the call panel as a `hall` event when
the hall changes, with nothing personal in it; an unknown center is a 404 before any stream opens."""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.factories import JOURNEY_NOW
from tests.support.hall import make_hall
from tests.support.live_server import LiveServer


@pytest.fixture
def server(db, tmp_root):
    live = LiveServer({"DATABASE_URL": db.database_url, "CENTER_DEMO": "1", "CENTER_SCHEDULER": "0",
                       "CENTER_CLOCK": JOURNEY_NOW.isoformat()}, tmp_root / "events-server.log").start()
    yield live
    live.stop()


def _first_hall_event(url: str, got: dict, connected: threading.Event) -> None:
    with httpx.Client(base_url=url, timeout=httpx.Timeout(30, read=30)) as client:
        with client.stream("GET", got["path"]) as stream:
            got["status"] = stream.status_code
            got["type"] = stream.headers.get("content-type", "")
            event = None
            for line in stream.iter_lines():
                if line.startswith(": connected"):
                    connected.set()
                elif line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "hall":
                    got["data"] = line[6:]
                    return


async def test_a_ticket_taken_reaches_an_open_stream_as_the_new_call_panel(server, db):
    hall = await make_hall()
    got = {"path": f"/screen/{hall['slug']}/events"}
    connected = threading.Event()
    listener = threading.Thread(target=_first_hall_event, args=(server.url, got, connected), daemon=True)
    listener.start()
    assert connected.wait(30), server.log()[-2000:]
    answer = httpx.post(f"{server.url}/api/v1/centers/{hall['slug']}/tickets", json={"queue": "A"},
                        headers={"Authorization": f"Bearer {hall['printer_token']}"})
    assert answer.status_code == 201
    listener.join(timeout=30)
    assert got["status"] == 200 and got["type"].startswith("text/event-stream")
    panel = got["data"]
    assert 'id="call-panel"' in panel and "队列A" in panel and "<strong>1</strong> 人" in panel
    assert "\n" not in panel  # one data line: the extension swaps it whole


async def test_an_unknown_center_has_no_stream(server):
    answer = httpx.get(f"{server.url}/screen/no-such-center/events", timeout=10)
    assert answer.status_code == 404
