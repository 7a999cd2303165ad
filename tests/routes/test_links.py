"""Addresses come from route names (center.web.links): path parameters fill the path, the rest is the query."""

from datetime import date

import pytest
from litestar import Litestar, get
from litestar.params import FromPath

from center.web.links import build


@get("/cases/{case_id:int}", name="t:case", sync_to_thread=False)
def _case(case_id: FromPath[int]) -> None: ...


@get("/rosters", name="t:week", sync_to_thread=False)
def _week() -> None: ...


@pytest.fixture(scope="module")
def app():
    return Litestar(route_handlers=[_case, _week])


def test_a_path_parameter_fills_the_path(app):
    assert build(app, "t:case", case_id=7) == "/cases/7"


def test_other_parameters_become_the_query_in_the_order_given(app):
    assert build(app, "t:week", week=date(2026, 12, 7), center="c1") == "/rosters?week=2026-12-07&center=c1"


def test_an_empty_parameter_is_left_out_so_the_page_shows_its_default(app):
    assert build(app, "t:week", week="", center=None) == "/rosters"


def test_query_values_are_escaped_and_an_anchor_goes_last(app):
    assert build(app, "t:case", case_id=3, q="张 三&", _anchor="notice") == "/cases/3?q=%E5%BC%A0+%E4%B8%89%26#notice"


def test_an_unknown_name_is_a_loud_error(app):
    with pytest.raises(LookupError):
        build(app, "t:nothing")


# ---------------------------------------------------------------- nobody writes an address by hand (issue #12)

import re  # noqa: E402
from pathlib import Path  # noqa: E402

CENTER = Path(__file__).resolve().parents[2] / "center"
# An attribute whose value starts with a literal path: href="/cases", hx-post="/rosters/…", action='/login'.
LITERAL_ADDRESS = re.compile(r"""\b(href|action|src|hx-get|hx-post|hx-put|hx-delete|hx-patch)\s*=\s*["']/""")
# A redirect or a link glued together in Python: Redirect(path="/…"), f"/cases/{id}", "/rosters?week=" + …
HANDMADE_PATH = re.compile(r"""Redirect\(\s*(path\s*=\s*)?f?["']/|\bf["']/[a-z]|["']/[a-z][\w/-]*\?[\w]+=["']\s*\+""")


def test_no_template_writes_an_address_by_hand():
    offenders = [f"{path.relative_to(CENTER)}:{number}: {line.strip()}"
                 for path in sorted((CENTER / "templates").rglob("*.html"))
                 for number, line in enumerate(path.read_text().splitlines(), 1) if LITERAL_ADDRESS.search(line)]
    assert not offenders, "\n".join(offenders)


def test_no_handler_glues_an_address_together():
    offenders = [f"{path.relative_to(CENTER)}:{number}: {line.strip()}"
                 for folder in ("routes", "web") for path in sorted((CENTER / folder).rglob("*.py"))
                 for number, line in enumerate(path.read_text().splitlines(), 1) if HANDMADE_PATH.search(line)]
    assert not offenders, "\n".join(offenders)
