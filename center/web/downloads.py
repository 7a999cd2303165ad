"""File downloads: Chinese file names in Content-Disposition (RFC 6266 with RFC 5987's filename*) and an ASCII
fallback for clients that only read filename."""

from __future__ import annotations

import re
from urllib.parse import quote

from litestar import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters no file system or download dialog takes kindly: path separators, reserved names' marks, controls.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def safe_filename(name: str) -> str:
    return _UNSAFE.sub("-", name).strip(" .-") or "download"


def content_disposition(filename: str, ascii_fallback: str) -> str:
    """`attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266 §4.3: filename* wins where known)."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_fallback).strip("-") or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(safe_filename(filename), safe='')}"


def xlsx_response(content: bytes, filename: str, ascii_fallback: str) -> Response:
    return Response(content, media_type=XLSX, headers={
        "Content-Disposition": content_disposition(filename, ascii_fallback), "Cache-Control": "no-store"})
