"""Pieces of the one-pass driver: block exponentials, lane seeding, the short loop, leases."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from border21.ports.config import validate_scenario
from border21.ports.engine import OnePassOutput, RecordPool, run_one_pass, thread_pool
from border21.ports.kernels.rng import (
    EXP_LANES,
    Source,
    drawing_source,
    fill_exponentials,
    seed_lanes,
    state_words,
    top_up,
)
from border21.ports.model import PortModel


def _xoshiro_outputs(lanes: np.ndarray) -> np.ndarray:
    """One xoshiro256** output per lane, in NumPy (the reference for the compiled fill)."""
    s1 = lanes[EXP_LANES : 2 * EXP_LANES].copy()

    def rotl(x: np.ndarray, k: int) -> np.ndarray:
        return (x << np.uint64(k)) | (x >> np.uint64(64 - k))

    return rotl(s1 * np.uint64(5), 7) * np.uint64(9)


def test_block_exponentials_are_minus_log_of_the_uniforms_to_two_ulp() -> None:
    lanes = seed_lanes(state_words(11))
    out = np.full(2 * EXP_LANES, np.nan)
    for rnd in range(40):
        raw = _xoshiro_outputs(lanes)
        fill_exponentials(lanes, out, rnd % 2)
        u = 2.0 - ((raw >> np.uint64(12)) | np.uint64(0x3FF0000000000000)).view(np.float64)
        want = -np.log(u)
        got = out[rnd % 2 : rnd % 2 + EXP_LANES]
        assert np.all(np.abs(got - want) <= 2 * np.spacing(np.maximum(want, 1e-300)))


def test_lanes_differ_by_seed_and_advance_the_scalar_state() -> None:
    st = state_words(3)
    a = seed_lanes(st)
    b = seed_lanes(st)  # st was advanced by the first call
    assert not np.array_equal(a, b)
    assert np.array_equal(a, seed_lanes(state_words(3)))
    assert len(np.unique(a)) == a.size  # 4 * EXP_LANES distinct words


@njit(cache=True)
def _take(src: Source, sizes: np.ndarray) -> np.ndarray:
    """Take ``sizes[k]`` exponentials after the k-th top-up, all in one array."""
    out = np.empty(sizes.sum())
    j = 0
    for k in range(sizes.shape[0]):
        top_up(src)
        for _ in range(sizes[k]):
            p = src.pos[0]
            src.pos[0] = p + 1
            out[j] = src.ebuf[p]
            j += 1
    return out


@pytest.mark.parametrize("per_block", [300, 1000, 4096])
def test_block_exponentials_come_out_in_generated_order_and_never_twice(per_block: int) -> None:
    """Whatever the buffer size and however much each block takes, a source yields the
    generators' outputs in order, each once (unused ones are carried over, and never
    the stale tail of an earlier fill)."""
    rng = np.random.default_rng(per_block)
    sizes = rng.integers(0, per_block + 1, 60)
    got = _take(drawing_source(state_words(9), per_block), sizes)
    want = _take(drawing_source(state_words(9), int(sizes.sum())), np.array([sizes.sum()]))
    np.testing.assert_array_equal(got, want)
    assert np.unique(got).size == got.size


def _mm_c(servers: int, rho: float) -> PortModel:
    """One stream, one lane of ``servers`` booths, mean service 2 s."""
    return PortModel(
        validate_scenario(
            {
                "port": {"name": "M/M/c"},
                "streams": {
                    "s": {
                        "kind": "pedestrian",
                        "crossings_per_day": rho * servers * 86_400 / 2.0,
                        "primary_service": {"mean_seconds": 2.0},
                    }
                },
                "lanes": {"q": {"streams": ["s"], "lanes": 1, "booths_per_lane": servers}},
            }
        )
    )


def _run(model: PortModel, days: int, seed: int, *, scheduled: bool = False) -> OnePassOutput:
    """One run of the one-pass driver; ``scheduled`` flags every group as scheduled
    (its schedule still opens every booth): the general loop's path."""
    rm, cap = model.random_model(days)
    primary = model.layout.primary.tables
    if scheduled:
        primary = primary._replace(always_open=np.zeros_like(primary.always_open))
    return run_one_pass(rm, cap, primary, model.layout.secondary.tables, state_words(seed))


def _columns(out: OnePassOutput) -> tuple[np.ndarray, ...]:
    return (*out.times, *out.codes, *out.flags)


