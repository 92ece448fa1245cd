"""Thin Typer commands over the cores. Heavy libraries are imported inside commands.

The command-line entry point is ``border21`` (:func:`border21.cli.main.run`);
this package has no Python API of its own.
"""

__all__: list[str] = []
