"""axe-core run inside a page under test (vendored: tests/web/vendor/axe-core)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, and axe's best practices
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def violations(page: Any, context: str = "document") -> list[dict[str, Any]]:
    """axe's violations on the page as it is now: ``[{id, impact, help, nodes}]``."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text("utf-8"))
    result: list[dict[str, Any]] = page.evaluate(
        """async ([context, tags]) => {
            const r = await axe.run(context === "document" ? document : context,
                                    { runOnly: { type: "tag", values: tags } });
            return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " +
                (n.failureSummary || "").slice(0, 200)) }));
        }""",
        [context, TAGS],
    )
    return result


def assert_no_violations(page: Any, state: str) -> None:
    found = violations(page)
    summary = "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n  {v['nodes']}" for v in found)
    assert not found, f"axe-core violations on the {state} page:\n{summary}"
