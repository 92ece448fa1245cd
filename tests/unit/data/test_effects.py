"""ITS and DiD recover known effects on synthetic data, with honest intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from border21.data.effects import difference_in_differences, interrupted_time_series
from border21.errors import InputError


def _series(level: float, slope: float, *, seed: int, phi: float = 0.5) -> pd.Series:
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2000-01-01", periods=144, freq="MS")
    t = np.arange(144.0)
    post = (idx >= "2006-01-01").astype(float)
    noise = np.zeros(144)
    for i in range(1, 144):  # AR(1) errors: what HAC standard errors are for
        noise[i] = phi * noise[i - 1] + rng.normal(0, 1.0)
    season = 3.0 * np.sin(2 * np.pi * idx.month.to_numpy() / 12)
    y = 50 + 0.05 * t + level * post + slope * post * (t - 72) + season + noise
    return pd.Series(y, index=idx)


def test_its_recovers_level_and_slope_change() -> None:
    est = interrupted_time_series(_series(8.0, 0.2, seed=1), "2006-01")
    assert est.level_ci[0] < 8.0 < est.level_ci[1]
    assert est.slope_ci is not None and est.slope_ci[0] < 0.2 < est.slope_ci[1]
    assert est.hac_p < 1e-3 and est.n_pre == 72 and est.n_post == 72
    # the most unusual month of the series: the smallest p its placebos allow
    assert est.diagnostics.placebo_rank == 1
    assert est.level_p == pytest.approx(1 / (1 + est.diagnostics.n_placebos))
    assert est.diagnostics.n_placebos >= 90 and est.diagnostics.break_month == "2006-01"
    assert {"observed", "fitted", "counterfactual"} <= set(est.fitted.columns)


def test_ols_hac_matches_statsmodels() -> None:
    import statsmodels.api as sm

    from border21.data.placebos import ols_hac

    rng = np.random.default_rng(3)
    x = np.column_stack([np.ones(90), np.arange(90.0), rng.normal(size=(90, 3))])
    y = x @ np.array([1.0, 0.1, 2.0, 0.0, -1.0]) + rng.normal(size=90).cumsum() * 0.3
    beta, se = ols_hac(y, x, 4)
    ref = sm.OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": 4})
    np.testing.assert_allclose(beta, ref.params, rtol=1e-10)
    np.testing.assert_allclose(se, ref.bse, rtol=1e-10)


def test_placebo_inference_is_calibrated_on_null_series() -> None:
    """Null AR(1) series: the placebo p-value is below 5 % in about 5 % of them."""
    hits = sum(
        interrupted_time_series(_series(0.0, 0.0, seed=seed), "2006-01").level_p < 0.05
        for seed in range(60)
    )
    assert hits <= 5  # 2 of 60 with these seeds; the HAC p-value gives 7


def test_its_interval_coverage_is_near_nominal() -> None:
    hits = 0
    for seed in range(60):
        est = interrupted_time_series(_series(0.0, 0.0, seed=seed), "2006-01", hac_lags=6)
        hits += est.level_ci[0] <= 0.0 <= est.level_ci[1]
    # 95 % nominal; HAC in small samples under-covers a little. 60 draws: allow ≥ 80 %.
    assert hits >= 48


def test_its_refuses_events_without_enough_data() -> None:
    with pytest.raises(InputError, match="months on each side"):
        interrupted_time_series(_series(1.0, 0.0, seed=0), "2011-06")
    with pytest.raises(InputError, match="date like"):
        interrupted_time_series(_series(1.0, 0.0, seed=0), "soon")


def test_window_limits_the_sample() -> None:
    est = interrupted_time_series(_series(5.0, 0.0, seed=2), "2006-01", window_months=24)
    assert (est.n_pre, est.n_post) == (24, 24)


def test_did_recovers_a_treatment_effect() -> None:
    rng = np.random.default_rng(7)
    periods = pd.date_range("2005-01-01", periods=48, freq="MS")
    rows = []
    for unit in range(20):
        treated = unit < 6
        base = rng.normal(10, 3)
        for p in periods:
            effect = 4.0 if treated and p >= pd.Timestamp("2007-01-01") else 0.0
            common = 0.1 * (p.year - 2005) * 12
            rows.append((unit, p, treated, base + common + effect + rng.normal(0, 1)))
    panel = pd.DataFrame(rows, columns=["unit", "period", "treated", "value"])
    est = difference_in_differences(panel, "2007-01")
    assert est.level_ci[0] < 4.0 < est.level_ci[1]
    assert est.slope_change is None and "6 treated vs 14 control" in est.detail
    with pytest.raises(InputError, match="treated and control"):
        difference_in_differences(panel.assign(treated=True), "2007-01")


@pytest.mark.parametrize(
    ("series", "key", "value"),
    [
        ("homicides", "measure", "Trucks"),
        ("homicides", "port", "2504"),
        ("crossings", "drug", "Fentanyl"),
        ("trade", "region", "Tucson"),
        ("apprehensions", "trade_type", "Export"),
        ("seizures", "state", "Chihuahua"),
    ],
)
def test_a_selector_the_series_does_not_take_is_refused_not_ignored(series, key, value) -> None:
    from border21.data.effects import effect_series

    with pytest.raises(InputError, match=f"does not apply to series {series}") as err:
        effect_series(None, series, **{key: value})  # refused before the store is read
    assert err.value.field == key
