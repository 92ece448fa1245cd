"""Seeded synthetic binational declarations with a hidden fraud flag.

The generator draws shipments between Mexican exporters and US importers and
emits what each agency would see:

* **US** (CBP, import side): importer, broker (``declarant_id``), seller =
  Mexican exporter, carrier (``courier_id``), HS6, port, origin, value in USD,
  mass, quantity and duty rate; outcome ``fraud`` and ``revenue`` (duty and
  penalty recovered if inspected).
* **MX** (export side, *pedimento de exportación*): exporter (``seller_id``),
  consignee = the US importer (``importer_id``), *agente aduanal*
  (``declarant_id``), carrier, HS6, *aduana*, value in MXN and mass — no
  quantity, duty rate or origin; outcome ``fraud`` only.

Fraud is driven by latent trader risk (shared across the border: the same
exporter and importer appear on both sides), HS-code risk, route (port)
risk and broker risk. US-side fraud usually undervalues; MX-side fraud
overvalues exports. A *concept-drift switch* starts a new pattern on
``drift_start``: previously unseen importers ship a low-risk HS chapter
through one port, mostly fraudulently (``pattern == "drift"``); with
``drift_undervalues=False`` those frauds declare true values, so no existing
feature flags them and only inspection (exploration) can reveal the pattern.

Hidden columns (never to be used as features): ``fraud``, ``revenue``,
``pattern``, ``shipment_id``, ``true_value``.

>>> df = generate_declarations(1_000, seed=7)
>>> len(df), sorted(df["pattern"].unique())
(1000, ['base'])
>>> bool(generate_declarations(1_000, seed=7).equals(df))
True
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from border21.errors import InputError
from border21.i18n.message import Message

SeedLike = int | np.random.Generator | None
Agency = Literal["US", "MX"]
MXN_PER_USD = 17.0


@dataclass(frozen=True, kw_only=True)
class TrafficConfig:
    """Parameters of the synthetic traffic (all counts are totals).

    >>> TrafficConfig(n_shipments=500).days
    182
    """

    n_shipments: int = 20_000
    start: str = "2024-01-01"
    days: int = 182
    n_importers: int = 1_500
    n_exporters: int = 1_200
    n_brokers: int = 120
    n_ports: int = 8
    n_hs: int = 400
    trader_risk_sd: float = 1.3
    us_fraud_rate: float = 0.08
    mx_fraud_rate: float = 0.06
    cross_border_risk_weight: float = 0.8
    overlap_share: float = 0.7
    drift_start: str | None = None
    drift_share: float = 0.03
    drift_fraud_rate: float = 0.8
    drift_undervalues: bool = True

    def validate(self) -> TrafficConfig:
        """Return self, or raise InputError naming the bad field."""
        for name in (
            "n_shipments",
            "days",
            "n_importers",
            "n_exporters",
            "n_brokers",
            "n_ports",
            "n_hs",
        ):
            if getattr(self, name) < 1:
                raise InputError(f"traffic.{name}", getattr(self, name), Message("must be >= 1"))
        for name in (
            "us_fraud_rate",
            "mx_fraud_rate",
            "overlap_share",
            "drift_share",
            "drift_fraud_rate",
        ):
            if not 0 <= getattr(self, name) <= 1:
                raise InputError(
                    f"traffic.{name}", getattr(self, name), Message("must be in [0, 1]")
                )
        try:
            pd.Timestamp(self.start)
            if self.drift_start is not None:
                pd.Timestamp(self.drift_start)
        except ValueError:
            raise InputError("traffic.start", self.start, Message("not a date")) from None
        return self


@dataclass(frozen=True)
class BinationalTraffic:
    """What each agency sees: two frames in the border21 declaration schema."""

    us: pd.DataFrame
    mx: pd.DataFrame
    config: TrafficConfig
    seed: int | None

    def agency(self, name: Agency) -> pd.DataFrame:
        """The frame of agency ``"US"`` or ``"MX"``."""
        if name not in ("US", "MX"):
            raise InputError("agency", name, Message("must be 'US' or 'MX'"))
        return self.us if name == "US" else self.mx


def generate_traffic(
    config: TrafficConfig | None = None, seed: SeedLike = None
) -> BinationalTraffic:
    """Generate both agencies' declarations (pure; same seed → same frames)."""
    cfg = (config or TrafficConfig()).validate()
    rng = np.random.default_rng(seed)
    ship = _shipments(cfg, rng)
    visible = rng.random(cfg.n_shipments)
    one_side = (1 - cfg.overlap_share) / 2
    us_mask = visible >= one_side  # US-only, both
    mx_mask = (visible < one_side) | (visible >= 2 * one_side)  # MX-only, both
    us_mask |= ship["pattern"] == "drift"  # the drift pattern is a US-import phenomenon
    return BinationalTraffic(
        us=_us_view(ship[us_mask].reset_index(drop=True)),
        mx=_mx_view(ship[mx_mask].reset_index(drop=True)),
        config=cfg,
        seed=seed if isinstance(seed, int) else None,
    )


