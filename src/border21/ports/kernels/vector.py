"""Lane vectors: a wide always-open lane's booth free times as 16-wide LLVM vectors.

The one-pass driver's short loop keeps, per lane, LANE_WIDTH free times by
booth and the same times sorted, as whole vectors: each crossing loads,
updates and stores a lane's 16 slots at the same aligned addresses, so the
next crossing's loads are forwarded from those stores (a narrower or shifted
store in between makes the load wait for the store to reach the cache: M/M/10
measured 16 ns a crossing that way, 12 ns like this). Written as LLVM vector
IR because Numba would vectorise the per-booth loops with a runtime trip
count. This is an evaluation of the booth rule of
:func:`border21.ports.kernels.queue.choose_booth` (earliest start, lowest
index on ties) for always-open lanes, not a rule of its own: the start is
max(t, the least free time), read from the sorted vector, and the booth is the
lowest whose free time is at most that start.
"""

from __future__ import annotations

import math
import platform
from typing import Any

import numpy as np
from llvmlite import binding as llvm_binding
from llvmlite import ir
from numba import config as numba_config
from numba import njit, types
from numba.extending import intrinsic

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


def register_lanes() -> tuple[int, str]:
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
    width, constraint = register_lanes()
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


choose_booth_vector: Any = intrinsic(_choose_booth_ir)
insert_sorted: Any = intrinsic(_insert_sorted_ir)


@njit(cache=True, nogil=True)
def lane_slots(n_lanes: int, nbooths: np.ndarray) -> np.ndarray:  # pragma: no cover
    """LANE_WIDTH slots a lane, 64-byte aligned: 0 for each booth (free), +inf after."""
    raw = np.empty(n_lanes * LANE_WIDTH + 8, np.float64)
    skip = ((64 - raw.ctypes.data % 64) % 64) // 8
    out = raw[skip : skip + n_lanes * LANE_WIDTH]
    out[:] = np.inf
    for ln in range(n_lanes):
        out[ln * LANE_WIDTH : ln * LANE_WIDTH + min(nbooths[ln], LANE_WIDTH)] = 0.0
    return out
