from __future__ import annotations

import pandas as pd
import pytest

from border21.errors import InputError
from border21.targeting.generator import TrafficConfig, generate_declarations, generate_traffic
from border21.targeting.records import validate_declarations

HIDDEN = {"fraud", "revenue", "pattern", "shipment_id", "true_value"}


def test_same_seed_same_traffic() -> None:
    cfg = TrafficConfig(n_shipments=3000, drift_start="2024-04-01")
    a, b = generate_traffic(cfg, seed=4), generate_traffic(cfg, seed=4)
    pd.testing.assert_frame_equal(a.us, b.us)
    pd.testing.assert_frame_equal(a.mx, b.mx)
    assert not generate_traffic(cfg, seed=5).us.equals(a.us)


def test_two_agencies_overlap_with_different_fields() -> None:
    t = generate_traffic(TrafficConfig(n_shipments=4000), seed=1)
    shared = set(t.us["shipment_id"]) & set(t.mx["shipment_id"])
    assert 0.6 < len(shared) / 4000 < 0.8
    assert {"quantity", "tax_rate", "origin_country"} <= set(t.us.columns) - set(t.mx.columns)
    assert len(set(t.us["seller_id"]) & set(t.mx["seller_id"])) > 100
    for frame in (t.us, t.mx):
        validate_declarations(frame, require_label=True)


def test_fraud_rates_near_config() -> None:
    t = generate_traffic(
        TrafficConfig(n_shipments=20_000, us_fraud_rate=0.1, mx_fraud_rate=0.05), seed=2
    )
    assert t.us["fraud"].mean() == pytest.approx(0.1, abs=0.015)
    assert t.mx["fraud"].mean() == pytest.approx(0.05, abs=0.01)


def test_drift_pattern_starts_on_date() -> None:
    t = generate_traffic(TrafficConfig(n_shipments=6000, drift_start="2024-03-01"), seed=3)
    drift = t.us[t.us["pattern"] == "drift"]
    assert len(drift) > 50
    assert drift["date"].min() >= pd.Timestamp("2024-03-01")
    assert drift["fraud"].mean() > 0.6
    assert drift["importer_id"].str.startswith("N").all()
    assert (
        drift.loc[drift["fraud"] == 1, "value"] < drift.loc[drift["fraud"] == 1, "true_value"]
    ).all()
    hidden = generate_traffic(
        TrafficConfig(n_shipments=6000, drift_start="2024-03-01", drift_undervalues=False), seed=3
    ).us
    hidden_drift = hidden[hidden["pattern"] == "drift"]
    assert (hidden_drift["value"] == hidden_drift["true_value"]).all()


def test_generate_declarations_exact_n_spans_period() -> None:
    df = generate_declarations(500, seed=0, agency="MX")
    assert len(df) == 500 and df["declaration_id"].str.startswith("MX").all()
    assert (df["date"].max() - df["date"].min()).days > 150
    assert generate_declarations(0, seed=0).empty


def test_bad_config() -> None:
    with pytest.raises(InputError, match="n_importers"):
        generate_traffic(TrafficConfig(n_importers=0))
    with pytest.raises(InputError, match="overlap_share"):
        generate_traffic(TrafficConfig(overlap_share=1.5))
    with pytest.raises(InputError, match="agency"):
        generate_traffic(TrafficConfig(n_shipments=10)).agency("CA")  # type: ignore[arg-type]
