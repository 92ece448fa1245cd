"""Unit: background jobs are private to their owner and capped per user."""

from __future__ import annotations

import threading

import pytest

from border21.errors import NotFoundError
from border21.service.jobs import JobManager, TooManyJobs


def test_jobs_private_and_capped_per_user() -> None:
    gate = threading.Event()
    jobs = JobManager(workers=2, per_user=1)
    try:
        first = jobs.submit(1, "simulation", lambda: gate.wait(10) and 42, "t0")
        with pytest.raises(TooManyJobs):
            jobs.submit(1, "simulation", lambda: 0, "t1")
        other = jobs.submit(2, "simulation", lambda: 7, "t1")
        with pytest.raises(NotFoundError):
            jobs.get(first.id, 2)
        gate.set()
        assert first.future.result(timeout=10) == 42 and other.future.result(timeout=10) == 7
        assert jobs.get(first.id, 1).as_dict()["status"] == "succeeded"
        again = jobs.submit(1, "simulation", lambda: 1, "t2")
        assert again.future.result(timeout=10) == 1
    finally:
        gate.set()
        jobs.shutdown()


def test_failed_job_reports_only_border21_errors() -> None:
    from border21.errors import InputError

    jobs = JobManager()
    try:

        def bad_input() -> None:
            raise InputError("days", 0, "must be at least 1")

        def crash() -> None:
            raise RuntimeError("secret internals")

        a = jobs.submit(1, "x", bad_input, "t")
        b = jobs.submit(1, "x", crash, "t")
        for job in (a, b):
            job.future.exception(timeout=10)
        assert a.as_dict()["status"] == "failed" and "days" in str(a.error())
        assert b.error() == "internal error"
    finally:
        jobs.shutdown()
