"""Constants and tiny helpers every kernel shares (one definition per fact)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

HOUR = 3600.0  # seconds
DAY = 86_400.0  # seconds
HOURS_PER_DAY = 24

# Hot loops index with unsigned integers: Numba then skips the negative-index
# fix-up (and the loads of array shapes it needs), a few ns per crossing.
U = np.uint64


@njit(cache=True, nogil=True, inline="always")
def hour_index(t: float) -> int:  # pragma: no cover - compiled
    """``int(t // HOUR)`` for t >= 0, without the cost of Python's float floor division."""
    k = int(t / HOUR)
    if k * HOUR > t:  # t / HOUR rounded up onto the next whole hour
        k -= 1
    return k


def _borrowed(context: Any, builder: Any, ty: Any, val: Any) -> Any:  # pragma: no cover
    """``val`` (of Numba type ``ty``) with every array's meminfo and parent set to null."""
    if isinstance(ty, types.Array):
        src = context.make_array(ty)(context, builder, val)
        dst = context.make_array(ty)(context, builder)
        for name in ("data", "shape", "strides", "itemsize", "nitems"):
            setattr(dst, name, getattr(src, name))
        dst.meminfo = cgutils.get_null_value(dst.meminfo.type)  # type: ignore[no-untyped-call]
        dst.parent = cgutils.get_null_value(dst.parent.type)  # type: ignore[no-untyped-call]
        return dst._getvalue()
    if isinstance(ty, types.BaseTuple):
        out = val
        for k, member in enumerate(ty.types):  # type: ignore[attr-defined]
            item = builder.extract_value(val, k)
            out = builder.insert_value(out, _borrowed(context, builder, member, item), k)
        return out
    return val


@intrinsic
def _borrow(typingctx: Any, x: Any) -> Any:  # pragma: no cover - compile time
    """The same arrays (or tuple of arrays) without reference counting, for a hot loop.

    Numba counts references to every array of a named tuple each time the
    tuple is passed to an inlined step, with atomic operations its pruning
    pass cannot remove across the loop's branches: 20× slower on M/M/10 (300
    ns a crossing instead of 14). A borrowed copy has no owner, so its counts
    are no-ops that LLVM folds away. Only borrow what outlives the loop: a
    kernel's own arguments, which the caller holds for the whole call.
    """

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return _borrowed(context, builder, signature.args[0], args[0])

    return x(x), codegen


borrow: Any = _borrow
