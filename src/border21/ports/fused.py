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
import platform
import sys
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from llvmlite import binding as llvm_binding
from llvmlite import ir
from numba import config as numba_config
from numba import njit, types
from numba.extending import intrinsic

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
EXP_LANES = 256  # interleaved generators behind the block exponentials (one block = one draw each)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
# Hot loops index with unsigned integers: Numba then skips the negative-index
# fix-up (and the loads of array shapes it needs), a few ns per crossing.
_U = np.uint64


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


# ------------------------------------------------------------------ block exponentials
#
# The queue needs one exponential per arrival gap and, for exponential
# services, one per service. ``-log(u)`` through libm costs ~7 ns each; drawn a
# block at a time from ``EXP_LANES`` independent xoshiro256** states (one per
# SIMD lane, so the loop vectorises) and with fdlibm's ``log`` written out in
# branch-free arithmetic, an exponential costs ~3 ns. The lanes are seeded from
# four words of the run's scalar generator, hashed (splitmix64's finaliser) with
# the lane and word index.


def _bitcast_to(target: Any) -> Any:  # pragma: no cover - compile time
    """A Numba intrinsic reinterpreting a 64-bit value as ``target`` (same bits)."""
    source = types.uint64 if target == types.float64 else types.float64

    def typer(typingctx: Any, x: Any) -> Any:
        if x != source:
            return None

        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            return builder.bitcast(args[0], context.get_value_type(target))

        return target(source), codegen

    typer.__name__ = f"bitcast_to_{target}"
    return intrinsic(typer)


_f64_from_bits: Any = _bitcast_to(types.float64)  # uint64 -> float64
_bits_from_f64: Any = _bitcast_to(types.uint64)  # float64 -> uint64


