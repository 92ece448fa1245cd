"""The fused engine: draw and queue a whole run in one compiled pass.

``PortModel.simulate`` uses this engine. It makes the same random choices as
``draws.draw_crossings`` followed by ``engine.run_lanes`` (arrivals by time
rescaling per stream, program, service time, random referral, carrier,
officers' suspicion, secondary finding, JSQ tie-breaks), with the same queueing
rules, but from a small inline xoshiro256** generator and without
materialising the draws: a crossing's variates are drawn the moment it is
queued, and only those it needs (a tie-break only when lanes tie, a secondary
service only when referred). Results are statistically identical to the NumPy
path, not bitwise (different random numbers).

Seeding: 4 state words from a ``SeedSequence`` (or drawn from a caller's
``Generator``), so replications seeded by ``SeedSequence.spawn`` children are
independent streams.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit

from border21.ports.config import PortScenario, ServiceTime
from border21.ports.draws import HOUR, hourly_rates
from border21.ports.engine import (
    _heap_pop,
    _heap_push,
    _hour_index,
    _jsq_candidates,
    _lane_hours,
    _next_open,
    run_lanes,
)
from border21.ports.layout import PortLayout

DETERMINISTIC, EXPONENTIAL, LOGNORMAL, GAMMA = 0, 1, 2, 3
_DIST_CODE = {"deterministic": 0, "exponential": 1, "lognormal": 2, "gamma": 3}
_TWO_M53 = 1.0 / 9007199254740992.0  # 2**-53


# ------------------------------------------------------------------ generator


@njit(cache=True, nogil=True)
def _rotl(x: np.uint64, k: int) -> np.uint64:  # pragma: no cover - compiled
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(cache=True, nogil=True)
def _next_u64(st: np.ndarray) -> np.uint64:  # pragma: no cover - compiled
    """xoshiro256** (Blackman & Vigna); ``st`` holds the 4 state words."""
    s0 = st[0]
    s1 = st[1]
    s2 = st[2]
    s3 = st[3]
    result = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    st[0] = s0
    st[1] = s1
    st[2] = s2
    st[3] = s3
    return result


@njit(cache=True, nogil=True)
def _uniform(st: np.ndarray) -> float:  # pragma: no cover - compiled
    """Uniform on [0, 1), 53 random bits."""
    return float(np.int64(_next_u64(st) >> np.uint64(11))) * _TWO_M53


@njit(cache=True, nogil=True)
def _exponential(st: np.ndarray) -> float:  # pragma: no cover - compiled
    """Standard exponential, ``-log(u)`` with u uniform on (0, 1].

    (A 256-layer ziggurat measured slower here than glibc's FMA ``log``.)
    """
    return -math.log((float(np.int64(_next_u64(st) >> np.uint64(11))) + 1.0) * _TWO_M53)


@njit(cache=True, nogil=True)
def _normal(st: np.ndarray, spare: np.ndarray) -> float:  # pragma: no cover - compiled
    """Standard normal by Marsaglia's polar method, keeping the second variate."""
    if spare[0] != 0.0:
        spare[0] = 0.0
        return float(spare[1])
    while True:
        x = 2.0 * _uniform(st) - 1.0
        y = 2.0 * _uniform(st) - 1.0
        r = x * x + y * y
        if 0.0 < r < 1.0:
            f = math.sqrt(-2.0 * math.log(r) / r)
            spare[0] = 1.0
            spare[1] = y * f
            return x * f


@njit(cache=True, nogil=True)
def _gamma(st: np.ndarray, spare: np.ndarray, shape: float) -> float:  # pragma: no cover
    """Gamma(shape, 1) by Marsaglia & Tsang (2000), boosted for shape < 1."""
    a = shape if shape >= 1.0 else shape + 1.0
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = _normal(st, spare)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = _uniform(st)
        x2 = x * x
        if u < 1.0 - 0.0331 * x2 * x2 or math.log(u) < 0.5 * x2 + d * (1.0 - v + math.log(v)):
            g = d * v
            break
    if shape < 1.0:
        u = 1.0 - _uniform(st)  # (0, 1]
        g *= u ** (1.0 / shape)
    return g


@njit(cache=True, nogil=True)
def _unit_variate(  # pragma: no cover - compiled
    st: np.ndarray, spare: np.ndarray, dist: int, p1: float, p2: float
) -> float:
    """A draw with mean 1: lognormal (p1 = mu, p2 = sigma) or gamma (p1 = shape)."""
    if dist == DETERMINISTIC:
        return 1.0
    if dist == EXPONENTIAL:
        return _exponential(st)
    if dist == LOGNORMAL:
        return math.exp(p1 + p2 * _normal(st, spare))
    return _gamma(st, spare, p1) / p1


# ------------------------------------------------------------------ the pass


@njit(cache=True, nogil=True)
def fused_port(  # pragma: no cover - compiled
    st: np.ndarray,
    cum: np.ndarray,
    inv_rate: np.ndarray,
    stream_cls_ptr: np.ndarray,
    stream_cls: np.ndarray,
    stream_cls_cum: np.ndarray,
    class_mean: np.ndarray,
    class_ref_p: np.ndarray,
    class_prog: np.ndarray,
    stream_dist: np.ndarray,
    stream_par: np.ndarray,
    stream_prob: np.ndarray,
    stream_area: np.ndarray,
    area_dist: np.ndarray,
    area_par: np.ndarray,
    fout: np.ndarray,
    iout: np.ndarray,
    bout: np.ndarray,
    class_ptr: np.ndarray,
    class_lanes: np.ndarray,
    lane_group: np.ndarray,
    lane_first_booth: np.ndarray,
    lane_nbooths: np.ndarray,
    booth_rank: np.ndarray,
    sched: np.ndarray,
    always_open: np.ndarray,
    s_class_ptr: np.ndarray,
    s_class_lanes: np.ndarray,
    s_lane_group: np.ndarray,
    s_lane_first_booth: np.ndarray,
    s_lane_nbooths: np.ndarray,
    s_booth_rank: np.ndarray,
    s_sched: np.ndarray,
    s_always_open: np.ndarray,
) -> tuple[int, int]:
    """Draw and queue every crossing of a run (see :class:`FusedTables` for the tables).

    Writes crossing ``i`` into column ``i`` of the output buffers: ``fout`` rows
    arrival, start, primary departure, secondary start, departure; ``iout`` rows
    stream, program, group, lane, booth; ``bout`` rows referred, carrier,
    detected. Returns ``(n, orphan)``: ``orphan`` is the first stream that
    referred a crossing without a secondary area, -1 if none, or -2 if there
    were more arrivals than the buffers hold (then nothing else is valid).
    """
    n_streams = cum.shape[0]
    n_hours = inv_rate.shape[1]
    spare = np.zeros(2, np.float64)
    # Per stream: position on the cumulative intensity, hour, next arrival time.
    point = np.zeros(n_streams, np.float64)
    hour_k = np.zeros(n_streams, np.int64)
    next_t = np.full(n_streams, np.inf)
    for s in range(n_streams):
        total = cum[s, n_hours]
        if total <= 0.0:
            continue
        p = _exponential(st)
        k = 0
        while k < n_hours and cum[s, k + 1] <= p:
            k += 1
        point[s] = p
        hour_k[s] = k
        if p <= total:
            h = min(k, n_hours - 1)
            next_t[s] = (h + (p - cum[s, h]) * inv_rate[s, h]) * HOUR

    cap = fout.shape[1]
    arrival = fout[0]
    start = fout[1]
    depart = fout[2]
    sec_start = fout[3]
    leave = fout[4]
    stream = iout[0]
    program = iout[1]
    group = iout[2]
    lane = iout[3]
    booth = iout[4]
    referred = bout[0]
    carrier = bout[1]
    detected = bout[2]
    ref_idx = np.empty(cap, np.int64)  # pages never touched cost nothing
    ref_service = np.empty(cap, np.float64)
    n_ref = 0
    orphan = -1

    n_booths = booth_rank.shape[0]
    booth_free = np.zeros(n_booths, np.float64)
    max_choice = 1
    for c in range(class_ptr.shape[0] - 1):
        max_choice = max(max_choice, class_ptr[c + 1] - class_ptr[c])
    cand = np.empty(max_choice, np.int64)
    track_lanes = max_choice > 1
    lane_open, lane_open_step = _lane_hours(
        lane_group, lane_first_booth, lane_nbooths, booth_rank, sched
    )
    in_lane = np.zeros(lane_group.shape[0], np.int64)
    heap_t = np.empty(cap if track_lanes else 0, np.float64)
    heap_lane = np.empty(cap if track_lanes else 0, np.int64)
    heap_size = 0

    n = 0
    overflow = False
    while True:
        # k-way merge: the stream whose next arrival comes first (lowest index on ties).
        s = 0
        t = next_t[0]
        for j in range(1, n_streams):
            if next_t[j] < t:
                t = next_t[j]
                s = j
        if t == np.inf:
            break
        # Advance that stream by one unit-rate gap on its cumulative intensity.
        p = point[s] + _exponential(st)
        k = hour_k[s]
        while k < n_hours and cum[s, k + 1] <= p:
            k += 1
        point[s] = p
        hour_k[s] = k
        if p <= cum[s, n_hours]:
            h = min(k, n_hours - 1)
            next_t[s] = (h + (p - cum[s, h]) * inv_rate[s, h]) * HOUR
        else:
            next_t[s] = np.inf

        if n == cap:  # more arrivals than the capacity allows: the caller retries
            overflow = True
            break

        # Program (class) of the crossing.
        q0 = stream_cls_ptr[s]
        q1 = stream_cls_ptr[s + 1]
        q = q0
        if q1 - q0 > 1:
            u = _uniform(st)
            while q < q1 - 1 and u >= stream_cls_cum[q]:
                q += 1
        c = stream_cls[q]
        dist = stream_dist[s]
        if dist == EXPONENTIAL:
            service = class_mean[c] * _exponential(st)
        elif dist == DETERMINISTIC:
            service = class_mean[c]
        else:
            service = class_mean[c] * _unit_variate(
                st, spare, dist, stream_par[s, 0], stream_par[s, 1]
            )

        # Lane: JSQ among the class's lanes, a uniform only when lanes tie.
        p0 = class_ptr[c]
        p1 = class_ptr[c + 1]
        if p1 - p0 == 1:
            chosen = class_lanes[p0]
        else:
            while heap_size > 0 and heap_t[0] <= t:
                in_lane[heap_lane[0]] -= 1
                heap_size = _heap_pop(heap_t, heap_lane, heap_size)
            nbest = _jsq_candidates(
                _hour_index(t) % 24, p0, p1, class_lanes, lane_open, lane_open_step, in_lane, cand
            )
            if nbest == 1:
                chosen = cand[0]
            else:
                pick = int(_uniform(st) * nbest)
                if pick >= nbest:
                    pick = nbest - 1
                chosen = cand[pick]

        # Booth: earliest start, lowest index on ties.
        g = lane_group[chosen]
        b0 = lane_first_booth[chosen]
        best_start = np.inf
        best_booth = b0
        if always_open[g]:
            # Start = max(free, t): every idle booth ties at t, so the strict
            # comparison keeps the first (lowest-indexed) one; branch-free.
            for b in range(b0, b0 + lane_nbooths[chosen]):
                sb = max(booth_free[b], t)
                better = sb < best_start
                best_start = sb if better else best_start
                best_booth = b if better else best_booth
        else:
            for b in range(b0, b0 + lane_nbooths[chosen]):
                sb = _next_open(max(t, booth_free[b]), booth_rank[b], sched[g])
                if sb < best_start:
                    best_start = sb
                    best_booth = b
        d = best_start + service
        booth_free[best_booth] = d
        if track_lanes:
            in_lane[chosen] += 1
            heap_size = _heap_push(heap_t, heap_lane, heap_size, d, chosen)

        arrival[n] = t
        start[n] = best_start
        depart[n] = d
        sec_start[n] = d
        leave[n] = d
        stream[n] = s
        program[n] = class_prog[c]
        group[n] = g
        lane[n] = chosen
        booth[n] = best_booth
        referred[n] = False
        carrier[n] = False
        detected[n] = False

        # Referral: at random, or an officer suspects a carrier; then secondary's finding.
        ref = False
        rp = class_ref_p[c]
        if rp > 0.0:
            ref = _uniform(st) < rp
        cp = stream_prob[s, 0]
        if cp > 0.0 and _uniform(st) < cp:
            carrier[n] = True
            ps = stream_prob[s, 1]
            if ps > 0.0 and _uniform(st) < ps:
                ref = True
            if ref:
                pf = stream_prob[s, 2]
                if pf > 0.0 and _uniform(st) < pf:
                    detected[n] = True
        if ref:
            referred[n] = True
            a = stream_area[s]
            if a < 0:
                if orphan < 0:
                    orphan = s
            else:
                ref_idx[n_ref] = n
                ref_service[n_ref] = area_par[a, 2] * _unit_variate(
                    st, spare, area_dist[a], area_par[a, 0], area_par[a, 1]
                )
                n_ref += 1
        n += 1

    if overflow:  # signal with orphan = -2; the buffers are not valid
        return 0, -2
    if n_ref > 0:
        # Secondary: referred crossings in order of primary departure (stable).
        idx = ref_idx[:n_ref]
        order = np.argsort(depart[idx], kind="mergesort")
        sidx = idx[order]
        sdep = depart[sidx]
        sarea = np.empty(n_ref, np.int32)
        for j in range(n_ref):
            sarea[j] = stream_area[stream[sidx[j]]]
        _, _, s_start, s_depart = run_lanes(
            sdep,
            sarea,
            ref_service[:n_ref][order],
            np.zeros(n_ref),
            s_class_ptr,
            s_class_lanes,
            s_lane_group,
            s_lane_first_booth,
            s_lane_nbooths,
            s_booth_rank,
            s_sched,
            s_always_open,
        )
        for j in range(n_ref):
            sec_start[sidx[j]] = s_start[j]
            leave[sidx[j]] = s_depart[j]
    return n, orphan


# ------------------------------------------------------------------ tables


def _dist_params(service: ServiceTime) -> tuple[int, float, float]:
    code = _DIST_CODE[service.distribution]
    cv = service.effective_cv
    if code == LOGNORMAL:
        sigma2 = math.log1p(cv * cv)
        return code, -sigma2 / 2.0, math.sqrt(sigma2)
    if code == GAMMA:
        return code, 1.0 / (cv * cv), 0.0
    return code, 0.0, 0.0


@dataclass(frozen=True, slots=True)
class FusedTables:
    """The scenario's random model as arrays for :func:`fused_port` (one horizon)."""

    cum: np.ndarray
    inv_rate: np.ndarray
    stream_cls_ptr: np.ndarray
    stream_cls: np.ndarray
    stream_cls_cum: np.ndarray
    class_mean: np.ndarray
    class_ref_p: np.ndarray
    class_prog: np.ndarray
    stream_dist: np.ndarray
    stream_par: np.ndarray
    stream_prob: np.ndarray
    stream_area: np.ndarray
    area_dist: np.ndarray
    area_par: np.ndarray
    capacity: int

    def args(self) -> tuple[np.ndarray, ...]:
        return (
            self.cum,
            self.inv_rate,
            self.stream_cls_ptr,
            self.stream_cls,
            self.stream_cls_cum,
            self.class_mean,
            self.class_ref_p,
            self.class_prog,
            self.stream_dist,
            self.stream_par,
            self.stream_prob,
            self.stream_area,
            self.area_dist,
            self.area_par,
        )


def build_tables(
    scenario: PortScenario,
    layout: PortLayout,
    days: int,
    class_program_code: np.ndarray,
    rates: np.ndarray | None = None,
) -> FusedTables:
    """Tabulate arrival intensities, class shares and service parameters.

    ``rates`` (streams × hours, per second) overrides the scenario's hourly rates.
    """
    streams = list(scenario.streams.values())
    if rates is None:
        rates = np.array(
            [
                hourly_rates(
                    st.crossings_per_day,
                    st.hour_of_day_shape,
                    st.weekday_shape,
                    days,
                    scenario.port.start_weekday,
                )
                for st in streams
            ]
        )
    per_hour = np.asarray(rates, np.float64) * HOUR
    cum = np.zeros((per_hour.shape[0], per_hour.shape[1] + 1))
    np.cumsum(per_hour, axis=1, out=cum[:, 1:])
    # 1 / expected count per hour (finite even for subnormal rates: the offset
    # into such an hour is below its count, so the product stays below 1).
    inv_rate = np.where(per_hour > 0, 1.0 / np.maximum(per_hour, np.finfo(float).tiny), 0.0)
    ptr = [0]
    cls_order: list[int] = []
    cls_cum: list[float] = []
    class_mean = np.zeros(len(layout.class_program))
    class_ref_p = np.zeros(len(layout.class_program))
    for s, st in enumerate(streams):
        classes = [int(c) for c in np.flatnonzero(layout.class_stream == s)]
        shares = np.array([st.program_shares[layout.class_program[c]] for c in classes])  # type: ignore[index]
        cum_shares = np.cumsum(shares / shares.sum()) if classes else np.zeros(0)
        for c, cs in zip(classes, cum_shares, strict=True):
            program = layout.class_program[c]
            cls_order.append(c)
            cls_cum.append(float(cs))
            class_mean[c] = st.primary_service.mean_for(program)
            class_ref_p[c] = st.referral_for(program)
        ptr.append(len(cls_order))
    stream_dist = np.zeros(len(streams), np.int64)
    stream_par = np.zeros((len(streams), 2))
    stream_prob = np.zeros((len(streams), 3))
    for s, st in enumerate(streams):
        code, p1, p2 = _dist_params(st.primary_service)
        stream_dist[s] = code
        stream_par[s] = (p1, p2)
        stream_prob[s] = (
            st.carrier_probability,
            st.primary_detection_probability,
            st.secondary_detection_probability,
        )
    areas = list(scenario.secondary.values())
    area_dist = np.zeros(max(1, len(areas)), np.int64)
    area_par = np.zeros((max(1, len(areas)), 3))
    for a, area in enumerate(areas):
        code, p1, p2 = _dist_params(area.service)
        area_dist[a] = code
        area_par[a] = (p1, p2, area.service.mean_seconds)
    totals = cum[:, -1]
    capacity = int(np.sum(totals + 6.0 * np.sqrt(totals) + 16.0))
    return FusedTables(
        cum=cum,
        inv_rate=inv_rate,
        stream_cls_ptr=np.asarray(ptr, np.int64),
        stream_cls=np.asarray(cls_order, np.int64),
        stream_cls_cum=np.asarray(cls_cum, np.float64),
        class_mean=class_mean,
        class_ref_p=class_ref_p,
        class_prog=np.asarray(class_program_code, np.int32),
        stream_dist=stream_dist,
        stream_par=stream_par,
        stream_prob=stream_prob,
        stream_area=np.asarray(layout.stream_area, np.int64),
        area_dist=area_dist,
        area_par=area_par,
        capacity=capacity,
    )


def state_words(seed: int | np.random.Generator | np.random.SeedSequence | None) -> np.ndarray:
    """The generator's 4 state words: from a seed's ``SeedSequence``, or drawn from a Generator.

    A Generator is advanced (4 words drawn and hashed through a ``SeedSequence``),
    so passing the same Generator to successive runs gives independent runs.
    """
    if isinstance(seed, np.random.Generator):
        words = seed.integers(0, 2**63, size=4, dtype=np.int64)
        ss = np.random.SeedSequence([int(w) for w in words])
    elif isinstance(seed, np.random.SeedSequence):
        ss = seed
    else:
        ss = np.random.SeedSequence(seed)
    state = ss.generate_state(4, np.uint64)
    if not state.any():  # xoshiro's one forbidden state
        state[0] = np.uint64(0x9E3779B97F4A7C15)
    return state


def run_fused(
    tables: FusedTables, layout: PortLayout, state: np.ndarray
) -> tuple[tuple[np.ndarray, ...], int]:
    """One fused run; ``state`` (4 uint64 words) is advanced in place.

    Returns the 13 record columns (arrival, start, primary departure, secondary
    start, departure, stream, program, group, lane, booth, referred, carrier,
    detected) and ``orphan`` (see :func:`fused_port`). The buffers are NumPy
    allocations (NumPy asks for transparent huge pages, so filling them costs
    far fewer page faults than kernel-side allocations). If the arrivals
    overflow the capacity (a tail event beyond six standard deviations), the
    run is repeated from the same state with twice the capacity, so the result
    is the one a larger capacity would have given.
    """
    start = state.copy()
    cap = tables.capacity
    while True:
        fout = np.empty((5, cap), np.float64)
        iout = np.empty((5, cap), np.int32)
        bout = np.empty((3, cap), np.bool_)
        args: tuple[Any, ...] = (
            state,
            *tables.args(),
            fout,
            iout,
            bout,
            *layout.primary.kernel_args(),
            *layout.secondary.kernel_args(),
        )
        n, orphan = fused_port(*args)
        if orphan != -2:
            cols = tuple(row[:n] for row in fout) + tuple(row[:n] for row in iout)
            return cols + tuple(row[:n] for row in bout), int(orphan)
        state[:] = start
        cap = 2 * cap + 16
