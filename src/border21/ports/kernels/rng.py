"""Random numbers for the kernels: xoshiro256**, block exponentials, and variate sources.

Every random choice a kernel makes goes through a :class:`Source` passed to
the step that needs it (:func:`uniform_of`, :func:`exponential_of`, and the
shaped variates of :mod:`~border21.ports.kernels.service`). A source either draws (a scalar
xoshiro256** state, Blackman & Vigna, plus a buffer of standard exponentials
refilled a block at a time by 256 interleaved generators, see
:func:`fill_exponentials`), so a crossing draws only what its path needs (a
tie-break only when lanes tie, a finding only when a carrier is referred), or
reads variates drawn earlier (the replay of given draws; the staged
downstream pass, where every variant of a replication must see the same
numbers: common random numbers).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
from numba import njit, types
from numba.extending import intrinsic

from border21.ports.kernels.common import U as _U
from border21.ports.limits import check_seed

_TWO_M53 = 1.0 / 9007199254740992.0  # 2**-53
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
EXP_LANES = 256  # interleaved generators behind the block exponentials (one block = one draw each)


# ------------------------------------------------------------------ scalar xoshiro256**


@njit(cache=True, nogil=True)
def rotl(x: np.uint64, k: int) -> np.uint64:  # pragma: no cover - compiled
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(cache=True, nogil=True)
def next_u64(st: np.ndarray) -> np.uint64:  # pragma: no cover - compiled
    """xoshiro256** (Blackman & Vigna); ``st`` holds the 4 state words."""
    s0 = st[0]
    s1 = st[1]
    s2 = st[2]
    s3 = st[3]
    result = rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 45)
    st[0] = s0
    st[1] = s1
    st[2] = s2
    st[3] = s3
    return result


@njit(cache=True, nogil=True)
def uniform(st: np.ndarray) -> float:  # pragma: no cover - compiled
    """Uniform on [0, 1), 53 random bits."""
    return float(np.int64(next_u64(st) >> np.uint64(11))) * _TWO_M53


@njit(cache=True, nogil=True)
def exponential(st: np.ndarray) -> float:  # pragma: no cover - compiled
    """Standard exponential, ``-log(u)`` with u uniform on (0, 1].

    (A 256-layer ziggurat measured slower here than glibc's FMA ``log``.)
    """
    return -math.log((float(np.int64(next_u64(st) >> np.uint64(11))) + 1.0) * _TWO_M53)


@njit(cache=True, nogil=True)
def normal(st: np.ndarray, spare: np.ndarray) -> float:  # pragma: no cover - compiled
    """Standard normal by Marsaglia's polar method, keeping the second variate."""
    if spare[0] != 0.0:
        spare[0] = 0.0
        return float(spare[1])
    while True:
        x = 2.0 * uniform(st) - 1.0
        y = 2.0 * uniform(st) - 1.0
        r = x * x + y * y
        if 0.0 < r < 1.0:
            f = math.sqrt(-2.0 * math.log(r) / r)
            spare[0] = 1.0
            spare[1] = y * f
            return x * f


@njit(cache=True, nogil=True)
def gamma(st: np.ndarray, spare: np.ndarray, shape: float) -> float:  # pragma: no cover
    """Gamma(shape, 1) by Marsaglia & Tsang (2000), boosted for shape < 1."""
    a = shape if shape >= 1.0 else shape + 1.0
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = normal(st, spare)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = uniform(st)
        x2 = x * x
        if u < 1.0 - 0.0331 * x2 * x2 or math.log(u) < 0.5 * x2 + d * (1.0 - v + math.log(v)):
            g = d * v
            break
    if shape < 1.0:
        u = 1.0 - uniform(st)  # (0, 1]
        g *= u ** (1.0 / shape)
    return g


@njit(cache=True, nogil=True)
def mix(z: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    """splitmix64's finaliser (a bijection on 64-bit words)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True)
def seed_counter_state(key: np.uint64, i: int, st: np.ndarray) -> None:  # pragma: no cover
    """A xoshiro state of its own for item ``i`` of a keyed stream (counter-based)."""
    h = mix(key + np.uint64(i + 1) * GOLDEN)
    for w in range(4):
        st[w] = mix(h + np.uint64(w + 1) * GOLDEN)


def seed_sequence(
    seed: int | np.random.Generator | np.random.SeedSequence | None,
) -> np.random.SeedSequence:
    """The ``SeedSequence`` of a seed; a Generator is advanced (4 words drawn and hashed)."""
    if isinstance(seed, np.random.Generator):
        words = seed.integers(0, 2**63, size=4, dtype=np.int64)
        return np.random.SeedSequence([int(w) for w in words])
    if isinstance(seed, np.random.SeedSequence):
        return seed
    check_seed(seed)
    return np.random.SeedSequence(seed)


def state_words(seed: int | np.random.Generator | np.random.SeedSequence | None) -> np.ndarray:
    """The generator's 4 state words: from a seed's ``SeedSequence``, or drawn from a Generator.

    A Generator is advanced (4 words drawn and hashed through a ``SeedSequence``),
    so passing the same Generator to successive runs gives independent runs.
    """
    state = seed_sequence(seed).generate_state(4, np.uint64)
    if not state.any():  # xoshiro's one forbidden state
        state[0] = GOLDEN
    return state


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
def seed_lanes(st: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """``EXP_LANES`` xoshiro256** states from 4 draws of ``st``.

    Word w of lane j is at ``j + w * EXP_LANES``.
    """
    lanes = np.empty(4 * EXP_LANES, np.uint64)
    keys = np.empty(4, np.uint64)
    for w in range(4):
        keys[w] = next_u64(st)
    for j in range(EXP_LANES):
        zero = True
        for w in range(4):
            word = mix(keys[w] + np.uint64(4 * j + w + 1) * GOLDEN)
            lanes[j + w * EXP_LANES] = word
            zero = zero and word == 0
        if zero:
            lanes[j] = GOLDEN  # xoshiro's one forbidden state
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
def fill_exponentials(lanes: np.ndarray, out: np.ndarray, at: int) -> None:  # pragma: no cover
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


# ------------------------------------------------------------------ sources


class Source(NamedTuple):
    """Where a kernel's random numbers come from: drawn now, or read from earlier draws.

    Drawing (``drawn`` true; :func:`drawing_source`): uniforms, normals and
    gammas from the scalar xoshiro256** ``state``; exponentials from ``ebuf``,
    refilled a block at a time by :func:`top_up` (``pos[0]`` is the next
    unused one, ``pos[1]`` the end of the valid ones). A driver calls
    :func:`top_up` before each block of crossings, so the steps inside the
    block never check or refill the buffer (a refill call inside the loop
    measured ~10% slower on the shipped scenarios).

    Reading (``drawn`` false; :func:`reading_source`): uniform ``slot`` of
    crossing ``i`` is ``u[slot, i]``; its normal ``z[0, i]`` and exponential
    ``z[1, i]``; a gamma variate, which takes a variable number of draws, comes
    from a generator of the crossing's own keyed by ``key[0]`` and
    ``index[i]`` (counter-based), so every reader sees the same variate.

    One type with a flag, not two types: Numba's IR inlining of type-dispatched
    overloads miscompiled here (writes through a NamedTuple's arrays were
    lost), and without inlining each call counted references to every array
    of the tuple (5–15× slower). The flag is the same for a whole run, so the
    branch costs nothing measurable.
    """

    drawn: bool
    state: np.ndarray  # uint64[4]
    spare: np.ndarray  # float64[2]: the polar method's second normal (flag, value)
    lanes: np.ndarray  # uint64[4 * EXP_LANES] (drawing) or empty
    ebuf: np.ndarray  # float64: block exponentials (drawing) or empty
    pos: np.ndarray  # int64[2]: next unused and end of valid in ebuf
    u: np.ndarray  # float[slots, n] (reading) or empty
    z: np.ndarray  # float[2, n] (reading) or empty
    index: np.ndarray  # type: ignore[assignment]  # int64[n] (reading) or empty
    key: np.ndarray  # uint64[1]


@njit(cache=True, nogil=True)
def drawing_source(state: np.ndarray, per_block: int) -> Source:  # pragma: no cover
    """A drawing :class:`Source` on ``state`` (advanced by 4 words to seed the block generators).

    ``per_block`` is the most exponentials a block of crossings may use.
    """
    lanes = seed_lanes(state)
    ebuf = np.empty(per_block + EXP_LANES, np.float64)
    pos = np.full(2, ebuf.shape[0], np.int64)  # all used: top_up fills it
    src = Source(
        True,
        state,
        np.zeros(2, np.float64),
        lanes,
        ebuf,
        pos,
        np.empty((0, 0), np.float64),
        np.empty((0, 0), np.float64),
        np.empty(0, np.int64),
        np.zeros(1, np.uint64),
    )
    top_up(src)
    return src


def reading_source(
    u: np.ndarray,
    z: np.ndarray | None = None,
    index: np.ndarray | None = None,
    key: int | np.uint64 = 0,
) -> Source:
    """A reading :class:`Source` over uniform rows ``u`` (normals, exponentials ``z``).

    ``index`` (each crossing's number, keying its gamma variates) is needed only
    when the source gives gamma variates.
    """
    u = np.asarray(u)
    if u.ndim == 1:
        u = u[None, :]
    return Source(
        False,
        np.zeros(4, np.uint64),
        np.zeros(2, np.float64),
        np.zeros(0, np.uint64),
        np.zeros(0, np.float64),
        np.zeros(2, np.int64),
        u,
        np.zeros((2, 0), u.dtype) if z is None else z,
        np.zeros(0, np.int64) if index is None else index,
        np.array([key], np.uint64),
    )


@njit(cache=True, nogil=True)
def top_up(src: Source) -> None:  # pragma: no cover - compiled
    """Move the unused exponentials to the front and refill the buffer.

    The values come out in the order they were generated, whenever this runs.
    """
    ebuf = src.ebuf
    used = src.pos[0]
    left = src.pos[1] - used
    for i in range(left):
        ebuf[i] = ebuf[used + i]
    while left + EXP_LANES <= ebuf.shape[0]:
        fill_exponentials(src.lanes, ebuf, left)
        left += EXP_LANES
    src.pos[0] = 0
    src.pos[1] = left


@njit(cache=True, nogil=True, inline="always")
def uniform_of(src: Source, slot: int, i: int) -> float:  # pragma: no cover - compiled
    """Uniform on [0, 1) number ``slot`` of crossing ``i`` (a drawing source draws the next)."""
    if src.drawn:
        return uniform(src.state)
    return float(src.u[_U(slot), _U(i)])


@njit(cache=True, nogil=True, inline="always")
def exponential_of(src: Source, i: int) -> float:  # pragma: no cover - compiled
    """A standard exponential for crossing ``i``."""
    if src.drawn:
        p = src.pos[0]
        src.pos[0] = p + 1
        return float(src.ebuf[_U(p)])
    return float(src.z[1, _U(i)])
