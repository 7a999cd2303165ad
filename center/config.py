"""Settings read once from the environment into one frozen dataclass."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "center-demo"
DEFAULT_DATABASE_URL = "sqlite:///var/center.db"


class ConfigError(RuntimeError):
    """The environment does not describe a runnable deployment."""


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = ""
    demo: bool = False
    scheduler: bool = True
    https: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    district_name: str = "黛溪街道"
    # Staff sessions: idle timeout and absolute lifetime (issue #2).
    session_idle_seconds: int = 30 * 60
    session_absolute_seconds: int = 12 * 60 * 60
    # Login throttling, counted per account in the database.
    login_max_failures: int = 10
    login_window_seconds: int = 15 * 60
    login_lockout_seconds: int = 15 * 60
    # ... and per address, whatever the account (a lock there blocks that address only, never the account).
    login_max_failures_per_address: int = 30
    # Start/stop the PostgreSQL pool in the lifespan (tests share one engine across event loops).
    db_pool: bool = True
    var_dir: Path = field(default_factory=lambda: REPO_ROOT / "var")
    # CENTER_CLOCK (demo mode only): the moment the process's clock starts at, for training and acceptance checks.
    clock: datetime | None = None
    # CENTER_TRUSTED_PROXIES: the reverse proxies (addresses or networks) whose X-Forwarded-For / -Proto are
    # believed. None by default, loopback included: a forged header never reaches the audit log (issue #11, 9).
    trusted_proxies: tuple[str, ...] = ()
    # CENTER_BASE_URL: the address residents and calendars reach the center at; every absolute URL (the slip's QR,
    # the iCal feed) is built from it, never from the request's Host header (issue #11, finding 8). Requests for
    # other hosts get 400 unless the host is in CENTER_ALLOWED_HOSTS (e.g. the LAN name kiosks use).
    base_url: str = "http://127.0.0.1:8000"
    allowed_hosts: tuple[str, ...] = ()
    # 好差评 follow-up deadlines in working days, set for the district (CENTER_RATING_CALLBACK_DAYS,
    # CENTER_RATING_FIX_DAYS): 核实 and 反馈 within the callback days, 整改 within the fix days of 核实.
    rating_callback_days: int = 1
    rating_fix_days: int = 5

    @property
    def hosts(self) -> frozenset[str]:
        """The host names requests may name: the base URL's, and the allowed ones (lower case, no port)."""
        own = (urlsplit(self.base_url).hostname or "").lower()
        loopback = {"127.0.0.1", "localhost", "::1"} if own in ("127.0.0.1", "localhost", "::1") else set()
        return frozenset({own, *loopback, *(h.lower() for h in self.allowed_hosts)})

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path:
        """File path of a `sqlite:///relative` or `sqlite:////absolute` URL (relative to the repo)."""
        if not self.is_sqlite:
            raise ConfigError("not a SQLite database URL")
        raw = self.database_url.split("sqlite:///", 1)[1]
        path = Path(raw)
        return path if path.is_absolute() else REPO_ROOT / path

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


def _secret_key(demo: bool, var_dir: Path) -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        if len(key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters long")
        return key
    if not demo:
        raise ConfigError(
            "SECRET_KEY is required outside demo mode (set CENTER_DEMO=1 for the demo). "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    # Demo mode: a random key kept under var/ so CSRF tokens survive a restart.
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "demo-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _clock(demo: bool) -> datetime | None:
    raw = os.environ.get("CENTER_CLOCK", "").strip()
    if not raw:
        return None
    if not demo:
        raise ConfigError("CENTER_CLOCK is allowed only in demo mode (CENTER_DEMO=1)")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"CENTER_CLOCK must be an ISO 8601 moment with its offset, got {raw!r}") from None
    if moment.tzinfo is None:
        raise ConfigError(f"CENTER_CLOCK needs a UTC offset (e.g. 2026-12-09T10:00:00+08:00), got {raw!r}")
    return moment


def load_settings() -> Settings:
    """Build Settings from the environment; raises ConfigError when it is not runnable."""
    demo = _flag("CENTER_DEMO", False)
    var_dir = Path(os.environ.get("CENTER_VAR_DIR", str(REPO_ROOT / "var")))
    database_url = os.environ.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    if not (database_url.startswith("sqlite:///") or database_url.startswith(("postgres://", "postgresql://"))):
        raise ConfigError(f"DATABASE_URL must start with sqlite:/// or postgresql://, got {database_url!r}")
    return Settings(
        database_url=database_url,
        secret_key=_secret_key(demo, var_dir),
        demo=demo,
        scheduler=_flag("CENTER_SCHEDULER", True),
        https=_flag("CENTER_HTTPS", False),
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8000")),
        district_name=os.environ.get("CENTER_DISTRICT_NAME", "黛溪街道"),
        var_dir=var_dir,
        clock=_clock(demo),
        trusted_proxies=_trusted_proxies(),
        base_url=_base_url(demo, int(os.environ.get("PORT", "8000"))),
        allowed_hosts=tuple(h.strip().lower() for h in os.environ.get("CENTER_ALLOWED_HOSTS", "").split(",")
                            if h.strip()),
        rating_callback_days=_days("CENTER_RATING_CALLBACK_DAYS", 1, 0, 30),
        rating_fix_days=_days("CENTER_RATING_FIX_DAYS", 5, 1, 60),
    )


def _days(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ConfigError(f"{name} must be a whole number of working days from {low} to {high}, got {raw!r}")
    return int(raw)


def _base_url(demo: bool, port: int) -> str:
    raw = os.environ.get("CENTER_BASE_URL", "").strip().rstrip("/")
    if not raw:
        if demo:
            return f"http://127.0.0.1:{port}"
        raise ConfigError("CENTER_BASE_URL is required outside demo mode (e.g. https://center.example.gov.cn): "
                          "the slip's QR code and the iCal feed point there")
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query or parts.fragment:
        raise ConfigError(f"CENTER_BASE_URL must be http(s)://host[:port] without a path, got {raw!r}")
    return raw


def _trusted_proxies() -> tuple[str, ...]:
    """CENTER_TRUSTED_PROXIES=10.0.0.5,192.168.10.0/24: each an IP address or a network."""
    entries = tuple(e.strip() for e in os.environ.get("CENTER_TRUSTED_PROXIES", "").split(",") if e.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(f"CENTER_TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
    return entries


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
