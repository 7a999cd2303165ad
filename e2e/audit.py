"""Every page the journeys visit is checked by outside tools: axe-core in the live page, the Nu Html Checker on
the HTML the server sent. The conftest wires an Auditor into every browser context; a test that leaves a page
with a serious or critical accessibility violation, or an HTML error, fails at teardown.

CENTER_AUDIT=report only writes e2e/artifacts/audit/<test>.txt instead of failing; CENTER_AUDIT=strict fails.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1.min.js"
# Serious and critical violations fail; so do these, which the office's own review named (a lone <h1>, a <main>
# on print pages, no empty table headers) though axe rates them lower.
ALSO_REFUSED = {"page-has-heading-one", "landmark-one-main", "empty-table-header"}
AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                 targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


DEFAULT_MODE = "strict"


def strict() -> bool:
    return os.environ.get("CENTER_AUDIT", DEFAULT_MODE) == "strict"


class Auditor:
    def __init__(self, vnu) -> None:
        self.vnu = vnu
        self.axe_source = AXE.read_text()
        self._reset()

    def _reset(self) -> None:
        self.documents: dict[str, str] = {}
        self.axe_problems: list[str] = []
        self.axe_seen: set[tuple[str, str]] = set()

    # ---- wiring

    def watch_context(self, context) -> None:
        context.on("page", self.watch_page)
        for page in context.pages:
            self.watch_page(page)
        original_close = context.close

        def close(*args, **kwargs):
            for page in context.pages:
                self.check_page(page, "at the end")
            return original_close(*args, **kwargs)

        context.close = close

    def watch_page(self, page) -> None:
        page.on("requestfinished", self._on_request_finished)
        page.on("load", lambda p: self.check_page(p, "on load"))

    # ---- collecting

    def _on_request_finished(self, request) -> None:
        if request.resource_type != "document":
            return
        try:
            response = request.response()
            if response is None or response.status != 200:
                return
            if "text/html" not in response.headers.get("content-type", ""):
                return
            self.documents.setdefault(request.url, response.text())
        except PlaywrightError:
            return  # the page went away before its body could be read

    def check_page(self, page, when: str) -> None:
        """Run axe-core in the page as it is now (the CSP does not apply to the DevTools protocol)."""
        try:
            if page.is_closed() or not page.url.startswith("http"):
                return
            if page.evaluate("typeof axe") == "undefined":
                page.evaluate(self.axe_source)
            violations = page.evaluate(AXE_RUN)
        except PlaywrightError:
            return  # navigated away meanwhile: the next load is checked instead
        path = urlsplit(page.url)
        where = path.path + ("?" + path.query if path.query else "")
        for v in violations:
            if v["impact"] in ("serious", "critical") or v["id"] in ALSO_REFUSED:
                key = (where, v["id"])
                if key not in self.axe_seen:
                    self.axe_seen.add(key)
                    self.axe_problems.append(f"axe {v['id']} ({v['impact']}) {when} on {where}: {v['help']} · "
                                             f"{'; '.join(v['targets'])}")

    # ---- per test

    def begin(self) -> None:
        self._reset()

    def end(self) -> list[str]:
        problems = list(self.axe_problems)
        for url, html in self.documents.items():
            path = urlsplit(url)
            where = path.path + ("?" + path.query if path.query else "")
            problems += [f"vnu on {where}: {e}" for e in self.vnu.errors(html)]
        self._reset()
        return problems
