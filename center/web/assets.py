"""Static files under fingerprinted URLs: `static_url("app.css")` → `/static/app.<hash>.css`, cached for a year.

The manifest is built once at start-up from the bytes of center/static/. A fingerprinted URL names one content
forever, so it is served `immutable` for a year; a deploy changes the hash in the URL, never what an old URL means.
The plain name (`/static/app.css`) still answers, revalidated each time (`no-cache`), for anything outside the
templates. Every answer carries an ETag (the content hash) and Last-Modified, and a conditional GET gets 304.

Hand-written rather than a library: Litestar's static router sends ETag/Last-Modified but never answers 304, and
the ASGI static servers (whitenoise's heirs) leave fingerprinting to Django's manifest storage. Files are served
from memory by a dict lookup, so no request path ever reaches the file system.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from litestar import asgi
from litestar.types import Receive, Scope, Send

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PREFIX = "/static/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# name.<12 hex>.ext: the fingerprint sits before the last suffix.
_FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<suffix>\.[A-Za-z0-9]+)$")
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8", ".json": "application/json",
          # the hall screen's voice clips (center/static/voice/, tools/make_voice.sh)
          ".ogg": "audio/ogg", ".opus": "audio/ogg", ".wav": "audio/wav"}


@dataclass(frozen=True)
class Asset:
    name: str  # relative to static/, e.g. "app.css"
    url: str  # "/static/app.3f2a1b9c0d4e.css"
    body: bytes
    media_type: str
    etag: str  # a strong validator: the content hash
    last_modified: str  # the file's mtime as an HTTP date
    mtime: int


def _fingerprinted_name(name: str, digest: str) -> str:
    path = Path(name)
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}")) if path.suffix else f"{name}.{digest}"


class Assets:
    """The manifest of center/static/: plain name → Asset, and every URL path it answers to."""

    def __init__(self, directory: Path = STATIC_DIR) -> None:
        self.by_name: dict[str, Asset] = {}
        self._by_path: dict[str, tuple[Asset, bool]] = {}  # path after /static/ → (asset, fingerprinted)
        for file in sorted(p for p in directory.rglob("*") if p.is_file()):
            name = file.relative_to(directory).as_posix()
            if "__pycache__" in name:
                continue
            body = file.read_bytes()
            sha = hashlib.sha256(body).hexdigest()
            hashed = _fingerprinted_name(name, sha[:12])
            mtime = int(file.stat().st_mtime)
            media_type = _TYPES.get(file.suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
            asset = Asset(name=name, url=PREFIX + hashed, body=body, media_type=media_type, etag=f'"{sha[:32]}"',
                          last_modified=formatdate(mtime, usegmt=True), mtime=mtime)
            self.by_name[name] = asset
            self._by_path[name] = (asset, False)
            self._by_path[hashed] = (asset, True)

    def url(self, name: str) -> str:
        """The fingerprinted URL of a file in static/ (a template naming a missing file fails loudly)."""
        try:
            return self.by_name[name].url
        except KeyError:
            raise LookupError(f"no static file {name!r} in center/static/") from None

    def lookup(self, path: str) -> tuple[Asset, str] | None:
        """The asset a path after /static/ names and the Cache-Control it is served with, or None."""
        found = self._by_path.get(path)
        if found is not None:
            asset, fingerprinted = found
            return asset, IMMUTABLE if fingerprinted else REVALIDATE
        # An older fingerprint of a file that still exists (a page from before a deploy): today's content,
        # revalidated, never promised immutable under a hash it does not match.
        match = _FINGERPRINTED.match(path)
        if match:
            asset = self.by_name.get(match["stem"] + match["suffix"])
            if asset is not None:
                return asset, REVALIDATE
        return None


def etag_matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match against one entity tag, by the weak comparison RFC 9110 §13.1.2 asks for (and `*`)."""
    if if_none_match.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == opaque for tag in if_none_match.split(","))


def not_modified(headers: dict[str, str], etag: str, mtime: int) -> bool:
    """A conditional GET that the client's copy satisfies (If-None-Match first; If-Modified-Since otherwise)."""
    if "if-none-match" in headers:
        return etag_matches(headers["if-none-match"], etag)
    since = headers.get("if-modified-since")
    if since:
        try:
            return mtime <= int(parsedate_to_datetime(since).timestamp())
        except (TypeError, ValueError, OverflowError):
            return False
    return False


def static_handler(assets: Assets):
    """GET/HEAD /static/<name>: from the manifest in memory, 304 when the client's copy is current."""

    @asgi(PREFIX.rstrip("/"), is_mount=True, copy_scope=False, name="static", include_in_schema=False)
    async def serve_static(scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        # Litestar hands a mount the path below its own, with slashes around it ("/app.css/").
        rest = scope["path"].strip("/")
        found = assets.lookup(rest) if method in ("GET", "HEAD") else None
        if method not in ("GET", "HEAD"):
            await _send(send, 405, [(b"allow", b"GET, HEAD")], b"")
            return
        if found is None:
            await _send(send, 404, [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"cache-control", b"no-cache")], "没有这个文件".encode())
            return
        asset, cache_control = found
        request_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        headers = [(b"cache-control", cache_control.encode()), (b"etag", asset.etag.encode()),
                   (b"last-modified", asset.last_modified.encode())]
        if not_modified(request_headers, asset.etag, asset.mtime):
            await _send(send, 304, headers, b"")
            return
        headers.append((b"content-type", asset.media_type.encode()))
        await _send(send, 200, headers, b"" if method == "HEAD" else asset.body,
                    length=len(asset.body))

    return serve_static


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes,
                length: int | None = None) -> None:
    if status != 304:
        headers = [*headers, (b"content-length", str(len(body) if length is None else length).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
