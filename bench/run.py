"""`make bench`: every figure of issue #6 beside its target and the ceiling measured in the same run.

Builds the N=20 district (`center demo --scale 20`) in var/bench/, serves it with one `center serve` process
(scheduler off, so jobs do not disturb the figures) and a bare Litestar ceiling app (bench/ceiling.py) side by
side, drives both with wrk (Debian's package; installed when missing and allowed), then times the ledger and the
data-heavy pages. Prints a table and writes bench/results/latest.json (a list of
{"name", "value", "unit", "target", "ceiling", "meets"}) and bench/results/latest.md.

Environment: BENCH_SECONDS (seconds per wrk run, default 5), BENCH_SCALE (default 20), BENCH_SCREEN_SECONDS
(default 120: 200 screens polling every 30 s), BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres,
used to create the database center_bench; the PostgreSQL figures are skipped when none answers).
Options: --quick (2-second runs, 30-second screen test), --update-readme (rewrite the README's table).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"
CONCURRENCY = (1, 8, 32, 128)
TOKEN = "demo-terminal-1"


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str
    target: float | None = None
    ceiling: float | None = None
    meets: bool | None = None
    rule: str = ""  # how the target reads, for the table (not in the JSON)

    def json(self) -> dict:
        data = asdict(self)
        data.pop("rule")
        return data


FIGURES: list[Figure] = []


def figure(name: str, value: float | None, unit: str, *, target: float | None = None, ceiling: float | None = None,
           higher_is_better: bool = True, rule: str = "") -> Figure:
    meets = None
    if target is not None and value is not None:
        meets = value >= target if higher_is_better else value <= target
    if value is not None:
        value = round(value, 3 if abs(value) < 10 else 1)
    fig = Figure(name, value, unit, None if target is None else round(target, 1),
                 None if ceiling is None else round(ceiling, 1), meets, rule)
    FIGURES.append(fig)
    mark = {True: "ok", False: "MISSES", None: ""}[meets]
    print(f"  {name:<58} {value!s:>10} {unit:<8} {rule:<28} {mark}", flush=True)
    return fig


# ------------------------------------------------------------------ processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int, ready: str):
        self.name, self.argv, self.env, self.port, self.ready = name, argv, env, port, ready
        self.proc: subprocess.Popen | None = None
        self.log = VAR / f"{name}.log"

    def start(self) -> "Process":
        self.proc = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=self.log.open("w"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited: see {self.log}")
            try:
                with urllib.request.urlopen(self.url(self.ready), timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer on port {self.port}: see {self.log}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def reset_peak_rss(self) -> None:
        """Start VmHWM again from the current RSS (Linux: 5 > /proc/PID/clear_refs), to measure one phase."""
        Path(f"/proc/{self.proc.pid}/clear_refs").write_text("5")

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def center_env(db_path: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CENTER_", "DATABASE_URL"))}
    env.update(DATABASE_URL=f"sqlite:///{db_path}", CENTER_DEMO="1", CENTER_SCHEDULER="0", PORT=str(port),
               HOST="127.0.0.1", CENTER_VAR_DIR=str(VAR))
    return env


# ------------------------------------------------------------------ wrk


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (Debian package) …", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, stdout=subprocess.DEVNULL,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("make bench needs wrk: sudo apt-get install -y wrk")
    return found


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


@dataclass
class Load:
    rps: float
    p50: float
    p99: float
    errors: int  # non-2xx/3xx answers and connect/read/write errors
    requests: int
    timeouts: int = 0  # wrk's own count: requests still unanswered when it gave up on them or stopped


def wrk(url: str, clients: int, seconds: float, headers: dict[str, str] | None = None,
        script: Path | None = None, script_args: tuple[str, ...] = ()) -> Load:
    argv = ["wrk", "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "10s"]
    for key, value in (headers or {}).items():
        argv += ["-H", f"{key}: {value}"]
    if script:
        argv += ["-s", str(script)]
    argv.append(url)
    if script_args:
        argv += ["--", *script_args]
    return parse_wrk(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)


def parse_wrk(out: str) -> Load:
    """wrk's report: the percentiles from "Latency Distribution" (not the thread stats above it)."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    timeouts = 0
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(g) for g in m.groups()[:3])
        timeouts = int(m.group(4))
    return Load(rps, p50, p99, errors, requests, timeouts)