@njit(cache=True, nogil=True)
def _mix(z: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    """splitmix64's finaliser (a bijection on 64-bit words)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True)
def _seed_lanes(st: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """``EXP_LANES`` xoshiro256** states from 4 draws of ``st``.

    Word w of lane j is at ``j + w * EXP_LANES``.
    """
    lanes = np.empty(4 * EXP_LANES, np.uint64)
    keys = np.empty(4, np.uint64)
    for w in range(4):
        keys[w] = _next_u64(st)
    for j in range(EXP_LANES):
        zero = True
        for w in range(4):
            word = _mix(keys[w] + np.uint64(4 * j + w + 1) * _GOLDEN)
            lanes[j + w * EXP_LANES] = word
            zero = zero and word == 0
        if zero:
            lanes[j] = _GOLDEN  # xoshiro's one forbidden state
    return lanes


# fdlibm e_log.c: log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)), s = f / (2 + f).
_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
def _fill_exponentials(lanes: np.ndarray, out: np.ndarray, at: int) -> None:  # pragma: no cover
    """One standard exponential per lane into ``out[at : at + EXP_LANES]``: ``-log(u)``.

    u is uniform on (0, 1] (52 bits).

    Lane ``j``'s state is ``lanes[j + w * EXP_LANES]`` for words w = 0..3.
    Straight-line code on unsigned words and doubles, so LLVM vectorises the
    loop over lanes. ``log`` is fdlibm's (error below 1 ulp): u = 2^k (1 + f),
    1 + f in [sqrt(2)/2, sqrt(2)).
    """
    for i in range(EXP_LANES):
        j = _U(i)
        a0 = lanes[j]
        a1 = lanes[j + _U(EXP_LANES)]
        a2 = lanes[j + _U(2 * EXP_LANES)]
        a3 = lanes[j + _U(3 * EXP_LANES)]
        x = a1 * np.uint64(5)
        r = ((x << np.uint64(7)) | (x >> np.uint64(57))) * np.uint64(9)
        t = a1 << np.uint64(17)
        a2 ^= a0
        a3 ^= a1
        a1 ^= a2
        a0 ^= a3
        a2 ^= t
        lanes[j] = a0
        lanes[j + _U(EXP_LANES)] = a1
        lanes[j + _U(2 * EXP_LANES)] = a2
        lanes[j + _U(3 * EXP_LANES)] = (a3 << np.uint64(45)) | (a3 >> np.uint64(19))
        # u = 2 - m, m uniform on [1, 2) from the top 52 bits: exact, in (0, 1].
        u = 2.0 - _f64_from_bits((r >> np.uint64(12)) | np.uint64(0x3FF0000000000000))
        hx = _bits_from_f64(u)
        frac = hx & np.uint64(0x000FFFFFFFFFFFFF)
        high = frac > np.uint64(0x6A09E667F3BCC)  # 1 + f >= sqrt(2): halve it
        e = (hx >> np.uint64(52)) + (np.uint64(1) if high else np.uint64(0))
        f = _f64_from_bits(
            frac | (np.uint64(0x3FE0000000000000) if high else np.uint64(0x3FF0000000000000))
        )
        f -= 1.0
        # k = e - 1023 as a double, exactly, without an int-to-float conversion.
        k = _f64_from_bits(np.uint64(0x4330000000000000) | e) - (4503599627370496.0 + 1023.0)
        s = f / (2.0 + f)
        z = s * s
        w = z * z
        r_ = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7))) + w * (_LG2 + w * (_LG4 + w * _LG6))
        hfsq = 0.5 * f * f
        out[_U(at + i)] = (hfsq - (s * (hfsq + r_) + k * _LN2_LO)) - f - k * _LN2_HI


@njit(cache=True, nogil=True)
def _top_up(lanes: np.ndarray, ebuf: np.ndarray, epos: int) -> int:  # pragma: no cover
    """Move the unused exponentials to the front and refill; returns the new position 0.

    Called before each block, so the block's loop only reads ``ebuf`` (a refill
    call inside the loop measured ~10% slower on the shipped scenarios). The
    values come out in the order they were generated, whenever this runs.
    """
    left = ebuf.shape[0] - epos
    for i in range(left):
        ebuf[i] = ebuf[epos + i]
    while left + EXP_LANES <= ebuf.shape[0]:
        _fill_exponentials(lanes, ebuf, left)
        left += EXP_LANES
    return 0


# ------------------------------------------------------------------ lane vectors
#
# The short loop keeps, per lane, LANE_WIDTH free times by booth and the same
# times sorted, as whole vectors: each crossing loads, updates and stores a
# lane's 16 slots at the same aligned addresses, so the next crossing's loads
# are forwarded from those stores (a narrower or shifted store in between
# makes the load wait for the store to reach the cache: M/M/10 measured 16 ns
# a crossing that way, 12 ns like this). Written as LLVM vector IR because
# Numba would vectorise the per-booth loops with a runtime trip count.

LANE_WIDTH = 16
SCAN_BOOTHS = 4  # lanes up to this many booths scan them instead (cheaper for 1 booth)
_V = ir.VectorType(ir.DoubleType(), LANE_WIDTH)
_SPLAT = ir.Constant(ir.VectorType(ir.IntType(32), LANE_WIDTH), [0] * LANE_WIDTH)
_SHIFT = ir.Constant(ir.VectorType(ir.IntType(32), LANE_WIDTH), list(range(1, LANE_WIDTH + 1)))


def _lane_vector(context: Any, builder: Any, aryty: Any, ary: Any, at: Any) -> Any:
    """Pointer to the LANE_WIDTH doubles of a float64 array from index ``at``."""
    data = context.make_array(aryty)(context, builder, ary).data
    return builder.bitcast(builder.gep(data, [at]), _V.as_pointer())


def _splat(builder: Any, x: Any) -> Any:
    one = builder.insert_element(ir.Constant(_V, ir.Undefined), x, ir.Constant(ir.IntType(32), 0))
    return builder.shuffle_vector(one, ir.Constant(_V, ir.Undefined), _SPLAT)


def _register_lanes() -> tuple[int, str]:
    """Doubles in the widest vector register Numba's target has, and its asm constraint.

    (0, "") off x86-64, where no barrier is emitted. Numba compiles for this
    host unless ``NUMBA_CPU_NAME`` or ``NUMBA_CPU_FEATURES`` say otherwise;
    then the SSE2 baseline.
    """
    if platform.machine().lower() not in {"x86_64", "amd64"}:
        return 0, ""
    if getattr(numba_config, "CPU_NAME", None) or getattr(numba_config, "CPU_FEATURES", None):
        return 2, "x"
    features = llvm_binding.get_host_cpu_features()
    if features.get("avx512f", False):
        return 8, "v"
    if features.get("avx", False):
        return 4, "x"
    return 2, "x"


def _opaque(builder: Any, v: Any) -> Any:
    """``v`` through an empty asm statement per register: the same bits, of unknown origin."""
    width, constraint = _register_lanes()
    if width == 0:
        return v
    i32 = ir.IntType(32)
    parts = []
    for h in range(LANE_WIDTH // width):
        piece = ir.VectorType(ir.DoubleType(), width)
        lanes = ir.Constant(ir.VectorType(i32, width), list(range(h * width, (h + 1) * width)))
        part = builder.shuffle_vector(v, ir.Constant(_V, ir.Undefined), lanes)
        asm_type = ir.FunctionType(piece, [piece])
        parts.append(builder.asm(asm_type, "", f"={constraint},0", [part], False))
    while len(parts) > 1:  # concatenate pairwise back to LANE_WIDTH lanes
        n = 2 * parts[0].type.count
        both = ir.Constant(ir.VectorType(i32, n), list(range(n)))
        parts = [
            builder.shuffle_vector(parts[i], parts[i + 1], both) for i in range(0, len(parts), 2)
        ]
    return parts[0]


def _choose_booth_ir(typingctx: Any, free: Any, at: Any, start: Any, d: Any) -> Any:
    """k = the lowest j with ``free[at + j] <= start``; sets ``free[at + k] = d``; returns k.

    One load, compare, select and full-width store (a masked store would not
    forward to the next load). Some j must qualify.
    """

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        ptr = _lane_vector(context, builder, signature.args[0], args[0], args[1])
        v = builder.load(ptr, align=64, typ=_V)
        bits = builder.bitcast(
            builder.fcmp_ordered("<=", v, _splat(builder, args[2])), ir.IntType(LANE_WIDTH)
        )
        lowest = builder.bitcast(
            builder.and_(bits, builder.neg(bits)), ir.VectorType(ir.IntType(1), LANE_WIDTH)
        )
        # An empty asm hides that ``v`` is the memory's content; LLVM would
        # otherwise store the select as a masked store, which the next load
        # cannot be forwarded from.
        opaque = _opaque(builder, v)
        builder.store(builder.select(lowest, _splat(builder, args[3]), opaque), ptr, align=64)
        k = builder.cttz(bits, ir.Constant(ir.IntType(1), 0))
        return builder.zext(k, ir.IntType(64))

    return types.int64(free, at, start, d), codegen


def _insert_sorted_ir(typingctx: Any, times: Any, at: Any, d: Any) -> Any:
    """``times[at : at + LANE_WIDTH]`` ascending: drop the first, insert ``d`` in order.

    Slot j becomes min(t[j + 1], max(t[j], d)), with +inf shifted in at the end
    (exact for d >= t[0]: the j-th smallest of the rest and d).
    """

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        ptr = _lane_vector(context, builder, signature.args[0], args[0], args[1])
        v = builder.load(ptr, align=64, typ=_V)
        inf = ir.Constant(_V, [math.inf] * LANE_WIDTH)
        nxt = builder.shuffle_vector(v, inf, _SHIFT)
        dv = _splat(builder, args[2])
        hi = builder.select(builder.fcmp_ordered(">", v, dv), v, dv)
        builder.store(builder.select(builder.fcmp_ordered("<", nxt, hi), nxt, hi), ptr, align=64)
        return context.get_dummy_value()

    return types.void(times, at, d), codegen


_choose_booth: Any = intrinsic(_choose_booth_ir)
_insert_sorted: Any = intrinsic(_insert_sorted_ir)


@njit(cache=True, nogil=True)
def _lane_slots(n_lanes: int, nbooths: np.ndarray) -> np.ndarray:  # pragma: no cover
    """LANE_WIDTH slots a lane, 64-byte aligned: 0 for each booth (free), +inf after."""
    raw = np.empty(n_lanes * LANE_WIDTH + 8, np.float64)
    skip = ((64 - raw.ctypes.data % 64) % 64) // 8
    out = raw[skip : skip + n_lanes * LANE_WIDTH]
    out[:] = np.inf
    for ln in range(n_lanes):
        out[ln * LANE_WIDTH : ln * LANE_WIDTH + min(nbooths[ln], LANE_WIDTH)] = 0.0
    return out


# ------------------------------------------------------------------ the pass
#
# A run goes BLOCK crossings at a time: the exponentials for a block are drawn
# first (``_top_up``), then one loop takes each crossing from arrival to primary
# departure and writes its record. Ports where every class has one lane and
# every booth is always open (M/M/c-like) take the short loop of
# ``_fixed_block``, with referral draws in a pass of their own; any other port
# takes ``_general_block`` (JSQ, staffing schedules, referral draws inline).
# Numba costs a loop dearly for every extra case and call it carries: on M/M/10
# the one loop that covered every case measured 45 ns a crossing, the short
# loop 29 ns (CPU time, same machine).

BLOCK = 4096


@njit(cache=True, nogil=True, inline="always")
def _advance(  # pragma: no cover - compiled
    s: int,
    gap: float,
    cum: np.ndarray,
    hours: np.ndarray,
    point: np.ndarray,
    hour_k: np.ndarray,
    next_t: np.ndarray,
) -> None:
    """Move stream ``s`` one unit-rate ``gap`` along its cumulative intensity.

    Time rescaling: point p in hour h maps to (h + (p - cum[h]) / count[h])
    hours. ``hours[s, 4k : 4k + 4]`` holds hour k's end point, start point,
    1 / count and k, so the common case (still in the same hour) is one compare
    and a few loads; the last entry's end is +inf (see :func:`hour_table`).
    """
    us = _U(s)
    p = point[us] + gap
    point[us] = p
    k = hour_k[us]
    while hours[us, _U(4 * k)] <= p:
        k += 1
    hour_k[us] = k
    j = _U(4 * k)
    t = (hours[us, j + _U(3)] + (p - hours[us, j + _U(1)]) * hours[us, j + _U(2)]) * HOUR
    next_t[us] = t if p <= cum[us, _U(cum.shape[1] - 1)] else np.inf


@njit(cache=True, nogil=True)
def _fixed_block(  # pragma: no cover - compiled
    st: np.ndarray,
    ebuf: np.ndarray,
    epos: int,
    n: int,
    limit: int,
    cum: np.ndarray,
    hours: np.ndarray,
    point: np.ndarray,
    hour_k: np.ndarray,
    next_t: np.ndarray,
    s_blk: np.ndarray,
    c_blk: np.ndarray,
    stream_cls_ptr: np.ndarray,
    stream_cls: np.ndarray,
    stream_cls_cum: np.ndarray,
    class_mean: np.ndarray,
    stream_dist: np.ndarray,
    class_prog: np.ndarray,
    class_lane: np.ndarray,
    class_group: np.ndarray,
    class_b0: np.ndarray,
    class_w0: np.ndarray,
    lane_free: np.ndarray,
    sorted_free: np.ndarray,
    class_nb: np.ndarray,
    scan: bool,
    draws: bool,
    fout: np.ndarray,
    iout: np.ndarray,
) -> tuple[int, int]:
    """Up to ``limit`` crossings, arrival to primary departure, in one loop.

    For ports where every class has one lane, every booth is always open and
    every service time is exponential or deterministic:
    the draws and rules of :func:`_general_block` without the cases that cannot
    arise there (JSQ, schedules; a class's lane, group, first booth and number
    of booths come from per-class tables, its lane's free times from the lane
    vectors at ``class_w0``), and without the referral draws (the caller runs
    :func:`_referrals` after the block when some stream needs them).
    Writes records ``n ..`` and, if ``draws``, the secondary columns and the
    block's streams and classes (without draws nothing is referred and
    :func:`run_fused` returns the primary departure for those); returns (how
    many, epos).
    """
    n_streams = cum.shape[0]
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
    m = 0
    while m < limit:
        s = 0
        t = next_t[0]
        for j in range(1, n_streams):
            if next_t[_U(j)] < t:
                t = next_t[_U(j)]
                s = j
        if t == np.inf:
            break
        us = _U(s)
        _advance(s, ebuf[_U(epos)], cum, hours, point, hour_k, next_t)
        epos += 1

        q = stream_cls_ptr[us]
        q1 = stream_cls_ptr[us + _U(1)]
        if q1 - q > 1:
            u = _uniform(st)
            while q < q1 - 1 and u >= stream_cls_cum[_U(q)]:
                q += 1
        c = stream_cls[_U(q)]
        uc = _U(c)
        if stream_dist[us] == EXPONENTIAL:
            service = class_mean[uc] * ebuf[_U(epos)]
            epos += 1
        else:  # deterministic: the only other service this loop takes
            service = class_mean[uc]

        # Booth: the earliest start, max(free, t), and among the booths that
        # start then the lowest-indexed, as _general_block's scan. Lanes of at
        # most SCAN_BOOTHS booths scan (a short chain). Wider lanes: the start
        # is max(t, least free time), read from the lane's free times kept
        # sorted, and the booth is the lowest with free time <= start, both
        # 16-wide vector steps (see _choose_booth), so the chain from one
        # crossing to the next is a few operations, not a compare per booth.
        w0 = class_w0[uc]
        if scan:
            best_start = np.inf
            best_k = 0
            for k in range(class_nb[uc]):
                sb = max(lane_free[_U(w0 + k)], t)
                better = sb < best_start
                best_start = sb if better else best_start
                best_k = k if better else best_k
            d = best_start + service
            lane_free[_U(w0 + best_k)] = d
            best_booth = class_b0[uc] + best_k
        else:
            best_start = max(t, sorted_free[_U(w0)])
            d = best_start + service
            best_booth = class_b0[uc] + _choose_booth(lane_free, w0, best_start, d)
            _insert_sorted(sorted_free, w0, d)

        row = _U(n + m)
        arrival[row] = t
        start[row] = best_start
        depart[row] = d
        stream[row] = s
        program[row] = class_prog[uc]
        group[row] = class_group[uc]
        lane[row] = class_lane[uc]
        booth[row] = best_booth
        if draws:  # else nothing is referred: secondary columns are the departure
            sec_start[row] = d
            leave[row] = d
            s_blk[_U(m)] = s
            c_blk[_U(m)] = c
        m += 1
    return m, epos


@njit(cache=True, nogil=True)
def _general_block(  # pragma: no cover - compiled
    st: np.ndarray,
    spare: np.ndarray,
    lanes: np.ndarray,
    ebuf: np.ndarray,
    epos: int,
    n: int,
    limit: int,
    cum: np.ndarray,
    hours: np.ndarray,
    point: np.ndarray,
    hour_k: np.ndarray,
    next_t: np.ndarray,
    stream_cls_ptr: np.ndarray,
    stream_cls: np.ndarray,
    stream_cls_cum: np.ndarray,
    class_mean: np.ndarray,
    stream_dist: np.ndarray,
    stream_par: np.ndarray,
    class_prog: np.ndarray,
    class_ptr: np.ndarray,
    class_lanes: np.ndarray,
    lane_group: np.ndarray,
    lane_first_booth: np.ndarray,
    lane_nbooths: np.ndarray,
    booth_rank: np.ndarray,
    sched: np.ndarray,
    always_open: np.ndarray,
    booth_free: np.ndarray,
    lane_open: np.ndarray,
    lane_open_step: np.ndarray,
    in_lane: np.ndarray,
    cand: np.ndarray,
    heap_t: np.ndarray,
    heap_lane: np.ndarray,
    heap_size: int,
    fout: np.ndarray,
    iout: np.ndarray,
    bout: np.ndarray,
    class_ref_p: np.ndarray,
    stream_prob: np.ndarray,
    stream_area: np.ndarray,
    area_dist: np.ndarray,
    area_par: np.ndarray,
    ref_idx: np.ndarray,
    ref_service: np.ndarray,
    n_ref: int,
    orphan: int,
) -> tuple[int, int, int, int, int]:
    """Up to ``limit`` crossings on any layout; writes records ``n ..``.

    Arrivals, program, service, lane (JSQ among the class's lanes, a uniform
    only when lanes tie; a departure heap keeps the lane counts when some class
    has a choice), booth (earliest start, lowest index on ties, staffing
    schedules), then the referral draws as in :func:`_referrals` (inline here:
    a separate pass measured slower on the shipped scenarios). Returns (how
    many, epos, heap size, n_ref, orphan).
    """
    n_streams = cum.shape[0]
    track_lanes = heap_t.shape[0] > 0
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
    m = 0
    while m < limit:
        s = 0
        t = next_t[0]
        for j in range(1, n_streams):
            if next_t[_U(j)] < t:
                t = next_t[_U(j)]
                s = j
        if t == np.inf:
            break
        us = _U(s)
        _advance(s, ebuf[_U(epos)], cum, hours, point, hour_k, next_t)
        epos += 1

        q = stream_cls_ptr[us]
        q1 = stream_cls_ptr[us + _U(1)]
        if q1 - q > 1:
            u = _uniform(st)
            while q < q1 - 1 and u >= stream_cls_cum[_U(q)]:
                q += 1
        c = stream_cls[_U(q)]
        uc = _U(c)
        dist = stream_dist[us]
        if dist == EXPONENTIAL:
            service = class_mean[uc] * ebuf[_U(epos)]
            epos += 1
        elif dist == DETERMINISTIC:
            service = class_mean[uc]
        else:
            service = class_mean[uc] * _unit_variate(
                st, spare, dist, stream_par[us, _U(0)], stream_par[us, _U(1)]
            )

        p0 = class_ptr[uc]
        p1 = class_ptr[uc + _U(1)]
        if p1 - p0 == 1:
            chosen = class_lanes[_U(p0)]
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

        uch = _U(chosen)
        g = lane_group[uch]
        b0 = lane_first_booth[uch]
        best_start = np.inf
        best_booth = b0
        if always_open[_U(g)]:
            # Start = max(free, t): every idle booth ties at t, so the strict
            # comparison keeps the first (lowest-indexed) one; branch-free.
            for b in range(b0, b0 + lane_nbooths[uch]):
                sb = max(booth_free[_U(b)], t)
                better = sb < best_start
                best_start = sb if better else best_start
                best_booth = b if better else best_booth
        else:
            for b in range(b0, b0 + lane_nbooths[uch]):
                sb = _next_open(max(t, booth_free[_U(b)]), booth_rank[_U(b)], sched[g])
                if sb < best_start:
                    best_start = sb
                    best_booth = b
        d = best_start + service
        booth_free[_U(best_booth)] = d
        if track_lanes:
            in_lane[uch] += 1
            heap_size = _heap_push(heap_t, heap_lane, heap_size, d, chosen)

        row = _U(n + m)
        arrival[row] = t
        start[row] = best_start
        depart[row] = d
        sec_start[row] = d
        leave[row] = d
        stream[row] = s
        program[row] = class_prog[uc]
        group[row] = g
        lane[row] = chosen
        booth[row] = best_booth
        # Referral draws (as in _referrals; a helper call here measured ~80 ns slower).
        ref = False
        car = False
        det = False
        rp = class_ref_p[_U(c)]
        if rp > 0.0:
            ref = _uniform(st) < rp
        cp = stream_prob[_U(s), _U(0)]
        if cp > 0.0 and _uniform(st) < cp:
            car = True
            ps = stream_prob[_U(s), _U(1)]
            if ps > 0.0 and _uniform(st) < ps:
                ref = True
            if ref:
                pf = stream_prob[_U(s), _U(2)]
                det = pf > 0.0 and _uniform(st) < pf
        referred[row] = ref
        carrier[row] = car
        detected[row] = det
        if ref:
            a = stream_area[_U(s)]
            if a < 0:
                if orphan < 0:
                    orphan = s
            else:
                ref_idx[n_ref] = row
                ref_service[n_ref] = area_par[a, 2] * _unit_variate(
                    st, spare, area_dist[a], area_par[a, 0], area_par[a, 1]
                )
                n_ref += 1
        m += 1
    return m, epos, heap_size, n_ref, orphan


@njit(cache=True, nogil=True)
def _referrals(  # pragma: no cover - compiled
    st: np.ndarray,
    spare: np.ndarray,
    n: int,
    m: int,
    s_blk: np.ndarray,
    c_blk: np.ndarray,
    class_ref_p: np.ndarray,
    stream_prob: np.ndarray,
    stream_area: np.ndarray,
    area_dist: np.ndarray,
    area_par: np.ndarray,
    bout: np.ndarray,
    ref_idx: np.ndarray,
    ref_service: np.ndarray,
    n_ref: int,
    orphan: int,
) -> tuple[int, int]:
    """Referral, carrier and detection flags of records ``n .. n + m - 1``.

    Referral is at random, or because an officer suspects a carrier; then
    secondary's finding. A referred crossing's secondary service is drawn and
    queued in ``ref_idx``/``ref_service``. Returns ``(n_ref, orphan)``. (Same
    draws as the end of :func:`_general_block`'s loop, which keeps them inline.)
    """
    referred = bout[0]
    carrier = bout[1]
    detected = bout[2]
    for i in range(m):
        s = s_blk[i]
        c = c_blk[i]
        row = _U(n + i)
        ref = False
        car = False
        det = False
        rp = class_ref_p[_U(c)]
        if rp > 0.0:
            ref = _uniform(st) < rp
        cp = stream_prob[_U(s), _U(0)]
        if cp > 0.0 and _uniform(st) < cp:
            car = True
            ps = stream_prob[_U(s), _U(1)]
            if ps > 0.0 and _uniform(st) < ps:
                ref = True
            if ref:
                pf = stream_prob[_U(s), _U(2)]
                det = pf > 0.0 and _uniform(st) < pf
        referred[row] = ref
        carrier[row] = car
        detected[row] = det
        if ref:
            a = stream_area[_U(s)]
            if a < 0:
                if orphan < 0:
                    orphan = s
            else:
                ref_idx[n_ref] = row
                ref_service[n_ref] = area_par[a, 2] * _unit_variate(
                    st, spare, area_dist[a], area_par[a, 0], area_par[a, 1]
                )
                n_ref += 1
    return n_ref, orphan


@njit(cache=True, nogil=True)
def fused_port(  # pragma: no cover - compiled
    st: np.ndarray,
    cum: np.ndarray,
    hours: np.ndarray,
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
) -> tuple[int, int, bool]:
    """Draw and queue every crossing of a run (see :class:`FusedTables` for the tables).

    Writes crossing ``i`` into column ``i`` of the output buffers: ``fout`` rows
    arrival, start, primary departure, secondary start, departure; ``iout`` rows
    stream, program, group, lane, booth; ``bout`` rows referred, carrier,
    detected. Returns ``(n, orphan, unwritten)``: ``orphan`` is the first stream
    that referred a crossing without a secondary area, -1 if none, or -2 if
    there were more arrivals than the buffers hold (then nothing else is
    valid); ``unwritten`` is true when no crossing could be referred and the
    short loop left the secondary start and departure rows (they equal the
    primary departure) and the flag rows (all false) unwritten.
    """
    n_streams = cum.shape[0]
    n_hours = cum.shape[1] - 1
    spare = np.zeros(2, np.float64)
    lanes = _seed_lanes(st)
    # Exponentials for a block: at most two a crossing (gap and service).
    ebuf = np.empty(2 * BLOCK + EXP_LANES, np.float64)
    epos = _top_up(lanes, ebuf, ebuf.shape[0])
    # Per stream: position on the cumulative intensity, hour, next arrival time.
    point = np.zeros(n_streams, np.float64)
    hour_k = np.zeros(n_streams, np.int64)
    next_t = np.full(n_streams, np.inf)
    for s in range(n_streams):
        if cum[s, n_hours] <= 0.0:
            continue
        if epos == ebuf.shape[0]:
            epos = _top_up(lanes, ebuf, epos)
        _advance(s, ebuf[epos], cum, hours, point, hour_k, next_t)  # the first arrival
        epos += 1

    cap = fout.shape[1]
    ref_idx = np.empty(cap, np.int64)  # pages never touched cost nothing
    ref_service = np.empty(cap, np.float64)
    n_ref = 0
    orphan = -1

    booth_free = np.zeros(booth_rank.shape[0], np.float64)
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

    # Every class has one lane of at most LANE_WIDTH booths, every booth is
    # always open and every service time is exponential or deterministic: the
    # short loop. (A lognormal or gamma draw is a call; with that branch in the
    # loop, untaken, M/M/10 measured ~2% slower.)
    fixed = bool(not track_lanes and always_open.all() and lane_nbooths.max() <= LANE_WIDTH)
    for s in range(n_streams):
        if stream_dist[s] != EXPONENTIAL and stream_dist[s] != DETERMINISTIC:
            fixed = False
    # Some stream refers crossings or has carriers: the referral pass runs.
    draws = bool((stream_prob[:, 0] > 0.0).any() or (class_ref_p > 0.0).any())
    class_lane = class_lanes[class_ptr[:-1]]
    class_group = lane_group[class_lane]
    class_b0 = lane_first_booth[class_lane]
    # The short loop's state, LANE_WIDTH slots a lane (from w0 = class_w0[c]):
    # free time by booth and the same times sorted, +inf after the lane's booths.
    n_lanes = lane_group.shape[0]
    lane_free = _lane_slots(n_lanes, lane_nbooths)
    sorted_free = _lane_slots(n_lanes, lane_nbooths)
    class_w0 = class_lane * LANE_WIDTH
    class_nb = lane_nbooths[class_lane]
    scan = lane_nbooths.max() <= SCAN_BOOTHS
    s_blk = np.empty(BLOCK, np.int64)
    c_blk = np.empty(BLOCK, np.int64)
    n = 0
    while True:
        limit = min(BLOCK, cap - n)
        if limit == 0:  # buffers full: if any arrival is left, the caller retries
            for s in range(n_streams):
                if next_t[s] < np.inf:
                    return 0, -2, False
            break
        epos = _top_up(lanes, ebuf, epos)
        if fixed:
            m, epos = _fixed_block(
                st,
                ebuf,
                epos,
                n,
                limit,
                cum,
                hours,
                point,
                hour_k,
                next_t,
                s_blk,
                c_blk,
                stream_cls_ptr,
                stream_cls,
                stream_cls_cum,
                class_mean,
                stream_dist,
                class_prog,
                class_lane,
                class_group,
                class_b0,
                class_w0,
                lane_free,
                sorted_free,
                class_nb,
                scan,
                draws,
                fout,
                iout,
            )
        else:
            m, epos, heap_size, n_ref, orphan = _general_block(
                st,
                spare,
                lanes,
                ebuf,
                epos,
                n,
                limit,
                cum,
                hours,
                point,
                hour_k,
                next_t,
                stream_cls_ptr,
                stream_cls,
                stream_cls_cum,
                class_mean,
                stream_dist,
                stream_par,
                class_prog,
                class_ptr,
                class_lanes,
                lane_group,
                lane_first_booth,
                lane_nbooths,
                booth_rank,
                sched,
                always_open,
                booth_free,
                lane_open,
                lane_open_step,
                in_lane,
                cand,
                heap_t,
                heap_lane,
                heap_size,
                fout,
                iout,
                bout,
                class_ref_p,
                stream_prob,
                stream_area,
                area_dist,
                area_par,
                ref_idx,
                ref_service,
                n_ref,
                orphan,
            )
        if m == 0:
            break
        if fixed and draws:
            n_ref, orphan = _referrals(
                st,
                spare,
                n,
                m,
                s_blk,
                c_blk,
                class_ref_p,
                stream_prob,
                stream_area,
                area_dist,
                area_par,
                bout,
                ref_idx,
                ref_service,
                n_ref,
                orphan,
            )
        n += m

    depart = fout[2]
    if n_ref > 0:
        # Secondary: referred crossings in order of primary departure (stable).
        stream = iout[0]
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
        sec_start = fout[3]
        leave = fout[4]
        for j in range(n_ref):
            sec_start[sidx[j]] = s_start[j]
            leave[sidx[j]] = s_depart[j]
    return n, orphan, fixed and not draws


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


def area_tables(scenario: PortScenario) -> tuple[np.ndarray, np.ndarray]:
    """Per secondary area: exam-time distribution code and (p1, p2, mean seconds)."""
    areas = list(scenario.secondary.values())
    area_dist = np.zeros(max(1, len(areas)), np.int64)
    area_par = np.zeros((max(1, len(areas)), 3))
    for a, area in enumerate(areas):
        code, p1, p2 = _dist_params(area.service)
        area_dist[a] = code
        area_par[a] = (p1, p2, area.service.mean_seconds)
    return area_dist, area_par


@dataclass(frozen=True, slots=True)
class FusedTables:
    """The scenario's random model as arrays for :func:`fused_port` (one horizon)."""

    cum: np.ndarray
    hours: np.ndarray
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
            self.hours,
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


def hour_table(cum: np.ndarray, inv_rate: np.ndarray) -> np.ndarray:
    """Per stream, 4 numbers an hour for :func:`_advance`: end point, start point, 1 / count, k.

    One more entry after the last hour: end +inf (so the search for a point's
    hour always stops), and the last hour's constants (a point exactly at the
    horizon maps to its end).
    """
    n_streams, n_hours = inv_rate.shape
    out = np.empty((n_streams, n_hours + 1, 4))
    out[:, :n_hours, 0] = cum[:, 1:]
    out[:, :n_hours, 1] = cum[:, :n_hours]
    out[:, :n_hours, 2] = inv_rate
    out[:, :n_hours, 3] = np.arange(n_hours)
    out[:, n_hours, 0] = np.inf
    out[:, n_hours, 1] = cum[:, n_hours - 1]
    out[:, n_hours, 2] = inv_rate[:, n_hours - 1]
    out[:, n_hours, 3] = n_hours - 1
    return out.reshape(n_streams, 4 * (n_hours + 1))


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
    area_dist, area_par = area_tables(scenario)
    totals = cum[:, -1]
    capacity = int(np.sum(totals + 6.0 * np.sqrt(totals) + 16.0))
    return FusedTables(
        cum=cum,
        hours=hour_table(cum, inv_rate),
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


# Record buffers of a thread's last run, reused when nothing else refers to them.
_POOL = threading.local()
_POOL_MAX_BYTES = 1 << 28  # keep at most 256 MB per thread
_POOL_SETS = 2  # a caller holding its previous run still finds a free set


def _record_buffers(cap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Output buffers for ``cap`` crossings: one of this thread's recent sets if free, else new.

    A run's record columns are views of its buffers, so while a caller holds any
    column the buffers' reference counts stay up and they are not reused. The
    thread keeps its last two sets, so a caller that keeps each run until the
    next one is done (``rec = model.simulate(...)`` in a loop) still reuses
    memory. Reusing saves the kernel zeroing fresh pages (~4–10 ns a crossing of
    the 63 bytes written).
    """
    pool: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = getattr(_POOL, "sets", [])
    for k in range(len(pool)):
        fout, iout, bout = pool[k]
        # Free: referred to only by the pool's tuple, the local name and
        # getrefcount's argument (a column still held by a caller adds one).
        if (
            fout.shape[1] >= cap
            and sys.getrefcount(fout) == 3
            and sys.getrefcount(iout) == 3
            and sys.getrefcount(bout) == 3
        ):
            return fout, iout, bout
        del fout, iout, bout
    buffers = (
        np.empty((5, cap), np.float64),
        np.empty((5, cap), np.int32),
        np.empty((3, cap), np.bool_),
    )
    if cap * 63 * _POOL_SETS <= _POOL_MAX_BYTES:
        _POOL.sets = [*pool[-(_POOL_SETS - 1) :], buffers]
    else:
        _POOL.sets = []
    return buffers


def run_fused(
    tables: FusedTables, layout: PortLayout, state: np.ndarray
) -> tuple[tuple[np.ndarray, ...], int]:
    """One fused run; ``state`` (4 uint64 words) is advanced in place.

    Returns the 13 record columns (arrival, start, primary departure, secondary
    start, departure, stream, program, group, lane, booth, referred, carrier,
    detected) and ``orphan`` (see :func:`fused_port`). When no stream can refer
    a crossing, secondary start and departure are one read-only view of the
    primary departure and the three flags one read-only all-false column (the
    engine does not write 19 bytes a crossing of copies). The buffers are NumPy
    allocations (NumPy asks for transparent huge pages, so filling them costs
    far fewer page faults than kernel-side allocations), reused from the
    thread's previous run once nothing refers to that run's columns. If the
    arrivals overflow the capacity (a tail event beyond six standard
    deviations), the run is repeated from the same state with twice the
    capacity, so the result is the one a larger capacity would have given.
    """
    start = state.copy()
    cap = tables.capacity
    while True:
        fout, iout, bout = _record_buffers(cap)
        args: tuple[Any, ...] = (
            state,
            *tables.args(),
            fout,
            iout,
            bout,
            *layout.primary.kernel_args(),
            *layout.secondary.kernel_args(),
        )
        n, orphan, unwritten = fused_port(*args)
        if orphan != -2:
            times = [row[:n] for row in fout]
            flags = [row[:n] for row in bout]
            if unwritten:  # nothing referred: secondary start = departure = primary departure
                shared = fout[2][:n]
                shared.flags.writeable = False
                times[3] = times[4] = shared
                # and no flag is set: one all-False column (calloc'd pages, never written)
                none = np.zeros(n, np.bool_)
                none.flags.writeable = False
                flags = [none, none, none]
            cols = tuple(times) + tuple(row[:n] for row in iout)
            return cols + tuple(flags), int(orphan)
        state[:] = start
        cap = 2 * cap + 16
