"""The ceilings: a bare Litestar app served by the same uvicorn settings as `center serve`, beside the app in
`make bench`.

- `/page/{size}` renders a page of about that size through the same template engine (Jinja2, autoescaped) on every
  request: the ceiling for pages that differ per person.
- `/strict/{size}` is the strict ceiling (issue #11, finding 12): the same file template, compiled and rendered once,
  returned as one string on every request. A page that is the same for everyone for a minute (the hall screen)
  can get close to it.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, MediaType, Request, Response, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

ROW = {"code": "GA-001", "name": "居民身份证申领（首次/换领/补领）", "department": "公安分局户政科", "days": 5}
HERE = Path(__file__).parent


@get("/page/{size:int}", sync_to_thread=False)
def page(size: int) -> Template:
    # One row renders to about 150 bytes; enough rows for the requested size.
    return Template(template_name="page.html", context={"rows": [ROW] * max(1, size // 150)})


_STRICT: dict[int, bytes] = {}


@get("/strict/{size:int}", sync_to_thread=False)
def strict(request: Request, size: int) -> Response:
    body = _STRICT.get(size)
    if body is None:
        template = request.app.template_engine.get_template("page.html")
        body = _STRICT[size] = template.render(rows=[ROW] * max(1, size // 150)).encode()
    return Response(body, media_type=MediaType.HTML)


def create_app() -> Litestar:
    return Litestar(
        route_handlers=[page, strict],
        template_config=TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine),
        debug=False,
    )
