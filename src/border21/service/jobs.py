"""Background jobs for the long requests: a small thread pool and a status table.

Jobs live in memory (a restart forgets them); each belongs to the user who
started it, and nobody else can see its status or result.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from border21.errors import Border21Error, NotFoundError
from border21.i18n.message import Message
from border21.service.gate import lower_priority


@dataclass
class Job:
    """One background job's state."""

    id: str
    owner: int
    """The owner's user id (never the name: a revoked name may be given to someone else)."""
    kind: str
    created_at: str
    future: Future[Any] = field(repr=False)

    @property
    def status(self) -> str:
        if not self.future.done():
            return "running" if self.future.running() else "queued"
        return "failed" if self.future.exception() is not None else "succeeded"

    def error(self) -> str | None:
        exc = self.future.exception() if self.future.done() else None
        if exc is None:
            return None
        return str(exc) if isinstance(exc, Border21Error) else "internal error"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "status": self.status,
            "created_at": self.created_at, "error": self.error(),
            "result_url": f"/api/v1/jobs/{self.id}/result",
        }  # fmt: skip


# OpenAPI responses of an endpoint that always answers with a background job
JOB_RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {"description": "Accepted as a background job; poll its status URL"},
    429: {"description": "Too many unfinished jobs; see Retry-After"},
}


class TooManyJobs(Border21Error):
    """The user already has the maximum number of unfinished jobs (HTTP 429)."""


class JobManager:
    """Submit callables; look jobs up by id for their owner only.

    Each user may have at most ``per_user`` jobs queued or running, so one
    user cannot fill the queue for everybody.
    """

    def __init__(self, workers: int = 1, keep: int = 200, per_user: int = 4) -> None:
        self._per_user = per_user
        # jobs run at low CPU priority too: a cheap request that wants a core gets it first
        self._pool = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="border21-job", initializer=lower_priority
        )
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep

    def submit(self, owner: int, kind: str, fn: Callable[[], Any], now: str) -> Job:
        with self._lock:
            busy = sum(1 for j in self._jobs.values() if j.owner == owner and not j.future.done())
        if busy >= self._per_user:
            raise TooManyJobs(
                f"you have {busy} unfinished jobs (limit {self._per_user}); wait for one to finish"
            )
        job = Job(id=uuid.uuid4().hex, owner=owner, kind=kind, created_at=now,
                  future=self._pool.submit(fn))  # fmt: skip
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self._keep:
                oldest = next(iter(self._jobs.values()))
                if not oldest.future.done():
                    break
                self._jobs.popitem(last=False)
        return job

    def get(self, job_id: str, owner: int) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.owner != owner:
            raise NotFoundError(Message("job = {job_id!r}: no such job of yours", job_id=job_id))
        return job

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
