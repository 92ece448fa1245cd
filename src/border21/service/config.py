"""The service's settings, one frozen value object built by the CLI (or a test)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from border21.service.budget import DEFAULT_ROLE_LIMITS, RoleLimits

DEFAULT_MAX_BODY_BYTES = 1_048_576
"""Request bodies over 1 MiB are refused with 413 (about 3,000 declarations)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceConfig:
    """Where the service keeps its state and how much work one request may ask for.

    >>> ServiceConfig(data_dir=None).max_body_bytes
    1048576
    """

    data_dir: Path | None
    """Holds ``service.sqlite3`` (and ``audit.key`` by default); None = in memory (tests)."""
    audit_key: Path | None = None
    """The audit chain's HMAC key file; None = ``data_dir/audit.key``. Keep it elsewhere
    (another owner, a secrets mount) so that write access to ``data_dir`` is not enough to
    rewrite the log."""
    warehouse: Path | None = None
    """The DuckDB data warehouse; None = the samples shipped in the package, in memory."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    role_limits: Mapping[str, RoleLimits] = field(default_factory=lambda: dict(DEFAULT_ROLE_LIMITS))
    """The most one request may ask for, per role (:mod:`border21.service.budget`)."""
    sync_max_crossings: int = 400_000
    """Simulations expected to draw more crossings than this run as background jobs."""
    sync_max_frontier_work: int = 80
    """Frontier sweeps of more task-days than this run as background jobs. A task-day
    takes 2 ms at Laredo and 30 ms at San Ysidro on one core (random and trusted
    policies, 2026-12-05), so 80 answer within about 3 s: the dashboard's curve
    (2 variants × 3 policies × 4 budgets × 3 replications) answers at once."""
    sync_workers: int = 1
    """Synchronous simulations and sweeps running at once, server-wide (the rest queue)."""
    sync_per_user: int = 2
    """Synchronous simulations and sweeps one user may have running or queued; more get 429
    (two: a dashboard slider moved while the last run is still going must not fail)."""
    sync_queue: int = 8
    """Synchronous requests that may wait for a worker, server-wide; more get 429."""
    model_seed: int = 2026
    job_workers: int = 1
    jobs_per_user: int = 4
    """Unfinished background jobs one user may have; more get 429."""
    max_jobs_kept: int = 200
    failed_logins_per_window: int = 10
    """Failed sign-ins one client address may make per window; then 429 with Retry-After."""
    failed_login_window_s: float = 60.0

    def limits_for(self, role: str) -> RoleLimits:
        """The limits of ``role`` (a role missing from ``role_limits`` gets the viewer's)."""
        return self.role_limits.get(role) or self.role_limits["viewer"]
