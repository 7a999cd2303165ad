"""A real server: `center serve` as a subprocess on a free port, waited for through /healthz."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
CENTER = [sys.executable, "-m", "center.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def center_command(args: list[str], env: dict[str, str], timeout: float = 600) -> str:
    # A patient ceiling: on a busy 2-core machine `center demo` can take minutes; a failure still shows at once.
    result = subprocess.run(CENTER + args, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"center {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class LiveServer:
    def __init__(self, env: dict[str, str], log_path: Path, extra_args: tuple[str, ...] = ()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env}
        self.env.setdefault("CENTER_BASE_URL", self.url)  # the slip's QR and the iCal feed point at this server
        self.log_path = log_path
        self.extra_args = list(extra_args)
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 180) -> "LiveServer":
        # Waits for /healthz, not a fixed time; the ceiling is for a busy machine. An exit is reported at once.
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            CENTER + ["serve", "--host", "127.0.0.1", "--port", str(self.port), *self.extra_args],
            env=self.env, cwd=REPO, stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer /healthz within {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_log", None):
            self._log.close()


def login_cookies(url: str, username: str, password: str) -> dict[str, str]:
    """Log in to a real server through the form; its cookies (the session cookie: the CSRF token lives in it)."""
    from tests.factories import CSRF_RE

    with httpx.Client(base_url=url, timeout=20) as client:
        token = CSRF_RE.search(client.get("/login").text).group(1)
        client.post("/login", data={"_csrf_token": token, "username": username, "password": password})
        return dict(client.cookies)
