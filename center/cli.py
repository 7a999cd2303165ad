"""The `center` command: serve, migrate, demo, user add, backup, jobs, scheduler."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import click

from center.config import ConfigError, Settings, load_settings


def _settings() -> Settings:
    try:
        settings = load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if settings.clock is not None:
        from center.timeutil import set_clock

        set_clock(settings.clock)
    return settings


async def _with_db(settings: Settings, work):
    from center import db

    db.bind(db.make_engine(settings))
    await db.start(settings)
    try:
        return await work()
    finally:
        await db.stop(settings)


def _demo_pad_path(settings: Settings) -> str | None:
    """The demo rating pad's path with its token, when the demo loaded one (None on a database without it)."""
    from center.demo.ratings import demo_pad_path

    try:
        return asyncio.run(_with_db(settings, demo_pad_path))
    except Exception:  # not migrated yet, or no demo: the logins are printed without it
        return None


def _print_logins(settings: Settings) -> None:
    from center.config import DEMO_PASSWORD
    from center.demo.district import DEMO_LOGINS

    url = f"http://{settings.host}:{settings.port}"
    click.echo("")
    click.echo(f"  黛溪街道党群服务中心 · 演示  {url}")
    click.echo(f"  演示账号（密码 {DEMO_PASSWORD}）:")
    for login in DEMO_LOGINS:
        click.echo(f"    {login.username:<8} {login.role.value:<8} {login.center or '全区'}")
    pad = _demo_pad_path(settings)
    if pad:
        click.echo(f"  窗口评价器（在平板上打开一次即登记）: {url}{pad}")
    click.echo("")


@click.group()
def main() -> None:
    """center: 党群服务中心内网."""


@main.command()
def migrate() -> None:
    """Apply all migrations (safe to run twice)."""
    from center.migrate import migrate as run_migrate

    settings = _settings()
    asyncio.run(run_migrate(settings))


@main.command()
@click.option("--if-empty", is_flag=True, help="Load only when the database has no centers yet.")
@click.option("--policy", "policy_name", default=None,
              help="Switch the demo to another district's kind of dining policy from today: tianjin (3 yuan a meal "
                   "from 80 and for hardship groups).")
@click.option("--policy-from", "policy_from", default=None, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="With --policy: the day the switch took effect (default today); demo mode only, for training and "
                   "acceptance checks of a month under the new policy.")
@click.option("--scale", "scale", default=1, show_default=True, type=click.IntRange(1, 200),
              help="District-sized data for benchmarks: N=20 gives about 50 centers, 600 staff, 10,000 seniors, "
                   "a year of meals (about 1 million ledger postings) and 50,000 cases.")
def demo(if_empty: bool, scale: int, policy_name: str | None, policy_from) -> None:
    """Load the demo district (CENTER_DEMO=1 only; safe to run twice)."""
    from center.domain import DomainError
    from center.demo.district import is_empty, load_demo

    settings = _settings()
    if not settings.demo:
        raise click.ClickException("演示数据只能在演示模式下加载：请设置 CENTER_DEMO=1")

    async def work():
        if if_empty and not await is_empty():
            return None
        created = await load_demo(settings)
        if scale > 1:
            created.update(await _load_scale(settings, scale))
        if policy_name:
            from center.demo.district import load_demo_policy

            since = policy_from.date() if policy_from else None
            name = await load_demo_policy(policy_name, since)
            click.echo(f"补贴政策已切换为“{name}”，自{since.isoformat() if since else '今天'}起生效")
        return created

    try:
        created = asyncio.run(_with_db(settings, work))
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    if created is None:
        click.echo("demo data already present")
    else:
        click.echo("demo data loaded: " + ", ".join(f"{k}={v}" for k, v in created.items()))
    _print_logins(settings)


async def _load_scale(settings: Settings, n: int) -> dict[str, int]:
    from center.demo.scale import load_scale, total_steps

    with click.progressbar(length=total_steps(n), label=f"规模数据 ×{n}", show_eta=True, show_pos=True,
                           file=sys.stderr) as bar:
        return await load_scale(settings, n, progress=bar.update)


@main.group()
def policy() -> None:
    """Dining subsidy policies (TOML files, contract.md "Dining policies and the registry")."""


@policy.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def policy_load(path: Path) -> None:
    """Check a policy file and make it current from its effective date (exit 1 with the problems in Chinese)."""
    from center.domain.policy import PolicyError
    from center.services.dining import policies

    settings = _settings()
    try:
        text = policies.read_policy_file(path.read_bytes())
    except OSError as exc:
        click.echo(f"无法读取文件 {path}：{exc.strerror}", err=True)
        sys.exit(1)
    except PolicyError as exc:
        _refuse_policy(path, exc)

    async def work():
        return await policies.load_policy(text, actor=None, origin="file", filename=path.name)

    try:
        policy_id, loaded = asyncio.run(_with_db(settings, work))
    except PolicyError as exc:
        _refuse_policy(path, exc)
    click.echo(f"补贴政策已载入（第 {policy_id} 版），自 {loaded.effective.isoformat()} 起生效：")
    for scheme in loaded.schemes:
        click.echo(f"  · {scheme.name}：{scheme.describe()}")


def _refuse_policy(path: Path, exc) -> None:
    click.echo(f"补贴政策文件 {path.name} 未载入，请修改后重试：", err=True)
    for problem in exc.problems:
        click.echo(f"  · {problem}", err=True)
    sys.exit(1)


@main.group()
def seniors() -> None:
    """The dining registry."""