@pytest.mark.parametrize("servers", [1, 3, 10])
def test_short_loop_gives_the_general_loops_records_bit_for_bit(servers: int) -> None:
    """An always-open, one-lane port takes the short loop; the same port flagged as
    scheduled takes the general loop. Same draws in the same order: identical records."""
    model = _mm_c(servers, 0.9)
    fast, general = _run(model, 1, 8), _run(model, 1, 8, scheduled=True)
    assert fast.orphan == general.orphan == -1
    assert len(fast.times[0]) > 10_000
    for a, b in zip(_columns(fast), _columns(general), strict=True):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("per_lane", [(4, 3, 4), (6, 16, 5)], ids=["scan", "vector"])
@pytest.mark.parametrize("service", ["deterministic", "exponential", "mixed"])
def test_short_loop_matches_the_general_loop_on_several_one_lane_groups(
    service: str, per_lane: tuple[int, int, int]
) -> None:
    """Several classes, each with its own one-lane group: lanes of 3-4 booths
    (the short loop scans them) or 5-16 (it keeps per-lane vectors of free times,
    by booth and sorted). Deterministic service makes exact ties in free times;
    the lowest-indexed booth must win as in the general loop's scan. (Lognormal
    and gamma services always take the general loop.)"""
    model = PortModel(
        validate_scenario(
            {
                "port": {"name": "one-lane groups"},
                "streams": {
                    "cars": {
                        "kind": "personal_vehicle",
                        "crossings_per_day": 12_000,
                        "program_shares": {"general": 0.6, "ready": 0.4},
                        "primary_service": {
                            "distribution": "exponential" if service == "mixed" else service,
                            "mean_seconds": 40.0,
                        },
                    },
                    "walkers": {
                        "kind": "pedestrian",
                        "crossings_per_day": 9_000,
                        "primary_service": {
                            "distribution": "deterministic" if service == "mixed" else service,
                            "mean_seconds": 30.0,
                        },
                    },
                },
                "lanes": {
                    "general": {"streams": ["cars"], "lanes": 1, "booths_per_lane": per_lane[0]},
                    "ready": {
                        "program": "ready",
                        "streams": ["cars"],
                        "lanes": 1,
                        "booths_per_lane": per_lane[1],
                    },
                    "peds": {"streams": ["walkers"], "lanes": 1, "booths_per_lane": per_lane[2]},
                },
            }
        )
    )
    q = model.layout.primary.tables
    assert q.always_open.all()
    assert q.lane_nbooths.tolist() == list(per_lane)
    fast, general = _run(model, 2, 5), _run(model, 2, 5, scheduled=True)
    assert len(fast.times[0]) > 30_000
    booth = fast.codes[4]
    for ln in range(len(q.lane_nbooths)):  # each lane used several of its booths
        first = q.lane_first_booth[ln]
        in_lane = (booth >= first) & (booth < first + q.lane_nbooths[ln])
        assert len(np.unique(booth[in_lane])) >= 3
    for a, b in zip(_columns(fast), _columns(general), strict=True):
        assert np.array_equal(a, b)


def test_a_run_advances_the_state_and_is_deterministic() -> None:
    model = _mm_c(4, 0.8)
    rm, cap = model.random_model(1)
    q, s = model.layout.primary.tables, model.layout.secondary.tables
    st = state_words(21)
    first = run_one_pass(rm, cap, q, s, st)
    second = run_one_pass(rm, cap, q, s, st)
    again = run_one_pass(rm, cap, q, s, state_words(21))
    assert not np.array_equal(first.times[0], second.times[0])
    for a, b in zip(_columns(first), _columns(again), strict=True):
        assert np.array_equal(a, b)


def test_a_run_that_overflows_its_capacity_is_repeated_with_more_room() -> None:
    model = _mm_c(4, 0.8)
    rm, cap = model.random_model(1)
    q, s = model.layout.primary.tables, model.layout.secondary.tables
    roomy = run_one_pass(rm, cap, q, s, state_words(4))
    tight = run_one_pass(rm, 1000, q, s, state_words(4))
    for a, b in zip(_columns(roomy), _columns(tight), strict=True):
        assert np.array_equal(a, b)


