"""A canteen with a terminal token, for tests against a real server (make its seniors with factories.make_senior)."""

from __future__ import annotations

from center.services.dining.terminals import create_terminal
from tests.factories import make_canteen


async def canteen_with_terminal() -> tuple[int, str, dict]:
    canteen = await make_canteen()
    token = await create_terminal(None, canteen["id"], "测试终端")
    return canteen["id"], token, canteen["center"]
