"""Properties of the port simulator that hold for every scenario, over every driver.

Hypothesis draws small ports (one or two streams, lane groups with stacked
booths and staffing schedules that close and reopen, a secondary area, random
referral, carriers) and a seed; each property is checked on the records of
each driver: the one-pass driver (``PortModel.simulate``), the draw and replay
drivers (``PortModel.run(PortModel.draw(...))``) and the staged drivers
(``ports.staged``: a primary stage, then the downstream pass). The rules the
properties pin are those of ``border21.ports.kernels.queue``: the lane closes
behind its last vehicle, a crossing whose lanes are all closed is held at the
gate, and nobody waits while a booth that may serve them stands idle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from border21.ports.config import validate_scenario
from border21.ports.kernels.common import HOUR
from border21.ports.kernels.replay import serve_lanes
from border21.ports.kernels.rng import reading_source
from border21.ports.layout import build_layout
from border21.ports.model import CrossingRecords, PortModel
from border21.ports.staged import run_downstream, run_primary

SETTINGS = settings(max_examples=40, deadline=None)
COLUMNS = (
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
)


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
            "carrier_probability": draw(st.sampled_from([0.0, 0.02])),
            "primary_detection_probability": 0.5,
            "secondary_detection_probability": 0.7,
            "secondary": "sec",
        }
    lanes = draw(st.integers(1, 3))
    per_lane = draw(st.integers(1, 3))
    ready_lanes, ready_per_lane = draw(st.integers(1, 2)), draw(st.integers(1, 2))
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
                "lanes": ready_lanes,
                "booths_per_lane": ready_per_lane,
                "open_booths_by_hour": draw(schedules(ready_lanes * ready_per_lane)),
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


def one_pass(model: PortModel, seed: int, days: int) -> CrossingRecords:
    return model.simulate(days, seed)


def replay(model: PortModel, seed: int, days: int) -> CrossingRecords:
    return model.run(model.draw(days, np.random.default_rng(seed)), days)


def staged(model: PortModel, seed: int, days: int) -> CrossingRecords:
    stage = run_primary(model.scenario, np.random.SeedSequence(seed), days)
    rec = run_downstream(stage, model.scenario, keep_records=True).records
    assert rec is not None
    return rec


Driver = Callable[[PortModel, int, int], CrossingRecords]
DRIVERS = pytest.mark.parametrize("driver", [one_pass, replay, staged], ids=lambda f: f.__name__)


def run(driver: Driver, data: dict[str, Any], seed: int, days: int = 1) -> tuple[PortModel, Any]:
    model = PortModel(validate_scenario(data))
    return model, driver(model, seed, days)


def first_open_since(model: PortModel, booth: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The first moment at or after ``t`` at which each booth is open (inf: never)."""
    q = model.layout.primary.tables
    group = q.lane_group[np.searchsorted(q.lane_first_booth, booth, side="right") - 1]
    rank = q.booth_rank[booth]
    k = (t // HOUR).astype(np.int64)
    out = np.full(t.shape, np.inf)
    for step in range(24, -1, -1):  # the smallest step that opens wins
        opens = rank < q.sched[group, (k + step) % 24]
        out = np.where(opens, t if step == 0 else (k + step) * HOUR, out)
    return out


@DRIVERS
@SETTINGS
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1), days=st.integers(1, 2))
def test_every_crossing_is_served_once_in_time_order(
    driver: Driver, data: dict[str, Any], seed: int, days: int
) -> None:
    model, rec = run(driver, data, seed, days)
    n = len(rec)
    for name in COLUMNS:
        assert getattr(rec, name).shape == (n,)
    times = [
        rec.arrival,
        rec.queue_entry,
        rec.service_start,
        rec.primary_departure,
        rec.secondary_start,
        rec.departure,
    ]
    for t in times:
        assert np.isfinite(t).all()
    for earlier, later in zip(times, times[1:], strict=False):
        assert (later >= earlier).all()
    assert (np.diff(rec.arrival) >= 0).all()
    assert rec.arrival.min(initial=0.0) >= 0 and rec.arrival.max(initial=0.0) <= days * 24 * HOUR
    assert (rec.wait_seconds >= 0).all() and (rec.secondary_wait_seconds >= 0).all()
    np.testing.assert_array_equal(
        rec.departure[~rec.referred], rec.primary_departure[~rec.referred]
    )
    np.testing.assert_array_equal(
        rec.secondary_start[~rec.referred], rec.primary_departure[~rec.referred]
    )
    assert not (rec.detected & ~(rec.referred & rec.carrier)).any()
    # Each crossing sits in one booth of a lane its stream and program may use.
    q = model.layout.primary.tables
    first = q.lane_first_booth[rec.lane]
    assert ((rec.booth >= first) & (rec.booth < first + q.lane_nbooths[rec.lane])).all()
    np.testing.assert_array_equal(rec.group, q.lane_group[rec.lane])
    for s, sname in enumerate(rec.stream_names):
        for k, program in enumerate(rec.program_names):
            mine = (rec.stream == s) & (rec.program == k)
            if mine.any():
                allowed = model.scenario.eligible_groups(sname, program)
                groups = {rec.group_names[g] for g in np.unique(rec.group[mine])}
                assert groups <= set(allowed)


