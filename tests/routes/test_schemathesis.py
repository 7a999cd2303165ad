"""schemathesis against /schema/openapi.json of a real server with the demo district: every operation, generated
valid and invalid input, with and without the terminal token, every check schemathesis has (`--checks all`). No 500,
no answer outside the schema, and no valid request refused (issue #11, finding 7) except by the two rules the schema
cannot express (tests/support/schemathesis.toml says which and why)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.live_server import LiveServer

CONFIG = Path(__file__).resolve().parents[1] / "support" / "schemathesis.toml"


async def test_the_api_keeps_its_schema_under_generated_input(demo_db, tmp_root):
    env = {"DATABASE_URL": demo_db.database_url, "CENTER_DEMO": "1", "CENTER_SCHEDULER": "0"}
    server = LiveServer(env, tmp_root / "schemathesis-server.log").start()
    st = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    try:
        result = subprocess.run(
            [st, "--config-file", str(CONFIG), "run", f"{server.url}/schema/openapi.json", "--checks", "all",
             "--max-examples", "40",
             "--seed", "20261123", "--header", "Authorization: Bearer demo-terminal-1", "--no-color"],
            capture_output=True, text=True, timeout=300, cwd=tmp_root)
    finally:
        server.stop()
    report = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "generated" in result.stdout and " passed" in result.stdout, report
    assert "Internal Server Error" not in server.log(), server.log()[-3000:]