@seniors.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def seniors_import(path: Path) -> None:
    """Import seniors from a 民政 .xlsx (header 姓名, 身份证号, 手机号, 中心, 类别, 卡号): all rows or none."""
    from center.domain import DomainError
    from center.services.dining.senior_import import ImportRefused, import_seniors

    settings = _settings()
    try:
        content = path.read_bytes()
    except OSError as exc:
        click.echo(f"无法读取文件 {path}：{exc.strerror}", err=True)
        sys.exit(1)
    try:
        result = asyncio.run(_with_db(settings, lambda: import_seniors(None, content, path.name)))
    except ImportRefused as exc:
        click.echo(f"{path.name}：{exc}，请修改后重试：", err=True)
        for error in exc.row_errors:
            click.echo(f"  第 {error.row} 行：{error.message}", err=True)
        sys.exit(1)
    except DomainError as exc:
        click.echo(f"{path.name} 未导入：{exc}", err=True)
        sys.exit(1)
    click.echo("导入完成：" + result.summary())


@main.group()
def user() -> None:
    """Staff accounts."""


@user.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["admin", "manager", "worker", "canteen"]))
@click.option("--center", "center_slug", default=None, help="Slug of the staff member's center.")
@click.option("--name", "display_name", default=None, help="Display name (defaults to the username).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_add(username: str, role: str, center_slug: str | None, display_name: str | None, password_stdin: bool) -> None:
    """Create a staff login (asks for the password, or reads it with --password-stdin)."""
    from center.domain import DomainError
    from center.services.staff import add_staff

    settings = _settings()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt=True)

    async def work():
        return await add_staff(settings, username=username, role=role, center_slug=center_slug,
                               display_name=display_name, password=password)

    try:
        staff_id = asyncio.run(_with_db(settings, work))
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created {username} (id {staff_id}, role {role})")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path) -> None:
    """Write a consistent copy of the database to PATH while the server runs (SQLite online backup)."""
    settings = _settings()
    if not settings.is_sqlite:
        raise click.ClickException(
            "PostgreSQL: use pg_dump, e.g. pg_dump --format=custom --file=center.dump \"$DATABASE_URL\""
        )
    source_path = settings.sqlite_path
    if not source_path.exists():
        raise click.ClickException(f"no database at {source_path}")
    if path.exists():
        raise click.ClickException(f"{path} already exists; choose a new file")
    path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(str(source_path), timeout=30)
    target = sqlite3.connect(str(path))
    try:
        source.backup(target, pages=1024)
        result = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
        source.close()
    if result != "ok":
        raise click.ClickException(f"backup written but integrity_check says: {result}")
    click.echo(f"backup written to {path} (integrity_check ok)")


@main.command()
def verify() -> None:
    """Recompute the ledger's and the audit log's hash chains and the ledger's invariants (exit 1 when broken)."""
    from center.services.verify import verify as run_verify

    settings = _settings()
    result = asyncio.run(_with_db(settings, run_verify))
    for line in result.summary():
        click.echo(line)
    if result.ok:
        click.echo("核对通过：账本与审计日志的哈希链完整，账本不变量成立。")
        return
    for line in result.lines():
        click.echo(f"不符：{line}", err=True)
    raise SystemExit(1)


@main.command()
def jobs() -> None:
    """List the scheduled jobs with their next run and last period done."""
    from center.jobs import next_runs
    from center.services.jobruns import last_runs

    settings = _settings()
    last = asyncio.run(_with_db(settings, last_runs))
    click.echo(f"{'job':<22} {'next run (Asia/Shanghai)':<26} {'last period':<16} {'status':<8} title")
    for spec, when in next_runs():
        row = last.get(spec.name)
        click.echo(
            f"{spec.name:<22} {when.strftime('%Y-%m-%d %H:%M') if when else '-':<26} "
            f"{row['period'] if row else '-':<16} {row['status'] if row else '-':<8} {spec.title}"
        )
    state = "on" if settings.scheduler else "off (CENTER_SCHEDULER=0)"
    click.echo(f"\nscheduler in this process's configuration: {state}")


@main.command()
def scheduler() -> None:
    """Run only the scheduled jobs (for a deployment whose web processes all run with CENTER_SCHEDULER=0)."""
    import logging

    from center import db
    from center.jobs import SchedulerHandle

    settings = _settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    async def run():
        db.bind(db.make_engine(settings))
        await db.start(settings)
        handle = SchedulerHandle()
        handle.start()
        try:
            await asyncio.Event().wait()
        finally:
            await handle.stop()
            await db.stop(settings)

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass


@main.command()
@click.option("--host", default=None, help="Address to listen on (default HOST or 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default PORT or 8000).")
@click.option("--workers", default=1, show_default=True, help="Web processes; with more than one, "
              "the scheduler runs in one extra process.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the app with uvicorn."""
    import uvicorn

    settings = _settings()
    host = host or settings.host
    port = port or settings.port
    if settings.demo:
        _print_logins(settings.with_(host=host, port=port))
    scheduler_proc = None
    if workers > 1:
        # uvicorn's workers each run the lifespan: keep jobs out of them and run one scheduler process.
        if settings.scheduler:
            scheduler_proc = subprocess.Popen([sys.executable, "-m", "center.cli", "scheduler"])
        os.environ["CENTER_SCHEDULER"] = "0"
    try:
        # Forwarded headers only from CENTER_TRUSTED_PROXIES; uvicorn's own default would believe any loopback peer.
        proxies = settings.trusted_proxies
        uvicorn.run("center.app:create_app", factory=True, host=host, port=port, workers=workers,
                    proxy_headers=bool(proxies), forwarded_allow_ips=list(proxies) or None, server_header=False,
                    log_level="info")
    finally:
        if scheduler_proc is not None:
            scheduler_proc.terminate()
            scheduler_proc.wait(timeout=10)


if __name__ == "__main__":
    main()
