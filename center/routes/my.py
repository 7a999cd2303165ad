"""The senior's phone page (/my/{token}), for the senior or a family member: no login, the link is the credential
(one of center.web.public's paths). It shows the masked name, the schemes and balance, and the dynamic QR the
canteen scans (issue #16, point 4), refreshed before it expires."""

from __future__ import annotations

import segno
from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from center.domain.ledger import age_on
from center.domain.verification import QR_LIFETIME
from center.services.dining import allowances, links, policies
from center.timeutil import local_today, to_local, utcnow
from center.web.render import page, target_block

TEMPLATE = "my/page.html"
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"}


class MyPageController(Controller):
    path = "/my"
    include_in_schema = False

    @get("/{token:str}", name="my:page")
    async def show_page(self, request: Request, token: FromPath[str]) -> Response:
        return page(request, TEMPLATE, await _context(request, token), block=target_block(request, TEMPLATE),
                    headers=NO_STORE)


async def _context(request: Request, token: str) -> dict:
    link = await links.link_by_token(token)
    today = local_today()
    code, expires = links.code_for(request.app.state.settings.secret_key, link["id"])
    schemes, reason = await policies.schemes_of(link["senior"], link["birth_date"], today)
    return {
        "link": link, "token": token, "age": age_on(link["birth_date"], today), "schemes": schemes,
        "ineligible": reason, "figures": await allowances.allowance_figures(link["senior"], today.year),
        "code": code, "expires": to_local(expires), "issued": to_local(utcnow()),
        "qr_svg": segno.make(code, error="m").svg_inline(border=4, omitsize=True, svgclass="qr-code",
                                                         lineclass=None, title="就餐动态码"),
        # Refresh a little before the code expires (htmx polls the block; without script, the link reloads).
        "refresh_seconds": max(int(QR_LIFETIME.total_seconds()) - 30, 30),
    }
