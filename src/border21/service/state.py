"""Everything one running service holds: its database, audit log, jobs and caches.

The warehouse, the per-agency risk models and the frontier risk pools are
built on first use (seconds each) and then shared by all requests; locks keep
two requests from building the same thing twice or using the single DuckDB
connection at once.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from border21.service.access import utc_now
from border21.service.admission import KnownTokens
from border21.service.agency_data import AgencyData
from border21.service.audit import AuditLog, open_audit_log
from border21.service.batcher import ScoreBatcher
from border21.service.config import ServiceConfig
from border21.service.db import DB_FILE_NAME, ServiceDB
from border21.service.gate import WorkGate
from border21.service.jobs import JobManager
from border21.service.throttle import LoginThrottle

if TYPE_CHECKING:
    from border21.data.store import Store
    from border21.frontier.risk import RiskPool

T = TypeVar("T")
KEY_FILE_NAME = "audit.key"
MODEL_AGENCY = {"us-cbp": "US", "mx-customs": "MX", "analyst": "US"}
"""Which side's synthetic history trains the model a user's agency scores with."""


def open_service_db(config: ServiceConfig) -> tuple[ServiceDB, AuditLog]:
    """The service database and its audit log, as the CLI and the app both need them."""
    if config.data_dir is None:
        db = ServiceDB(None)
        return db, AuditLog(db, key=secrets.token_bytes(32))
    db = ServiceDB(config.data_dir / DB_FILE_NAME)
    try:
        return db, open_audit_log(db, config.audit_key or config.data_dir / KEY_FILE_NAME)
    except BaseException:
        db.close()
        raise


class ServiceState:
    """Per-app state, stored on ``app.state.service``."""

    def __init__(self, config: ServiceConfig, *, clock: Callable[[], str] = utc_now) -> None:
        self.config = config
        self.clock = clock
        self.db, self.audit = open_service_db(config)
        try:
            self.data = AgencyData(self.db, self.audit)
            self.jobs = JobManager(config.job_workers, config.max_jobs_kept, config.jobs_per_user)
        except BaseException:
            self.db.close()
            raise
        self.logins = LoginThrottle(
            failures=config.failed_logins_per_window, window_seconds=config.failed_login_window_s
        )
        self.gate = WorkGate(
            workers=config.sync_workers, per_user=config.sync_per_user, queue=config.sync_queue
        )
        self.known_tokens = KnownTokens()
        self.store_lock = threading.Lock()
        self._build_lock = threading.Lock()
        self._store: Store | None = None
        self._models: dict[str, Any] = {}
        self._pools: dict[bool, RiskPool] = {}
        self._scorers: dict[str, ScoreBatcher] = {}

    def now(self) -> str:
        """The current time as timestamp text (a test may set another clock)."""
        return self.clock()

    def query_store(self, fn: Callable[[Store], T]) -> T:
        """Run ``fn`` on the warehouse with exclusive use of its connection."""
        with self.store_lock:
            if self._store is None:
                self._store = self._open_store()
            return fn(self._store)

    def _open_store(self) -> Store:
        from border21.data.store import open_store

        if self.config.warehouse is not None:
            return open_store(self.config.warehouse, read_only=True)
        from border21.data.samples import load_samples

        store = open_store(None)
        load_samples(store)
        return store

    def risk_model(self, agency: str) -> Any:
        """The fitted model a user of ``agency`` scores declarations with."""
        side = MODEL_AGENCY[agency]
        with self._build_lock:
            if side not in self._models:
                from border21.targeting.generator import generate_declarations
                from border21.targeting.models import LightGBMRiskModel

                history = generate_declarations(4_000, seed=self.config.model_seed, agency=side)  # type: ignore[arg-type]
                model = LightGBMRiskModel(n_estimators=40, random_state=self.config.model_seed)
                self._models[side] = model.fit(history)
            return self._models[side]

    def fitted_risk_model(self, agency: str) -> Any | None:
        """The model of ``agency``'s side if already trained, else None (never blocks)."""
        return self._models.get(MODEL_AGENCY[agency])

    def scorer(self, agency: str) -> ScoreBatcher:
        """The micro-batching scorer for the model of ``agency``'s side."""
        side = MODEL_AGENCY[agency]
        with self._build_lock:
            if side not in self._scorers:
                self._scorers[side] = ScoreBatcher(lambda: self.risk_model(agency))
            return self._scorers[side]

    def risk_pool(self, shared_intelligence: bool) -> RiskPool:
        """A small scored declaration pool for targeted referral in frontier runs."""
        with self._build_lock:
            if shared_intelligence not in self._pools:
                from border21.frontier.risk import CrossingRisk, RiskSetup

                # 12k shipments: enough labelled history (20% inspected, ~2% carriers)
                # for a useful model (AUC ~0.86 vs ~0.77 at 4k), trained in about a second
                setup = RiskSetup(
                    history_shipments=12_000,
                    pool_shipments=12_000,
                    shared_intelligence=shared_intelligence,
                )
                risk = CrossingRisk(setup, seed=self.config.model_seed)
                self._pools[shared_intelligence] = risk.pool
            return self._pools[shared_intelligence]

    def close(self) -> None:
        """Stop jobs and scorers, close the warehouse and the service database (idempotent)."""
        try:
            self.jobs.shutdown()
            self.gate.shutdown()
            for scorer in self._scorers.values():
                scorer.close()
            with self.store_lock:
                if self._store is not None:
                    self._store.close()
        finally:
            self.db.close()
