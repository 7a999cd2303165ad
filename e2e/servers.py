"""Demo servers for the journeys: `center migrate` + `center demo` once per clock per session, copied for each server.

Loading the demo takes a `center demo` process 10–20 s on a busy machine. The servers whose demo is the plain one on
the same clock (the shared server, the hall set-up's and the window's servers of their own) each start from a copy
of the database the first one loaded, taken before any server ran on it, with the demo secret key it was made with:
the same district the command would load again (the demo follows CENTER_CLOCK, which starts at the same moment in
every process).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from tests.support.live_server import center_command

SECRET_KEY_FILE = "demo-secret-key"  # center.config._secret_key: the demo's key lives in its var folder
_loaded: dict[str, Path] = {}  # clock -> a var folder with the demo loaded, never served


def _env(var: Path, clock: str, scheduler: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{var}/center.db", "CENTER_VAR_DIR": str(var), "CENTER_DEMO": "1",
           "CENTER_SCHEDULER": scheduler, "CENTER_CLOCK": clock}
    env.pop("SECRET_KEY", None)
    return env


def demo_env(prefix: str, clock: str, scheduler: str = "0") -> dict[str, str]:
    """The environment of a new server on its own var folder and SQLite database holding the demo on `clock`."""
    if clock not in _loaded:
        source = Path(tempfile.mkdtemp(prefix="center-e2e-demo-"))
        env = _env(source, clock, "0")
        center_command(["migrate"], env)
        center_command(["demo"], env)
        _loaded[clock] = source
    source = _loaded[clock]
    var = Path(tempfile.mkdtemp(prefix=prefix))
    shutil.copy(source / SECRET_KEY_FILE, var / SECRET_KEY_FILE)
    src, dst = sqlite3.connect(source / "center.db"), sqlite3.connect(var / "center.db")
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return _env(var, clock, scheduler)
