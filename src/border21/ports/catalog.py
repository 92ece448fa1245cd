"""The shipped port scenarios and loading a scenario by name or path."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from border21.errors import NotFoundError
from border21.ports.config import PortScenario, apply_overrides, read_scenario_file
from border21.ports.edits import validated


def _scenario_dir() -> Path:
    return Path(str(resources.files("border21.ports") / "scenarios"))


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario names (file stems) mapped to their TOML files."""
    return {p.stem: p for p in sorted(_scenario_dir().glob("*.toml"))}


def resolve_scenario(name_or_path: str) -> Path:
    """A shipped scenario name (``san_ysidro``) or a path to a TOML file."""
    shipped = shipped_scenarios()
    key = name_or_path.strip().lower().replace("-", "_").replace(" ", "_")
    if key in shipped:
        return shipped[key]
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return path
    known = ", ".join(shipped) or "none"
    raise NotFoundError(f"scenario = {name_or_path!r}: unknown scenario (shipped: {known})")


def scenario_data(name_or_path: str, overrides: list[str] | None = None) -> dict[str, Any]:
    """The scenario's raw mapping with ``key=value`` overrides applied."""
    data = read_scenario_file(resolve_scenario(name_or_path))
    return apply_overrides(data, overrides or [])


def load_scenario(name_or_path: str, overrides: list[str] | None = None) -> PortScenario:
    """Load a scenario, apply ``key.path=value`` overrides and validate it once.

    >>> load_scenario("laredo_wtb").port.name
    'Laredo World Trade Bridge'
    >>> load_scenario("laredo_wtb", ["lanes.fast.staffed_booths=2"]).lanes["fast"].open_booths()[12]
    2
    """
    return validated(read_scenario_file(resolve_scenario(name_or_path)), overrides or [])
