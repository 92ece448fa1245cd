"""Port choice: multinomial logit shares checked by hand on a toy."""

from __future__ import annotations

import math

import numpy as np

from border21.regions.choice import logit_shares, utilities


def test_shares_match_a_hand_computation() -> None:
    # Two ports, one zone, one hour: 10 and 25 minutes away, 30 and 5 minutes of wait, a 2 USD
    # toll at the second at 12 USD/h (10 minutes). Generalised minutes: 10 + 2.5·30 = 85 and
    # 25 + 2.5·5 + 10 = 47.5; utilities −2.125 and −1.1875 (β = −0.025).
    u = utilities(
        np.array([[10.0, 25.0]]), np.array([[30.0, 5.0]]), np.array([0.0, 2.0]), np.zeros(2),
        travel_minute_utils=-0.025, port_time_weight=2.5, value_of_time_usd_per_hour=12.0,
    )  # fmt: skip
    assert np.allclose(u[0, 0], [-2.125, -1.1875])
    shares = logit_shares(u, np.ones_like(u, dtype=bool))
    by_hand = math.exp(-2.125) / (math.exp(-2.125) + math.exp(-1.1875))
    assert math.isclose(float(shares[0, 0, 0]), by_hand, rel_tol=1e-12)
    assert math.isclose(by_hand, 0.28140, abs_tol=1e-5)


def test_a_bias_constant_acts_like_minutes() -> None:
    u = utilities(
        np.array([[10.0, 10.0]]), np.zeros((1, 2)), np.zeros(2), np.array([0.25, 0.0]),
        travel_minute_utils=-0.025, port_time_weight=2.5, value_of_time_usd_per_hour=12.0,
    )  # fmt: skip
    shares = logit_shares(u, np.ones_like(u, dtype=bool))[0, 0]
    assert math.isclose(float(shares[0]), 1 / (1 + math.exp(-0.25)), rel_tol=1e-12)


def test_a_closed_port_gets_nothing_and_no_port_means_no_flow() -> None:
    u = np.array([[[-1.0, -0.1, -3.0], [-1.0, -2.0, -3.0]]])
    open_ = np.array([[[True, False, True], [False, False, False]]])
    shares = logit_shares(u, open_)
    assert shares[0, 0, 1] == 0.0
    assert math.isclose(float(shares[0, 0].sum()), 1.0)
    assert shares[0, 1].sum() == 0.0


def test_huge_utilities_do_not_overflow() -> None:
    shares = logit_shares(np.array([[1000.0, 999.0]]), np.ones((1, 2), dtype=bool))
    assert math.isclose(float(shares[0, 0]), 1 / (1 + math.exp(-1)), rel_tol=1e-12)


def test_hour_shift_and_forgo_shares_by_hand() -> None:
    from border21.regions.choice import hour_shares, logsums

    # Hour 5 has a long wait (logsum −3), its neighbours none (0): stay e^−3, shift e^(0 − 1)
    # each way (40 min × 0.025), forgo e^(−200 × 0.025) = e^−5.
    ls = np.zeros((1, 24))
    ls[0, 5] = -3.0
    s = hour_shares(ls, travel_minute_utils=-0.025, shift_minutes=40.0, forgo_minutes=200.0)
    total = math.exp(-3) + 2 * math.exp(-1) + math.exp(-5)
    assert math.isclose(float(s[0, 5, 5]), math.exp(-3) / total, rel_tol=1e-12)
    assert math.isclose(float(s[0, 5, 4]), math.exp(-1) / total, rel_tol=1e-12)
    assert math.isclose(float(s[0, 5, 24]), math.exp(-5) / total, rel_tol=1e-12)
    assert np.allclose(s.sum(axis=2), 1.0)
    # 23:00 neighbours 00:00 (the day repeats); an hour with no open port cannot be kept.
    ls[0, 0] = -np.inf
    s = hour_shares(ls, travel_minute_utils=-0.025, shift_minutes=40.0, forgo_minutes=200.0)
    assert s[0, 0, 0] == 0.0 and s[0, 23, 0] == 0.0 and s[0, 0, 23] > 0
    u = np.array([[[0.0, math.log(3.0)]]])
    assert math.isclose(float(logsums(u, np.ones_like(u, dtype=bool))[0, 0]), math.log(4.0))
