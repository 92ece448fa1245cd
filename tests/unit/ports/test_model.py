from __future__ import annotations

import numpy as np
import pytest

from border21.errors import InputError
from border21.ports.config import validate_scenario
from border21.ports.draws import poisson_arrivals
from border21.ports.layout import hourly_rates
from border21.ports.model import PortModel
from border21.ports.results import offered_load, unstable_hours
from border21.ports.runs import config_hash, simulate


def test_hourly_rates_normalise_shapes():
    rates = hourly_rates(2400, [0] * 12 + [1] * 12, [1, 1, 1, 1, 1, 2, 2], days=7)
    per_day = rates.reshape(7, 24).sum(axis=1) * 3600
    assert per_day.mean() == pytest.approx(2400)
    assert per_day[5] == pytest.approx(2 * per_day[0])
    assert rates[:12].sum() == 0


def test_poisson_arrivals_sorted_inside_open_hours():
    rng = np.random.default_rng(1)
    rates = np.array([0.0, 1.0, 0.0, 0.5])
    t = poisson_arrivals(rates, rng)
    assert np.all(np.diff(t) >= 0)
    hours = (t // 3600).astype(int)
    assert set(hours) <= {1, 3}
    assert abs((hours == 1).sum() - 3600) < 5 * 60  # 5 sd
    assert abs((hours == 3).sum() - 1800) < 5 * 43


@pytest.mark.parametrize("dist", ["deterministic", "exponential", "lognormal", "gamma"])
def test_drawn_service_times_have_the_mean_and_cv(dist):
    service = {"distribution": dist, "mean_seconds": 10}
    if dist in ("lognormal", "gamma"):
        service["cv"] = 0.4
    model = PortModel(
        validate_scenario(
            {
                "port": {"name": "services"},
                "streams": {
                    "s": {
                        "kind": "pedestrian",
                        "crossings_per_day": 100_000,
                        "primary_service": service,
                    }
                },
                "lanes": {"q": {"streams": ["s"], "lanes": 1}},
            }
        )
    )
    x = model.draw(2, np.random.default_rng(2)).primary_seconds / 10.0
    if dist == "exponential":  # a cv other than 1 cannot act here, so it is refused
        with pytest.raises(InputError, match="cv = 0.4 cannot act"):
            validate_scenario(
                {
                    **model.scenario.model_dump(),
                    "streams": {
                        "s": {
                            "kind": "pedestrian",
                            "crossings_per_day": 1,
                            "primary_service": {**service, "cv": 0.4},
                        }
                    },
                }
            )
    cv = {"deterministic": 0.0, "exponential": 1.0}.get(dist, 0.4)
    assert x.mean() == pytest.approx(1.0, abs=0.01)
    assert x.std() == pytest.approx(cv, abs=0.01)


def test_simulate_records_are_consistent(toy):
    model = PortModel(validate_scenario(toy))
    rec = model.simulate(days=2, seed=5)
    assert len(rec) > 40000
    assert np.all(rec.service_start >= rec.arrival)
    assert np.all(rec.primary_departure > rec.service_start)
    assert np.all(rec.departure >= rec.primary_departure)
    assert np.all(rec.secondary_start[rec.referred] >= rec.primary_departure[rec.referred])
    not_ref = ~rec.referred
    assert np.array_equal(rec.departure[not_ref], rec.primary_departure[not_ref])
    walkers = rec.stream == rec.stream_names.index("walkers")
    assert set(np.unique(rec.group[walkers])) == {rec.group_names.index("ped")}
    assert not rec.referred[walkers].any()
    assert rec.detected.sum() <= (rec.carrier & rec.referred).sum()
    assert rec.detected.sum() > 0


def test_same_seed_same_records_different_seed_differs(toy):
    model = PortModel(validate_scenario(toy))
    a, b, c = (model.simulate(days=1, seed=s) for s in (3, 3, 4))
    assert np.array_equal(a.service_start, b.service_start)
    assert np.array_equal(a.booth, b.booth)
    assert len(a) != len(c) or not np.array_equal(a.arrival, c.arrival)


def test_caller_flags_replace_referral(toy):
    model = PortModel(validate_scenario(toy))
    rng = np.random.default_rng(8)
    draws = model.draw(1, rng)
    cars = draws.stream == 0
    flags = cars & (np.arange(len(draws)) % 10 == 0)
    rec = model.run(draws.with_flags(referred=flags, carrier=flags), days=1)
    assert np.array_equal(rec.referred, flags)
    assert rec.carrier.sum() == flags.sum()
    # every referred carrier is found with probability 0.8
    assert rec.detected.sum() / flags.sum() == pytest.approx(0.8, abs=0.05)
    with pytest.raises(InputError, match="one flag per crossing"):
        draws.with_flags(referred=flags[:-1])
    with pytest.raises(InputError, match="no secondary area"):
        model.run(draws.with_flags(referred=~cars), days=1)


def test_closed_hours_have_no_service(toy):
    toy["lanes"]["ped"]["open_booths_by_hour"] = [0] * 6 + [4] * 18
    rec = PortModel(validate_scenario(toy)).simulate(days=1, seed=2)
    ped = rec.group == rec.group_names.index("ped")
    assert rec.service_start[ped].min() >= 6 * 3600
    # Arrivals before the hall opens are held at the gate until 06:00, not queued.
    early = ped & (rec.arrival < 6 * 3600)
    assert early.sum() > 100
    assert (rec.queue_entry[early] == 6 * 3600).all()
    assert rec.held_seconds[ped & (rec.arrival < 3600)].min() > 5 * 3600
    assert (rec.held_seconds[ped & (rec.arrival >= 6 * 3600)] == 0).all()


def test_replications_are_seeded_and_worker_independent(toy):
    sc = validate_scenario(toy)
    r1 = simulate(sc, days=1, replications=3, seed=11, workers=1)
    r2 = simulate(sc, days=1, replications=3, seed=11, workers=3)
    for a, b in zip(r1.replications, r2.replications, strict=True):
        assert np.array_equal(a.departure, b.departure)
    assert r1.config_hash == config_hash(sc)
    assert r1.summary["replications"].eq(3).all()
    assert (r1.summary["mean_wait_min_ci95"].iloc[:2] > 0).all()
    tables = r1.tables()
    assert set(tables) >= {"wait_by_hour", "utilisation", "queue_length", "interdictions"}
    util = tables["utilisation"]
    assert util["utilisation"].between(0, 1.2).all()


def test_unstable_hours_warn(toy):
    sc = validate_scenario(toy)
    assert unstable_hours(sc) == []
    toy["lanes"]["general"]["open_booths_by_hour"] = [2] * 3 + [10] * 21
    warnings = unstable_hours(validate_scenario(toy))
    assert len(warnings) == 1
    assert "stream cars at general" in warnings[0] and "00–03h" in warnings[0]
    load = offered_load(validate_scenario(toy))
    assert load["utilisation"].max() > 1


def test_replications_reuse_their_threads_and_nest_without_deadlock() -> None:
    """The pool outlives a call (threads keep their record buffers); a replication
    that itself replicates runs its seeds in turn, with the same results."""
    import threading

    from border21.ports.runs import replication_seeds, run_replications

    seeds = replication_seeds(5, 6)

    def name(_: object) -> str:
        return threading.current_thread().name

    first = set(run_replications(name, seeds, workers=2))
    second = set(run_replications(name, seeds, workers=2))
    threads = first | second
    assert all(n.startswith("border21-replication") for n in threads)
    assert len(threads) <= 2  # the second call ran on the first call's threads

    def inner(seed: object) -> list[tuple[int, ...]]:
        kids = replication_seeds(1, 3)
        return run_replications(lambda s: s.spawn_key, kids, workers=2)

    nested = run_replications(inner, seeds, workers=2)
    assert nested == [[(0,), (1,), (2,)]] * len(seeds)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_replications_run_in_a_forked_child() -> None:
    """A child forked after the pool exists gets its own threads, instead of sending
    work to the parent's (which do not exist in the child) and waiting forever."""
    import os

    from border21.ports.runs import replication_seeds, run_replications

    seeds = replication_seeds(5, 4)
    expected = run_replications(lambda s: s.spawn_key, seeds, workers=2)  # pool made
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            ok = run_replications(lambda s: s.spawn_key, seeds, workers=2) == expected
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write)
    import select
    import signal

    ready, _, _ = select.select([read], [], [], 30.0)
    answer = os.read(read, 1) if ready else b""
    os.close(read)
    if not ready:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    assert ready, "the forked child's replications did not finish in 30 s"
    assert answer == b"1"
