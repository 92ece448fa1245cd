"""`border21 target` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="target commands.", no_args_is_help=True)
