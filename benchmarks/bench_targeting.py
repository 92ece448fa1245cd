"""Targeting benchmark: KCS offline/online figures, speed, cooperation, drift.

Run from the repo root (reads ../shared/data/customs; not part of the tests):

    OMP_NUM_THREADS=1 python benchmarks/bench_targeting.py --section all --seeds 5 --jobs 2

Sections: offline (authors' split, exact top-k, mean ± sd over seeds), speed
(fit time on the 37k training rows, one-core scoring throughput), online
(14-day warm start, weekly batches, selective labels, 5 % budget), coop
(generator, isolated vs shared profiles vs pooled), drift (generator,
weeks until a new pattern is caught).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

KCS = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "customs"
    / "kcs_synthetic_import_declarations"
)
BUDGETS = (1, 2, 5, 10)


def _ms(values: list[float]) -> str:
    a = np.asarray(values, dtype=float)
    return f"{a.mean():.3f} ± {a.std(ddof=1) if len(a) > 1 else 0.0:.3f}"


def _kcs(split: str) -> pd.DataFrame:
    from border21.targeting.io import read_kcs

    return read_kcs(KCS, split)


class RawLightGBM:
    """Reference: default LGBMClassifier on label-coded raw columns (no engineering)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def _x(self, df: pd.DataFrame) -> pd.DataFrame:
        from border21.targeting.records import CATEGORICAL_COLUMNS, NUMERIC_COLUMNS

        out = pd.DataFrame(
            {c: df[c].to_numpy(dtype=float, na_value=np.nan) for c in NUMERIC_COLUMNS}
        )
        for c in CATEGORICAL_COLUMNS:
            out[c] = self.cats_[c].get_indexer(df[c].to_numpy())
        return out

    def fit(self, df: pd.DataFrame) -> RawLightGBM:
        import lightgbm as lgb

        from border21.targeting.records import CATEGORICAL_COLUMNS

        self.cats_ = {c: pd.Index(pd.unique(df[c])) for c in CATEGORICAL_COLUMNS}
        self.m_ = lgb.LGBMClassifier(n_jobs=1, verbose=-1, random_state=self.seed)
        self.m_.fit(self._x(df), df["fraud"])
        return self

    def risk_score(self, df: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.m_.predict_proba(self._x(df))[:, 1])


def _offline_one(args: tuple[str, int]) -> dict[str, float]:
    from sklearn.metrics import roc_auc_score

    from border21.targeting.metrics import precision_recall_at
    from border21.targeting.models import EntityProfileModel, LightGBMRiskModel

    name, seed = args
    factories: dict[str, Callable[[int], Any]] = {
        "border21 LightGBM (time-ordered encodings)": lambda s: LightGBMRiskModel(random_state=s),
        "border21 LightGBM (k-fold encodings)": lambda s: LightGBMRiskModel(
            random_state=s, encoding="kfold"
        ),
        "entity-profile baseline": lambda s: EntityProfileModel(random_state=s),
        "default LightGBM, raw columns": RawLightGBM,
    }
    train, test = _kcs("train"), _kcs("test")
    t0 = time.perf_counter()
    model = factories[name](seed).fit(train)
    fit_s = time.perf_counter() - t0
    scores = model.risk_score(test)
    y = test["fraud"].to_numpy()
    row = {"auc": float(roc_auc_score(y, scores)), "fit_s": fit_s}
    for r in BUDGETS:
        p, rec = precision_recall_at(y, scores, r)
        row[f"p@{r}%"], row[f"r@{r}%"] = p, rec
    return row


