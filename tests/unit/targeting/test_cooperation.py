from __future__ import annotations

import numpy as np
import pytest

from border21.errors import InputError
from border21.targeting.cooperation import (
    SharingAgreement,
    attach_profiles,
    build_profiles,
    compare_cooperation,
    hash_ids,
)
from border21.targeting.generator import TrafficConfig, generate_traffic
from border21.targeting.models import LightGBMRiskModel


def test_hmac_keyed_and_stable() -> None:
    a = SharingAgreement(secret=b"one")
    b = SharingAgreement(secret=b"two")
    ha = hash_ids(["E00001", "E00002"], a)
    assert ha.tolist() == hash_ids(["E00001", "E00002"], a).tolist()
    assert ha[0] != ha[1] and ha[0] != hash_ids(["E00001"], b)[0]
    assert len(ha[0]) == 24
    with pytest.raises(InputError, match="secret"):
        SharingAgreement(secret=b"")


def test_profiles_carry_no_raw_ids() -> None:
    t = generate_traffic(TrafficConfig(n_shipments=2000), seed=0)
    ag = SharingAgreement(secret=b"s", min_inspections=2)
    prof = build_profiles(t.mx, ag)
    assert list(prof.columns) == ["key", "hashed_id", "n_inspected", "n_fraud"]
    raw = set(t.mx["importer_id"]) | set(t.mx["seller_id"])
    assert not raw & set(prof["hashed_id"])
    assert (prof["n_inspected"] >= 2).all()
    assert prof["n_inspected"][prof["key"] == "seller_id"].sum() <= len(t.mx)


def test_attach_joins_on_hashed_ids() -> None:
    t = generate_traffic(TrafficConfig(n_shipments=2000), seed=0)
    ag = SharingAgreement(secret=b"s")
    out = attach_profiles(t.us, build_profiles(t.mx, ag), ag)
    risk = out["partner_seller_id_risk"]
    assert risk.notna().mean() > 0.5 and risk.dropna().between(0, 1).all()
    assert np.isnan(
        attach_profiles(t.us.assign(seller_id="nobody"), build_profiles(t.mx, ag), ag)[
            "partner_seller_id_risk"
        ]
    ).all()


def test_compare_cooperation_small() -> None:
    t = generate_traffic(TrafficConfig(n_shipments=6000, n_importers=300, n_exporters=250), seed=2)
    res = compare_cooperation(
        t,
        budget_pct=10,
        seed=0,
        model_factory=lambda s: LightGBMRiskModel(n_estimators=30, random_state=s),
    )
    assert set(res.table["regime"]) == {"isolated", "shared_profiles", "pooled"}
    assert len(res.table) == 6
    assert res.lift("pooled").index.tolist() == ["MX", "US"]
    with pytest.raises(InputError, match="budget"):
        compare_cooperation(t, budget_pct=150)
