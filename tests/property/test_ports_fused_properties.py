"""Properties of the fused engine (``PortModel.simulate``) on random small ports.

The same invariants as ``test_ports_properties.py`` (which checks the NumPy
path), on the same hypothesis-drawn scenarios: every crossing is served once in
time order, no negative waits, FIFO within a lane and at secondary, no start at
a closed booth, and the same seed gives the same records.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_ports_properties import scenarios

from border21.ports.config import validate_scenario
from border21.ports.draws import HOUR
from border21.ports.model import CrossingRecords, PortModel

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


def simulate(data: dict[str, Any], seed: int, days: int = 1) -> tuple[PortModel, CrossingRecords]:
    model = PortModel(validate_scenario(data))
    return model, model.simulate(days, seed)


@SETTINGS
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1), days=st.integers(1, 2))
def test_fused_every_crossing_is_served_once_in_time_order(
    data: dict[str, Any], seed: int, days: int
) -> None:
    model, rec = simulate(data, seed, days)
    n = len(rec)
    for name in COLUMNS:
        assert getattr(rec, name).shape == (n,)
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
    p = model.layout.primary
    first = p.lane_first_booth[rec.lane]
    assert ((rec.booth >= first) & (rec.booth < first + p.lane_nbooths[rec.lane])).all()
    np.testing.assert_array_equal(rec.group, p.lane_group[rec.lane])
    for s, sname in enumerate(rec.stream_names):
        for k, program in enumerate(rec.program_names):
            mine = (rec.stream == s) & (rec.program == k)
            if not mine.any():
                continue
            allowed = model.scenario.eligible_groups(sname, program)
            groups = {rec.group_names[g] for g in np.unique(rec.group[mine])}
            assert groups <= set(allowed)


@SETTINGS
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_fused_fifo_within_each_lane_and_at_secondary(data: dict[str, Any], seed: int) -> None:
    model, rec = simulate(data, seed)
    for lane in np.unique(rec.lane):
        starts = rec.service_start[rec.lane == lane]  # records are in arrival order
        assert (np.diff(starts) >= 0).all()
    ref = np.flatnonzero(rec.referred)
    order = ref[np.argsort(rec.primary_departure[ref], kind="stable")]
    assert (np.diff(rec.secondary_start[order]) >= 0).all()  # one area in these scenarios


@SETTINGS
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_fused_booth_serves_one_at_a_time_and_only_while_open(
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
    assert (p.booth_rank[rec.booth] < p.sched[rec.group, hour]).all()
    # Secondary bays: never more crossings in service than bays open in that hour.
    s = model.layout.secondary
    ref = rec.referred
    if ref.any():
        start, end = rec.secondary_start[ref], rec.departure[ref]
        hour = (start // HOUR).astype(np.int64) % 24
        assert (s.sched[0, hour] > 0).all()
        events = np.concatenate((start, end))
        steps = np.concatenate((np.ones(start.size), -np.ones(end.size)))
        order = np.lexsort((steps, events))  # departures before starts at one instant
        assert np.cumsum(steps[order]).max() <= s.n_booths


@SETTINGS
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_fused_same_seed_same_records(data: dict[str, Any], seed: int) -> None:
    _, first = simulate(data, seed)
    _, second = simulate(data, seed)
    for name in COLUMNS:
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
    model = PortModel(validate_scenario(data))
    a = model.simulate(1, np.random.default_rng(seed))
    b = model.simulate(1, np.random.default_rng(seed))
    for name in COLUMNS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    # A Generator is advanced: two runs from one Generator are different runs.
    rng = np.random.default_rng(seed)
    c, d = model.simulate(1, rng), model.simulate(1, rng)
    if len(c) > 5:
        assert len(c) != len(d) or not np.array_equal(c.arrival, d.arrival)
