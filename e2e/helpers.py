"""Steps shared by the journeys."""

import re

from playwright.sync_api import expect


def login(page, server, username: str) -> None:
    page.goto(server.url + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("center-demo")
    page.get_by_label("密码").press("Enter")
    expect(page).not_to_have_url(re.compile("/login"))


def overflow(page) -> dict[str, int]:
    """How far the page scrolls beyond the viewport, in CSS px: {"x": sideways, "y": downwards} (0 = fits)."""
    return page.evaluate("""() => {
      const d = document.documentElement;
      return {x: Math.max(0, d.scrollWidth - d.clientWidth), y: Math.max(0, d.scrollHeight - d.clientHeight)};
    }""")


def small_targets(page, scope: str = "main", minimum: int = 44) -> list[str]:
    """Visible buttons, links and fields in `scope` smaller than minimum×minimum CSS px (touch targets)."""
    return page.evaluate("""([scope, minimum]) => {
      const out = [];
      for (const el of document.querySelectorAll(scope + ' :is(button, a[href], input:not([type=hidden]), select, textarea, summary)')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
        if (r.width < minimum || r.height < minimum) {
          out.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name || '').trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
        }
      }
      return out;
    }""", [scope, minimum])
