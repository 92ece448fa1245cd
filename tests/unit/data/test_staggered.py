"""Callaway–Sant'Anna on a staggered panel with known group-time effects: recovered,
where two-way fixed effects visibly is not; and equal to the `differences` library."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from border21.data.staggered import (
    by_event_time,
    group_time_effects,
    program_adoption,
    staggered_did,
)
from border21.errors import InputError

YEARS = np.arange(2000, 2016)
COHORTS = {2004: 8, 2008: 8, 2012: 4}  # first treated year: number of units
N_NEVER = 40


def _true_att(g: int, t: int) -> float:
    """Effects that grow with time since adoption, larger for early cohorts."""
    return (2.0 + 0.1 * (2012 - g)) * (t - g + 1) if t >= g else 0.0


def _panel(*, seed: int, effects: bool = True, noise: float = 0.3) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    cohort = [g for g, n in COHORTS.items() for _ in range(n)] + [0] * N_NEVER
    trend = rng.normal(0, 1, len(YEARS)).cumsum()
    rows = []
    for u, g in enumerate(cohort):
        level = rng.normal(10, 3)
        for k, t in enumerate(YEARS):
            effect = _true_att(g, t) if effects and g else 0.0
            rows.append((f"u{u:02d}", int(t), level + trend[k] + effect + rng.normal(0, noise)))
    adoption = {f"u{u:02d}": g for u, g in enumerate(cohort) if g}
    return pd.DataFrame(rows, columns=["unit", "period", "value"]), adoption


def test_recovers_group_time_effects_where_twfe_fails() -> None:
    panel, adoption = _panel(seed=1)
    est = staggered_did(panel, adoption, horizon=3, n_placebos=199, seed=0)
    gt = est.group_time.set_index(["cohort", "period"])["att"]
    truth = np.array([_true_att(g, t) for g, t in gt.index])
    assert np.max(np.abs(gt.to_numpy() - truth)) < 0.6  # noise 0.3 per unit-year
    true_theta = {e: np.average([_true_att(g, g + e) for g in COHORTS],
                                weights=list(COHORTS.values())) for e in range(4)}  # fmt: skip
    et = est.event_times.set_index("event_time")
    for e, value in true_theta.items():  # sd of each θ(e) here ≈ 0.1 (40 seeds)
        assert et.loc[e, "att"] == pytest.approx(value, abs=0.45)
    truth_overall = float(np.mean(list(true_theta.values())))
    assert est.estimate == pytest.approx(truth_overall, abs=0.4) and est.p < 0.01
    # the average effect over treated unit-years (14.3): CS's cells averaged by cohort size
    # recover it; TWFE's forbidden comparisons (early cohorts as controls of late ones,
    # after their effects have grown) give 10.8
    att_treated = np.mean([_true_att(g, t) for g, n in COHORTS.items() for t in YEARS
                           if t >= g for _ in range(n)])  # fmt: skip
    post = est.group_time[est.group_time["event_time"] >= 0]
    cs_simple = np.average(post["att"], weights=post["n_units"])
    assert cs_simple == pytest.approx(att_treated, rel=0.03)
    assert abs(est.twfe_estimate - att_treated) > 0.2 * att_treated
    assert est.pretrend_p is not None and est.pretrend_p > 0.05
    assert [g for g, _ in est.groups] == [2004, 2008, 2012]


@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")  # inside `differences`
def test_matches_the_differences_library() -> None:
    """Reference: `differences` ATTgt (universal base period, never-treated controls)."""
    from differences import ATTgt

    panel, adoption = _panel(seed=2)
    wide = panel.pivot(index="unit", columns="period", values="value")
    cohort = np.asarray([adoption.get(u, 0) for u in wide.index])
    att, cohorts, sizes = group_time_effects(wide.to_numpy(), YEARS, cohort)
    ours = by_event_time(att, cohorts, sizes, YEARS, np.arange(-11, 12))
    data = panel.assign(cohort=panel["unit"].map(adoption)).set_index(["unit", "period"])
    ref = ATTgt(data=data, cohort_column="cohort", base_period="universal")
    ref.fit(formula="value", progress_bar=False)
    ref_gt = ref.results().iloc[:, 0].droplevel("base_period")
    for i, g in enumerate(cohorts):
        np.testing.assert_allclose(att[i], ref_gt.loc[g].to_numpy(), atol=1e-9)
    ref_event = ref.aggregate("event").iloc[:, 0]
    np.testing.assert_allclose(ours, ref_event.loc[-11:11].to_numpy(), atol=1e-9)


def test_placebo_p_and_intervals_are_calibrated_on_null_panels() -> None:
    """No effect anywhere: the overall p-value is below 5 % in about 5 % of panels, and
    the event-time intervals hold 0 about 95 % of the time."""
    hits, covered, total = 0, 0, 0
    for seed in range(40):
        est = staggered_did(*_panel(seed=seed, effects=False, noise=1.0), horizon=3,
                            n_placebos=99, seed=seed)  # fmt: skip
        hits += est.p < 0.05
        post = est.event_times[est.event_times["event_time"] >= 0]
        covered += int(((post["ci_low"] <= 0) & (post["ci_high"] >= 0)).sum())
        total += len(post)
    assert hits <= 5  # 2 of 40 with these seeds
    assert covered >= 0.88 * total  # 95 % nominal


def test_refuses_bad_input() -> None:
    panel, adoption = _panel(seed=3)
    with pytest.raises(InputError, match="complete series"):
        staggered_did(panel, {**adoption, "Atlantis": 2005})
    with pytest.raises(InputError, match="inside"):
        staggered_did(panel, {**adoption, "u00": 2030})
    everyone = {u: 2008 for u in panel["unit"].unique()}
    with pytest.raises(InputError, match="never-treated"):
        staggered_did(panel, everyone)
    events = pd.DataFrame({"event_id": ["calderon_michoacan"],
                           "event_date": [pd.Timestamp("2006-12-11")]})  # fmt: skip
    with pytest.raises(InputError, match="staggered programs"):
        program_adoption(events, "sentri")
    with pytest.raises(InputError, match="not in the loaded timeline"):
        program_adoption(events, "joint_operations")
