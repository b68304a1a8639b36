"""``kkpr oss``: play OSS against a running kkpr (docs/oss.md).

kkpr oss simulator --port 9100 --user-key K [--send SITE.geojson --kkpr URL --token T --kbli 47111]
kkpr oss send SITE.geojson --kkpr URL --token T --kbli 47111 --id-izin I-1
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from kkpr.oss.simulator import Simulator, application_body, send_application

app = typer.Typer(no_args_is_help=True)
console = Console()
POLL_S = 0.5


def _body(site: Path, kbli: str, id_izin: str | None, floors: int, floor_area: float) -> Any:
    return application_body(
        json.loads(site.read_text("utf-8")),
        kbli,
        id_izin=id_izin or f"I-{uuid.uuid4().hex[:20]}",
        jumlah_lantai=floors,
        luas_lantai=floor_area,
    )


def _send(kkpr: str, token: str, body: Any) -> None:
    status, answer = send_application(kkpr, token, body)
    colour = "green" if status == 200 else "red"
    console.print(f"[{colour}]receiveNIBKKPR → HTTP {status}[/{colour}] {json.dumps(answer)}")


@app.command("simulator")
def simulator_command(
    port: int = typer.Option(9100, help="Port on 127.0.0.1"),
    user_key: str = typer.Option(..., envvar="KKPR_OSS_USER_KEY", help="user_key kkpr must send"),
    send: Path | None = typer.Option(
        None, help="Kirim permohonan dari situs GeoJSON ini / send an application for this site"
    ),
    kkpr: str = typer.Option("http://127.0.0.1:8000", help="kkpr's base URL"),
    token: str = typer.Option("", envvar="KKPR_OSS_TOKEN", help="Token header for kkpr"),
    kbli: str = typer.Option("47111", help="KBLI 2020"),
    id_izin: str | None = typer.Option(None, help="id_izin (default: a new one)"),
    floors: int = typer.Option(1, help="jumlah_lantai_bangunan"),
    floor_area: float = typer.Option(100.0, help="luas_lantai_bangunan (m²)"),
) -> None:
    """Jalankan OSS tiruan / run a simulated OSS: receive statuses and decisions, list them."""
    sim = Simulator(user_key, port).start()
    console.print(f"OSS simulator on {sim.url} (GET {sim.url}/received lists what came)")
    if send is not None:
        threading.Thread(
            target=_send, args=(kkpr, token, _body(send, kbli, id_izin, floors, floor_area))
        ).start()
    shown = 0
    try:
        while True:
            calls = sim.received()
            for c in calls[shown:]:
                root = (
                    c.body.get("IZINSTATUS") or c.body.get("IZINFINALKKPR")
                    if isinstance(c.body, dict)
                    else None
                )
                what = (
                    f"kd_status {root.get('kd_status')} id_izin {root.get('id_izin')}"
                    if root
                    else ""
                )
                mark = "[green]valid[/green]" if c.valid else f"[red]INVALID[/red] {c.problem}"
                console.print(f"{c.at} {c.call} {what} {mark}", highlight=False)
            shown = len(calls)
            time.sleep(POLL_S)
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()


@app.command("send")
def send_command(
    site: Path = typer.Argument(..., exists=True, help="GeoJSON site (longitude, latitude)"),
    kkpr: str = typer.Option("http://127.0.0.1:8000", help="kkpr's base URL"),
    token: str = typer.Option(..., envvar="KKPR_OSS_TOKEN", help="Token header for kkpr"),
    kbli: str = typer.Option("47111", help="KBLI 2020"),
    id_izin: str | None = typer.Option(None, help="id_izin (default: a new one)"),
    floors: int = typer.Option(1, help="jumlah_lantai_bangunan"),
    floor_area: float = typer.Option(100.0, help="luas_lantai_bangunan (m²)"),
) -> None:
    """Kirim satu receiveNIBKKPR / send one receiveNIBKKPR to a running kkpr."""
    _send(kkpr, token, _body(site, kbli, id_izin, floors, floor_area))