def test_leased_buffers_are_reused_only_after_release() -> None:
    """Leasing is explicit: a run's buffers go back to the thread's pool only when its
    records are released; until then other runs take fresh memory."""
    model = _mm_c(2, 0.5)
    thread_pool().clear()
    first = model.simulate(1, seed=1, lease=True)
    assert first.lease is not None and first.lease.buffers is not None
    first_buffers = first.lease.buffers.times
    snapshot = first.arrival.copy()
    second = model.simulate(1, seed=2, lease=True)
    assert not np.shares_memory(second.arrival, first_buffers)
    assert np.array_equal(first.arrival, snapshot)  # held, so untouched
    first.release()
    first.release()  # releasing twice gives the buffers back once
    assert len(thread_pool()) == 1
    third = model.simulate(1, seed=3, lease=True)
    assert np.shares_memory(third.arrival, first_buffers)  # reused
    unleased = model.simulate(1, seed=4)
    assert unleased.lease is None
    unleased.release()  # nothing to give back
    second.release()
    third.release()
    assert len(thread_pool()) == 2


def test_a_pool_keeps_at_most_two_sets_and_a_set_fits_before_it_is_taken() -> None:
    pool = RecordPool()
    leases = [pool.lease(1000) for _ in range(3)]
    for lease in leases:
        lease.release()
    assert len(pool) == 2
    big = pool.lease(10_000)  # no released set is big enough: a new one
    assert big.buffers is not None and big.buffers.capacity >= 10_000
    assert len(pool) == 2
    small = pool.lease(500)
    assert len(pool) == 1 and small.buffers is not None


def test_without_referrals_the_secondary_columns_are_the_primary_departure() -> None:
    """No stream refers: the short loop leaves secondary start and departure
    unwritten and returns read-only views of the primary departure, and the
    flags as one read-only all-false column; the general loop (same draws)
    writes them, with equal values."""
    model = _mm_c(10, 0.9)
    fast, general = _run(model, 1, 4), _run(model, 1, 4, scheduled=True)
    for col in (3, 4):
        assert np.array_equal(fast.times[col], fast.times[2])
        assert np.array_equal(fast.times[col], general.times[col])
        assert not fast.times[col].flags.writeable
        assert general.times[col].flags.writeable
        assert not np.shares_memory(general.times[col], general.times[2])
    for flags in fast.flags:
        assert flags.dtype == np.bool_ and len(flags) == len(fast.times[0])
        assert not flags.any() and not flags.flags.writeable
    assert not any(f.any() for f in general.flags)


def test_advance_maps_points_to_times_by_the_hour_table() -> None:
    """Time rescaling through ``hour_table``: a point in hour k (zero-rate hours
    skipped, exact boundaries included) maps to (k + (p - cum[k]) / count[k])
    hours, bit for bit; a point at the horizon maps to its end; past it, inf."""
    from border21.ports.kernels.arrivals import advance, hour_table, new_clock
    from border21.ports.kernels.common import HOUR

    step = njit(advance.py_func)
    per_hour = np.array([[3.0, 0.0, 0.0, 5.5, 1e-300, 2.0]])
    cum = np.zeros((1, per_hour.shape[1] + 1))
    np.cumsum(per_hour, axis=1, out=cum[:, 1:])
    inv = np.where(per_hour > 0, 1.0 / np.maximum(per_hour, np.finfo(float).tiny), 0.0)
    hours = hour_table(cum, inv)
    total = cum[0, -1]
    rng = np.random.default_rng(3)
    points = np.sort(np.concatenate([rng.uniform(0, total, 200), cum[0, 1:-1], [total]]))
    clock = new_clock(1)
    for p in points:
        step(0, p - clock.point[0], cum, hours, clock)
        k = min(int(np.searchsorted(cum[0], clock.point[0], side="right")) - 1, 5)
        want = (k + (clock.point[0] - cum[0, k]) * inv[0, k]) * HOUR
        assert clock.next_t[0] == want, (p, k)
    step(0, 1.0, cum, hours, clock)
    assert clock.next_t[0] == np.inf


