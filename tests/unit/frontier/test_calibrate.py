from __future__ import annotations

import pytest

from border21.errors import InputError
from border21.frontier.calibrate import calibrate, scaled, simulated_profile
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
        base, obs, obs, days=2, seeds=(1, 2), service_scales=(0.9, 1.0, 1.1), staffing_scales=(1.0,)
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
