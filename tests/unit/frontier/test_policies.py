from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from border21.errors import InputError
from border21.frontier.policies import (
    RandomReferral,
    ReferralContext,
    TargetedReferral,
    TrustedProgramReferral,
    budget_threshold,
)
from border21.frontier.sweep import pareto_mask

N = 200_000


def _ctx(programs=None, scores=None, governed=None):
    programs = programs if programs is not None else np.array(["general"] * N)
    governed = governed if governed is not None else np.ones(programs.shape[0], bool)
    return ReferralContext(programs=programs, scores=scores, inspected=governed)


@pytest.mark.parametrize("rate", [0.01, 0.1, 0.5])
def test_random_rate_within_binomial_bounds(rate):
    flags = RandomReferral(rate=rate).decide(_ctx(), np.random.default_rng(1))
    sd = np.sqrt(rate * (1 - rate) / N)
    assert abs(flags.mean() - rate) < 4 * sd


def test_ungoverned_crossings_never_referred():
    governed = np.arange(N) % 2 == 0
    flags = RandomReferral(rate=1.0).decide(_ctx(governed=governed), np.random.default_rng(0))
    assert flags[governed].all() and not flags[~governed].any()


def test_trusted_members_spared_overall_rate_kept():
    programs = np.where(np.arange(N) % 4 == 0, "fast", "general")
    flags = TrustedProgramReferral(rate=0.1, trusted_factor=0.2).decide(
        _ctx(programs=programs), np.random.default_rng(2)
    )
    members = programs == "fast"
    assert flags[members].mean() == pytest.approx(0.02, abs=0.004)
    assert flags.mean() == pytest.approx(0.1, abs=0.004)


def test_targeted_refers_the_budget_by_threshold():
    scores = np.random.default_rng(3).random(N)
    th = budget_threshold(scores, 0.05)
    flags = TargetedReferral(rate=0.05, threshold=th).decide(_ctx(scores=scores), None)
    assert flags.sum() == round(0.05 * N)
    assert scores[flags].min() >= scores[~flags].max()
    with pytest.raises(InputError, match="needs risk scores"):
        TargetedReferral(rate=0.05, threshold=th).decide(_ctx(), None)


@pytest.mark.parametrize("rate", [0.0, -0.1, 1.5])
def test_budget_outside_range_rejected(rate):
    with pytest.raises(InputError, match=r"must be in \(0, 1\]"):
        RandomReferral(rate=rate)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 1)), min_size=1, max_size=30))
def test_pareto_mask_keeps_exactly_the_undominated(points):
    delay = np.array([p[0] for p in points])
    det = np.array([p[1] for p in points])
    keep = pareto_mask(delay, det)
    for i in range(len(points)):
        dominated = np.any(
            (delay <= delay[i]) & (det >= det[i]) & ((delay < delay[i]) | (det > det[i]))
        )
        if keep[i]:
            assert not dominated
        else:
            # either dominated or an exact duplicate of a kept point
            dup = np.any(keep & (delay == delay[i]) & (det == det[i]))
            assert dominated or dup


def test_semaforo_is_not_a_cbp_policy():
    # It was RandomReferral renamed: its rows equalled random's to every digit.
    from border21.errors import InputError
    from border21.frontier.experiment import PolicySpec

    with pytest.raises(InputError, match="semáforo fiscal runs at Mexican customs"):
        PolicySpec(policy="semaforo", rate=0.05)
