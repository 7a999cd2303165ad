"""Reading a page's QR code as a phone would, without a browser: the inline SVG segno drew is painted into a PNG
(its path is rows of dark runs) and decoded by zbar (`zbarimg`), so a test checks what the code says, not the text
beside it."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

_TOKEN = re.compile(r"[Mmh]|-?\d+(?:\.\d+)?")


def _modules(svg: str) -> list[list[bool]]:
    """The dark modules of segno's inline SVG (viewBox in modules; one path of `M x y.5 h n m dx dy …` runs)."""
    # Attribute order and case as any HTML parser may re-serialise them (BeautifulSoup writes `viewbox`).
    size = int(float(re.search(r'viewbox="0 0 (\d+(?:\.\d+)?) ', svg, re.I).group(1)))
    dark = next(re.search(r'\bd="([^"]+)"', tag).group(1) for tag in re.findall(r"<path\b[^>]*>", svg)
                if re.search(r'\bstroke="#000(?:000)?"', tag))
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    tokens = _TOKEN.findall(dark)
    i = 0
    while i < len(tokens):
        op = tokens[i]
        if op in ("M", "m"):
            dx, dy = float(tokens[i + 1]), float(tokens[i + 2])
            x, y = (dx, dy) if op == "M" else (x + dx, y + dy)
            i += 3
        elif op == "h":
            run = float(tokens[i + 1])
            for col in range(int(x), int(x + run)):
                grid[int(y)][col] = True
            x += run
            i += 2
        else:
            raise ValueError(f"unexpected path command {op!r}")
    return grid


def _png(grid: list[list[bool]], scale: int = 8) -> bytes:
    rows = b""
    for line in grid:
        pixels = bytes(0 if dark else 255 for dark in line for _ in range(scale))
        rows += (b"\x00" + pixels) * scale
    width = height = len(grid) * scale

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def decode_svg_qr(svg: str) -> list[str]:
    """What zbar reads in the QR of this inline SVG ([] when it finds none); skips the test without zbarimg."""
    if shutil.which("zbarimg") is None:
        pytest.skip("zbarimg (zbar-tools) is not installed")
    with tempfile.TemporaryDirectory() as folder:
        image = Path(folder) / "qr.png"
        image.write_bytes(_png(_modules(svg)))
        result = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
                                capture_output=True, text=True, timeout=60)
    if result.returncode == 4:  # zbar: no symbol found
        return []
    assert result.returncode == 0, f"zbarimg failed ({result.returncode}): {result.stderr}"
    return [line for line in result.stdout.splitlines() if line.strip()]
