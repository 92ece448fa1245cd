"""One call to score a batch and pick what to inspect (the coupling API).

>>> from border21.targeting.generator import generate_declarations
>>> from border21.targeting.models import LightGBMRiskModel
>>> history = generate_declarations(3_000, seed=1)
>>> model = LightGBMRiskModel(n_estimators=30, random_state=0).fit(history)
>>> batch = generate_declarations(1_000, seed=2).drop(columns=["fraud"])
>>> sel = select_for_inspection(model, batch, budget_pct=5)
>>> sel.k, int(sel.mask().sum()), len(sel.scores)
(50, 50, 1000)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from border21.targeting.policies import GreedyPolicy, UncertaintyPolicy, check_budget
from border21.targeting.records import validate_declarations


@dataclass(frozen=True)
class Selection:
    """The inspections chosen for one batch.

    ``indices`` are row positions in the batch, in selection order (greedy
    part by descending risk, then exploration picks); ``scores`` holds the
    risk of *every* row.
    """

    indices: np.ndarray
    declaration_ids: np.ndarray
    scores: np.ndarray
    budget_pct: float

    @property
    def k(self) -> int:
        """Number of inspections (exactly ``floor(n · r / 100)``)."""
        return len(self.indices)

    def mask(self) -> np.ndarray:
        """Boolean per batch row: selected for inspection?"""
        out = np.zeros(len(self.scores), dtype=bool)
        out[self.indices] = True
        return out


def select_for_inspection(
    model: Any,
    declarations: pd.DataFrame,
    budget_pct: float,
    *,
    policy: GreedyPolicy | None = None,
) -> Selection:
    """Score ``declarations`` with a fitted model and select at ``budget_pct`` %.

    ``policy`` defaults to greedy exact top-k; pass an
    :class:`~border21.targeting.policies.ExplorationPolicy` or
    :class:`~border21.targeting.policies.UncertaintyPolicy` (seeded) to explore.
    Hidden columns such as ``fraud`` are ignored by the model if present.
    """
    check_budget(budget_pct)
    frame = validate_declarations(declarations)
    pol = policy if policy is not None else GreedyPolicy()
    scores = model.risk_score(frame)
    unc = model.uncertainty(frame) if isinstance(pol, UncertaintyPolicy) and len(frame) else None
    idx = pol.select(scores, budget_pct, uncertainty=unc)
    return Selection(
        indices=idx,
        declaration_ids=frame["declaration_id"].to_numpy()[idx],
        scores=scores,
        budget_pct=float(budget_pct),
    )