def generate_declarations(
    n: int, *, seed: SeedLike = None, agency: Agency = "US", config: TrafficConfig | None = None
) -> pd.DataFrame:
    """Exactly ``n`` synthetic declarations of one agency, with hidden ``fraud``.

    The entry point for coupling to the port simulator: each row is one
    crossing's declaration; ``fraud`` is the hidden carrier flag.
    """
    if n < 0:
        raise InputError("n", n, Message("must be >= 0"))
    cfg = replace(config or TrafficConfig(), n_shipments=max(n, 1), overlap_share=1.0)
    frame = generate_traffic(cfg, seed).agency(agency)
    return frame.iloc[:n].reset_index(drop=True)


def _logistic(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-z)))


def _calibrated(logit: np.ndarray, rate: float) -> np.ndarray:
    """Shift ``logit`` so the mean probability equals ``rate`` (bisection)."""
    if rate <= 0 or rate >= 1:
        return np.full(len(logit), float(rate))
    lo, hi = -30.0, 30.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if _logistic(logit + mid).mean() < rate:
            lo = mid
        else:
            hi = mid
    return _logistic(logit + (lo + hi) / 2)


def _shipments(cfg: TrafficConfig, rng: np.random.Generator) -> pd.DataFrame:
    n = cfg.n_shipments
    sd = cfg.trader_risk_sd
    imp_risk = rng.normal(0, sd, cfg.n_importers)
    exp_risk = rng.normal(0, sd, cfg.n_exporters)
    broker_risk = rng.normal(0, 0.5, cfg.n_brokers)
    port_risk = rng.normal(0, 0.4, cfg.n_ports)
    hs_codes = _hs_catalogue(cfg.n_hs, rng)
    hs_risk = rng.normal(0, 0.8, cfg.n_hs)
    hs_unit_usd = np.exp(rng.normal(2.0, 1.0, cfg.n_hs))
    hs_duty = rng.choice([0.0, 2.5, 5.0, 10.0, 25.0], cfg.n_hs, p=[0.3, 0.2, 0.2, 0.2, 0.1])
    exp_activity = rng.lognormal(0, 1.2, cfg.n_exporters)
    imp_activity = rng.lognormal(0, 1.2, cfg.n_importers)
    partners = rng.choice(
        cfg.n_importers, (cfg.n_exporters, 3), p=imp_activity / imp_activity.sum()
    )
    exp_hs = rng.integers(0, cfg.n_hs, (cfg.n_exporters, 5))
    exp_port = rng.integers(0, cfg.n_ports, cfg.n_exporters)
    imp_broker = rng.integers(0, cfg.n_brokers, cfg.n_importers)
    exp_agent = rng.integers(0, cfg.n_brokers, cfg.n_exporters)
    exp_carrier = rng.integers(0, max(cfg.n_exporters // 20, 1), cfg.n_exporters)

    day = np.sort(rng.integers(0, cfg.days, n))
    e = rng.choice(cfg.n_exporters, n, p=exp_activity / exp_activity.sum())
    i = partners[e, rng.integers(0, 3, n)]
    h = np.where(
        rng.random(n) < 0.8, exp_hs[e, rng.integers(0, 5, n)], rng.integers(0, cfg.n_hs, n)
    )
    p = np.where(rng.random(n) < 0.85, exp_port[e], rng.integers(0, cfg.n_ports, n))
    mass = np.round(rng.lognormal(6.0, 1.2, n), 1)
    true_usd = mass * hs_unit_usd[h] * rng.lognormal(0, 0.3, n)
    w = cfg.cross_border_risk_weight
    p_us = _calibrated(
        imp_risk[i] + w * exp_risk[e] + hs_risk[h] + port_risk[p] + broker_risk[imp_broker[i]],
        cfg.us_fraud_rate,
    )
    p_mx = _calibrated(
        exp_risk[e] + w * imp_risk[i] + 0.5 * hs_risk[h] + port_risk[p] + broker_risk[exp_agent[e]],
        cfg.mx_fraud_rate,
    )
    fraud_us = (rng.random(n) < p_us).astype(np.int64)
    fraud_mx = (rng.random(n) < p_mx).astype(np.int64)
    frame = pd.DataFrame(
        {
            "shipment_id": np.arange(n),
            "day": day,
            "exporter": e,
            "importer": i.astype(str),
            "hs6": hs_codes[h],
            "port": p,
            "broker": imp_broker[i],
            "agent": exp_agent[e],
            "carrier": exp_carrier[e],
            "mass": mass,
            "quantity": np.maximum(1, np.round(mass / rng.lognormal(1.0, 0.8, n))),
            "true_usd": true_usd,
            "duty": hs_duty[h],
            "origin": np.where(rng.random(n) < 0.9, "MX", rng.choice(["CN", "US", "KR", "VN"], n)),
            "mode": np.where(rng.random(n) < 0.85, "truck", "rail"),
            "fraud_us": fraud_us,
            "fraud_mx": fraud_mx,
            "pattern": "base",
        }
    )
    frame["importer"] = "I" + pd.Series(i).map("{:05d}".format)
    if cfg.drift_start is not None:
        _inject_drift(frame, cfg, rng, hs_codes, hs_risk, hs_unit_usd)
    frame["under"] = np.where(frame["fraud_us"] == 1, rng.uniform(0.3, 0.7, n), 1.0)
    if not cfg.drift_undervalues:  # the new pattern hides in the declared value too
        frame.loc[frame["pattern"] == "drift", "under"] = 1.0
    frame["over"] = np.where(frame["fraud_mx"] == 1, rng.uniform(1.3, 2.0, n), 1.0)
    frame["date"] = pd.Timestamp(cfg.start) + pd.to_timedelta(frame["day"], unit="D")
    return frame


def _hs_catalogue(n_hs: int, rng: np.random.Generator) -> np.ndarray:
    chapters = rng.choice(np.arange(1, 98), size=max(n_hs // 10, 1), replace=False)
    ch = rng.choice(chapters, n_hs)
    codes = ch * 10_000 + rng.integers(100, 9_999, n_hs)
    return np.array([f"{c:06d}" for c in codes])


def _inject_drift(
    frame: pd.DataFrame,
    cfg: TrafficConfig,
    rng: np.random.Generator,
    hs_codes: np.ndarray,
    hs_risk: np.ndarray,
    hs_unit_usd: np.ndarray,
) -> None:
    drift_day = (pd.Timestamp(cfg.drift_start) - pd.Timestamp(cfg.start)).days
    after = np.flatnonzero(frame["day"].to_numpy() >= drift_day)
    chosen = after[rng.random(len(after)) < cfg.drift_share]
    if len(chosen) == 0:
        return
    safe_hs = np.argsort(hs_risk)[:3]  # a low-risk corner of the tariff
    h = rng.choice(safe_hs, len(chosen))
    frame.loc[chosen, "hs6"] = hs_codes[h]
    frame.loc[chosen, "true_usd"] = frame.loc[chosen, "mass"].to_numpy() * hs_unit_usd[h]
    frame.loc[chosen, "port"] = 0
    frame.loc[chosen, "importer"] = [f"N{k:04d}" for k in rng.integers(0, 40, len(chosen))]
    frame.loc[chosen, "fraud_us"] = (rng.random(len(chosen)) < cfg.drift_fraud_rate).astype(
        np.int64
    )
    frame.loc[chosen, "pattern"] = "drift"


def _us_view(s: pd.DataFrame) -> pd.DataFrame:
    declared = s["true_usd"] * s["under"]
    penalty = 0.1 * s["true_usd"]
    return pd.DataFrame(
        {
            "declaration_id": "US" + s["shipment_id"].map("{:07d}".format),
            "date": s["date"],
            "office_id": "US-P" + s["port"].astype(str),
            "importer_id": s["importer"],
            "declarant_id": "BR" + s["broker"].map("{:03d}".format),
            "seller_id": "E" + s["exporter"].map("{:05d}".format),
            "courier_id": "C" + s["carrier"].map("{:04d}".format),
            "hs6": s["hs6"],
            "origin_country": s["origin"],
            "transport_mode": s["mode"],
            "value": declared.round(2),
            "net_mass_kg": s["mass"],
            "quantity": s["quantity"],
            "tax_rate": s["duty"],
            "fraud": s["fraud_us"],
            "revenue": (
                s["fraud_us"] * ((s["true_usd"] - declared) * s["duty"] / 100 + penalty)
            ).round(2),
            "pattern": s["pattern"],
            "shipment_id": s["shipment_id"],
            "true_value": s["true_usd"].round(2),
        }
    )


def _mx_view(s: pd.DataFrame) -> pd.DataFrame:
    declared = s["true_usd"] * s["over"] * MXN_PER_USD
    return pd.DataFrame(
        {
            "declaration_id": "MX" + s["shipment_id"].map("{:07d}".format),
            "date": s["date"],
            "office_id": "MX-A" + s["port"].astype(str),
            "importer_id": s["importer"],
            "declarant_id": "AA" + s["agent"].map("{:03d}".format),
            "seller_id": "E" + s["exporter"].map("{:05d}".format),
            "courier_id": "C" + s["carrier"].map("{:04d}".format),
            "hs6": s["hs6"],
            "transport_mode": s["mode"],
            "value": declared.round(2),
            "net_mass_kg": s["mass"],
            "fraud": s["fraud_mx"],
            "pattern": "base",
            "shipment_id": s["shipment_id"],
            "true_value": (s["true_usd"] * MXN_PER_USD).round(2),
        }
    )