def offline(seeds: int, jobs: int) -> None:
    names = [
        "border21 LightGBM (time-ordered encodings)",
        "border21 LightGBM (k-fold encodings)",
        "entity-profile baseline",
        "default LightGBM, raw columns",
    ]
    tasks = [(n, s) for n in names for s in range(seeds)]
    with ProcessPoolExecutor(jobs) as pool:
        results = list(pool.map(_offline_one, tasks))
    cols = ["auc"] + [f"p@{r}%" for r in BUDGETS] + [f"r@{r}%" for r in BUDGETS] + ["fit_s"]
    print(f"\n### Offline, KCS test 2021-Q2 (train 2020), {seeds} seeds, mean ± sd\n")
    print("| model | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for n in names:
        rows = [r for (tn, _), r in zip(tasks, results, strict=True) if tn == n]
        print(f"| {n} | " + " | ".join(_ms([r[c] for r in rows]) for c in cols) + " |")


def speed() -> None:
    from border21.targeting.models import LightGBMRiskModel
    from border21.targeting.records import validate_declarations

    train, test = _kcs("train"), _kcs("test")
    fits = []
    for seed in range(3):
        t0 = time.perf_counter()
        model = LightGBMRiskModel(random_state=seed).fit(train)
        fits.append(time.perf_counter() - t0)
    big = validate_declarations(pd.concat([test] * 24, ignore_index=True))
    model.risk_score(big.head(30_000))  # JIT warm-up of the compiled tree walker
    rates, cpu_rates = [], []
    for _ in range(5):
        t0, c0 = time.perf_counter(), time.process_time()
        model.risk_score(big)
        rates.append(len(big) / (time.perf_counter() - t0))
        cpu_rates.append(len(big) / (time.process_time() - c0))
    load = os.getloadavg()[0]
    print(f"\n### Speed (one thread; 1-min load average {load:.1f} on {os.cpu_count()} CPUs)\n")
    print(f"fit on {len(train):,} rows: {_ms(fits)} s wall (3 fits)")
    print(
        f"score {len(big):,} rows: wall median {np.median(rates):,.0f} rows/s "
        f"(best {max(rates):,.0f}); per CPU-second median {np.median(cpu_rates):,.0f} rows/s "
        f"(best {max(cpu_rates):,.0f}) (5 runs)"
    )


def _online_one(args: tuple[str, int]) -> dict[str, float]:
    from border21.targeting.models import LightGBMRiskModel
    from border21.targeting.online import run_online
    from border21.targeting.policies import ExplorationPolicy, GreedyPolicy, UncertaintyPolicy

    name, seed = args
    policies = {
        "greedy": GreedyPolicy(seed=seed),
        "greedy + 10% random": ExplorationPolicy(explore_share=0.1, seed=seed),
        "greedy + 10% uncertainty": UncertaintyPolicy(explore_share=0.1, seed=seed),
    }
    data = pd.concat([_kcs(s) for s in ("train", "valid", "test")], ignore_index=True)
    res = run_online(data, LightGBMRiskModel(random_state=seed), policies[name], budget_pct=5)
    w = res.weeks
    return {
        "precision_last13": res.mean_last("precision", 13),
        "recall_last13": res.mean_last("recall", 13),
        "norm_precision_last13": res.mean_last("normalised_precision", 13),
        "licit_per_1000_last13": res.mean_last("licit_per_1000", 13),
        "precision_all": float(w["precision"].mean()),
    }


def online(seeds: int, jobs: int) -> None:
    names = ["greedy", "greedy + 10% random", "greedy + 10% uncertainty"]
    tasks = [(n, s) for n in names for s in range(seeds)]
    with ProcessPoolExecutor(jobs) as pool:
        results = list(pool.map(_online_one, tasks))
    cols = list(results[0])
    print(f"\n### Online, KCS 2020-01 → 2021-06, 14-day warm start, weekly, 5 %, {seeds} seeds\n")
    print("| policy | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for n in names:
        rows = [r for (tn, _), r in zip(tasks, results, strict=True) if tn == n]
        print(f"| {n} | " + " | ".join(_ms([r[c] for r in rows]) for c in cols) + " |")


def _coop_one(seed: int) -> dict[str, float]:
    from border21.targeting.cooperation import compare_cooperation
    from border21.targeting.generator import TrafficConfig, generate_traffic

    res = compare_cooperation(generate_traffic(TrafficConfig(), seed=seed), budget_pct=5, seed=seed)
    out: dict[str, float] = {}
    for _, r in res.table.iterrows():
        out[f"{r['agency']} {r['regime']} precision"] = r["precision"]
    for regime in ("shared_profiles", "pooled"):
        for agency, v in res.lift(regime).items():
            out[f"{agency} lift {regime}"] = float(v)
    return out


def coop(seeds: int, jobs: int) -> None:
    with ProcessPoolExecutor(jobs) as pool:
        results = list(pool.map(_coop_one, range(seeds)))
    print(f"\n### Cooperation, generator defaults (20k shipments), 5 % budget, {seeds} seeds\n")
    print("| quantity | mean ± sd |\n|---|---|")
    for k in results[0]:
        print(f"| {k} | {_ms([r[k] for r in results])} |")


def _drift_one(args: tuple[str, int, bool]) -> dict[str, float]:
    from border21.targeting.generator import TrafficConfig, generate_traffic
    from border21.targeting.models import LightGBMRiskModel
    from border21.targeting.online import run_online
    from border21.targeting.policies import ExplorationPolicy, GreedyPolicy, UncertaintyPolicy

    name, seed, undervalues = args
    pol = {
        "greedy": GreedyPolicy(seed=seed),
        "greedy + 10% random": ExplorationPolicy(0.1, seed=seed),
        "greedy + 10% uncertainty": UncertaintyPolicy(0.1, seed=seed),
    }[name]
    cfg = TrafficConfig(
        n_shipments=15_000, days=182, drift_start="2024-04-01", drift_undervalues=undervalues
    )
    us = generate_traffic(cfg, seed=seed).us
    res = run_online(us, LightGBMRiskModel(random_state=seed), pol, budget_pct=5)
    weeks = res.weeks_to_catch(0.5)
    return {
        "weeks_to_catch": float(weeks) if weeks is not None else float("nan"),
        "caught": float(weeks is not None),
        "precision_last8": res.mean_last("precision", 8),
    }


def drift(seeds: int, jobs: int) -> None:
    names = ["greedy", "greedy + 10% random", "greedy + 10% uncertainty"]
    for undervalues in (True, False):
        tasks = [(n, s, undervalues) for n in names for s in range(seeds)]
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(_drift_one, tasks))
        kind = "undervalues" if undervalues else "declares true values (hidden)"
        print(f"\n### Drift recovery, generator (drift from 2024-04-01, new pattern {kind}), ")
        print(f"5 %, {seeds} seeds\n")
        print(
            "| policy | caught (share of seeds) | weeks to catch (caught seeds) "
            "| precision last 8 weeks |"
        )
        print("|---|---|---|---|")
        for n in names:
            rows = [r for (tn, _, _), r in zip(tasks, results, strict=True) if tn == n]
            w = [r["weeks_to_catch"] for r in rows if r["caught"]]
            print(
                f"| {n} | {np.mean([r['caught'] for r in rows]):.2f} | {_ms(w) if w else 'never'} "
                f"| {_ms([r['precision_last8'] for r in rows])} |"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--section", default="all", choices=["all", "offline", "speed", "online", "coop", "drift"]
    )
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    t0 = time.perf_counter()
    if a.section in ("all", "offline"):
        offline(a.seeds, a.jobs)
    if a.section in ("all", "speed"):
        speed()
    if a.section in ("all", "online"):
        online(a.seeds, a.jobs)
    if a.section in ("all", "coop"):
        coop(a.seeds, a.jobs)
    if a.section in ("all", "drift"):
        drift(a.seeds, a.jobs)
    print(f"\n(total {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
