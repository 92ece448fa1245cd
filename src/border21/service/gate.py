"""Admission for synchronous heavy work: per-user in-flight cap, few workers, a bounded queue.

A synchronous simulation or sweep holds a CPU for up to a few seconds. Without a
gate, fifty at once from one user fill the thread pool and the cores, and
everyone's cheap reads wait behind them. With it, each user has at most
``per_user`` such requests running or queued, at most ``workers`` run at once
server-wide, and at most ``queue`` wait; anything more is refused at once with
429 and ``Retry-After``, before any work starts. The work itself runs in the
gate's worker processes (:meth:`WorkGate.run_in_process`: its own GIL) or on
its threads (:meth:`WorkGate.run`), at a lower CPU priority (``nice`` 10), so a
cheap request that wants a core gets it first (``benchmarks/bench_fairness.py``).

>>> gate = WorkGate(workers=1, per_user=1, queue=0)
>>> with gate.slot(7):
...     try:
...         with gate.slot(7):
...             pass
...     except Busy as exc:
...         print(exc)
you already have 1 simulation or sweep running or queued (limit 1); retry when it ends
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, TypeVar

from border21.errors import Border21Error

T = TypeVar("T")
HEAVY_NICE = 10
"""Niceness of the threads that run simulations and sweeps: when a cheap request wants a
core, the kernel gives it one first (Linux schedules threads, and each has its own nice)."""


def lower_priority() -> None:
    """Make the calling thread yield the CPU to the server's other threads (best effort)."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not allowed
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HEAVY_NICE)


class Busy(Border21Error):
    """Too much synchronous work in flight (HTTP 429 with ``Retry-After``)."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class WorkGate:
    """Admit, queue (FIFO) or refuse synchronous work, per user and server-wide."""

    def __init__(self, *, workers: int, per_user: int, queue: int) -> None:
        self.workers, self.per_user, self.queue = workers, per_user, queue
        self._cond = threading.Condition()
        self._running = 0
        self._waiting: list[int] = []  # tickets, first come first served
        self._next_ticket = 0
        self._by_user: Counter[int] = Counter()
        self._mean_s = 1.0  # running mean of a slot's duration, for Retry-After
        self._pool = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="border21-sync", initializer=lower_priority
        )

        self._processes: ProcessPoolExecutor | None = None
        self._processes_lock = threading.Lock()

    def run(self, user: int, fn: Callable[[], T]) -> T:
        """Run ``fn`` for ``user`` on one of the gate's low-priority threads, in turn."""
        with self.slot(user):
            return self._pool.submit(fn).result()

    def run_in_process(self, user: int, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` for ``user`` in one of the gate's worker processes, in turn.

        A process of its own has its own GIL: the simulation's Python parts (building the
        result tables) then never hold up the server's threads. ``fn`` and ``args`` must
        pickle; the workers start on first use (spawn, about two seconds) and are kept."""
        with self.slot(user):
            try:
                return self._process_pool().submit(fn, *args).result()
            except BrokenProcessPool:  # a worker died (killed, out of memory): start afresh
                with self._processes_lock:
                    self._processes = None
                raise

    def _process_pool(self) -> ProcessPoolExecutor:
        with self._processes_lock:
            if self._processes is None:
                import multiprocessing

                self._processes = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=lower_priority,
                )
            return self._processes

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._processes_lock:
            if self._processes is not None:
                self._processes.shutdown(wait=True, cancel_futures=True)
                self._processes = None

    def _retry_after(self) -> int:
        ahead = self._running + len(self._waiting)
        return max(1, math.ceil(self._mean_s * ahead / max(1, self.workers)))

    def check(self, user: int) -> None:
        """Raise :class:`Busy` now if :meth:`slot` would: call it first thing, so that a refused
        request costs no scenario building or validation (a flood of them stays cheap)."""
        with self._cond:
            self._refuse_if_full(user)

    def _refuse_if_full(self, user: int) -> None:
        if self._by_user[user] >= self.per_user:
            raise Busy(
                f"you already have {self._by_user[user]} simulation or sweep running or "
                f"queued (limit {self.per_user}); retry when it ends",
                self._retry_after(),
            )
        if self._running >= self.workers and len(self._waiting) >= self.queue:
            raise Busy(
                f"the server is busy ({self._running} running, {len(self._waiting)} queued)",
                self._retry_after(),
            )

    @contextmanager
    def slot(self, user: int) -> Iterator[None]:
        """Hold one worker for ``user`` while the block runs (or raise :class:`Busy`)."""
        with self._cond:
            self._refuse_if_full(user)
            ticket = self._next_ticket
            self._next_ticket += 1
            self._by_user[user] += 1
            self._waiting.append(ticket)
            while self._running >= self.workers or self._waiting[0] != ticket:
                self._cond.wait()
            self._waiting.pop(0)
            self._running += 1
        started = time.perf_counter()
        try:
            yield
        finally:
            took = time.perf_counter() - started
            with self._cond:
                self._running -= 1
                self._by_user[user] -= 1
                if not self._by_user[user]:
                    del self._by_user[user]
                self._mean_s = 0.8 * self._mean_s + 0.2 * took
                self._cond.notify_all()