# ------------------------------------------------------------------ the steps


def build_dataset(scale: int) -> Path:
    VAR.mkdir(parents=True, exist_ok=True)
    path = VAR / f"scale{scale}.db"
    if os.environ.get("BENCH_REUSE") == "1" and path.exists():
        print(f"reusing {path} (BENCH_REUSE=1)", flush=True)
        return path
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    env = center_env(path, 0)
    print(f"building the N={scale} district in {path} …", flush=True)
    started = time.monotonic()
    subprocess.run([str(BIN / "center"), "migrate"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([str(BIN / "center"), "demo", "--scale", str(scale)], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    figure(f"data set N={scale}: build (center demo --scale {scale})", time.monotonic() - started, "s",
           target=600, higher_is_better=False, rule="< 10 min")
    return path


def login(base: str, username: str) -> str:
    import httpx

    from center.config import DEMO_PASSWORD

    with httpx.Client(base_url=base) as client:
        form = client.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text).group(1)
        answer = client.post("/login", data={"_csrf_token": token, "username": username, "password": DEMO_PASSWORD})
        if answer.status_code not in (200, 303, 302):
            raise SystemExit(f"login as {username} failed: {answer.status_code}")
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def http_figures(app: Process, ceiling: Process, seconds: float) -> dict[str, Load]:
    import httpx

    cookie = login(app.url(""), "worker")
    endpoints = {
        "/screen/{slug}": ("/screen/daxi", {}, None),
        "counter page": ("/counter/", {"Cookie": cookie}, None),
        "catalog search": ("/counter/?q=lnz", {"Cookie": cookie, "HX-Request": "true", "HX-Target": "search-results"},
                           None),
        "hours API": ("/api/v1/centers/daxi/hours", {}, None),
        "POST /api/v1/meals": ("/api/v1/meals", {}, ROOT / "bench" / "wrk" / "post_meal.lua"),
    }
    sizes = {}
    for name, (path, headers, script) in endpoints.items():
        if script:
            sizes[name] = 120
            continue
        answer = httpx.get(app.url(path), headers=headers)
        if answer.status_code != 200:
            raise SystemExit(f"{path} answered {answer.status_code}")
        sizes[name] = len(answer.content)
    results: dict[str, Load] = {}
    print("\nHTTP (one server process; ceiling: bare Litestar + Jinja page of the same size from memory, rendered per "
          "request; strict ceiling for the screen and the hours API: the same body kept as one string)", flush=True)
    wrk(app.url("/screen/daxi"), 8, 1)
    wrk(ceiling.url("/page/2000"), 8, 1)
    wrk(ceiling.url("/strict/2000"), 8, 1)
    for name, (path, headers, script) in endpoints.items():
        for clients in CONCURRENCY:
            run_id = f"bench{int(time.time())}{clients}"
            load = wrk(app.url(path), clients, seconds, headers, script, (run_id, TOKEN) if script else ())
            # The same for everyone for a minute (the screen, the hours API): against the strict ceiling, one body
            # kept as a string (issue #11, finding 12); pages that differ per person against a render per request.
            shared = name in ("/screen/{slug}", "hours API")
            top = wrk(ceiling.url(f"/{'strict' if shared else 'page'}/{sizes[name]}"), clients, seconds)
            results[f"{name}@{clients}"] = load
            rule, target = "", None
            if clients == 32 and shared:
                rule, target = "≥ 50 % of strict ceiling", 0.5 * top.rps
            elif clients == 32 and name in ("counter page", "catalog search"):
                rule, target = "≥ 25 % of ceiling", 0.25 * top.rps
            figure(f"{name} @{clients}: requests/s", load.rps, "req/s", target=target, ceiling=top.rps, rule=rule)
            p99_target, p99_rule = (50.0, "< 50 ms") if clients == 8 and name in ("counter page", "catalog search") \
                else (None, "")
            if clients == 128 and name in ("/screen/{slug}", "hours API"):  # issue #11, finding 11: single flight
                p99_target, p99_rule = 3 * top.p99, "≤ 3 × ceiling"
            figure(f"{name} @{clients}: p50", load.p50, "ms", ceiling=top.p50, higher_is_better=False)
            figure(f"{name} @{clients}: p99", load.p99, "ms", target=p99_target, ceiling=top.p99,
                   higher_is_better=False, rule=p99_rule)
            if load.errors:
                figure(f"{name} @{clients}: errors", load.errors, "count", target=0, higher_is_better=False,
                       rule="none")
            if load.timeouts:
                figure(f"{name} @{clients}: wrk timeouts (in flight when the run ended)", load.timeouts, "count")
    return results


def login_flood_figures(app: Process, seconds: float, quiet: Load | None) -> None:
    """Issue #11, finding 2: the hall screen's p99 while 20 clients send wrong passwords as fast as they can. Each
    attempt names a new account from a new address (through the trusted proxy header), the worst case: none is
    cut short by a lock, so every one costs a full argon2 check."""
    import threading

    import httpx

    stop, started, counts = threading.Event(), threading.Event(), {"attempts": 0, "errors": 0}

    async def client(index: int) -> None:
        async with httpx.AsyncClient(base_url=app.url(""), timeout=30) as browser:
            token = re.search(r'name="_csrf_token" value="([^"]+)"', (await browser.get("/login")).text).group(1)
            n = 0
            while not stop.is_set():
                n += 1
                answer = await browser.post("/login", headers={"X-Forwarded-For": f"10.{index}.{n // 250}.{n % 250}"},
                                            data={"_csrf_token": token, "username": f"flood{index}x{n}",
                                                  "password": "wrong-password"})
                counts["attempts"] += 1
                counts["errors"] += answer.status_code != 422
                started.set()

    thread = threading.Thread(target=lambda: asyncio.run(_gather(client(i) for i in range(20))), daemon=True)
    thread.start()
    started.wait(timeout=60)
    began = time.monotonic()
    load = wrk(app.url("/screen/daxi"), 8, seconds)
    elapsed = time.monotonic() - began
    stop.set()
    thread.join(timeout=60)
    print("\nLogin flood (20 clients, wrong passwords, a new account and address each time)", flush=True)
    figure("/screen @8 during a 20-client wrong-login flood: p99", load.p99, "ms", target=100,
           ceiling=quiet.p99 if quiet else None, higher_is_better=False, rule="< 100 ms")
    figure("/screen @8 during the flood: requests/s", load.rps, "req/s", ceiling=quiet.rps if quiet else None)
    figure("the flood's login attempts checked", counts["attempts"] / max(elapsed, 0.001), "per s")
    if counts["errors"]:
        figure("the flood: answers other than 422", counts["errors"], "count")


async def _gather(coroutines) -> None:
    await asyncio.gather(*coroutines)


async def _screens(app: Process, slugs: list[str], seconds: float, screens: int = 200, every: float = 30.0) -> dict:
    import httpx

    stats = {"200": 0, "304": 0, "other": 0}
    limits = httpx.Limits(max_connections=screens, max_keepalive_connections=screens)
    async with httpx.AsyncClient(base_url=app.url(""), limits=limits, timeout=30) as client:
        stop_at = time.monotonic() + seconds

        async def screen(index: int) -> None:
            slug = slugs[index % len(slugs)]
            etag = None
            await asyncio.sleep(random.uniform(0, every))
            while time.monotonic() < stop_at:
                headers = {"HX-Request": "true", "HX-Target": "screen-body"}
                if etag:
                    headers["If-None-Match"] = etag
                answer = await client.get(f"/screen/{slug}", headers=headers)
                key = str(answer.status_code) if answer.status_code in (200, 304) else "other"
                stats[key] += 1
                etag = answer.headers.get("etag", etag)
                await asyncio.sleep(every)

        await asyncio.gather(*(screen(i) for i in range(screens)))
    return stats


def screen_figures(app: Process, db_path: Path, seconds: float) -> None:
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        slugs = [row[0] for row in conn.execute("SELECT slug FROM center ORDER BY id")]
    print(f"\nScreens: 200 polling every 30 s for {seconds:.0f} s (ETag/304)", flush=True)
    before = app.cpu_seconds()
    started = time.monotonic()
    stats = asyncio.run(_screens(app, slugs, seconds))
    wall = time.monotonic() - started
    used = app.cpu_seconds() - before
    figure("200 polling screens: server CPU", 100 * used / wall, "% core", target=5, higher_is_better=False,
           rule="< 5 % of one core")
    figure("200 polling screens: answers 304 Not Modified", stats["304"], "count")
    figure("200 polling screens: answers 200", stats["200"], "count")
    if stats["other"]:
        figure("200 polling screens: errors", stats["other"], "count", target=0, higher_is_better=False, rule="none")


def page_time(app: Process, path: str, cookie: str, repeat: int = 5) -> float:
    import httpx

    times = []
    with httpx.Client(base_url=app.url(""), headers={"Cookie": cookie}, timeout=60) as client:
        client.get(path)
        for _ in range(repeat):
            started = time.perf_counter()
            answer = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"{path} answered {answer.status_code}")
    return statistics.median(times)


def data_figures(app: Process, db_path: Path) -> None:
    print(f"\nData (N=20 district, {db_path.name})", flush=True)
    cookie = login(app.url(""), "admin")
    year = time.localtime().tm_year
    figure(f"stats page for the year {year}, whole district (admin)",
           page_time(app, f"/counter/stats/?month={year}", cookie), "ms", target=300, higher_is_better=False,
           rule="< 300 ms")
    import sqlite3

    with sqlite3.connect(db_path) as conn:  # the first scaled center's manager: a center with a year of cases
        username, cases = conn.execute(
            "SELECT s.username, (SELECT COUNT(*) FROM service_case c WHERE c.center = s.center) FROM staff s "
            "WHERE s.role = 'manager' AND s.username LIKE 's%-01' ORDER BY s.id LIMIT 1").fetchone()
    manager = login(app.url(""), username)
    figure(f"stats page for the year {year}, one center (manager, {cases} cases in all)",
           page_time(app, f"/counter/stats/?month={year}", manager), "ms", target=300, higher_is_better=False,
           rule="< 300 ms")
    out = subprocess.run([str(BIN / "python"), str(ROOT / "bench" / "data.py"), str(db_path)], env=center_env(db_path, 0),
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"bench/data.py failed:\n{out.stderr[-3000:]}")
    for row in json.loads(out.stdout.splitlines()[-1]):
        figure(**row)


def ledger_figures(db_path: Path, api_rps: float | None, api_errors: int | None) -> None:
    print("\nLedger (one meal = one read-check-insert write transaction, synchronous=FULL)", flush=True)
    out = subprocess.run([str(BIN / "python"), str(ROOT / "bench" / "ledger.py"), str(db_path)],
                         env=center_env(db_path, 0), cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"bench/ledger.py failed:\n{out.stderr[-3000:]}")
    rows = json.loads(out.stdout.splitlines()[-1])
    raw = next(r["value"] for r in rows if r["name"].startswith("SQLite: raw sqlite3"))
    if api_rps is not None:
        figure("SQLite: meals/s through the API (32 terminals)", api_rps, "meals/s", target=0.2 * raw, ceiling=raw,
               rule="≥ 20 % of raw sqlite3")
        figure("SQLite: errors under 32 concurrent terminals", api_errors, "count", target=0, higher_is_better=False,
               rule="none")
    for row in rows:
        figure(**row)


def write_results(started: float) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps([f.json() for f in FIGURES], ensure_ascii=False, indent=1) + "\n")
    lines = ["| figure | value | unit | target | ceiling | meets |", "|---|---:|---|---|---:|---|"]
    for f in FIGURES:
        meets = {True: "yes", False: "**no**", None: ""}[f.meets]
        lines.append(f"| {f.name} | {f.value if f.value is not None else 'skipped'} | {f.unit} | {f.rule} | "
                     f"{f.ceiling if f.ceiling is not None else ''} | {meets} |")
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines.append("")
    lines.append(f"Measured {stamp} with `make bench` on {os.cpu_count()} cores in {time.monotonic() - started:.0f} s.")
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n")


