"""The one-pass driver: draw and queue a whole run in one compiled pass.

A run goes BLOCK crossings at a time: the exponentials for a block are drawn
first (:func:`~border21.ports.kernels.rng.top_up`), then one loop takes each
crossing from arrival to primary departure and writes its record, drawing
only what the crossing needs from a :class:`~border21.ports.kernels.rng.Gen`
(a tie-break only when lanes tie, a secondary exam time only when referred).
Ports where every class has one lane and every booth is always open (M/M/c
like) take the short loop of :func:`_fixed_block`, with the referral steps in
a pass of their own; any other port takes :func:`_general_block`. Numba
costs a loop dearly for every extra case and call it carries: on M/M/10 the
one loop that covered every case measured 45 ns a crossing, the short loop
29 ns (CPU time, same machine). Both loops are compositions of the same
steps (arrivals, class, service, lane, booth, referral); the short loop only
leaves out the cases that cannot arise in it. After the pass, the referred
crossings queue at their secondary areas in order of primary departure
(:func:`~border21.ports.kernels.replay.serve_lanes`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from border21.ports.kernels.arrivals import Clock, advance, new_clock
from border21.ports.kernels.common import U as _U
from border21.ports.kernels.common import borrow
from border21.ports.kernels.crossings import next_crossing, unit_gap
from border21.ports.kernels.queue import (
    QueueState,
    choose_booth,
    choose_lane,
    earliest_booth,
    join,
    new_queue_state,
)
from border21.ports.kernels.referral import referral_outcome
from border21.ports.kernels.replay import serve_lanes
from border21.ports.kernels.rng import Source, drawing_source, top_up
from border21.ports.kernels.service import DETERMINISTIC, EXPONENTIAL, unit_variate
from border21.ports.kernels.tables import QueueTables, RandomModel, RecordBuffers
from border21.ports.kernels.vector import (
    LANE_WIDTH,
    SCAN_BOOTHS,
    choose_booth_vector,
    insert_sorted,
    lane_slots,
)

BLOCK = 4096


@njit(cache=True, nogil=True, inline="always")
def refer(  # pragma: no cover - compiled
    gen: Source,
    row: int,
    s: int,
    c: int,
    rm: RandomModel,
    out: RecordBuffers,
    ref_idx: np.ndarray,
    ref_service: np.ndarray,
    n_ref: int,
    orphan: int,
) -> tuple[int, int]:
    """Referral and detection of record ``row``; a referred crossing's exam time is drawn.

    Referred crossings are listed in ``ref_idx``/``ref_service`` for the
    secondary pass. Returns ``(n_ref, orphan)``: ``orphan`` is the first
    stream that referred a crossing without a secondary area, -1 if none.
    """
    us = _U(s)
    ref, car, det = referral_outcome(
        gen,
        row,
        rm.class_ref_p[_U(c)],
        rm.stream_prob[us, _U(0)],
        rm.stream_prob[us, _U(1)],
        rm.stream_prob[us, _U(2)],
    )
    urow = _U(row)
    out.flags[0, urow] = ref
    out.flags[1, urow] = car
    out.flags[2, urow] = det
    if ref:
        a = rm.stream_area[us]
        if a < 0:
            if orphan < 0:
                orphan = s
        else:
            ua = _U(a)
            ref_idx[n_ref] = row
            ref_service[n_ref] = rm.area_par[ua, _U(2)] * unit_variate(
                gen, row, rm.area_dist[ua], rm.area_par[ua, _U(0)], rm.area_par[ua, _U(1)]
            )
            n_ref += 1
    return n_ref, orphan


@njit(cache=True, nogil=True, inline="always")
def write_record(  # pragma: no cover - compiled
    out: RecordBuffers,
    row: int,
    t: float,
    start: float,
    depart: float,
    s: int,
    prog: int,
    g: int,
    ln: int,
    booth: int,
) -> None:
    urow = _U(row)
    out.times[0, urow] = t
    out.times[1, urow] = start
    out.times[2, urow] = depart
    out.codes[0, urow] = s
    out.codes[1, urow] = prog
    out.codes[2, urow] = g
    out.codes[3, urow] = ln
    out.codes[4, urow] = booth


class ShortLoop(NamedTuple):
    """The short loop's tables: each class's one lane, and the lanes' free times.

    Per class: its lane, the lane's group, first booth, first of its
    LANE_WIDTH slots, and number of booths. Per lane, LANE_WIDTH slots from
    ``w0``: each booth's free time, and the same times sorted (+inf after the
    lane's booths). ``scan``: every lane has at most SCAN_BOOTHS booths.
    """

    class_lane: np.ndarray
    class_group: np.ndarray
    class_b0: np.ndarray
    class_w0: np.ndarray
    class_nb: np.ndarray
    lane_free: np.ndarray
    sorted_free: np.ndarray
    scan: bool


@njit(cache=True, nogil=True)
def short_loop(primary: QueueTables) -> ShortLoop:  # pragma: no cover - compiled
    """The :class:`ShortLoop` of a stage whose classes each have one lane."""
    class_lane = primary.class_lanes[primary.class_ptr[:-1]]
    n_lanes = primary.lane_group.shape[0]
    return ShortLoop(
        class_lane,
        primary.lane_group[class_lane],
        primary.lane_first_booth[class_lane],
        class_lane * LANE_WIDTH,
        primary.lane_nbooths[class_lane],
        lane_slots(n_lanes, primary.lane_nbooths),
        lane_slots(n_lanes, primary.lane_nbooths),
        primary.lane_nbooths.max() <= SCAN_BOOTHS,
    )


@njit(cache=True, nogil=True)
def _fixed_block(  # pragma: no cover - compiled
    gen: Source,
    rm: RandomModel,
    clock: Clock,
    n: int,
    limit: int,
    sl: ShortLoop,
    draws: bool,
    s_blk: np.ndarray,
    c_blk: np.ndarray,
    out: RecordBuffers,
) -> int:
    """Up to ``limit`` crossings, arrival to primary departure, in one loop.

    For ports where every class has one lane, every booth is always open and
    every service time is exponential or deterministic: the steps of
    :func:`_general_block` without the cases that cannot arise there (no lane
    choice: a class's lane, group, first booth and number of booths come from
    per-class tables; its lane's free times from the lane slots at
    ``class_w0``), and without the referral steps (the caller runs
    :func:`_referrals` after the block when some stream needs them). If
    ``draws``, writes the secondary columns and the block's streams and
    classes (without draws nothing is referred and the caller returns the
    primary departure for those). Returns how many crossings it wrote.
    """
    gen, rm, clock, sl, out = borrow((gen, rm, clock, sl, out))
    m = 0
    while m < limit:
        row = n + m
        s, t, c, service = next_crossing(gen, rm, clock, row, True)
        if t == np.inf:
            break
        uc = _U(c)
        # Booth: the earliest start, the lowest-indexed booth on ties (the rule
        # of queue.choose_booth). Lanes of at most SCAN_BOOTHS booths scan;
        # wider lanes read the start from the sorted free times and find the
        # booth by one vector compare (see kernels.vector), so the chain from
        # one crossing to the next is a few operations, not a compare a booth.
        w0 = sl.class_w0[uc]
        if sl.scan:
            k, start = earliest_booth(t, sl.lane_free, w0, sl.class_nb[uc])
            d = start + service
            sl.lane_free[_U(w0 + k)] = d
        else:
            start = max(t, sl.sorted_free[_U(w0)])
            d = start + service
            k = choose_booth_vector(sl.lane_free, w0, start, d)
            insert_sorted(sl.sorted_free, w0, d)
        write_record(
            out,
            row,
            t,
            start,
            d,
            s,
            rm.class_prog[uc],
            sl.class_group[uc],
            sl.class_lane[uc],
            sl.class_b0[uc] + k,
        )
        if draws:  # else nothing is referred: secondary columns are the departure
            out.times[3, _U(row)] = d
            out.times[4, _U(row)] = d
            s_blk[_U(m)] = s
            c_blk[_U(m)] = c
        m += 1
    return m


@njit(cache=True, nogil=True)
def _general_block(  # pragma: no cover - compiled
    gen: Source,
    rm: RandomModel,
    clock: Clock,
    n: int,
    limit: int,
    q: QueueTables,
    qs: QueueState,
    track: bool,
    out: RecordBuffers,
    ref_idx: np.ndarray,
    ref_service: np.ndarray,
    n_ref: int,
    orphan: int,
) -> tuple[int, int, int]:
    """Up to ``limit`` crossings on any layout; writes records ``n ..``.

    Arrival, class and service (:func:`next_crossing`), lane
    (:func:`~border21.ports.kernels.queue.choose_lane`), booth
    (:func:`~border21.ports.kernels.queue.choose_booth`), then referral
    (:func:`refer`, inline here: a separate pass measured slower on the
    shipped scenarios). Returns (how many, n_ref, orphan).
    """
    gen, rm, clock, q, qs, out = borrow((gen, rm, clock, q, qs, out))
    m = 0
    while m < limit:
        row = n + m
        s, t, c, service = next_crossing(gen, rm, clock, row, False)
        if t == np.inf:
            break
        ln = choose_lane(t, c, row, q, qs, gen)
        b, start = choose_booth(t, ln, q, qs.booth_free)
        d = start + service
        join(ln, b, d, qs, track)
        write_record(out, row, t, start, d, s, rm.class_prog[_U(c)], q.lane_group[_U(ln)], ln, b)
        out.times[3, _U(row)] = d
        out.times[4, _U(row)] = d
        n_ref, orphan = refer(gen, row, s, c, rm, out, ref_idx, ref_service, n_ref, orphan)
        m += 1
    return m, n_ref, orphan


@njit(cache=True, nogil=True)
def _referrals(  # pragma: no cover - compiled
    gen: Source,
    rm: RandomModel,
    n: int,
    m: int,
    s_blk: np.ndarray,
    c_blk: np.ndarray,
    out: RecordBuffers,
    ref_idx: np.ndarray,
    ref_service: np.ndarray,
    n_ref: int,
    orphan: int,
) -> tuple[int, int]:
    """The referral step (:func:`refer`) for records ``n .. n + m - 1`` of the short loop."""
    gen, rm, out = borrow((gen, rm, out))
    for i in range(m):
        n_ref, orphan = refer(
            gen, n + i, s_blk[i], c_blk[i], rm, out, ref_idx, ref_service, n_ref, orphan
        )
    return n_ref, orphan


@njit(cache=True, nogil=True)
def one_pass(  # pragma: no cover - compiled
    state: np.ndarray,
    rm: RandomModel,
    primary: QueueTables,
    secondary: QueueTables,
    out: RecordBuffers,
) -> tuple[int, int, bool]:
    """Draw and queue every crossing of a run; ``state`` (4 words) is advanced.

    Writes crossing ``i`` into column ``i`` of ``out``. Returns ``(n, orphan,
    unwritten)``: ``orphan`` is the first stream that referred a crossing
    without a secondary area, -1 if none, or -2 if there were more arrivals
    than the buffers hold (then nothing else is valid); ``unwritten`` is true
    when no crossing could be referred and the short loop left the secondary
    start and departure rows (they equal the primary departure) and the flag
    rows (all false) unwritten.
    """
    n_streams = rm.cum.shape[0]
    n_hours = rm.cum.shape[1] - 1
    # Exponentials a block may take: an arrival gap a crossing, and a primary
    # and an exam time where those are exponential (the buffer sized to fit:
    # a larger one costs M/M/10 ~2% in cache).
    per_crossing = 1 + int((rm.stream_dist == EXPONENTIAL).any())
    per_crossing += int((rm.area_dist == EXPONENTIAL).any())
    gen = drawing_source(state, per_crossing * BLOCK)
    clock = new_clock(n_streams)
    for s in range(n_streams):
        if rm.cum[s, n_hours] > 0.0:
            advance(s, unit_gap(gen), rm.cum, rm.hours, clock)  # the first arrival

    cap = out.times.shape[1]
    ref_idx = np.empty(cap, np.int64)  # pages never touched cost nothing
    ref_service = np.empty(cap, np.float64)
    n_ref = 0
    orphan = -1
    qs = new_queue_state(primary, cap)
    track = qs.heap_t.shape[0] > 0

    # Every class has one lane of at most LANE_WIDTH booths, every booth is
    # always open and every service time is exponential or deterministic: the
    # short loop. (A lognormal or gamma draw is a call; with that branch in the
    # loop, untaken, M/M/10 measured ~2% slower.)
    fixed = bool(
        not track and primary.always_open.all() and primary.lane_nbooths.max() <= LANE_WIDTH
    )
    for s in range(n_streams):
        if rm.stream_dist[s] != EXPONENTIAL and rm.stream_dist[s] != DETERMINISTIC:
            fixed = False
    # Some stream refers crossings or has carriers: the referral step runs.
    draws = bool((rm.stream_prob[:, 0] > 0.0).any() or (rm.class_ref_p > 0.0).any())
    sl = short_loop(primary)
    s_blk = np.empty(BLOCK, np.int64)
    c_blk = np.empty(BLOCK, np.int64)
    n = 0
    while True:
        limit = min(BLOCK, cap - n)
        if limit == 0:  # buffers full: if any arrival is left, the caller retries
            for s in range(n_streams):
                if clock.next_t[s] < np.inf:
                    return 0, -2, False
            break
        top_up(gen)
        if fixed:
            m = _fixed_block(
                gen,
                rm,
                clock,
                n,
                limit,
                sl,
                draws,
                s_blk,
                c_blk,
                out,
            )
        else:
            m, n_ref, orphan = _general_block(
                gen,
                rm,
                clock,
                n,
                limit,
                primary,
                qs,
                track,
                out,
                ref_idx,
                ref_service,
                n_ref,
                orphan,
            )
        if m == 0:
            break
        if fixed and draws:
            n_ref, orphan = _referrals(
                gen, rm, n, m, s_blk, c_blk, out, ref_idx, ref_service, n_ref, orphan
            )
        n += m

    if n_ref > 0:
        # Secondary: referred crossings in order of primary departure (stable).
        depart = out.times[2]
        stream = out.codes[0]
        idx = ref_idx[:n_ref]
        order = np.argsort(depart[idx], kind="mergesort")
        sidx = idx[order]
        sarea = np.empty(n_ref, np.int32)
        for j in range(n_ref):
            sarea[j] = rm.stream_area[stream[sidx[j]]]
        _, _, s_start, s_depart = serve_lanes(
            depart[sidx],
            sarea,
            ref_service[:n_ref][order],
            gen,
            secondary,  # areas never tie
        )
        for j in range(n_ref):
            out.times[3, sidx[j]] = s_start[j]
            out.times[4, sidx[j]] = s_depart[j]
    return n, orphan, fixed and not draws