@pytest.mark.parametrize("register", [(8, "v"), (4, "x"), (2, "x"), (0, "")])
def test_lane_vector_steps_for_every_register_width(
    register: tuple[int, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The booth choice and the sorted insert, compiled with each barrier width
    the engine may pick (AVX-512, AVX, SSE2, none), against NumPy."""
    from border21.ports.kernels import vector

    if register[0] == 8 and vector.register_lanes()[0] != 8:
        pytest.skip("this host has no AVX-512")
    monkeypatch.setattr(vector, "register_lanes", lambda: register)

    @njit(cache=False)
    def step(free: np.ndarray, times: np.ndarray, start: float, d: float) -> int:
        k = vector.choose_booth_vector(free, 16, start, d)
        vector.insert_sorted(times, 16, d)
        return k

    def aligned() -> np.ndarray:  # 48 NaN slots, 64-byte aligned as the engine's (lane_slots)
        buf = np.full(56, np.nan)
        skip = (-buf.ctypes.data % 64) // 8
        return buf[skip : skip + 48]

    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 17))
        lane = np.round(rng.uniform(0, 10, n), 1)  # rounding makes ties
        free = aligned()
        free[16:32] = np.inf  # slots 16..31: one lane, +inf after its booths
        free[16 : 16 + n] = lane
        times = aligned()
        times[16:32] = np.sort(free[16:32])
        start = max(float(rng.uniform(0, 10)), float(lane.min()))
        d = start + float(rng.exponential(3.0))
        want_k = int(np.flatnonzero(free[16:32] <= start)[0])
        want_free = free.copy()
        want_free[16 + want_k] = d
        want_times = np.sort(np.append(np.delete(times[16:32], 0), d))[:16]
        assert step(free, times, start, d) == want_k
        assert np.array_equal(free, want_free, equal_nan=True)
        assert np.array_equal(times[16:32], want_times)
        assert np.isnan(times[:16]).all() and np.isnan(times[32:]).all()  # nothing else touched


def _hourly(factors: list[float] | None) -> PortModel:
    """One pedestrian stream, deterministic 2 s service scaled by ``factors`` by hour, booths
    enough that nobody waits."""
    service: dict[str, object] = {"distribution": "deterministic", "mean_seconds": 2.0}
    if factors is not None:
        service["factor_by_hour"] = factors
    return PortModel(
        validate_scenario(
            {
                "port": {"name": "hourly"},
                "streams": {
                    "s": {
                        "kind": "pedestrian",
                        "crossings_per_day": 20_000,
                        "primary_service": service,
                    }
                },
                "lanes": {"q": {"streams": ["s"], "lanes": 1, "booths_per_lane": 40}},
            }
        )  # fmt: skip
    )


FACTORS = [3.0] * 6 + [0.5] * 12 + [1.0] * 6


def test_a_crossing_is_served_at_its_arrival_hours_factor_in_every_driver() -> None:
    """``factor_by_hour`` multiplies the mean of a crossing by the hour it arrives (day 2
    repeats day 1), in the one-pass driver and in both draw drivers."""
    from border21.ports.draws import draw_at_arrivals, draw_crossings

    model = _hourly(FACTORS)
    rm, cap = model.random_model(2)
    out = run_one_pass(rm, cap, model.layout.primary.tables, model.layout.secondary.tables,
                       state_words(4))  # fmt: skip
    arrival, start, done = out.times[0], out.times[1], out.times[2]
    want = 2.0 * np.asarray(FACTORS)[(arrival // 3600).astype(int) % 24]
    assert len(arrival) > 30_000
    assert np.allclose(done - start, want)
    drawn = draw_crossings(rm, cap, 4)
    hours = (drawn.arrival // 3600).astype(int) % 24
    assert np.allclose(drawn.primary_seconds, 2.0 * np.asarray(FACTORS)[hours])
    given = np.array([0.0, 3599.0, 3600.0 * 6, 3600.0 * 23.5, 3600.0 * 25])
    at = draw_at_arrivals(rm, given, np.zeros(5, np.int32), 4)
    assert np.allclose(at.primary_seconds, [6.0, 6.0, 1.0, 2.0, 6.0])


def test_without_hourly_factors_the_records_are_those_of_factors_all_one() -> None:
    """Leaving ``factor_by_hour`` out is the same run as 24 ones, bit for bit."""
    a, b = _hourly(None), _hourly([1.0] * 24)
    ra, cap = a.random_model(1)
    rb, _cap = b.random_model(1)
    one = run_one_pass(ra, cap, a.layout.primary.tables, a.layout.secondary.tables,
                       state_words(9))  # fmt: skip
    two = run_one_pass(rb, cap, b.layout.primary.tables, b.layout.secondary.tables,
                       state_words(9))  # fmt: skip
    for x, y in zip(_columns(one), _columns(two), strict=True):
        assert np.array_equal(x, y)
