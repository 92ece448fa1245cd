"""``python -m border21`` runs the CLI."""

from border21.cli.main import run

run()
