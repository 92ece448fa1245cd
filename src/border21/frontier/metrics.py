"""What one policy run costs and buys: interdictions against waiting."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from border21.frontier.costs import DelayCosts
from border21.ports.config import PortScenario
from border21.ports.kernels.common import HOUR
from border21.ports.model import CrossingRecords


@dataclass(frozen=True, slots=True)
class RunMetrics:
    """Security and trade outcomes of one replication.

    ``delay_hours`` counts time in the port beyond the crossing's own primary
    inspection (queueing at primary and secondary plus the secondary
    inspection itself), summed over crossings. ``referred`` and
    ``licit_referred`` count exams (see :func:`run_metrics`).
    """

    crossings: int
    carriers: int
    detected: int
    referred: int
    licit_referred: int
    mean_wait_min: float
    p95_wait_min: float
    truck_mean_wait_min: float
    truck_delay_hours: float
    delay_hours: float
    delay_cost_usd: float
    wait_by_group: dict[str, float]
    p95_wait_by_group: dict[str, float]

    @property
    def detection_rate(self) -> float:
        return self.detected / self.carriers if self.carriers else float("nan")

    @property
    def mean_delay_min(self) -> float:
        """Mean delay per crossing in minutes (queues plus secondary inspection)."""
        return 60.0 * self.delay_hours / self.crossings if self.crossings else float("nan")

    @property
    def licit_per_1000(self) -> float:
        return 1000.0 * self.licit_referred / max(self.crossings, 1)

    def as_row(self) -> dict[str, float]:
        row = {
            "crossings": float(self.crossings),
            "carriers": float(self.carriers),
            "detected": float(self.detected),
            "detection_rate": self.detection_rate,
            "referred": float(self.referred),
            "licit_per_1000": self.licit_per_1000,
            "mean_wait_min": self.mean_wait_min,
            "p95_wait_min": self.p95_wait_min,
            "truck_mean_wait_min": self.truck_mean_wait_min,
            "truck_delay_hours": self.truck_delay_hours,
            "delay_hours": self.delay_hours,
            "mean_delay_min": self.mean_delay_min,
            "delay_cost_usd": self.delay_cost_usd,
        }
        row.update({f"wait_min:{k}": v for k, v in self.wait_by_group.items()})
        row.update({f"p95_wait_min:{k}": v for k, v in self.p95_wait_by_group.items()})
        return row


def run_metrics(
    records: CrossingRecords,
    scenario: PortScenario,
    costs: DelayCosts | None = None,
    *,
    origin: np.ndarray | None = None,
    extra_service: np.ndarray | None = None,
    extra_exams: np.ndarray | None = None,
    mask: np.ndarray | None = None,
) -> RunMetrics:
    """Summarise one replication's records into :class:`RunMetrics`.

    ``origin`` is when each crossing first joined a queue (earlier than its
    arrival at this port when it passed an upstream stage such as Mexican
    export inspection) and ``extra_service`` the upstream time that is not
    delay (its own inspection there and the bridge transit). ``extra_exams``
    marks crossings inspected once more upstream (a Mexican red-light exam
    before CBP). ``mask`` keeps a subset of crossings (e.g. northbound only).

    One accounting in every variant: ``referred`` and ``licit_referred`` count
    exams. A truck with a Mexican red light and a CBP referral has two; under
    Unified Cargo Processing the joint exam replaces both, so it has one (its
    red light is among CBP's referrals, and ``extra_exams`` is empty).
    """
    costs = costs or DelayCosts()
    keep = np.ones(len(records), np.bool_) if mask is None else mask
    start = records.arrival if origin is None else origin
    upstream = 0.0 if extra_service is None else extra_service
    service = records.primary_departure - records.service_start
    delay_h = ((records.departure - start - service - upstream) / HOUR)[keep]
    wait = (records.wait_seconds / 60.0)[keep]
    stream = records.stream[keep]
    group = records.group[keep]
    kinds = [st.kind for st in scenario.streams.values()]
    value = np.array([costs.per_crossing_hour(k) for k in kinds])[stream]
    is_truck = np.array([k == "truck" for k in kinds])[stream]
    by_group, p95_by_group = {}, {}
    for g, name in enumerate(records.group_names):
        in_group = wait[group == g]
        if in_group.size:
            by_group[name] = float(in_group.mean())
            p95_by_group[name] = float(np.quantile(in_group, 0.95))
    carrier, detected = records.carrier[keep], records.detected[keep]
    exams = records.referred[keep].astype(np.int64)
    if extra_exams is not None:
        exams += extra_exams[keep]
    return RunMetrics(
        crossings=int(keep.sum()),
        carriers=int(carrier.sum()),
        detected=int(detected.sum()),
        referred=int(exams.sum()),
        licit_referred=int(exams[~carrier].sum()),
        mean_wait_min=float(wait.mean()) if wait.size else np.nan,
        p95_wait_min=float(np.quantile(wait, 0.95)) if wait.size else np.nan,
        truck_mean_wait_min=float(wait[is_truck].mean()) if is_truck.any() else np.nan,
        truck_delay_hours=float(delay_h[is_truck].sum()),
        delay_hours=float(delay_h.sum()),
        delay_cost_usd=float((delay_h * value).sum()),
        wait_by_group=by_group,
        p95_wait_by_group=p95_by_group,
    )


# Each flow's own figures, as nb_* and sb_* columns beside the (northbound) headline.
FLOW_METRICS = (
    "detection_rate",
    "mean_delay_min",
    "mean_wait_min",
    "p95_wait_min",
    "licit_per_1000",
    "delay_cost_usd",
    "detected",
    "carriers",
)


def flows_row(northbound: RunMetrics, southbound: RunMetrics | None) -> dict[str, float]:
    """A result row: northbound as the headline, and each flow apart in nb_*/sb_* columns.

    Unlike flows are never averaged together: southbound cars wait seconds while
    the northbound queue waits an hour, and their carriers carry other contraband.
    """
    row = northbound.as_row()
    flows = [("nb", northbound)] + ([("sb", southbound)] if southbound is not None else [])
    for prefix, flow in flows:
        fields = flow.as_row()
        for name in FLOW_METRICS:
            row[f"{prefix}_{name}"] = fields[name]
    return row
