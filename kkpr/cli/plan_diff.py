"""Plan commands of another issue, registered into ``kkpr plan`` (filled in there)."""

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``kkpr plan`` group."""
