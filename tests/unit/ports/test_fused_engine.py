"""Pieces of the fused engine: block exponentials, lane seeding, the short loop."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from border21.ports.config import validate_scenario
from border21.ports.fused import (
    EXP_LANES,
    _fill_exponentials,
    _seed_lanes,
    build_tables,
    run_fused,
    state_words,
)
from border21.ports.model import PortModel


def _xoshiro_outputs(lanes: np.ndarray) -> np.ndarray:
    """One xoshiro256** output per lane, in NumPy (the reference for the compiled fill)."""
    s0, s1, s2, s3 = (lanes[w * EXP_LANES : (w + 1) * EXP_LANES].copy() for w in range(4))

    def rotl(x: np.ndarray, k: int) -> np.ndarray:
        return (x << np.uint64(k)) | (x >> np.uint64(64 - k))

    return rotl(s1 * np.uint64(5), 7) * np.uint64(9)


def test_block_exponentials_are_minus_log_of_the_uniforms_to_two_ulp() -> None:
    lanes = _seed_lanes(state_words(11))
    out = np.full(2 * EXP_LANES, np.nan)
    for rnd in range(40):
        raw = _xoshiro_outputs(lanes)
        _fill_exponentials(lanes, out, rnd % 2)
        u = 2.0 - ((raw >> np.uint64(12)) | np.uint64(0x3FF0000000000000)).view(np.float64)
        want = -np.log(u)
        got = out[rnd % 2 : rnd % 2 + EXP_LANES]
        assert np.all(np.abs(got - want) <= 2 * np.spacing(np.maximum(want, 1e-300)))


def test_lanes_differ_by_seed_and_advance_the_scalar_state() -> None:
    st = state_words(3)
    a = _seed_lanes(st)
    b = _seed_lanes(st)  # st was advanced by the first call
    assert not np.array_equal(a, b)
    assert np.array_equal(a, _seed_lanes(state_words(3)))
    assert len(np.unique(a)) == a.size  # 4 * EXP_LANES distinct words


def _mm_c(servers: int, rho: float) -> tuple[PortModel, object]:
    """One stream, one lane of ``servers`` booths, mean service 2 s."""
    model = PortModel(
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
    return model, model.layout


@pytest.mark.parametrize("servers", [1, 3, 10])
def test_short_loop_gives_the_general_loops_records_bit_for_bit(servers: int) -> None:
    """An always-open, one-lane port takes the short loop; the same port flagged
    as scheduled (its schedule still has every booth open) takes the general
    loop. Same draws in the same order, so the records must be identical."""
    model, layout = _mm_c(servers, 0.9)
    tables = build_tables(model.scenario, layout, 1, np.zeros(1, np.int32))
    fast, o1 = run_fused(tables, layout, state_words(8))
    general, o2 = run_fused(tables, _flag_scheduled(layout), state_words(8))
    assert o1 == o2 == -1
    assert len(fast[0]) > 10_000
    for a, b in zip(fast, general, strict=True):
        assert np.array_equal(a, b)


def _flag_scheduled(layout: object) -> object:
    """The same layout with every group marked as scheduled: the general loop's path."""
    primary = layout.primary  # type: ignore[attr-defined]
    return replace(
        layout,
        primary=replace(primary, always_open=np.zeros_like(primary.always_open)),
    )


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
    layout = model.layout
    assert layout.primary.always_open.all()
    assert layout.primary.lane_nbooths.tolist() == list(per_lane)
    tables = build_tables(model.scenario, layout, 2, model._class_program_code)
    fast, _ = run_fused(tables, layout, state_words(5))
    general, _ = run_fused(tables, _flag_scheduled(layout), state_words(5))
    assert len(fast[0]) > 30_000
    lp = layout.primary
    for ln in range(len(lp.lane_nbooths)):  # each lane used several of its booths
        first = lp.lane_first_booth[ln]
        in_lane = (fast[9] >= first) & (fast[9] < first + lp.lane_nbooths[ln])
        assert len(np.unique(fast[9][in_lane])) >= 3
    for a, b in zip(fast, general, strict=True):
        assert np.array_equal(a, b)


def test_run_fused_advances_the_state_and_is_deterministic() -> None:
    model, layout = _mm_c(4, 0.8)
    tables = build_tables(model.scenario, layout, 1, np.zeros(1, np.int32))
    st = state_words(21)
    first, _ = run_fused(tables, layout, st)
    second, _ = run_fused(tables, layout, st)
    again, _ = run_fused(tables, layout, state_words(21))
    assert not np.array_equal(first[0], second[0])
    for a, b in zip(first, again, strict=True):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("held", range(13))
