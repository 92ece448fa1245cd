"""The staggered Joint Operations event study on the shipped INEGI/CONAPO state panel:
the real estimate, and the same states given fake adoption years before any operation
(1994–2003, data cut at 2006), where the in-space placebo test should rarely fire."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from border21.data import indicators as ind
from border21.data.loaders import load_source
from border21.data.samples import sample_path
from border21.data.staggered import estimate_staggered, program_adoption, staggered_did
from border21.data.store import Store, open_store

SAMPLES = {
    "events": "events.csv",
    "homicides": "homicides_inegi_1990_2024.parquet",
    "population": "population_conapo2023_1990_2030.parquet",
}


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    with open_store(None, threads=1) as s:
        for source, name in SAMPLES.items():
            load_source(s, source, sample_path(name))
        yield s


def test_joint_operations_estimate(store: Store) -> None:
    est = estimate_staggered(store, "homicides", "joint_operations")
    assert [g for g, _ in est.groups] == [2007, 2012] and est.n_never_treated == 23
    assert est.estimate == pytest.approx(17.4, abs=0.1) and est.p == pytest.approx(0.001)
    assert est.twfe_estimate == pytest.approx(8.8, abs=0.1)
    assert est.pretrend_p is not None and est.pretrend_p < 0.05  # said in the caveat
    assert "already diverged" in est.caveat


def test_fake_adoption_years_before_the_operations(store: Store) -> None:
    """1 of 10 fake years is significant at 5 % (2000: −1.7, p = 0.036); the largest fake
    estimate is a tenth of the real one (+17.4)."""
    rates = ind.homicide_rate(store, states="all", freq="year", by_state=True)
    panel = pd.DataFrame(
        {"unit": rates["group"], "period": rates["period"].dt.year,
         "value": rates["rate_per_100k"]}
    )  # fmt: skip
    panel = panel[(panel["period"] < 2007) & (panel["unit"] != "Veracruz")]
    states = [s for s in program_adoption(ind.events(store), "joint_operations")
              if s != "Veracruz"]  # fmt: skip
    estimates = [
        staggered_did(panel, {s: year for s in states}, horizon=3, seed=0)
        for year in range(1994, 2004)
    ]
    assert sum(e.p < 0.05 for e in estimates) <= 1
    assert max(abs(e.estimate) for e in estimates) < 2.0
