"""Browser benchmark: how soon the public pre-check is usable on a slow phone line.

    .venv/bin/python bench/precheck_browser.py [--runs 3] [--plan DIR]

Serves the plan (the Kupang sample by default) twice, each with one uvicorn worker on
127.0.0.1: the page's files bundled (``api.bundle``: one script, one stylesheet; the
default) and, as the baseline, one by one (``KKPR_BUNDLE_ASSETS=false``, the page as it
was served before). It opens ``/`` in Debian's Chromium (``/usr/bin/chromium``,
headless, driven by Playwright) with a cold cache each run, for each server under each
network condition in turn, in one process, run by run alternating so all meet the
machine's load alike:

* ``no throttling``: the baseline, loopback speed;
* ``Fast 3G``: Chrome DevTools' preset, set through CDP
  ``Network.emulateNetworkConditions`` (562.5 ms latency, 1.44 Mbit/s down,
  675 kbit/s up; the preset's 1.6 Mbit/s and 750 kbit/s with its 10 % packet overhead).

"Usable" is the moment the form can be filled and the plan's zones are drawn on the map
(``#submit`` and ``#kbli-q`` present, at least one zone ``path`` in ``#map``), in
milliseconds from navigation start (``performance.now()`` in the page). Also shown:
DOMContentLoaded, the bytes the page transferred (encoded, as on the wire) and the
requests it made (both until the network is idle, so every page of zones the map went
on to load is counted too). The target is usable in under 3 s on Fast 3G. Prints a
rich table and the same as Markdown, with the load average of the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kkpr.settings import SAMPLE_PLAN_DIR  # noqa: E402
from tests.server import Server, free_port, start_server, stop_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
FAST_3G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8 * 0.9,
    "uploadThroughput": 750 * 1024 / 8 * 0.9,
}
CONDITIONS: dict[str, dict[str, Any] | None] = {"no throttling": None, "Fast 3G": FAST_3G}
# zones drawn: SVG paths of a GeoJSON layer or of vector tiles, or canvas vector tiles
USABLE = """() => !!document.getElementById('submit') && !!document.getElementById('kbli-q')
  && document.querySelectorAll('#map .leaflet-overlay-pane path, #map .leaflet-tile-pane path,'
     + ' #map canvas.leaflet-tile').length > 0"""
SERVERS = {"bundled": "true", "one by one": "false"}


def serve(plan: Path, tmp: Path, bundled: str) -> Server:
    port = free_port()
    env = {"KKPR_PLAN_DIR": str(plan), "KKPR_DATA_DIR": str(tmp), "KKPR_DATABASE_URL": None,
           "KKPR_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "KKPR_BUNDLE_ASSETS": bundled}  # fmt: skip
    return start_server(env, None, port=port)


def one_run(browser: Any, url: str, network: dict[str, Any] | None) -> dict[str, float]:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                              locale="id-ID")  # fmt: skip
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if network:
        cdp.send("Network.emulateNetworkConditions", network)
    sizes: dict[str, float] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    try:
        page.goto(url + "/", wait_until="commit", timeout=120_000)
        page.wait_for_function(USABLE, timeout=120_000, polling=50)
        usable = float(page.evaluate("() => performance.now()"))
        dcl = float(page.evaluate(
            "() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
        ))  # fmt: skip
        page.wait_for_load_state("networkidle", timeout=120_000)
    finally:
        ctx.close()
    return {"usable": usable, "dcl": dcl, "bytes": sum(sizes.values()), "requests": len(sizes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--plan", type=Path, default=SAMPLE_PLAN_DIR)
    a = parser.parse_args()
    from playwright.sync_api import sync_playwright

    keys = [(server, name) for name in CONDITIONS for server in SERVERS]
    results: dict[tuple[str, str], list[dict[str, float]]] = {key: [] for key in keys}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="kkpr-bench-") as tmp:
        servers: dict[str, Server] = {}
        try:
            for server, flag in SERVERS.items():
                (Path(tmp) / server).mkdir()
                servers[server] = serve(a.plan, Path(tmp) / server, flag)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for served in servers.values():
                    one_run(browser, served.url, None)  # warm the server (plan loaded, files read)
                for _ in range(a.runs):
                    for server, name in keys:
                        url = servers[server].url
                        results[(server, name)].append(one_run(browser, url, CONDITIONS[name]))
                browser.close()
        finally:
            for served in servers.values():
                stop_server(served)
    load_after = os.getloadavg()

    headers = ["condition", "page files", "runs", "usable p50 (ms)", "usable max (ms)",
               "DOMContentLoaded p50 (ms)", "transferred (KB)", "requests", "< 3 s"]  # fmt: skip
    rows = []
    for (server, name), runs in results.items():
        usable = [r["usable"] for r in runs]
        rows.append([
            name, server, str(len(runs)), f"{statistics.median(usable):,.0f}", f"{max(usable):,.0f}",
            f"{statistics.median(r['dcl'] for r in runs):,.0f}",
            f"{statistics.median(r['bytes'] for r in runs) / 1024:,.0f}",
            f"{statistics.median(r['requests'] for r in runs):.0f}",
            "yes" if max(usable) < 3000 else "no",
        ])  # fmt: skip
    table = Table(title=f"Pre-check usable (form + zones drawn), {a.plan.name}, phone viewport")
    for hd in headers:
        table.add_column(hd, justify="left" if hd in ("condition", "page files") else "right")
    for row in rows:
        table.add_row(*row)
    console = Console()
    console.print(table)
    console.print(
        "load average (1, 5, 15 min): before "
        + ", ".join(f"{v:.2f}" for v in load_before)
        + "; after "
        + ", ".join(f"{v:.2f}" for v in load_after)
        + f"; {os.cpu_count()} CPUs"
    )
    console.print("| " + " | ".join(headers) + " |")
    console.print("| " + " | ".join("---" for _ in headers) + " |")
    for row in rows:
        console.print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