@DRIVERS
@SETTINGS
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_fifo_within_each_lane_and_at_secondary(
    driver: Driver, data: dict[str, Any], seed: int
) -> None:
    _, rec = run(driver, data, seed)
    for lane in np.unique(rec.lane):
        starts = rec.service_start[rec.lane == lane]  # records are in arrival order
        assert (np.diff(starts) >= 0).all()
    ref = np.flatnonzero(rec.referred)
    order = ref[np.argsort(rec.primary_departure[ref], kind="stable")]
    assert (np.diff(rec.secondary_start[order]) >= 0).all()  # one area in these scenarios


@DRIVERS
@SETTINGS
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_a_booth_serves_one_at_a_time_and_only_whom_it_was_open_for(
    driver: Driver, data: dict[str, Any], seed: int
) -> None:
    """No booth serves two at once, and a booth starts a crossing only if it has been
    open at some moment since the crossing arrived (it clears the queue it had when
    its schedule closed it, and takes no one who came after)."""
    model, rec = run(driver, data, seed, days=2)
    for b in np.unique(rec.booth):
        mine = rec.booth == b
        order = np.argsort(rec.service_start[mine], kind="stable")
        start, depart = rec.service_start[mine][order], rec.primary_departure[mine][order]
        assert (start[1:] >= depart[:-1]).all()
    assert (first_open_since(model, rec.booth, rec.arrival) <= rec.service_start).all()
    # Secondary bays: never more crossings in service than bays.
    ref = rec.referred
    if ref.any():
        start, end = rec.secondary_start[ref], rec.departure[ref]
        events = np.concatenate((start, end))
        steps = np.concatenate((np.ones(start.size), -np.ones(end.size)))
        order = np.lexsort((steps, events))  # departures before starts at one instant
        assert np.cumsum(steps[order]).max() <= model.layout.secondary.n_booths


@DRIVERS
@SETTINGS
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_nobody_waits_while_a_booth_that_may_serve_them_is_idle(
    driver: Driver, data: dict[str, Any], seed: int
) -> None:
    """No stranded crossings: while a crossing waits in its lane (from its queue entry to
    its start), every booth of its lane that has been open since it arrived is busy,
    serving someone. So a crossing never waits through a closed period of its lane
    while a booth that owes it service stands idle, or behind a closed booth."""
    model, rec = run(driver, data, seed, days=2)
    q = model.layout.primary.tables
    for b in np.unique(rec.booth):
        mine = rec.booth == b
        order = np.argsort(rec.service_start[mine], kind="stable")
        busy_from = rec.service_start[mine][order]
        busy_to = rec.primary_departure[mine][order]
        # Idle periods of booth b: before its first crossing and between crossings.
        idle_from = np.concatenate(([0.0], busy_to))
        idle_to = np.concatenate((busy_from, [np.inf]))
        real = idle_to > idle_from
        idle_from, idle_to = idle_from[real], idle_to[real]
        lane = np.searchsorted(q.lane_first_booth, b, side="right") - 1
        waiting = (rec.lane == lane) & (rec.service_start > rec.queue_entry)
        if not waiting.any() or idle_from.size == 0:
            continue
        owed_from = np.maximum(
            rec.queue_entry[waiting],
            first_open_since(model, np.full(waiting.sum(), b), rec.arrival[waiting]),
        )
        until = rec.service_start[waiting]
        # No idle period of b overlaps [owed_from, until) of any waiting crossing.
        overlap = (
            (owed_from < until)[:, None]
            & (idle_from[None, :] < until[:, None])
            & (idle_to[None, :] > owed_from[:, None])
        )
        assert not overlap.any(), f"booth {b} idle while a crossing it owes waits"


