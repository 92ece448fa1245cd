"""Maintainer script: rebuild the shipped Parquet samples from the shared data folder.

Run from the repository root: ``python src/border21/data/samples/build_samples.py
/path/to/shared/data``. Every file is copied with its original columns and
values (read as text, written as zstd Parquet), so the ordinary loaders read
it; the only filters are the ones listed in ``PROVENANCE.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

HERE = Path(__file__).parent

SAMPLES: dict[str, tuple[str, str]] = {
    # sample name: (path under the data folder, WHERE clause or '')
    "crossings_us_mexico_1996_2025": (
        "crossings/bts_border_crossing_entry_us_mexico_1996_2025.csv",
        "",
    ),
    "trade_monthly_1993_2025": ("trade/bts_transborder_monthly_trends.csv", ""),
    "trade_texas_ports_1993_2025": ("trade/bts_transborder_texas_mexico_ports.csv", ""),
    "trade_mexican_states_1993_2025": ("trade/bts_transborder_mexican_state_trade.csv", ""),
    "seizures_fy2019_2023": ("seizures/cbp_nationwide_drugs_fy2019_fy2023_combined.csv", ""),
    "apprehensions_monthly_fy2000_2019": (
        "seizures/usbp_family_child_total_monthly_2000_2019.csv",
        "",
    ),
    "homicides_inegi_1990_2024": ("homicides/inegi_homicides_state_month_1990_2024.csv", ""),
    "sesnsp_homicide_2015_2022": (
        "homicides/sesnsp_homicide_femicide_state_month_2015_2022.csv",
        "",
    ),
    "population_conapo2023_1990_2030": (
        "population/conapo2023_state_population_sex_1950_2070.csv",
        "WHERE genero = 'Total' AND n_year::INT BETWEEN 1990 AND 2030",
    ),
    "waittimes_san_ysidro_hist": ("waittimes/cbp_bwt_hist_sanysidro_deohs/syR-hist.csv", ""),
    "bridges_texas_monthly_2008_2025": (
        "waittimes/cbp_nb_crossings_texas_unt/monthly_crossings_2008_2025.csv",
        "",
    ),
    "bridge_sites_texas": (
        "waittimes/cbp_nb_crossings_texas_unt/TX-MX-Border-Crossings-Coordinates.csv",
        "",
    ),
    "bridge_lanes_texas_2025": (
        "waittimes/hourly_profiles/txdot_unt_tx_mx_crossings_lanes_hours_2025.csv",
        "",
    ),
    "waittimes_el_paso_hist": (
        "waittimes/cbp_bwt_hist_elpaso_raulpal/elpaso_border_wait_times.xlsx",
        "",
    ),
}


def build(data_dir: Path) -> None:
    con = duckdb.connect()
    for name, (rel, where) in SAMPLES.items():
        src = data_dir / rel
        out = HERE / f"{name}.parquet"
        if src.suffix == ".xlsx":
            import pandas as pd

            frame = pd.read_excel(src, dtype=object)
            frame = frame.astype("string").astype(object).where(frame.notna(), None)
            con.register("frame", frame)
            query = f"SELECT * FROM frame {where}"
        else:
            query = f"SELECT * FROM read_csv('{src}', all_varchar=true, header=true) {where}"
        con.execute(
            f"COPY ({query}) TO '{out}' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 19)"
        )
        print(f"{out.name}: {out.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    build(Path(sys.argv[1]))
