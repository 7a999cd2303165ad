"""Ask first: the confirmation page of a plain form post that cannot be undone (吊销, 删除, 撤下)."""

from __future__ import annotations

from litestar import Request

from center.web.forms import FormData
from center.web.render import page


def confirmed(form: FormData) -> bool:
    """The second post (确认 sends confirm=1); the first one only asks."""
    return form.text("confirm", limit=2) == "1"


def ask_first(request: Request, form: FormData, *, question: str, lines: list[str], action: str, back: str,
              confirm_label: str):
    """The page naming what will happen; 确认 posts the same fields again (with confirm=1), 取消 goes `back`.
    Works without JavaScript; from the keyboard 确认 has the focus and Esc is 取消 (app.js)."""
    fields = [(name, value) for name, value in form.items() if name not in ("_csrf_token", "confirm")]
    return page(request, "confirm.html", {"question": question, "lines": lines, "action": action, "fields": fields,
                                          "back": back, "confirm_label": confirm_label})
