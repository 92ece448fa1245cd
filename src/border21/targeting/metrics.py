"""Metrics of a selection: precision, recall, revenue share, trade burden.

>>> import numpy as np
>>> m = selection_metrics(np.array([1, 0, 1, 0]), np.array([0, 1]))
>>> m.precision, m.recall, m.licit_per_1000
(0.5, 0.5, 250.0)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from border21.targeting.policies import budget_count, top_k


@dataclass(frozen=True)
class SelectionMetrics:
    """Outcome of inspecting ``selected`` among ``n`` declarations."""

    n: int
    n_inspected: int
    n_fraud_found: int
    n_fraud_total: int
    precision: float
    recall: float
    normalised_precision: float
    revenue_share: float
    licit_per_1000: float

    def as_dict(self) -> dict[str, float]:
        """Plain dict (for frames and JSON)."""
        return dict(asdict(self))


def selection_metrics(
    y: np.ndarray, selected: np.ndarray, revenue: np.ndarray | None = None
) -> SelectionMetrics:
    """Metrics of a selection given the (hidden) outcomes of every item.

    ``normalised_precision`` divides by the best precision possible with the
    same number of inspections, ``min(k, frauds) / k``. ``revenue_share`` is
    NaN when ``revenue`` is unknown.
    """
    y = np.asarray(y, dtype=float)
    sel = np.asarray(selected, dtype=np.int64)
    n, k = len(y), len(sel)
    found = float(y[sel].sum()) if k else 0.0
    total = float(y.sum())
    precision = found / k if k else float("nan")
    best = min(k, total) / k if k else float("nan")
    share = float("nan")
    if revenue is not None:
        rev = np.nan_to_num(np.asarray(revenue, dtype=float))
        share = float(rev[sel].sum() / rev.sum()) if rev.sum() > 0 else float("nan")
    return SelectionMetrics(
        n=n,
        n_inspected=k,
        n_fraud_found=int(found),
        n_fraud_total=int(total),
        precision=precision,
        recall=found / total if total else float("nan"),
        normalised_precision=precision / best if best else float("nan"),
        revenue_share=share,
        licit_per_1000=1000.0 * (k - found) / n if n else float("nan"),
    )


def precision_recall_at(
    y: np.ndarray, scores: np.ndarray, budget_pct: float
) -> tuple[float, float]:
    """Precision and recall of the exact top-k at ``budget_pct`` %."""
    sel = top_k(scores, budget_count(len(scores), budget_pct))
    m = selection_metrics(y, sel)
    return m.precision, m.recall
