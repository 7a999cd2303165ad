"""No journey depends on timing luck: the e2e suite waits for the state a person waits for, never a fixed delay."""

import ast
from pathlib import Path

E2E = Path(__file__).resolve().parents[2] / "e2e"
FIXED_DELAYS = {"wait_for_timeout", "sleep"}  # page.wait_for_timeout(ms), time.sleep(s), asyncio.sleep(s)


def fixed_delays(source: str) -> list[int]:
    """Line numbers of calls that wait a fixed time instead of for a state."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in FIXED_DELAYS:
                lines.append(node.lineno)
    return lines


def test_the_check_sees_a_fixed_delay():
    assert fixed_delays("page.wait_for_timeout(500)\nimport time\ntime.sleep(1)\n") == [1, 3]
    assert fixed_delays("expect(page.get_by_role('button')).to_be_visible()\n") == []


def test_no_journey_waits_a_fixed_delay():
    found = {
        f"{path.name}:{line}"
        for path in sorted(E2E.rglob("*.py")) if "vendor" not in path.parts
        for line in fixed_delays(path.read_text())
    }
    assert not found, f"fixed delays in the e2e suite (wait for a state instead): {sorted(found)}"
