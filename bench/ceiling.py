"""The ceiling: a bare Litestar app returning a page of a given size from memory through the same template engine
(Jinja2, autoescaped), served by the same uvicorn settings as `center serve`. `make bench` runs it beside the app."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

ROW = {"code": "GA-001", "name": "居民身份证申领（首次/换领/补领）", "department": "公安分局户政科", "days": 5}
HERE = Path(__file__).parent


@get("/page/{size:int}", sync_to_thread=False)
def page(size: int) -> Template:
    # One row renders to about 150 bytes; enough rows for the requested size.
    return Template(template_name="page.html", context={"rows": [ROW] * max(1, size // 150)})


def create_app() -> Litestar:
    return Litestar(
        route_handlers=[page],
        template_config=TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine),
        debug=False,
    )
