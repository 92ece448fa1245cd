"""Risk for crossings: declarations from the targeting generator, a trained model, budgets.

Each crossing of a governed stream (a truck, say) carries one declaration
drawn from a pool of synthetic binational traffic; its hidden ``fraud`` flag
is the crossing's carrier flag and the model's risk score is what a targeted
referral policy sees. The model is trained on *history*: earlier traffic of
which only a random share was inspected (selective labels). With shared
intelligence, the US model also sees the Mexican agency's per-trader
profiles, keyed by HMAC so that no raw trader ID crosses the border.

Building a :class:`CrossingRisk` generates traffic and trains a model (a few
seconds); assigning declarations to crossings is then a NumPy gather.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from border21.errors import InputError
from border21.frontier.policies import budget_threshold, check_rate
from border21.i18n.message import Message


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskSetup:
    """How the synthetic traffic and the model behind targeted referral are made.

    ``carrier_rate`` is the share of governed crossings whose declaration is
    fraudulent or that carry contraband (an assumption: CBP does not publish
    hit rates by port; a few percent is the order of the KCS data's fraud
    share, ../shared/data/customs).
    """

    carrier_rate: float = 0.02
    history_shipments: int = 40_000
    pool_shipments: int = 40_000
    history_inspection_share: float = 0.2
    shared_intelligence: bool = False
    secret: bytes = b"border21-frontier"

    def __post_init__(self) -> None:
        if not 0 < self.carrier_rate < 1:
            raise InputError("carrier_rate", self.carrier_rate, Message("must be in (0, 1)"))
        check_rate(self.history_inspection_share, "history_inspection_share")
        for name in ("history_shipments", "pool_shipments"):
            if getattr(self, name) < 1000:
                raise InputError(name, getattr(self, name), Message("must be at least 1000"))


@dataclass(frozen=True, slots=True)
class RiskPool:
    """Scored declarations with their hidden carrier flags: small, picklable, shippable.

    >>> pool = RiskPool(carrier=np.array([True, False]), scores=np.array([0.9, 0.1]))
    >>> pool.threshold(0.5)
    0.9
    """

    carrier: np.ndarray
    scores: np.ndarray

    def threshold(self, rate: float) -> float:
        """Score threshold that refers a share ``rate`` of recent traffic."""
        return budget_threshold(self.scores, rate)

    def assign(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Carrier flags and risk scores for ``n`` crossings (drawn from the pool)."""
        idx = rng.integers(0, self.carrier.shape[0], size=n)
        return self.carrier[idx], self.scores[idx]

    def auc(self) -> float:
        """Ranking quality of the scores (for reports)."""
        from sklearn.metrics import roc_auc_score

        return float(roc_auc_score(self.carrier, self.scores))


class CrossingRisk:
    """Trains the model on history and scores a pool of declarations (:attr:`pool`).

    >>> risk = CrossingRisk(RiskSetup(history_shipments=4000, pool_shipments=4000), seed=1)
    >>> carrier, score = risk.pool.assign(10, np.random.default_rng(0))
    >>> carrier.shape, score.shape
    ((10,), (10,))
    """

    def __init__(self, setup: RiskSetup | None = None, *, seed: int | None = 0) -> None:
        from border21.targeting.cooperation import (
            SharingAgreement,
            attach_profiles,
            build_profiles,
        )
        from border21.targeting.generator import TrafficConfig, generate_traffic
        from border21.targeting.models import LightGBMRiskModel

        self.setup = setup or RiskSetup()
        s = self.setup
        rng = np.random.default_rng(seed)
        n = s.history_shipments + s.pool_shipments
        traffic = generate_traffic(
            TrafficConfig(n_shipments=n, us_fraud_rate=s.carrier_rate),
            seed=int(rng.integers(2**31 - 1)),
        )
        us, mx = traffic.us, traffic.mx
        cut = us["date"].quantile(s.history_shipments / n)
        us_hist, us_pool = us[us["date"] < cut], us[us["date"] >= cut].reset_index(drop=True)
        inspected = rng.random(len(us_hist)) < s.history_inspection_share
        train = us_hist[inspected]
        pool = us_pool
        if s.shared_intelligence:
            agreement = SharingAgreement(secret=s.secret)
            mx_hist = mx[mx["date"] < cut]
            mx_seen = mx_hist[rng.random(len(mx_hist)) < s.history_inspection_share]
            profiles = build_profiles(mx_seen, agreement)
            train = attach_profiles(train, profiles, agreement)
            pool = attach_profiles(pool, profiles, agreement)
        model = LightGBMRiskModel(random_state=int(rng.integers(2**31 - 1)), n_jobs=1)
        model.fit(train)
        self.model = model
        self.pool = RiskPool(
            carrier=pool["fraud"].to_numpy(dtype=bool),
            scores=np.asarray(model.risk_score(pool), dtype=float),
        )
