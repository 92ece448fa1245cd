"""Failed sign-ins, counted per client address: after too many, the address waits.

A token has 256 random bits, so guessing one is hopeless; the throttle keeps a
guesser from filling the audit log and the CPU instead. Memory is bounded: at
most ``max_clients`` addresses are tracked (the longest-quiet ones are dropped).

>>> t = LoginThrottle(failures=2, window_seconds=60.0, clock=lambda: 100.0)
>>> t.retry_after("1.2.3.4"), t.fail("1.2.3.4"), t.fail("1.2.3.4")
(0, 0, 60)
>>> t.retry_after("1.2.3.4"), t.retry_after("5.6.7.8")
(60, 0)
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class LoginThrottle:
    """At most ``failures`` failed sign-ins per client in any ``window_seconds``."""

    def __init__(
        self,
        *,
        failures: int,
        window_seconds: float,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures = failures
        self.window = window_seconds
        self.max_clients = max_clients
        self.clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int:
        """Seconds ``client`` must wait before trying again (0: it may try now)."""
        with self._lock:
            return self._wait(client, self.clock())

    def fail(self, client: str) -> int:
        """Count a failed sign-in; return the wait it now owes (0 while under the limit)."""
        now = self.clock()
        with self._lock:
            times = self._seen.pop(client, None) or deque()
            times.append(now)
            while len(times) > self.failures:
                times.popleft()
            self._seen[client] = times  # most recent last
            while len(self._seen) > self.max_clients:
                self._seen.popitem(last=False)
            return self._wait(client, now)

    def _wait(self, client: str, now: float) -> int:
        times = self._seen.get(client)
        if not times or len(times) < self.failures:
            return 0
        left = times[0] + self.window - now  # the oldest of the last `failures` must age out
        return max(0, math.ceil(left))
