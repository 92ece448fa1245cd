"""One replication of one referral policy at one port, cooperation switches applied.

The pieces come together here: crossings drawn by the port model, risk and
carrier flags from the targeting engine, the referral policy, the Mexican
export inspection (or Unified Cargo Processing), southbound inspection, and
the metrics of :mod:`border21.frontier.metrics`.

Seeds: a replication's ``SeedSequence`` is split into fixed child streams
(port draws, risk assignment, policy, Mexican stage), so two policies run on
the same replication seed see the same crossings (common random numbers),
which makes their difference far less noisy than their levels.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from border21.errors import InputError
from border21.frontier.costs import DelayCosts
from border21.frontier.metrics import RunMetrics, run_metrics
from border21.frontier.policies import (
    NOT_A_POLICY,
    POLICY_NAMES,
    RandomReferral,
    ReferralContext,
    ReferralPolicy,
    TargetedReferral,
    TrustedProgramReferral,
    check_rate,
)
from border21.frontier.risk import RiskPool
from border21.i18n.message import Message
from border21.ports.config import PortScenario
from border21.ports.draws import CrossingDraws
from border21.ports.kernels.common import DAY
from border21.ports.model import PortModel, PrimaryOutcome


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicySpec:
    """A referral policy by name and budget (``rate`` = share of governed crossings).

    >>> PolicySpec(policy="random", rate=0.05).label
    'random@5.0%'
    """

    policy: str
    rate: float
    trusted_factor: float = 0.25

    def __post_init__(self) -> None:
        if self.policy in NOT_A_POLICY:
            raise InputError("policy", self.policy, NOT_A_POLICY[self.policy])
        if self.policy not in POLICY_NAMES:
            raise InputError(
                "policy",
                self.policy,
                Message(
                    "unknown policy (known: {policy_names})", policy_names=", ".join(POLICY_NAMES)
                ),
            )
        check_rate(self.rate, "rate")

    @property
    def label(self) -> str:
        return f"{self.policy}@{100 * self.rate:.1f}%"

    def build(self, risk: RiskPool | None) -> ReferralPolicy:
        if self.policy == "random":
            return RandomReferral(rate=self.rate)
        if self.policy == "trusted":
            return TrustedProgramReferral(rate=self.rate, trusted_factor=self.trusted_factor)
        if risk is None:
            raise InputError(
                "policy",
                self.policy,
                Message("needs a risk model (a RiskPool of scored declarations)"),
            )
        return TargetedReferral(rate=self.rate, threshold=risk.threshold(self.rate))


class PreparedScenario:
    """A scenario compiled into its port model (cooperation applied, see ``PortModel``)."""

    def __init__(self, scenario: PortScenario) -> None:
        self.original = scenario
        self.model = PortModel(scenario)
        self.scenario = self.model.scenario
        streams = list(self.scenario.streams.values())
        self.northbound = np.array([s.direction == "northbound" for s in streams])
        self.has_area = np.array([s.secondary is not None for s in streams])
        self.class_programs = np.array(self.model.layout.class_program)


@dataclass(frozen=True, slots=True)
class ReplicationOutcome:
    """Metrics for each flow apart: northbound, and southbound when the port has it.

    There is no all-traffic figure: southbound cars wait seconds while the
    northbound queue waits an hour, and their carriers carry other contraband.
    """

    northbound: RunMetrics
    southbound: RunMetrics | None


def _children(seed: np.random.SeedSequence, k: int) -> list[np.random.SeedSequence]:
    """Child seeds derived without mutating ``seed`` (``spawn`` counts its calls)."""
    return [np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, i)) for i in range(k)]


def run_replication(
    prepared: PreparedScenario,
    spec: PolicySpec,
    *,
    days: int,
    seed: np.random.SeedSequence,
    risk: RiskPool | None = None,
    costs: DelayCosts | None = None,
    warm_up_days: int = 0,
) -> ReplicationOutcome:
    """Simulate one replication of ``spec`` at the prepared port.

    Crossings that arrived in the first ``warm_up_days`` are simulated and left
    out of the metrics.
    """
    base = prepare_replication(prepared, days=days, seed=seed, risk=risk, warm_up_days=warm_up_days)
    return finish_replication(base, spec, costs)


@dataclass(frozen=True, slots=True)
class ReplicationBase:
    """Everything of one replication that no referral policy changes.

    The crossings and their risk, the Mexican export stage (or UCP's joint
    primary) and CBP primary inspection do not depend on whom CBP refers to
    secondary afterwards, so they are simulated once and shared by every
    policy and budget of the replication (:func:`finish_replication`); the
    result is the one :func:`run_replication` gives for each policy alone.
    """

    prepared: PreparedScenario
    days: int
    risk: RiskPool | None
    ctx: ReferralContext  # draw order
    policy_seed: np.random.SeedSequence
    pre_flags: np.ndarray  # officers' suspicion, southbound's own rate (draw order)
    red: np.ndarray | None  # UCP: Mexican red lights joining the joint exam (draw order)
    order: np.ndarray | None  # draw order -> arrival order at CBP (export stage)
    draws: CrossingDraws  # as they reach CBP
    primary: PrimaryOutcome
    origin: np.ndarray
    extra_service: np.ndarray
    mx_detected: np.ndarray
    mx_exam: np.ndarray  # a Mexican red-light exam of its own, before CBP (CBP order)
    import_seed: np.random.SeedSequence | None = None  # the Mexican import stage's lights
    warm_up_days: int = 0


def prepare_replication(
    prepared: PreparedScenario,
    *,
    days: int,
    seed: np.random.SeedSequence,
    risk: RiskPool | None = None,
    warm_up_days: int = 0,
) -> ReplicationBase:
    """Draw, assign risk, run the export stage and CBP primary for one replication."""
    port_ss, risk_ss, policy_ss, mx_ss, import_ss = _children(seed, 5)
    draws = prepared.model.draw(days, np.random.default_rng(port_ss))
    n = len(draws)
    north = prepared.northbound[draws.stream]
    governed = north & prepared.has_area[draws.stream]
    scores = None
    if risk is not None:
        carrier = draws.carrier.copy()
        g_carrier, g_scores = risk.assign(int(governed.sum()), np.random.default_rng(risk_ss))
        carrier[governed] = g_carrier
        scores = np.zeros(n)
        scores[governed] = g_scores
        draws = draws.with_flags(carrier=carrier)
    ctx = ReferralContext(
        programs=prepared.class_programs[draws.cls], scores=scores, inspected=governed
    )
    pre_flags = draws.suspected | (~north & draws.random_referral)  # southbound: own rate
    origin = draws.arrival
    extra_service = np.zeros(n)
    mx_detected = np.zeros(n, np.bool_)
    mx_exam = np.zeros(n, np.bool_)
    red = order = None
    export = prepared.model.export
    if export is not None:  # the Mexican export stage, or UCP's joint inspection
        crossing = export.cross(draws, days, np.random.default_rng(mx_ss))
        draws, order, red = crossing.draws, crossing.order, crossing.red
        origin, extra_service = crossing.origin, crossing.upstream_seconds
        mx_detected, mx_exam = crossing.mx_detected, crossing.mx_exam
    return ReplicationBase(
        prepared=prepared,
        days=days,
        risk=risk,
        ctx=ctx,
        policy_seed=policy_ss,
        pre_flags=pre_flags,
        red=red,
        order=order,
        draws=draws,
        primary=prepared.model.run_primary(draws),
        origin=origin,
        extra_service=extra_service,
        mx_detected=mx_detected,
        mx_exam=mx_exam,
        import_seed=import_ss,
        warm_up_days=warm_up_days,
    )


def finish_replication(
    base: ReplicationBase, spec: PolicySpec, costs: DelayCosts | None = None
) -> ReplicationOutcome:
    """One policy and budget on a prepared replication: its referrals, secondary, metrics."""
    prepared = base.prepared
    policy = spec.build(base.risk)
    flags = policy.decide(base.ctx, np.random.default_rng(base.policy_seed)) | base.pre_flags
    if base.red is not None:
        flags = flags | base.red
    if base.order is not None:
        flags = flags[base.order]
    records = prepared.model.run_secondary(base.draws, base.primary, flags, base.days)
    if base.mx_detected.any():
        records = dataclasses.replace(records, detected=records.detected | base.mx_detected)
    imports = prepared.model.imports
    if imports is not None and base.import_seed is not None:  # the same lights for every policy
        records = imports.cross(records, np.random.default_rng(base.import_seed))
    exams = base.mx_exam + records.mx_exams  # Mexico's own exams, before CBP and after
    counted = base.origin >= base.warm_up_days * DAY  # after the warm-up
    north_r = prepared.northbound[records.stream]

    def metrics(mask: np.ndarray) -> RunMetrics:
        return run_metrics(
            records,
            prepared.scenario,
            costs,
            origin=base.origin,
            extra_service=base.extra_service,
            extra_exams=exams,
            mask=mask & counted,
        )

    return ReplicationOutcome(
        northbound=metrics(north_r),
        southbound=metrics(~north_r) if (~north_r & counted).any() else None,
    )
