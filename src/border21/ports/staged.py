"""Staged runs: simulate a primary stage once, run every downstream variant on it.

Most what-if sweeps vary what happens *after* primary inspection (referral
rates, officers' detection, secondary bays and exam times) far more often than
the primary staffing itself, and primary inspection does not depend on any of
it: a crossing's wait and departure at primary are the same whether it is then
referred or not (secondary never blocks primary). So a sweep is run in two
stages:

1. **Primary** (:func:`run_primary`), once per distinct primary configuration
   and replication: the one-pass driver simulates arrivals, lanes, booths and
   primary service of the scenario with referral and carriers switched off.
2. **Downstream** (:func:`run_downstream`), once per variant: the downstream
   driver (:mod:`border21.ports.kernels.downstream`) takes the crossings in
   order of primary departure, decides referral, carriers and detection,
   draws the referred crossings' exam times and queues them at the secondary
   areas.

Downstream variates are drawn once per stage, in departure order, from the
replication's own child stream (gammas, which need a variable number of
draws, from a counter-based generator keyed by the crossing). Every variant of
one replication therefore sees the same trucks carrying contraband and the
same uniforms for referral (common random numbers), and a variant's results
do not depend on which other variants share its stage, on how a sweep is
split into tasks, or where they run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from border21.errors import InputError
from border21.i18n.message import Message
from border21.ports.config import PortScenario
from border21.ports.cooperation import effective_scenario
from border21.ports.edits import with_values
from border21.ports.kernels.common import DAY
from border21.ports.kernels.downstream import (
    SUMS,
    DownstreamRecords,
    DownstreamTables,
    downstream_pass,
)
from border21.ports.kernels.queue import new_queue_state
from border21.ports.kernels.rng import reading_source
from border21.ports.kernels.tables import QueueTables
from border21.ports.layout import area_tables, secondary_layout
from border21.ports.model import CrossingRecords, PortModel

#: Stream fields that act only after primary inspection.
DOWNSTREAM_STREAM_FIELDS = (
    "referral_probability",
    "referral_probability_by_program",
    "carrier_probability",
    "primary_detection_probability",
    "secondary_detection_probability",
    "secondary",
)


def primary_only(scenario: PortScenario) -> PortScenario:
    """What CBP primary inspection sees of a scenario: its cooperation applied
    (:func:`~border21.ports.cooperation.effective_scenario`), referral and carriers
    off, and no Mexican export or import stage (staged runs model CBP alone; the
    coupled frontier, ``border21 frontier``, runs both)."""
    changes: dict[str, object] = {
        "cooperation.export_inspection": None,
        "cooperation.import_inspection": None,
        "cooperation.unified_cargo_processing": False,
    }
    for name in scenario.streams:
        changes.update(
            {
                f"streams.{name}.referral_probability": 0.0,
                f"streams.{name}.referral_probability_by_program": {},
                f"streams.{name}.carrier_probability": 0.0,
                f"streams.{name}.primary_detection_probability": 0.0,
                f"streams.{name}.secondary_detection_probability": 0.0,
            }
        )
    return with_values(effective_scenario(scenario), changes)


def primary_key(scenario: PortScenario) -> str:
    """A hash of everything that shapes primary inspection (downstream fields left out).

    Two scenarios with the same key have identical primary stages for the same seed.
    """
    data = scenario.model_dump(mode="json")
    data.pop("secondary", None)
    for st in data["streams"].values():
        for name in DOWNSTREAM_STREAM_FIELDS:
            st.pop(name, None)
    text = json.dumps(data, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def child_seed(seed: np.random.SeedSequence, i: int) -> np.random.SeedSequence:
    """Child ``i`` of ``seed``, derived without mutating it (``spawn`` counts its calls)."""
    return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, i))


@dataclass(frozen=True, slots=True)
class PrimaryStage:
    """One replication of a primary configuration, ready for downstream variants.

    Per-crossing columns are in order of primary departure (stable): ``idx``
    into the records, ``dep``, ``cls`` (stream × program class) and the
    downstream variates ``u`` (4 rows of uniforms, see
    :mod:`border21.ports.kernels.referral`) and ``z`` (a standard normal and a
    standard exponential).
    """

    key: str
    records: CrossingRecords
    idx: np.ndarray
    dep: np.ndarray
    cls: np.ndarray
    arrival: np.ndarray
    u: np.ndarray
    z: np.ndarray
    downstream_key: np.uint64


def run_primary(scenario: PortScenario, seed: np.random.SeedSequence, days: int) -> PrimaryStage:
    """Simulate the primary stage of ``scenario`` for one replication seed.

    The downstream variates are drawn here too, once, from the replication's
    own child stream, so that each crossing keeps them whatever variants are
    run on the stage.
    """
    base = PortModel(primary_only(scenario), cooperation_applied=True)
    records = base.simulate(days=days, seed=np.random.default_rng(child_seed(seed, 0)))
    n = len(records)
    order = np.argsort(records.primary_departure, kind="stable")
    # Draws are i.i.d., so drawing them straight in departure order gives each
    # crossing its own fixed variates, as any other fixed assignment would.
    rng = np.random.default_rng(child_seed(seed, 1))
    u = rng.random((4, n), dtype=np.float32)
    z = np.empty((2, n), np.float32)
    rng.standard_normal(out=z[0], dtype=np.float32)
    rng.standard_exponential(out=z[1], dtype=np.float32)
    n_prog = len(records.program_names)
    cls = records.stream.astype(np.int32) * n_prog + records.program
    return PrimaryStage(
        key=primary_key(scenario),
        records=records,
        idx=order,
        dep=records.primary_departure[order],
        cls=cls[order],
        arrival=records.arrival[order],
        u=u,
        z=z,
        downstream_key=child_seed(seed, 2).generate_state(1, np.uint64)[0],
    )


def downstream_tables(
    scenario: PortScenario,
    program_names: Sequence[str],
    hour_weight: Sequence[float] | None = None,
) -> tuple[DownstreamTables, QueueTables]:
    """A variant's downstream tables per class, and its secondary stage's queue tables.

    ``hour_weight`` is a weight per stream for an hour of delay (e.g. its value
    in dollars; default 0). The scenario's cooperation is applied first.
    """
    scenario = effective_scenario(scenario)
    secondary, stream_area = secondary_layout(scenario)
    streams = list(scenario.streams.values())
    weights = [0.0] * len(streams) if hour_weight is None else list(hour_weight)
    pairs = [(s, st, p) for s, st in enumerate(streams) for p in program_names]
    area_dist, area_par = area_tables(scenario)
    tables = DownstreamTables(
        cls_ref_p=np.array([st.referral_for(p) for _, st, p in pairs], np.float64),
        cls_prob=np.array(
            [
                (
                    st.carrier_probability,
                    st.primary_detection_probability,
                    st.secondary_detection_probability,
                )
                for _, st, _ in pairs
            ],
            np.float64,
        ).reshape(len(pairs), 3),
        cls_area=np.repeat(stream_area, len(program_names)),
        cls_weight=np.array([weights[s] for s, _, _ in pairs], np.float64),
        cls_truck=np.array([st.kind == "truck" for _, st, _ in pairs], np.bool_),
        cls_south=np.array([st.direction == "southbound" for _, st, _ in pairs], np.bool_),
        area_dist=area_dist,
        area_par=area_par,
    )
    return tables, secondary.tables


@dataclass(frozen=True, slots=True)
class DownstreamOutcome:
    """One variant's sums (see :data:`~border21.ports.kernels.downstream.SUMS`), and records.

    ``flows`` holds the sums of every crossing (row 0) and of the southbound
    ones (row 1); :attr:`northbound` and :attr:`southbound` give each flow apart.
    """

    flows: np.ndarray  # float64[2, len(SUMS)]
    records: CrossingRecords | None = None

    @property
    def sums(self) -> dict[str, float]:
        """The sums over every crossing, both flows."""
        return dict(zip(SUMS, self.flows[0].tolist(), strict=True))

    @property
    def northbound(self) -> dict[str, float]:
        return dict(zip(SUMS, (self.flows[0] - self.flows[1]).tolist(), strict=True))

    @property
    def southbound(self) -> dict[str, float]:
        return dict(zip(SUMS, self.flows[1].tolist(), strict=True))


def run_downstream(
    stage: PrimaryStage,
    scenario: PortScenario,
    hour_weight: Sequence[float] | None = None,
    *,
    keep_records: bool = False,
    warm_up_days: int = 0,
) -> DownstreamOutcome:
    """One variant on a primary stage: its sums (and, if asked, its full records).

    The sums leave out crossings that arrived in the first ``warm_up_days``;
    the records keep every crossing.
    """
    if primary_key(scenario) != stage.key:
        raise InputError(
            "scenario",
            scenario.port.name,
            Message("does not share this primary stage's configuration"),
        )
    rec = stage.records
    tables, secondary = downstream_tables(scenario, rec.program_names, hour_weight)
    n = len(rec) if keep_records else 0
    out = DownstreamRecords(
        referred=np.zeros(n, np.bool_),
        carrier=np.zeros(n, np.bool_),
        detected=np.zeros(n, np.bool_),
        secondary_start=np.empty(n, np.float64),
        departure=np.empty(n, np.float64),
    )
    src = reading_source(stage.u, stage.z, stage.idx, stage.downstream_key)
    qs = new_queue_state(secondary, len(stage.dep))
    flows, orphan = downstream_pass(
        src,
        stage.dep,
        stage.cls,
        stage.arrival,
        warm_up_days * DAY,
        tables,
        secondary,
        qs,
        keep_records,
        out,
    )
    if orphan >= 0:
        name = rec.stream_names[int(orphan) // len(rec.program_names)]
        raise InputError("referred", name, Message("stream has no secondary area to refer to"))
    records = None
    if keep_records:
        records = dataclasses.replace(
            rec,
            secondary_start=out.secondary_start,
            departure=out.departure,
            referred=out.referred,
            carrier=out.carrier,
            detected=out.detected,
            lease=None,
        )
    return DownstreamOutcome(flows=flows, records=records)
