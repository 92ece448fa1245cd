"""Unit: the synchronous-work gate caps users, runs few at once, queues FIFO, refuses the rest."""

from __future__ import annotations

import threading
import time

import pytest

from border21.service.gate import Busy, WorkGate


def test_a_user_over_their_cap_and_a_full_queue_are_refused_at_once() -> None:
    gate = WorkGate(workers=1, per_user=1, queue=1)
    release = threading.Event()
    entered: list[int] = []

    def hold(user: int) -> None:
        with gate.slot(user):
            entered.append(user)
            release.wait(10)

    first = threading.Thread(target=hold, args=(1,))
    first.start()
    while not entered:
        time.sleep(0.001)
    queued = threading.Thread(target=hold, args=(2,))  # waits for the one worker
    queued.start()
    time.sleep(0.05)
    with pytest.raises(Busy, match="limit 1") as mine, gate.slot(1):
        pass
    assert mine.value.retry_after_s >= 1
    with pytest.raises(Busy, match="server is busy"), gate.slot(3):
        pass
    release.set()
    first.join(10)
    queued.join(10)
    assert entered == [1, 2]
    with gate.slot(3):  # all free again
        pass


def test_waiting_requests_run_first_come_first_served() -> None:
    gate = WorkGate(workers=1, per_user=1, queue=10)
    order: list[int] = []
    hold = threading.Event()
    started = threading.Event()

    def run(user: int) -> None:
        with gate.slot(user):
            if user == 0:
                started.set()
                hold.wait(10)
            order.append(user)

    threads = [threading.Thread(target=run, args=(0,))]
    threads[0].start()
    started.wait(10)
    for user in range(1, 6):
        t = threading.Thread(target=run, args=(user,))
        t.start()
        threads.append(t)
        time.sleep(0.02)  # let each take its ticket in turn
    hold.set()
    for t in threads:
        t.join(10)
    assert order == [0, 1, 2, 3, 4, 5]
