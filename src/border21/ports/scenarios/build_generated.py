"""Maintainer script: write the generated port scenarios and ``border_ports.csv``.

Run from the repository root: ``python src/border21/ports/scenarios/build_generated.py``.
It reads the BTS Border Crossing/Entry sample that ships with the warehouse
(``src/border21/data/samples/crossings_us_mexico_1996_2025.parquet``), takes the
latest complete year, and writes one ``<port>.toml`` per US–Mexico port with
``border21.ports.generate`` — except where a curated scenario of that name exists
(San Ysidro, Otay Mesa), which is never overwritten. ``tests/unit/ports/
test_generated_scenarios.py`` fails when the committed files differ from what
this script writes.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SAMPLE = HERE.parents[1] / "data" / "samples" / "crossings_us_mexico_1996_2025.parquet"


def bts_rows(sample: Path = SAMPLE) -> list[tuple[Any, ...]]:
    """The sample's rows for the four modes generated scenarios use."""
    import duckdb

    from border21.ports.generate import MEASURES

    wanted = ", ".join(f"'{m}'" for m in MEASURES)
    sql = f"""SELECT "Port Code", "Port Name", "State", "Latitude", "Longitude", "Date",
                     "Measure", "Value"
              FROM read_parquet(?) WHERE "Measure" IN ({wanted})"""
    return duckdb.connect().execute(sql, [str(sample)]).fetchall()


def is_curated(path: Path) -> bool:
    if not path.exists():
        return False
    port = tomllib.loads(path.read_text(encoding="utf-8")).get("port", {})
    return bool(port.get("provenance", "curated") == "curated")


def main() -> None:
    from border21.ports.generate import (
        ports_table_csv,
        scenario_name,
        scenario_toml,
        volumes_from_rows,
    )

    volumes = volumes_from_rows(bts_rows())
    for v in volumes:
        path = HERE / f"{scenario_name(v.port_name)}.toml"
        if is_curated(path):
            print(f"kept curated {path.name}")
            continue
        path.write_text(scenario_toml(v), encoding="utf-8")
        print(f"wrote {path.name}")
    (HERE / "border_ports.csv").write_text(ports_table_csv(volumes), encoding="utf-8")


if __name__ == "__main__":
    main()
