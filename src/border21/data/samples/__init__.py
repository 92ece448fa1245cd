"""Compact real samples shipped in the package, so ``border21 data init`` works offline.

See ``PROVENANCE.md`` next to this file for sources and licences.

>>> [s for s, _ in SAMPLE_FILES][:2]
['events', 'crossings']
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from border21.data.loaders import LoadResult
    from border21.data.store import Store

# (source, file): load order matters only for readability of `data status`
SAMPLE_FILES: tuple[tuple[str, str], ...] = (
    ("events", "events.csv"),
    ("crossings", "crossings_us_mexico_1996_2025.parquet"),
    ("trade", "trade_monthly_1993_2025.parquet"),
    ("trade", "trade_texas_ports_1993_2025.parquet"),
    ("trade", "trade_mexican_states_1993_2025.parquet"),
    ("seizures", "seizures_fy2019_2023.parquet"),
    ("apprehensions", "apprehensions_monthly_fy2000_2019.parquet"),
    ("homicides", "homicides_inegi_1990_2024.parquet"),
    ("sesnsp", "sesnsp_homicide_2015_2022.parquet"),
    ("population", "population_conapo2023_1990_2030.parquet"),
    ("waittimes", "waittimes_san_ysidro_hist.parquet"),
    ("waittimes", "waittimes_el_paso_hist.parquet"),
    ("bridges", "bridges_texas_monthly_2008_2025.parquet"),
    ("bridge_sites", "bridge_sites_texas.parquet"),
    ("bridge_lanes", "bridge_lanes_texas_2025.parquet"),
)


def sample_path(file_name: str) -> Path:
    """Filesystem path of a shipped sample file."""
    return Path(str(resources.files("border21.data.samples").joinpath(file_name)))


def load_samples(store: Store, *, force: bool = False) -> list[LoadResult]:
    """Load every shipped sample (idempotent: unchanged files are skipped)."""
    from border21.data.loaders import load_source

    return [
        load_source(store, source, sample_path(name), force=force, label=f"sample:{name}")
        for source, name in SAMPLE_FILES
    ]
