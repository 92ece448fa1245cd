"""Thin Typer commands over the cores. Heavy libraries are imported inside commands."""
