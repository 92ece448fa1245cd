"""Running the compiled drivers from Python: record buffers on explicit lease.

The kernels live in :mod:`border21.ports.kernels`. This module allocates what
they write into and turns their output into record columns.

Record buffers are large (63 bytes a crossing: 10^6 crossings are 63 MB) and
filling fresh pages costs the kernel ~4–10 ns a crossing. A caller that runs
many replications and reduces each one (a sweep, a benchmark, a calibration
loop) can *lease* the buffers instead: ``run_one_pass(..., lease=True)``
takes a free set from the calling thread's :class:`RecordPool` and the
records carry a :class:`RecordLease`; ``records.release()`` gives the set
back for the next run. Nothing is reused that was not released, and records
that are never released are ordinary NumPy memory. Using records after
releasing them reads another run's numbers: release only what you are done
with.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from border21.ports.kernels.onepass import one_pass
from border21.ports.kernels.tables import QueueTables, RandomModel, RecordBuffers
from border21.ports.kernels.tables import new_record_buffers as _new_buffers

_POOL_MAX_BYTES = 1 << 28  # a thread keeps at most 256 MB of released buffers
_POOL_SETS = 2  # and at most this many sets


class RecordPool:
    """Released record buffers of one thread, for its next runs."""

    def __init__(self) -> None:
        self._free: list[RecordBuffers] = []
        self._lock = threading.Lock()

    def lease(self, capacity: int) -> RecordLease:
        """A buffer set for at least ``capacity`` crossings: a released one if it fits, else new."""
        with self._lock:
            for k, buffers in enumerate(self._free):
                if buffers.capacity >= capacity:
                    return RecordLease(self, self._free.pop(k))
        return RecordLease(self, _new_buffers(capacity))

    def give_back(self, buffers: RecordBuffers) -> None:
        nbytes = sum(a.nbytes for a in buffers)
        with self._lock:
            if nbytes * (len(self._free) + 1) <= _POOL_MAX_BYTES:
                self._free.append(buffers)
                del self._free[:-_POOL_SETS]

    def clear(self) -> None:
        """Drop the released sets (their memory goes back to the system)."""
        with self._lock:
            self._free.clear()

    def __len__(self) -> int:
        return len(self._free)


class RecordLease:
    """A buffer set on loan from a :class:`RecordPool`; :meth:`release` returns it once."""

    def __init__(self, pool: RecordPool, buffers: RecordBuffers) -> None:
        self.pool = pool
        self.buffers: RecordBuffers | None = buffers

    def release(self) -> None:
        if self.buffers is not None:
            self.pool.give_back(self.buffers)
            self.buffers = None

    @property
    def released(self) -> bool:
        return self.buffers is None


_THREAD = threading.local()


def thread_pool() -> RecordPool:
    """The calling thread's :class:`RecordPool`."""
    pool: RecordPool | None = getattr(_THREAD, "pool", None)
    if pool is None:
        pool = _THREAD.pool = RecordPool()
    return pool


@dataclass(frozen=True, slots=True)
class OnePassOutput:
    """The record columns of one run (see :class:`~border21.ports.kernels.tables.RecordBuffers`).

    ``orphan`` is the first stream that referred a crossing without a
    secondary area, -1 if none. ``lease`` is set when the buffers were leased.
    """

    times: tuple[np.ndarray, ...]  # arrival, start, primary departure, secondary start, departure
    codes: tuple[np.ndarray, ...]  # stream, program, group, lane, booth
    flags: tuple[np.ndarray, ...]  # referred, carrier, detected
    orphan: int
    lease: RecordLease | None


def run_one_pass(
    rm: RandomModel,
    capacity: int,
    primary: QueueTables,
    secondary: QueueTables,
    state: np.ndarray,
    *,
    lease: bool = False,
) -> OnePassOutput:
    """One run of the one-pass driver; ``state`` (4 uint64 words) is advanced in place.

    When no stream can refer a crossing, secondary start and departure are one
    read-only view of the primary departure and the three flags one read-only
    all-false column (the driver does not write 19 bytes a crossing of
    copies). If the arrivals overflow ``capacity`` (a tail event beyond six
    standard deviations), the run is repeated from the same state with twice
    the room, so the result is the one a larger capacity would have given.
    """
    start_state = state.copy()
    cap = capacity
    while True:
        loan = thread_pool().lease(cap) if lease else None
        buffers = loan.buffers if loan is not None else _new_buffers(cap)
        assert buffers is not None
        n, orphan, unwritten = one_pass(state, rm, primary, secondary, buffers)
        if orphan != -2:
            break
        if loan is not None:
            loan.release()
        state[:] = start_state
        cap = 2 * cap + 16
    times = [row[:n] for row in buffers.times]
    flags = [row[:n] for row in buffers.flags]
    if unwritten:  # nothing referred: secondary start = departure = primary departure
        shared = buffers.times[2][:n]
        shared.flags.writeable = False
        times[3] = times[4] = shared
        # and no flag is set: one all-False column (calloc'd pages, never written)
        none = np.zeros(n, np.bool_)
        none.flags.writeable = False
        flags = [none, none, none]
    return OnePassOutput(
        times=tuple(times),
        codes=tuple(row[:n] for row in buffers.codes),
        flags=tuple(flags),
        orphan=int(orphan),
        lease=loan,
    )
