"""``kkpr recheck`` (filled in by the bulk re-check issue)."""

import typer


def recheck_command() -> None:
    """Periksa ulang banyak tapak / re-check many sites."""
    raise typer.Exit(3)
