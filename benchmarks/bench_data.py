"""Data-warehouse benchmarks: load speed and indicator query latency.

Run from the repository root (reads the shared data folder, not the package):

    python benchmarks/bench_data.py --data ../shared/data

Targets (issue #3): US–Mexico crossings file (94k rows) < 1 s; a 400k-row
both-borders-sized file < 2 s; every indicator query < 100 ms on the full data.
The 400k-row file is synthesised from the real one (the official columns, extra
copies under other port codes, one marked US–Canada, cut at 400,000 rows),
because the full both-borders release is not in the data folder. Times are the median of
``--repeat`` runs, each on a fresh database file.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from border21.data import effects
from border21.data import indicators as ind
from border21.data.loaders import load_source
from border21.data.store import open_store

CROSSINGS = "crossings/bts_border_crossing_entry_us_mexico_1996_2025.csv"


def _median_seconds(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _fresh_load(path: Path, tmp: Path) -> Callable[[], Any]:
    counter = iter(range(10**6))

    def run() -> Any:
        db = tmp / f"bench{next(counter)}.duckdb"
        with open_store(db) as store:  # schema creation is outside the timed load below
            t0 = time.perf_counter()
            result = load_source(store, "crossings", path)
            run.elapsed = time.perf_counter() - t0  # type: ignore[attr-defined]
        db.unlink()
        return result

    return run


def bench_load(path: Path, tmp: Path, repeat: int) -> tuple[float, int]:
    run = _fresh_load(path, tmp)
    times, rows = [], 0
    for _ in range(repeat):
        rows = run().rows_read
        times.append(run.elapsed)  # type: ignore[attr-defined]
    return statistics.median(times), rows


def make_400k(src: Path, dest: Path) -> Path:
    """The first 400,000 rows of five copies of the US–Mexico file under distinct port
    codes (the full both-borders release has ~399k rows)."""
    con = duckdb.connect()
    parts = ["SELECT * FROM read_csv(?, all_varchar=true)"]
    for k, border in ((3, "US-Canada Border"), (4, "US-Mexico Border"), (5, "US-Mexico Border"),
                      (6, "US-Mexico Border")):  # fmt: skip
        parts.append(
            f"""SELECT * REPLACE ('{k}' || substr("Port Code", 2) AS "Port Code",
                                 '{border}' AS "Border") FROM read_csv(?, all_varchar=true)"""
        )
    query = " UNION ALL ".join(parts) + " LIMIT 400000"
    con.execute(f"COPY ({query}) TO '{dest}' (HEADER)", [str(src)] * len(parts))
    return dest


def load_everything(store: Any, data: Path) -> None:
    for source, rel in [
        ("crossings", CROSSINGS),
        ("trade", "trade/bts_transborder_monthly_trends.csv"),
        ("trade", "trade/bts_transborder_texas_mexico_ports.csv"),
        ("trade", "trade/bts_transborder_mexican_state_trade.csv"),
        ("seizures", "seizures/cbp_nationwide_drugs_fy2019_fy2023_combined.csv"),
        ("apprehensions", "seizures/usbp_family_child_total_monthly_2000_2019.csv"),
        ("homicides", "homicides/inegi_homicides_state_month_1990_2024.csv"),
        ("sesnsp", "homicides/sesnsp_homicide_femicide_state_month_2015_2022.csv"),
        ("population", "population/conapo2023_state_population_sex_1950_2070.csv"),
        ("waittimes", "waittimes/cbp_bwt_hist_sanysidro_deohs/syR-hist.csv"),
        ("waittimes", "waittimes/cbp_bwt_hist_elpaso_raulpal/elpaso_border_wait_times.xlsx"),
        ("hourly", "waittimes/hourly_profiles/san_diego_poe_hourly_profile_weekday_2017.csv"),
        ("trade", "trade/bts_transborder_raw_dot1_0115_mexico.csv"),
    ]:
        load_source(store, source, data / rel)
    from border21.data.samples import sample_path

    load_source(store, "events", sample_path("events.csv"))


def bench_queries(store: Any, repeat: int) -> dict[str, float]:
    cases: dict[str, Callable[[], Any]] = {
        "crossings border monthly": lambda: ind.crossings(store),
        "crossings by port monthly": lambda: ind.crossings(store, by="port"),
        "crossings by state yearly": lambda: ind.crossings(store, by="state", freq="year"),
        "crossings + STL (border)": lambda: ind.seasonal_adjust(ind.crossings(store)),
        "trade by trade type": lambda: ind.trade(store),
        "trade by Mexican state": lambda: ind.trade(store, by="mx_state"),
        "truck/PV mix by port": lambda: ind.vehicle_mix(store, by="port"),
        "hourly wait profile": lambda: ind.hourly_wait_profile(store, "san ysidro"),
        "wait vs volume": lambda: ind.wait_vs_volume(store),
        "hourly wait vs volume (San Ysidro)": lambda: ind.hourly_wait_vs_volume(store),
        "seizures per 1,000 crossings": lambda: ind.seizures_per_1000_crossings(store),
        "apprehensions by sector": lambda: ind.apprehensions(store, by="sector"),
        "homicide rate border": lambda: ind.homicide_rate(store),
        "homicide panel (DiD input)": lambda: ind.homicide_panel(store),
        "reporting gaps": lambda: ind.crossing_gaps(store),
        "ITS effect (Chihuahua 2008-03)": lambda: effects.interrupted_time_series(
            effects.effect_series(store, "homicides", state="Chihuahua")[0],
            "2008-03",
            window_months=60,
        ),  # fmt: skip
        "DiD effect (border vs interior)": lambda: effects.difference_in_differences(
            ind.homicide_panel(store), "2008-03", window_months=60
        ),
    }
    for fn in cases.values():  # warm-up: imports and DuckDB caches
        fn()
    return {name: _median_seconds(fn, repeat) for name, fn in cases.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        src = args.data / CROSSINGS
        secs, rows = bench_load(src, tmp, args.repeat)
        print(
            f"load US–Mexico crossings CSV: {rows:,} rows in {secs * 1000:.0f} ms (target < 1000)"
        )
        big = make_400k(src, tmp / "big.csv")
        secs, rows = bench_load(big, tmp, args.repeat)
        print(f"load both-borders-sized CSV: {rows:,} rows in {secs * 1000:.0f} ms (target < 2000)")
        with open_store(tmp / "full.duckdb") as store:
            load_everything(store, args.data)
            results = bench_queries(store, args.repeat)
    width = max(map(len, results))
    for name, secs in results.items():
        flag = "" if secs < 0.1 else "  (over 100 ms)"
        print(f"  {name:<{width}}  {secs * 1000:7.1f} ms{flag}")


if __name__ == "__main__":
    main()