def test_record_buffers_are_reused_only_when_no_column_is_held(held: int) -> None:
    """A held column keeps its run's records intact; once dropped, the buffers are reused."""
    model, layout = _mm_c(2, 0.5)
    tables = build_tables(model.scenario, layout, 1, np.zeros(1, np.int32))
    cols, _ = run_fused(tables, layout, state_words(1))
    kept = cols[held]
    snapshot = kept.copy()
    first = id(kept.base)
    del cols
    second, _ = run_fused(tables, layout, state_words(2))
    assert id(second[0].base) != first  # `kept` still refers to the first buffers
    assert np.array_equal(kept, snapshot)
    reused = id(second[0].base)
    del second
    third, _ = run_fused(tables, layout, state_words(3))
    assert id(third[0].base) == reused  # nothing refers to the second run's buffers
    assert np.array_equal(kept, snapshot)


def test_a_caller_holding_the_previous_run_still_reuses_memory() -> None:
    """``rec = simulate(...)`` in a loop: run 3 reuses run 1's buffers while run 2 is held."""
    model, layout = _mm_c(2, 0.5)
    tables = build_tables(model.scenario, layout, 1, np.zeros(1, np.int32))
    one, _ = run_fused(tables, layout, state_words(1))
    base_one = id(one[0].base)
    two, _ = run_fused(tables, layout, state_words(2))
    snapshot = [c.copy() for c in two]
    assert id(two[0].base) != base_one
    del one
    three, _ = run_fused(tables, layout, state_words(3))
    assert id(three[0].base) == base_one
    for a, b in zip(two, snapshot, strict=True):
        assert np.array_equal(a, b)  # the held run is untouched


def test_without_referrals_the_secondary_columns_are_the_primary_departure() -> None:
    """No stream refers: the short loop leaves secondary start and departure
    unwritten and returns read-only views of the primary departure, and the
    flags as one read-only all-false column; the general loop (same draws)
    writes them, with equal values."""
    model, layout = _mm_c(10, 0.9)
    tables = build_tables(model.scenario, layout, 1, np.zeros(1, np.int32))
    fast, _ = run_fused(tables, layout, state_words(4))
    general, _ = run_fused(tables, _flag_scheduled(layout), state_words(4))
    for col in (3, 4):
        assert np.array_equal(fast[col], fast[2])
        assert np.array_equal(fast[col], general[col])
        assert not fast[col].flags.writeable
        assert general[col].flags.writeable
        assert not np.shares_memory(general[col], general[2])
    for col in (10, 11, 12):
        assert fast[col].dtype == np.bool_ and len(fast[col]) == len(fast[0])
        assert not fast[col].any() and not general[col].any()
        assert not fast[col].flags.writeable


def test_advance_maps_points_to_times_by_the_hour_table() -> None:
    """Time rescaling through ``hour_table``: a point in hour k (zero-rate hours
    skipped, exact boundaries included) maps to (k + (p - cum[k]) / count[k])
    hours, bit for bit; a point at the horizon maps to its end; past it, inf."""
    from border21.ports.draws import HOUR
    from border21.ports.fused import _advance, hour_table

    per_hour = np.array([[3.0, 0.0, 0.0, 5.5, 1e-300, 2.0]])
    cum = np.zeros((1, per_hour.shape[1] + 1))
    np.cumsum(per_hour, axis=1, out=cum[:, 1:])
    inv = np.where(per_hour > 0, 1.0 / np.maximum(per_hour, np.finfo(float).tiny), 0.0)
    hours = hour_table(cum, inv)
    total = cum[0, -1]
    rng = np.random.default_rng(3)
    points = np.sort(np.concatenate([rng.uniform(0, total, 200), cum[0, 1:-1], [total]]))
    point, hour_k, next_t = np.zeros(1), np.zeros(1, np.int64), np.zeros(1)
    for p in points:
        _advance(0, p - point[0], cum, hours, point, hour_k, next_t)
        k = min(int(np.searchsorted(cum[0], point[0], side="right")) - 1, per_hour.shape[1] - 1)
        want = (k + (point[0] - cum[0, k]) * inv[0, k]) * HOUR
        assert next_t[0] == want, (p, k)
    _advance(0, 1.0, cum, hours, point, hour_k, next_t)
    assert next_t[0] == np.inf


@pytest.mark.parametrize("register", [(8, "v"), (4, "x"), (2, "x"), (0, "")])
def test_lane_vector_steps_for_every_register_width(
    register: tuple[int, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The booth choice and the sorted insert, compiled with each barrier width
    the engine may pick (AVX-512, AVX, SSE2, none), against NumPy."""
    from numba import njit

    from border21.ports import fused

    if register[0] == 8 and fused._register_lanes()[0] != 8:
        pytest.skip("this host has no AVX-512")
    monkeypatch.setattr(fused, "_register_lanes", lambda: register)

    @njit(cache=False)
    def step(free: np.ndarray, times: np.ndarray, start: float, d: float) -> int:
        k = fused._choose_booth(free, 16, start, d)
        fused._insert_sorted(times, 16, d)
        return k

    def aligned() -> np.ndarray:  # 48 NaN slots, 64-byte aligned as the engine's (_lane_slots)
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
