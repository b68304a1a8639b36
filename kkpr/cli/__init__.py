"""The ``kkpr`` command: thin: parses, calls kkpr, prints.

Each group of commands lives in its own module and is registered here.
"""

from __future__ import annotations

import typer

from kkpr.cli import bulk, check, db, kbli, keys, oss, pipeline, plan

app = typer.Typer(
    name="kkpr",
    help="kkpr: kesesuaian kegiatan pemanfaatan ruang / spatial-conformity checks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("check")(check.check_command)
app.add_typer(plan.app, name="plan", help="Paket rencana / plan packages")
app.add_typer(db.app, name="db", help="Basis data PostGIS / the PostGIS database")
app.add_typer(kbli.app, name="kbli", help="Katalog KBLI 2020 / the KBLI 2020 catalogue")
app.command("recheck")(bulk.recheck_command)
app.add_typer(keys.app, name="keys", help="Kunci API / API keys")
app.command("worker")(pipeline.worker_command)
app.add_typer(oss.app, name="oss", help="OSS-RBA: simulator dan kiriman / simulator and sending")


def main() -> None:  # pragma: no cover - console entry point
    app()
