"""Properties of the port simulator that hold for every scenario.

Hypothesis draws small ports (one or two streams, lane groups with stacked
booths and staffing schedules, a secondary area, random referral) and a seed;
each property is checked on the resulting records.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from border21.ports.config import validate_scenario
from border21.ports.draws import HOUR
from border21.ports.engine import run_lanes
from border21.ports.layout import build_layout
from border21.ports.model import CrossingRecords, PortModel

SETTINGS = settings(max_examples=50, deadline=None)


@st.composite
def schedules(draw: st.DrawFn, booths: int) -> list[int] | None:
    if draw(st.booleans()):
        return None
    hours = draw(st.lists(st.integers(0, booths), min_size=24, max_size=24))
    hours[draw(st.integers(0, 23))] = draw(st.integers(1, booths))  # opens at least once
    return hours


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    streams: dict[str, Any] = {}
    for name in draw(st.sampled_from([["cars"], ["cars", "walkers"]])):
        dist = draw(st.sampled_from(["deterministic", "exponential", "lognormal", "gamma"]))
        service: dict[str, Any] = {
            "distribution": dist,
            "mean_seconds": draw(st.sampled_from([10.0, 45.0, 120.0])),
        }
        if dist in ("lognormal", "gamma"):
            service["cv"] = draw(st.sampled_from([0.3, 1.0, 2.0]))
        ready = draw(st.sampled_from([0.0, 0.3]))
        streams[name] = {
            "kind": "personal_vehicle" if name == "cars" else "pedestrian",
            "crossings_per_day": draw(st.sampled_from([200.0, 1500.0, 5000.0])),
            "hour_of_day_shape": draw(
                st.one_of(
                    st.just([1.0] * 24),
                    st.lists(st.floats(0.0, 5.0), min_size=24, max_size=24).filter(
                        lambda s: sum(s) > 0.1
                    ),
                )
            ),
            "program_shares": {"general": 1.0 - ready, "ready": ready}
            if ready
            else {"general": 1.0},
            "primary_service": service,
            "referral_probability": draw(st.sampled_from([0.0, 0.05, 0.3])),
            "secondary": "sec",
        }
    lanes = draw(st.integers(1, 3))
    per_lane = draw(st.integers(1, 3))
    bays = draw(st.integers(1, 3))
    return {
        "port": {"name": "hypothetical"},
        "streams": streams,
        "lanes": {
            "general": {
                "streams": list(streams),
                "accepts": ["general", "ready"],
                "lanes": lanes,
                "booths_per_lane": per_lane,
                "open_booths_by_hour": draw(schedules(lanes * per_lane)),
            },
            "ready": {
                "program": "ready",
                "streams": list(streams),
                "lanes": draw(st.integers(1, 2)),
                "booths_per_lane": draw(st.integers(1, 2)),
            },
        },
        "secondary": {
            "sec": {
                "bays": bays,
                "open_bays_by_hour": draw(schedules(bays)),
                "service": {"mean_seconds": draw(st.sampled_from([60.0, 600.0]))},
            }
        },
    }


def simulate(data: dict[str, Any], seed: int, days: int = 1) -> tuple[PortModel, CrossingRecords]:
    model = PortModel(validate_scenario(data))
    return model, model.simulate(days, seed)


@SETTINGS
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1), days=st.integers(1, 2))
def test_every_crossing_is_served_once_in_time_order(
    data: dict[str, Any], seed: int, days: int
) -> None:
    model = PortModel(validate_scenario(data))
    draws = model.draw(days, np.random.default_rng(seed))
    rec = model.run(draws, days)
    assert len(rec) == len(draws)
    times = [
        rec.arrival,
        rec.service_start,
        rec.primary_departure,
        rec.secondary_start,
        rec.departure,
    ]
    for t in times:
        assert np.isfinite(t).all()
    for earlier, later in zip(times, times[1:], strict=False):
        assert (later >= earlier).all()
    assert (rec.wait_seconds >= 0).all() and (rec.secondary_wait_seconds >= 0).all()
    # Service times survive the round trip through absolute times (to rounding).
    atol = 1e-12 * max(1.0, float(rec.departure.max()))
    np.testing.assert_allclose(
        rec.primary_departure - rec.service_start, draws.primary_seconds, rtol=0, atol=atol
    )
    np.testing.assert_array_equal(rec.referred, draws.referred)
    np.testing.assert_array_equal(
        rec.departure[~rec.referred], rec.primary_departure[~rec.referred]
    )
    ref = rec.referred
    np.testing.assert_allclose(
        rec.departure[ref] - rec.secondary_start[ref],
        draws.secondary_seconds[ref],
        rtol=0,
        atol=atol,
    )
    # Each crossing sits in one booth of a lane its class may use.
    p = model.layout.primary
    first = p.lane_first_booth[rec.lane]
    assert ((rec.booth >= first) & (rec.booth < first + p.lane_nbooths[rec.lane])).all()
    for c in np.unique(draws.cls):
        allowed = p.class_lanes[p.class_ptr[c] : p.class_ptr[c + 1]]
        assert np.isin(rec.lane[draws.cls == c], allowed).all()


@SETTINGS
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_fifo_within_each_lane(data: dict[str, Any], seed: int) -> None:
    _, rec = simulate(data, seed)
    for lane in np.unique(rec.lane):
        starts = rec.service_start[rec.lane == lane]  # records are in arrival order
        assert (np.diff(starts) >= 0).all()


@SETTINGS
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_a_booth_serves_one_crossing_at_a_time_and_only_while_open(
    data: dict[str, Any], seed: int
) -> None:
    model, rec = simulate(data, seed, days=2)
    p = model.layout.primary
    for b in np.unique(rec.booth):
        mine = rec.booth == b
        order = np.argsort(rec.service_start[mine], kind="stable")
        start, depart = rec.service_start[mine][order], rec.primary_departure[mine][order]
        assert (start[1:] >= depart[:-1]).all()
    hour = (rec.service_start // HOUR).astype(np.int64) % 24
    group = p.lane_group[rec.lane]
    assert (p.booth_rank[rec.booth] < p.sched[group, hour]).all()


@SETTINGS
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_same_seed_same_records(data: dict[str, Any], seed: int) -> None:
    _, first = simulate(data, seed)
    _, second = simulate(data, seed)
    for name in (
        "arrival",
        "service_start",
        "primary_departure",
        "secondary_start",
        "departure",
        "lane",
        "booth",
        "referred",
        "carrier",
        "detected",
        "stream",
        "program",
        "group",
    ):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    servers=st.integers(1, 8),
    load=st.floats(0.3, 1.3),
    cv_gamma=st.sampled_from([0.0, 0.5, 1.0, 2.5]),
)
def test_one_more_booth_never_increases_any_wait(
    seed: int, servers: int, load: float, cv_gamma: float
) -> None:
    """Single-lane FIFO: adding a booth (same draws) cannot delay anyone."""
    rng = np.random.default_rng(seed)
    n = 3_000
    arrival = np.cumsum(rng.exponential(1.0, n))
    if cv_gamma == 0.0:
        service = np.full(n, load * servers)
    else:
        shape = 1.0 / cv_gamma**2
        service = rng.gamma(shape, load * servers / shape, n)
    zeros_cls, tie = np.zeros(n, np.int32), rng.random(n)

    def waits(c: int) -> np.ndarray:
        layout = build_layout([("q", "general", 1, c, [c] * 24)], [[0]])
        _, _, start, _ = run_lanes(arrival, zeros_cls, service, tie, *layout.kernel_args())
        return start - arrival

    fewer, more = waits(servers), waits(servers + 1)
    assert (more <= fewer).all()
    assert (fewer >= 0).all()


@SETTINGS
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1), share=st.floats(0.0, 1.0))
def test_a_referral_policy_changes_secondary_only(
    data: dict[str, Any], seed: int, share: float
) -> None:
    model = PortModel(validate_scenario(data))
    draws = model.draw(1, np.random.default_rng(seed))
    policy = np.random.default_rng(seed + 1).random(len(draws)) < share
    base, flagged = model.run(draws, 1), model.run(draws.with_flags(referred=policy), 1)
    np.testing.assert_array_equal(flagged.referred, policy)
    np.testing.assert_array_equal(flagged.service_start, base.service_start)
    np.testing.assert_array_equal(flagged.booth, base.booth)
    assert (flagged.departure >= flagged.primary_departure).all()
