"""Addresses come from route names (center.web.links): path parameters fill the path, the rest is the query."""

from datetime import date

import pytest
from litestar import Litestar, get

from center.web.links import build


@get("/cases/{case_id:int}", name="t:case", sync_to_thread=False)
def _case(case_id: int) -> None: ...


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
