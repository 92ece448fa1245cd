"""`border21 indicators` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="indicators commands.", no_args_is_help=True)
