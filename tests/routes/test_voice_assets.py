"""The hall screen's voice clips (issue #13 point 6): every clip the manifest names is shipped, sane, served as audio
under its fingerprinted URL, and named in the page's #voice-clips with that URL."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from center.web.assets import STATIC_DIR

VOICE = STATIC_DIR / "voice"
MANIFEST = json.loads((VOICE / "manifest.json").read_text())["clips"]
WORDS = sorted(key for key in MANIFEST if key != "chime")
SOXI = shutil.which("soxi")
# What voice.js may be asked to say: digits (tickets, windows), 十 (windows 10–99), letters (tickets), the words.
NEEDED = {*"0123456789", "十", *(chr(c) for c in range(ord("A"), ord("Z") + 1)), "请", "号", "到", "窗口", "chime"}
# The checks of the shipped files themselves (names, sox's durations and loudness, the vendored extension) read
# files and no database: they run in the SQLite pass only (86 of them, a sox process each); the clips served and
# named by the app run on both engines.
FILES_ONLY = pytest.mark.sqlite_only


def duration(path: Path) -> float:
    """Seconds of audio, as sox decodes the file (a file it cannot decode fails here)."""
    out = subprocess.run([SOXI, "-D", str(path)], capture_output=True, text=True, check=True).stdout
    return float(out.strip())


@FILES_ONLY
def test_the_manifest_names_every_clip_a_call_needs_by_an_ascii_file_name_that_exists():
    assert set(MANIFEST) == NEEDED
    for key, name in MANIFEST.items():
        assert re.fullmatch(r"[A-Za-z0-9_-]+\.ogg", name), (key, name)
        path = VOICE / name
        assert path.is_file() and path.stat().st_size > 0, name
    shipped = {p.name for p in VOICE.iterdir() if p.suffix == ".ogg"}
    assert shipped == set(MANIFEST.values())  # nothing left over from an older run
    assert sum(p.stat().st_size for p in VOICE.iterdir()) < 500 * 1024


@FILES_ONLY
@pytest.mark.skipif(SOXI is None, reason="soxi (Debian's sox) is not installed: the clips' durations are not checked")
@pytest.mark.parametrize("key", WORDS)
def test_each_word_clip_decodes_and_lasts_a_word(key):
    seconds = duration(VOICE / MANIFEST[key])
    assert 0.1 <= seconds <= 2.0, (key, seconds)


@FILES_ONLY
@pytest.mark.skipif(SOXI is None, reason="soxi (Debian's sox) is not installed: the chime's duration is not checked")
def test_the_chime_is_short():
    assert 0.3 <= duration(VOICE / MANIFEST["chime"]) <= 3.0


@FILES_ONLY
@pytest.mark.skipif(shutil.which("sox") is None, reason="sox is not installed: the clips' loudness is not checked")
@pytest.mark.parametrize("key", sorted(MANIFEST))
def test_no_clip_is_silent(key):
    stats = subprocess.run(["sox", str(VOICE / MANIFEST[key]), "-n", "stat"], capture_output=True, text=True,
                           check=True).stderr
    peak = float(re.search(r"Maximum amplitude:\s+([-\d.]+)", stats).group(1))
    assert peak > 0.2, (key, peak)


async def test_every_clip_is_served_as_audio_under_its_fingerprinted_url(client):
    for key, name in MANIFEST.items():
        url = client.app.state.assets.url(f"voice/{name}")
        assert re.fullmatch(r"/static/voice/[A-Za-z0-9_-]+\.[0-9a-f]{12}\.ogg", url), url
        # A media element asks for identity; a clip is sent as it is (Vorbis is compressed already).
        response = await client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, (key, url)
        assert response.headers["content-type"] == "audio/ogg"
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "content-encoding" not in response.headers
        assert response.content == (VOICE / name).read_bytes() and response.content[:4] == b"OggS"


async def test_the_screen_names_every_clip_by_its_fingerprinted_url(demo_client):
    page = await demo_client.get("/screen/daxi")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    clips = json.loads(soup.select_one("script#voice-clips[type='application/json']").string)
    assets = demo_client.app.state.assets
    assert clips == {key: assets.url(f"voice/{name}") for key, name in MANIFEST.items()}
    assert soup.select_one("script[src^='/static/voice.']")
    assert soup.select_one("#voice[data-slug='daxi']")
    assert soup.select_one("button#voice-start").get_text(strip=True) == "开始播报"
    assert soup.select_one("button#voice-mute").get_text(strip=True) == "静音"
    assert "音量" in soup.select_one("label:has(input#voice-volume[type=range])").get_text()


async def test_the_policy_lets_the_page_play_its_own_clips_only(client):
    csp = (await client.get("/healthz")).headers["content-security-policy"]
    assert "media-src 'self'" in csp


@FILES_ONLY
def test_the_vendored_sse_extension_needs_no_eval():
    (extension,) = STATIC_DIR.glob("htmx-ext-sse-2.*.js")
    assert (STATIC_DIR / f"{extension.stem}.LICENSE.txt").is_file()
    source = extension.read_text()
    assert "htmx.defineExtension('sse'" in source
    assert not re.search(r"\beval\s*\(|new\s+Function\b|\bFunction\s*\(", source)