def update_readme() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    table = (RESULTS / "latest.md").read_text()
    new = re.sub(r"(<!-- bench:start -->\n).*?(<!-- bench:end -->)", lambda m: m.group(1) + table + m.group(2), text,
                 flags=re.S)
    readme.write_text(new)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs (a smoke test of the harness)")
    parser.add_argument("--update-readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    seconds = float(os.environ.get("BENCH_SECONDS", "2" if args.quick else "5"))
    screen_seconds = float(os.environ.get("BENCH_SCREEN_SECONDS", "30" if args.quick else "120"))
    scale = int(os.environ.get("BENCH_SCALE", "20"))
    started = time.monotonic()
    ensure_wrk()
    db_path = build_dataset(scale)
    app_port, ceiling_port = free_port(), free_port()
    # Behind a proxy on this machine (CENTER_TRUSTED_PROXIES): the login flood comes from many addresses.
    app = Process("app", [str(BIN / "center"), "serve", "--port", str(app_port)],
                  {**center_env(db_path, app_port), "CENTER_TRUSTED_PROXIES": "127.0.0.1"}, app_port, "/healthz")
    ceiling = Process("ceiling", [str(BIN / "python"), "-m", "uvicorn", "ceiling:create_app", "--factory",
                                  "--app-dir", str(ROOT / "bench"), "--port", str(ceiling_port), "--no-server-header",
                                  "--proxy-headers", "--log-level", "info"],
                      center_env(db_path, ceiling_port), ceiling_port, "/page/100")
    try:
        app.start()
        ceiling.start()
        results = http_figures(app, ceiling, seconds)
        ceiling.stop()
        load_peak = app.peak_rss_mb()
        app.reset_peak_rss()
        login_flood_figures(app, max(seconds, 5), results.get("/screen/{slug}@8"))
        # argon2id takes 64 MiB a check (RFC 9106's recommendation, argon2-cffi's default), and up to one check per
        # core runs at once (center.services.passwords): the flood's peak is measured apart, against that budget.
        slots = max(1, os.cpu_count() or 1)
        figure("peak RSS of the server process during the login flood", app.peak_rss_mb(), "MB",
               target=300 + 64 * (slots - 1), higher_is_better=False,
               rule=f"< 300 MB + 64 MB × {slots - 1} more argon2 slots")
        app.reset_peak_rss()
        screen_figures(app, db_path, screen_seconds)
        data_figures(app, db_path)
        figure("peak RSS of the server process during the load", max(load_peak, app.peak_rss_mb()), "MB",
               target=300, higher_is_better=False, rule="< 300 MB (the login flood apart)")
    finally:
        app.stop()
        ceiling.stop()
    # The hall queue (issue #13): SSE delivery to 200 screens on one SQLite process and on 4 PostgreSQL ones,
    # and tickets through the API beside raw sqlite3.
    from hall import hall_figures

    hall_figures(figure, seconds, os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    meals = results.get("POST /api/v1/meals@32")
    ledger_figures(db_path, meals.rps if meals else None, meals.errors if meals else None)
    write_results(started)
    if args.update_readme:
        update_readme()
    missed = [f.name for f in FIGURES if f.meets is False]
    print(f"\nwrote {RESULTS / 'latest.json'} and latest.md ({len(FIGURES)} figures, {len(missed)} below target) "
          f"in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
