"""The committed benchmark results: every figure issue #6 asks for is there, in the agreed shape, beside its target
and ceiling, and the README's table is the table of that run. Also the harness's own parsing of wrk."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import run as bench  # noqa: E402

RESULTS = json.loads((ROOT / "bench" / "results" / "latest.json").read_text())
BY_NAME = {row["name"]: row for row in RESULTS}

pytestmark = pytest.mark.sqlite_only  # reads files only: once is enough


def test_every_row_has_the_agreed_keys():
    for row in RESULTS:
        assert list(row) == ["name", "value", "unit", "target", "ceiling", "meets"], row
        if row["target"] is not None and row["value"] is not None:
            assert isinstance(row["meets"], bool), row


@pytest.mark.parametrize("endpoint", ["/screen/{slug}", "counter page", "catalog search", "hours API",
                                      "POST /api/v1/meals"])
@pytest.mark.parametrize("clients", [1, 8, 32, 128])
def test_every_endpoint_at_every_concurrency_beside_its_ceiling(endpoint, clients):
    for measure, unit in (("requests/s", "req/s"), ("p50", "ms"), ("p99", "ms")):
        row = BY_NAME[f"{endpoint} @{clients}: {measure}"]
        assert row["unit"] == unit and row["value"] is not None and row["ceiling"] is not None


def test_the_targets_of_the_issue_are_all_measured():
    wanted = ["/screen/{slug} @32: requests/s", "hours API @32: requests/s", "counter page @32: requests/s",
              "catalog search @32: requests/s", "counter page @8: p99", "catalog search @8: p99",
              "SQLite: meals/s through the API (32 terminals)", "SQLite: errors under 32 concurrent terminals",
              "200 polling screens: server CPU", "peak RSS of the server process during the load"]
    for name in wanted:
        assert BY_NAME[name]["target"] is not None and BY_NAME[name]["meets"] is not None, name
    prefixes = ["one senior's balance (median", "month reconciliation, canteen", "its Excel export",
                "rotation of 60 staff over 12 weeks", "stats page for the year", "data set N=20",
                "SQLite: meals/s through the service function", "SQLite: raw sqlite3",
                "PostgreSQL: meals/s through the service function"]
    for prefix in prefixes:
        assert any(name.startswith(prefix) for name in BY_NAME), prefix
    assert BY_NAME["SQLite: meals/s through the API (32 terminals)"]["ceiling"] == next(
        r["value"] for r in RESULTS if r["name"].startswith("SQLite: raw sqlite3"))


def test_the_readme_table_is_the_committed_run():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("<!-- bench:start -->\n", 1)[1].split("<!-- bench:end -->", 1)[0]
    assert table == (ROOT / "bench" / "results" / "latest.md").read_text()
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| figure")]
    assert [line.split(" | ")[0][2:] for line in rows] == [row["name"] for row in RESULTS]


WRK_OUTPUT = """Running 4s test @ http://127.0.0.1:8811/api/v1/meals
  1 threads and 128 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   157.28ms  127.45ms   1.91s    97.44%
    Req/Sec   827.88    129.49     1.00k    77.50%
  Latency Distribution
     50%  138.16ms
     75%  157.64ms
     90%  180.45ms
     99%  866.06us
  3295 requests in 4.00s, 1.89MB read
  Socket errors: connect 0, read 1, write 0, timeout 9
  Non-2xx or 3xx responses: 2
Requests/sec:    823.04
Transfer/sec:    482.79KB
"""


def test_wrk_output_is_read_from_the_distribution_not_the_thread_stats():
    load = bench.parse_wrk(WRK_OUTPUT)
    assert (load.rps, load.p50, load.requests) == (823.04, 138.16, 3295)
    assert load.p99 == pytest.approx(0.86606)  # 866.06us in ms
    assert load.errors == 3 and load.timeouts == 9  # non-2xx and socket errors; timeouts kept apart


def test_the_strict_ceiling_serves_the_same_page_as_the_rendered_one_from_one_string():
    from litestar.testing import TestClient

    import ceiling

    with TestClient(app=ceiling.create_app()) as client:
        rendered, strict = client.get("/page/2000"), client.get("/strict/2000")
        again = client.get("/strict/2000")
    assert rendered.status_code == strict.status_code == 200
    assert strict.text == rendered.text == again.text and strict.headers["content-type"].startswith("text/html")
    assert ceiling._STRICT[2000] == strict.content  # kept as one string, not rendered again