@DRIVERS
@SETTINGS
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_held_exactly_when_every_lane_is_closed_until_the_first_opens(
    driver: Driver, data: dict[str, Any], seed: int
) -> None:
    """A crossing is held at the gate (queue entry after arrival) exactly when none of its
    class's lanes is open on arrival, and it enters when the first of them opens."""
    model, rec = run(driver, data, seed, days=2)
    q = model.layout.primary.tables
    layout = model.layout
    k = (rec.arrival // HOUR).astype(np.int64)
    for c, program in enumerate(layout.class_program):
        s = layout.class_stream[c]
        mine = (rec.stream == s) & (rec.program == layout.program_names.index(program))
        if not mine.any():
            continue
        lanes = q.class_lanes[q.class_ptr[c] : q.class_ptr[c + 1]]
        hour = k[mine] % 24
        any_open = (q.lane_open[lanes][:, hour] > 0).any(axis=0)
        held = rec.queue_entry[mine] > rec.arrival[mine]
        np.testing.assert_array_equal(held, ~any_open)
        first = (k[mine] + q.lane_open_step[lanes][:, hour].min(axis=0)) * HOUR
        np.testing.assert_array_equal(rec.queue_entry[mine][held], first[held])


@DRIVERS
@SETTINGS
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_same_seed_same_records(driver: Driver, data: dict[str, Any], seed: int) -> None:
    _, first = run(driver, data, seed)
    _, second = run(driver, data, seed)
    for name in COLUMNS:
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))


@SETTINGS
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_a_generator_seed_is_advanced(data: dict[str, Any], seed: int) -> None:
    """Two runs from one Generator are different runs (one-pass and draw drivers)."""
    model = PortModel(validate_scenario(data))
    rng = np.random.default_rng(seed)
    c, d = model.simulate(1, rng), model.simulate(1, rng)
    e, f = model.draw(1, rng), model.draw(1, rng)
    if len(c) > 5:
        assert len(c) != len(d) or not np.array_equal(c.arrival, d.arrival)
    if len(e) > 5:
        assert len(e) != len(f) or not np.array_equal(e.arrival, f.arrival)


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
    assert not (flagged.detected & ~(policy & flagged.carrier)).any()


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
    """Single-lane FIFO (the replay driver): adding a booth (same draws) cannot delay anyone."""
    rng = np.random.default_rng(seed)
    n = 3_000
    arrival = np.cumsum(rng.exponential(1.0, n))
    if cv_gamma == 0.0:
        service = np.full(n, load * servers)
    else:
        shape = 1.0 / cv_gamma**2
        service = rng.gamma(shape, load * servers / shape, n)
    zeros_cls, tie = np.zeros(n, np.int32), reading_source(rng.random(n))

    def waits(c: int) -> np.ndarray:
        layout = build_layout([("q", "general", 1, c, [c] * 24)], [[0]])
        _, _, start, _ = serve_lanes(arrival, zeros_cls, service, tie, layout.tables)
        return np.asarray(start - arrival)

    fewer, more = waits(servers), waits(servers + 1)
    assert (more <= fewer).all()
    assert (fewer >= 0).all()
