"""Selection policies: which declarations to inspect under a budget of r %.

The budget is exact: ``k = floor(n · r / 100)`` items (computed in integer
arithmetic on ``r`` rounded to 10⁻⁶ %), never more. Ties in the score are
broken by row position (earlier row first), so a selection is a pure function
of ``(scores, budget, seed)``. NaN scores rank last.

>>> import numpy as np
>>> budget_count(8481, 5)
424
>>> top_k(np.array([0.2, 0.9, 0.9, 0.1]), 2).tolist()
[1, 2]
>>> GreedyPolicy().select(np.array([0.2, 0.9, 0.5, 0.1]), budget_pct=50).tolist()
[1, 2]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from border21.errors import InputError
from border21.i18n.message import Message

SeedLike = int | np.random.Generator | None


def check_budget(budget_pct: float) -> float:
    """Validate an inspection budget in percent: a finite number in (0, 100]."""
    try:
        value = float(budget_pct)
    except (TypeError, ValueError):
        raise InputError("budget", budget_pct, Message("must be a number in (0, 100]")) from None
    if not math.isfinite(value) or not 0 < value <= 100:
        raise InputError("budget", budget_pct, Message("must be in (0, 100] percent"))
    return value


def budget_count(n: int, budget_pct: float) -> int:
    """Number of inspections allowed for ``n`` declarations at ``budget_pct`` %."""
    micro = round(check_budget(budget_pct) * 1_000_000)
    return (int(n) * micro) // 100_000_000


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest scores, descending; ties → lower index first."""
    s = np.asarray(scores, dtype=float)
    k = max(0, min(int(k), len(s)))
    if k == 0:
        return np.empty(0, dtype=np.int64)
    key = np.where(np.isnan(s), -np.inf, s)
    if k < len(s) // 4:
        # argpartition to a candidate set containing every tie at the boundary
        kth = np.partition(-key, k - 1)[k - 1]
        cand = np.flatnonzero(-key <= kth)
        order = cand[np.lexsort((cand, -key[cand]))]
        return order[:k].astype(np.int64)
    return np.argsort(-key, kind="stable")[:k].astype(np.int64)


class GreedyPolicy:
    """Inspect the ``k`` highest-risk declarations."""

    def __init__(self, seed: SeedLike = None) -> None:
        self.seed = seed

    def select(
        self, scores: np.ndarray, budget_pct: float, *, uncertainty: np.ndarray | None = None
    ) -> np.ndarray:
        """Indices to inspect (exact top-k)."""
        return top_k(scores, budget_count(len(scores), budget_pct))

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters (scikit-learn style)."""
        return {k: getattr(self, k) for k in self._param_names()}

    @classmethod
    def _param_names(cls) -> tuple[str, ...]:
        return ("seed",)


class ExplorationPolicy(GreedyPolicy):
    """Greedy for ``1 − explore_share`` of the budget, uniform random for the rest.

    The random share is drawn from the items the greedy part left out, with
    the policy's own generator (created from ``seed`` on first use).

    >>> p = ExplorationPolicy(explore_share=0.5, seed=0)
    >>> sorted(p.select(np.arange(10.0), budget_pct=40).tolist())[-2:]
    [8, 9]
    """

    def __init__(self, explore_share: float = 0.1, seed: SeedLike = None) -> None:
        self.explore_share = explore_share
        self.seed = seed

    @classmethod
    def _param_names(cls) -> tuple[str, ...]:
        return ("explore_share", "seed")

    def _rng(self) -> np.random.Generator:
        if not hasattr(self, "rng_"):
            self.rng_ = np.random.default_rng(self.seed)
        return self.rng_

    def _split(self, n: int, budget_pct: float) -> tuple[int, int]:
        if not 0 <= self.explore_share <= 1:
            raise InputError("explore_share", self.explore_share, Message("must be in [0, 1]"))
        k = budget_count(n, budget_pct)
        n_explore = int(round(k * self.explore_share))
        return k - n_explore, n_explore

    def select(
        self, scores: np.ndarray, budget_pct: float, *, uncertainty: np.ndarray | None = None
    ) -> np.ndarray:
        """Greedy top items, then a seeded random sample of the rest."""
        n_greedy, n_explore = self._split(len(scores), budget_pct)
        greedy = top_k(scores, n_greedy)
        rest = np.setdiff1d(np.arange(len(scores)), greedy, assume_unique=True)
        extra = self._explore(np.asarray(scores, dtype=float), rest, n_explore, uncertainty)
        return np.concatenate([greedy, extra]).astype(np.int64)

    def _explore(
        self, scores: np.ndarray, rest: np.ndarray, n: int, uncertainty: np.ndarray | None
    ) -> np.ndarray:
        return np.sort(self._rng().choice(rest, size=min(n, len(rest)), replace=False))


class UncertaintyPolicy(ExplorationPolicy):
    """Greedy plus exploration slots for the most *uncertain* remaining items.

    Uncertainty comes from the model (``model.uncertainty(X)``: large for
    mid-range risk on rarely inspected traders); without it, ``p(1 − p)`` of
    the score is used. Ties are broken by a seeded random jitter, so the
    exploration also spreads over equally unknown items (diversity).
    """

    def __init__(self, explore_share: float = 0.1, seed: SeedLike = None) -> None:
        super().__init__(explore_share=explore_share, seed=seed)

    def _explore(
        self, scores: np.ndarray, rest: np.ndarray, n: int, uncertainty: np.ndarray | None
    ) -> np.ndarray:
        if n == 0 or len(rest) == 0:
            return np.empty(0, dtype=np.int64)
        u = (
            np.asarray(uncertainty, dtype=float)
            if uncertainty is not None
            else scores * (1 - scores)
        )
        u = np.nan_to_num(u[rest], nan=0.0) + 1e-9 * self._rng().random(len(rest))
        return np.asarray(rest[top_k(u, n)], dtype=np.int64)
