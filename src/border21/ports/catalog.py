"""The shipped port scenarios and loading a scenario by name or path."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from border21.errors import NotFoundError
from border21.i18n.message import Message
from border21.ports.config import PortScenario, apply_overrides, read_scenario_file
from border21.ports.edits import validated

if TYPE_CHECKING:
    import pandas as pd


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
    known = ", ".join(shipped) or Message("none")
    raise NotFoundError(
        Message(
            "scenario = {name_or_path!r}: unknown scenario (shipped: {known})",
            name_or_path=name_or_path,
            known=known,
        )
    )


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


@dataclass(frozen=True)
class BorderPort:
    """A US–Mexico land port as BTS lists it, with the shipped scenarios of it."""

    port_code: str
    name: str
    state: str
    latitude: float
    longitude: float
    year: int
    crossings_per_year: dict[str, int]  # mode (MODE_COLUMNS) -> BTS inbound count in ``year``
    scenarios: dict[str, str]  # scenario name -> "curated" | "generated"

    @property
    def modes(self) -> list[str]:
        return [m for m, n in self.crossings_per_year.items() if n > 0]

    def as_dict(self) -> dict[str, object]:
        """Plain fields for JSON: code, name, state, coordinates, modes, provenance, the
        scenarios (each with its provenance), the BTS year and its crossings by mode."""
        return {
            "port_code": self.port_code,
            "name": self.name,
            "state": self.state,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "modes": self.modes,
            "provenance": self.provenance,
            "scenarios": [{"name": n, "provenance": v} for n, v in self.scenarios.items()],
            "year": self.year,
            "crossings_per_year": self.crossings_per_year,
        }

    @property
    def provenance(self) -> str:
        """``curated``, ``generated``, or both (a curated bridge of a generated port)."""
        return "+".join(sorted(set(self.scenarios.values()))) or "none"


# border_ports.csv column -> BTS measure
MODE_COLUMNS: dict[str, str] = {
    "personal_vehicles": "Personal Vehicles",
    "pedestrians": "Pedestrians",
    "trucks": "Trucks",
    "buses": "Buses",
}


def border_ports() -> list[BorderPort]:
    """Every US–Mexico land port in the shipped BTS sample (``scenarios/border_ports.csv``).

    >>> laredo = next(p for p in border_ports() if p.port_code == "2304")
    >>> laredo.name, laredo.state, laredo.scenarios
    ('Laredo', 'Texas', {'laredo': 'generated', 'laredo_wtb': 'curated'})
    """
    import csv
    import tomllib

    by_code: dict[str, dict[str, str]] = {}
    for name, path in shipped_scenarios().items():
        port = tomllib.loads(path.read_text(encoding="utf-8")).get("port", {})
        provenance = str(port.get("provenance", "curated"))
        by_code.setdefault(str(port.get("port_code", "")), {})[name] = provenance
    with (_scenario_dir() / "border_ports.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        BorderPort(
            port_code=r["port_code"],
            name=r["port_name"],
            state=r["state"],
            latitude=float(r["latitude"]),
            longitude=float(r["longitude"]),
            year=int(r["year"]),
            crossings_per_year={col: int(r[col]) for col in MODE_COLUMNS},
            scenarios=by_code.get(r["port_code"], {}),
        )
        for r in rows
    ]


def border_ports_frame() -> pd.DataFrame:
    """:func:`border_ports` as a frame: code, name, coordinates, crossings a day (BTS,
    every northbound mode), for maps."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "port_code": p.port_code,
                "name": p.name,
                "state": p.state,
                "longitude": p.longitude,
                "latitude": p.latitude,
                "crossings_per_day": sum(p.crossings_per_year.values()) / 365.25,
            }
            for p in border_ports()
        ]
    )
