"""The online loop: select, inspect, learn only from what was inspected.

Warm start: every declaration of the first ``warm_start_days`` is labelled
(historical inspections). Then, per batch of ``batch_days``: refit a fresh
clone of the model on the labels revealed so far, score the batch, select at
the budget, reveal labels *only* for the selected items, record metrics.

>>> from border21.targeting.generator import generate_declarations
>>> from border21.targeting.models import EntityProfileModel
>>> from border21.targeting.policies import GreedyPolicy
>>> df = generate_declarations(1_500, seed=2)
>>> res = run_online(df, EntityProfileModel(), GreedyPolicy(), budget_pct=10, batch_days=28)
>>> list(res.weeks.columns[:4])
['week', 'start', 'n', 'n_inspected']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from border21.errors import InputError
from border21.i18n.message import Message
from border21.targeting.metrics import selection_metrics
from border21.targeting.policies import GreedyPolicy, UncertaintyPolicy, check_budget
from border21.targeting.records import validate_declarations


@dataclass(frozen=True)
class OnlineResult:
    """Per-batch metrics of one online run (one row per week)."""

    weeks: pd.DataFrame
    policy: str
    budget_pct: float
    drift_start: pd.Timestamp | None

    def mean_last(self, metric: str = "precision", n_weeks: int = 13) -> float:
        """Mean of ``metric`` over the last ``n_weeks`` batches."""
        if metric not in self.weeks.columns:
            raise InputError(
                "metric", metric, Message("one of {columns}", columns=list(self.weeks.columns))
            )
        return float(self.weeks[metric].tail(n_weeks).mean())

    def weeks_to_catch(self, threshold: float = 0.5) -> int | None:
        """Weeks from the drift start until the new pattern's recall ≥ ``threshold``.

        Week 1 is the first batch containing drift-pattern frauds; ``None`` if
        there is no drift or it is never caught.
        """
        w = self.weeks
        if "pattern_recall" not in w.columns:
            return None
        active = w[w["pattern_frauds"] > 0].reset_index(drop=True)
        hit = np.flatnonzero(active["pattern_recall"].to_numpy() >= threshold)
        return int(hit[0]) + 1 if len(hit) else None


def run_online(
    declarations: pd.DataFrame,
    model: Any,
    policy: GreedyPolicy,
    *,
    budget_pct: float = 5.0,
    warm_start_days: int = 14,
    batch_days: int = 7,
    pattern_column: str = "pattern",
    drift_pattern: str = "drift",
) -> OnlineResult:
    """Run the selective-labels loop over ``declarations`` in date order.

    ``model`` is any estimator of :mod:`~border21.targeting.models` (cloned
    each batch); ``policy`` is cloned from its parameters, so its seed makes
    the run reproducible. Metrics use the hidden labels of *all* rows.
    """
    check_budget(budget_pct)
    if warm_start_days < 1 or batch_days < 1:
        raise InputError(
            "warm_start_days/batch_days", (warm_start_days, batch_days), Message("must be >= 1")
        )
    df = validate_declarations(declarations, require_label=True, source="online")
    df = df.sort_values("date", kind="stable").reset_index(drop=True)
    if len(df) == 0:
        raise InputError("declarations", 0, Message("empty: nothing to run"))
    policy = type(policy)(**policy.get_params())
    day = (df["date"] - df["date"].min()).dt.days.to_numpy()
    labelled = day < warm_start_days
    batch = np.where(labelled, -1, (day - warm_start_days) // batch_days)
    y = df["fraud"].to_numpy(dtype=float)
    revenue = df["revenue"].to_numpy(dtype=float) if "revenue" in df.columns else None
    pattern = (
        df[pattern_column].astype(str).to_numpy() == drift_pattern if pattern_column in df else None
    )
    rows = []
    for week in range(int(batch.max()) + 1):
        idx = np.flatnonzero(batch == week)
        if len(idx) == 0:
            continue
        fitted = clone(model).fit(df[labelled], y[labelled])
        part = df.iloc[idx]
        scores = fitted.risk_score(part)
        unc = fitted.uncertainty(part) if isinstance(policy, UncertaintyPolicy) else None
        chosen = idx[policy.select(scores, budget_pct, uncertainty=unc)]
        labelled[chosen] = True
        m = selection_metrics(
            y[idx], np.searchsorted(idx, chosen), None if revenue is None else revenue[idx]
        )
        row: dict[str, Any] = {"week": week + 1, "start": df["date"].iloc[idx[0]].normalize()}
        row.update(m.as_dict())
        if pattern is not None and pattern.any():
            target = pattern[idx] & (y[idx] == 1)
            row["pattern_frauds"] = int(target.sum())
            found = np.isin(idx[target], chosen).sum()
            row["pattern_recall"] = found / target.sum() if target.sum() else np.nan
        rows.append(row)
    drift = df.loc[pattern, "date"].min() if pattern is not None and pattern.any() else None
    return OnlineResult(pd.DataFrame(rows), type(policy).__name__, float(budget_pct), drift)
