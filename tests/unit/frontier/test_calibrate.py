from __future__ import annotations

import numpy as np
import pytest

from border21.errors import InputError
from border21.frontier.calibration import (
    calibrate,
    fluid_schedule,
    group_arrival_rates,
    scaled,
    simulated_profile,
)
from border21.ports.catalog import load_scenario


def _observed(scenario, groups, seeds):
    prof = simulated_profile(scenario, days=2, seeds=seeds)
    return {
        g: prof[prof["group"] == g].rename(columns={"wait": "wait_minutes"})[
            ["hour", "wait_minutes"]
        ]
        for g in groups
    }


def test_recovers_known_service_scales():
    base = load_scenario("san_ysidro")
    truth = scaled(base, {"general": 1.1, "ready": 0.9}, {})
    obs = _observed(truth, ["general", "ready"], [21, 22])
    result = calibrate(
        base,
        obs,
        obs,
        days=2,
        seeds=(1, 2),
        service_scales=(0.9, 1.0, 1.1),
        staffing_scales=(1.0,),
        hourly_iterations=0,
    )
    fits = {f.group: f for f in result.fits}
    assert fits["general"].service_scale == 1.1
    assert fits["ready"].service_scale == 0.9
    for f in fits.values():
        assert f.rmse_fit < f.rmse_before
    assert set(result.profiles["set"]) == {"fit", "holdout"}


def test_scaled_changes_only_what_it_names():
    base = load_scenario("san_ysidro")
    out = scaled(base, {"sentri": 1.2}, {"general": 0.5}, volume=2.0)
    assert out.streams["cars_sentri"].primary_service.mean_for("sentri") == pytest.approx(
        1.2 * base.streams["cars_sentri"].primary_service.mean_for("sentri")
    )
    assert (
        out.streams["cars_general"].primary_service == base.streams["cars_general"].primary_service
    )
    assert max(out.lanes["general"].open_booths()) == round(
        max(base.lanes["general"].open_booths()) / 2
    )
    assert out.streams["pedestrians"].crossings_per_day == pytest.approx(
        2 * base.streams["pedestrians"].crossings_per_day
    )


def test_nothing_to_fit_is_an_error():
    with pytest.raises(InputError, match="no lane group"):
        calibrate(load_scenario("laredo_wtb"), {}, {})


def test_fluid_schedule_meets_load_and_target_waits():
    lam = np.array([0.0] * 6 + [300.0] * 12 + [100.0] * 6)  # crossings per hour
    svc = np.where(lam > 0, 60.0 / 3600.0, 0.0)  # one minute each: 60 per booth-hour
    no_wait = fluid_schedule(lam, svc, np.zeros(24), booths=20)
    assert list(no_wait[:6]) == [0] * 6  # closed hours stay closed
    assert np.all(no_wait[6:18] >= 5) and np.all(no_wait[18:] >= 2)
    long_wait = fluid_schedule(lam, svc, np.full(24, 0.5), booths=20)
    # A standing queue is built with fewer booths when the flow starts, then carried.
    assert long_wait[6] < no_wait[6] and long_wait.sum() < no_wait.sum()
    capped = fluid_schedule(lam * 10, svc, np.zeros(24), booths=20)
    assert capped.max() == 20


def test_group_rates_follow_the_scenario():
    sc = load_scenario("san_ysidro")
    lam, svc = group_arrival_rates(sc, "sentri", days=7)
    stream = sc.streams["cars_sentri"]
    assert lam.sum() == pytest.approx(stream.crossings_per_day, rel=1e-9)
    assert svc.max() * 3600 == pytest.approx(stream.primary_service.mean_for("sentri"))


def test_group_rates_carry_the_hours_service_factors():
    from border21.ports.edits import with_value

    factors = [1.5] * 12 + [0.5] * 12
    sc = with_value(
        load_scenario("san_ysidro"), "streams.cars_sentri.primary_service.factor_by_hour", factors
    )
    _lam, svc = group_arrival_rates(sc, "sentri", days=7)
    mean = sc.streams["cars_sentri"].primary_service.mean_for("sentri")
    assert svc * 3600 == pytest.approx([mean * f for f in factors])


def test_hourly_stage_tracks_a_changed_schedule():
    """Observed waits from a schedule the scales cannot express: stage 2 gets closer."""
    base = load_scenario("san_ysidro")
    sched = base.lanes["sentri"].open_booths()
    data = base.model_dump(mode="python")
    data["lanes"]["sentri"]["open_booths_by_hour"] = [
        max(1, n - 1) if 12 <= h < 20 else n for h, n in enumerate(sched)
    ]
    from border21.ports.config import validate_scenario

    # Same seeds as the fit: the true schedule would reproduce the profile exactly.
    obs = _observed(validate_scenario(data), ["sentri"], [1, 2])
    kwargs = dict(days=2, seeds=(1, 2), service_scales=(1.0,), staffing_scales=(0.85, 1.0))
    scales_only = calibrate(base, obs, obs, hourly_iterations=0, **kwargs)
    hourly = calibrate(base, obs, obs, hourly_iterations=4, **kwargs)
    (before,), (after,) = scales_only.fits, hourly.fits
    assert after.hourly_staffing and len(after.hourly_staffing) == 24
    assert after.rmse_fit < 0.5 * before.rmse_fit
    assert hourly.scenario.lanes["sentri"].open_booths() == list(after.hourly_staffing)


def test_calibration_work_is_bounded_before_any_simulation():
    base = load_scenario("laredo_wtb")
    import pandas as pd

    obs = {"general": pd.DataFrame({"hour": [0], "wait_minutes": [1.0]})}
    with pytest.raises(InputError, match=r"--hourly-rounds = 51"):
        calibrate(base, obs, obs, hourly_iterations=51)
    with pytest.raises(InputError, match=r"^days = 5000: at most 3,660"):
        calibrate(base, obs, obs, days=4999)
    with pytest.raises(InputError, match=r"^days × replications = '366 × 2'"):
        # a year plus the warm-up day, two seeds: 7.6e7 San Ysidro crossings
        calibrate(load_scenario("san_ysidro"), obs, obs, days=365)
    with pytest.raises(InputError, match=r"crossings_per_day = .*1000000"):
        calibrate(base, obs, obs, volume_fit=1000.0)
