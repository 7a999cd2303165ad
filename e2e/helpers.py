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


# ---- printed codes: what a phone's camera gets from paper (the slip; later the hall-queue ticket)

def run_tool(*args) -> str:
    """Run an outside tool (poppler, zbar) and return its stdout; fail loudly with its stderr."""
    import subprocess

    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{args[0]} failed ({result.returncode}): {result.stderr or result.stdout}"
    return result.stdout


def pdf_page_count(pdf) -> int:
    """The number of pages of a PDF, as `pdfinfo` (poppler) reads it."""
    import re as _re

    return int(_re.search(r"^Pages:\s+(\d+)", run_tool("pdfinfo", pdf), _re.M).group(1))


def pdf_to_pngs(pdf, out_dir, dpi: int = 300) -> list:
    """Rasterise every page of a PDF as a printer would (`pdftoppm -r dpi`); the PNG paths in page order."""
    from pathlib import Path

    out_dir = Path(out_dir)
    prefix = out_dir / Path(pdf).stem
    run_tool("pdftoppm", "-r", dpi, "-png", pdf, prefix)
    return sorted(out_dir.glob(f"{prefix.name}-*.png"))


def decode_qr(image) -> list[str]:
    """Every QR code zbar (`zbarimg`) finds in an image, decoded; [] when it finds none."""
    import subprocess

    result = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
                            capture_output=True, text=True, timeout=60)
    if result.returncode == 4:  # zbar: no symbol found
        return []
    assert result.returncode == 0, f"zbarimg failed ({result.returncode}): {result.stderr}"
    return [line for line in result.stdout.splitlines() if line.strip()]


def decode_printed_qr(page, out_dir, dpi: int = 300, name: str = "print") -> dict:
    """Print the page to an A4 PDF in Chromium, rasterise it at `dpi` and decode it with zbar, as a phone
    would read the paper: {"pdf": path, "pages": n, "codes": [decoded text, ...] (all pages)}."""
    from pathlib import Path

    pdf = Path(out_dir) / f"{name}.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)  # the print stylesheet, as the dialog uses it
    codes = [code for png in pdf_to_pngs(pdf, out_dir, dpi) for code in decode_qr(png)]
    return {"pdf": pdf, "pages": pdf_page_count(pdf), "codes": codes}
