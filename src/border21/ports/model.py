"""One port, ready to simulate: the scenario compiled once, run many times.

>>> from border21.ports.catalog import load_scenario
>>> model = PortModel(load_scenario("san_ysidro"))
>>> records = model.simulate(days=1, seed=7)
>>> bool((records.wait_seconds >= 0).all())
True
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from border21.errors import InputError
from border21.i18n.message import Message
from border21.ports.config import PortScenario
from border21.ports.draws import CrossingDraws, draw_at_arrivals, draw_crossings
from border21.ports.engine import RecordLease, run_one_pass
from border21.ports.kernels.common import DAY
from border21.ports.kernels.queue import queue_entry
from border21.ports.kernels.replay import serve_lanes
from border21.ports.kernels.rng import reading_source, seed_sequence, state_words
from border21.ports.kernels.tables import QueueTables, RandomModel
from border21.ports.layout import PortLayout, compile_scenario, random_model, stream_rates


@dataclass(frozen=True, slots=True)
class CrossingRecords:
    """Per-crossing results as columns, in arrival order (times in seconds from start).

    ``lane`` and ``booth`` index the port's primary lanes and booths;
    ``group`` indexes :attr:`group_names`. Crossings not referred have
    ``secondary_start = departure = primary_departure``. A crossing that
    arrived while all its lanes were closed was held at the gate until one
    opened (:attr:`queue_entry`); its wait counts from then.
    """

    arrival: np.ndarray
    service_start: np.ndarray
    primary_departure: np.ndarray
    secondary_start: np.ndarray
    departure: np.ndarray
    stream: np.ndarray
    program: np.ndarray
    group: np.ndarray
    lane: np.ndarray
    booth: np.ndarray
    referred: np.ndarray
    carrier: np.ndarray
    detected: np.ndarray
    stream_names: tuple[str, ...]
    program_names: tuple[str, ...]
    group_names: tuple[str, ...]
    group_programs: tuple[str, ...]
    days: int
    queue: QueueTables | None = None  # the primary stage's tables (for queue_entry)
    lease: RecordLease | None = None
    # Ports with a Mexican export stage (see ports.cooperation.BorderCrossings):
    origin: np.ndarray | None = None  # when each crossing first joined a queue
    upstream_seconds: np.ndarray | None = None  # upstream inspection and transit (not delay)
    upstream: CrossingRecords | None = None  # the Mexican stage's records
    upstream_rows: np.ndarray | None = None  # their rows in these records
    # Ports with a Mexican import stage (see ports.cooperation.ImportStage):
    downstream: CrossingRecords | None = None  # its records (red lights referred)
    downstream_rows: np.ndarray | None = None  # their rows in these records
    first_day: int = 0  # the records cover days first_day .. first_day + days - 1

    PER_CROSSING: ClassVar[tuple[str, ...]] = (
        "arrival",
        "service_start",
        "primary_departure",
        "secondary_start",
        "departure",
        "stream",
        "program",
        "group",
        "lane",
        "booth",
        "referred",
        "carrier",
        "detected",
    )

    def subset(self, keep: np.ndarray) -> CrossingRecords:
        """The crossings where ``keep`` is true (their Mexican stages' records with them).

        When the kept rows are one run (a warm-up cut from records in arrival
        order) the columns are views, not copies (a year of Laredo: 0.3 s less
        per stage of a sweep); never for leased records, whose buffers go back.
        """
        rows: np.ndarray | slice = keep
        first = int(np.argmax(keep)) if keep.size else 0
        count = int(np.count_nonzero(keep))
        if self.lease is None and count and bool(keep[first : first + count].all()):
            rows = slice(first, first + count)
        changes: dict[str, Any] = {name: getattr(self, name)[rows] for name in self.PER_CROSSING}
        for name in ("origin", "upstream_seconds"):
            column = getattr(self, name)
            changes[name] = None if column is None else column[rows]
        new_row = np.cumsum(keep) - 1
        for stage in ("upstream", "downstream"):
            records, at = getattr(self, stage), getattr(self, f"{stage}_rows")
            if records is not None and at is not None:
                mine = keep[at]
                changes[stage] = records.subset(mine)
                changes[f"{stage}_rows"] = new_row[at[mine]]
        changes["lease"] = None
        return dataclasses.replace(self, **changes)

    def after_warm_up(self, warm_up_days: int) -> CrossingRecords:
        """The crossings that arrived after the first ``warm_up_days`` days (the rest discarded)."""
        if warm_up_days <= 0:
            return self
        if warm_up_days >= self.days:
            raise InputError(
                "warm_up_days",
                warm_up_days,
                Message("must be less than the days simulated ({days})", days=self.days),
            )
        first = (
            self.arrival >= warm_up_days * DAY
            if self.origin is None
            else (self.origin >= warm_up_days * DAY)
        )
        kept = self.subset(first)
        return dataclasses.replace(
            kept, days=self.days - warm_up_days, first_day=self.first_day + warm_up_days
        )

    def release(self) -> None:
        """Give leased record buffers back for the next run (see :mod:`border21.ports.engine`).

        Only for records from ``simulate(..., lease=True)``; the columns must
        not be read afterwards. Without a lease this does nothing.
        """
        if self.lease is not None:
            self.lease.release()

    def __len__(self) -> int:
        return int(self.arrival.shape[0])

    @property
    def queue_entry(self) -> np.ndarray:
        """When each crossing joined its lane's queue: its arrival, or its lane's opening."""
        if self.queue is None or self.queue.always_open.all():
            return self.arrival
        return np.asarray(queue_entry(self.arrival, self.lane, self.queue))

    @property
    def held_seconds(self) -> np.ndarray:
        """Time held at the gate of a closed port (0 for most crossings)."""
        return np.asarray(self.queue_entry - self.arrival)

    @property
    def wait_seconds(self) -> np.ndarray:
        """Wait in the queue before primary service (from the queue entry)."""
        return np.asarray(self.service_start - self.queue_entry)

    @property
    def secondary_wait_seconds(self) -> np.ndarray:
        return np.asarray(self.secondary_start - self.primary_departure)

    @property
    def mx_exams(self) -> np.ndarray:
        """Per crossing, the Mexican red-light exams of its own (0, 1 or 2).

        One at export inspection before CBP, one at import inspection after the
        port; under UCP the joint exam is CBP's referral, not counted here.
        """
        out = np.zeros(len(self), np.int64)
        for stage, at in (
            (self.upstream, self.upstream_rows),
            (self.downstream, self.downstream_rows),
        ):
            if stage is not None and at is not None:
                out[at] += stage.referred
        return out

    @property
    def time_in_port_seconds(self) -> np.ndarray:
        """From first joining a queue (upstream, for export trucks) to leaving CBP."""
        first = self.arrival if self.origin is None else self.origin
        return np.asarray(self.departure - first)

    def to_arrow(self) -> object:
        """The records as a ``pyarrow.Table`` with names instead of codes."""
        import pyarrow as pa

        def names(codes: np.ndarray, labels: tuple[str, ...]) -> pa.Array:
            return pa.DictionaryArray.from_arrays(
                pa.array(codes.astype(np.int32)), pa.array(list(labels))
            )

        return pa.table(
            {
                "arrival_s": self.arrival,
                "service_start_s": self.service_start,
                "primary_departure_s": self.primary_departure,
                "secondary_start_s": self.secondary_start,
                "departure_s": self.departure,
                "queue_entry_s": self.queue_entry,
                "wait_s": self.wait_seconds,
                "stream": names(self.stream, self.stream_names),
                "program": names(self.program, self.program_names),
                "lane_group": names(self.group, self.group_names),
                "lane": self.lane,
                "booth": self.booth,
                "referred": self.referred,
                "carrier": self.carrier,
                "detected": self.detected,
            }
        )


@dataclass(frozen=True, slots=True)
class PrimaryOutcome:
    """Where and when each drawn crossing was served at primary (draw order)."""

    lane: np.ndarray
    booth: np.ndarray
    start: np.ndarray
    depart: np.ndarray


class PortModel:
    """A compiled port: its cooperation applied, its kernel tables built once.

    ``given`` is the scenario as given; ``scenario`` the one that runs, with
    enrolment, southbound inspection and UCP's bays applied
    (:func:`~border21.ports.cooperation.effective_scenario`); ``export`` the
    Mexican export stage in front of CBP, if the scenario describes one.
    ``cooperation_applied``: ``scenario`` already is an effective scenario.
    """

    def __init__(self, scenario: PortScenario, *, cooperation_applied: bool = False) -> None:
        from border21.ports.cooperation import ExportStage, ImportStage, effective_scenario

        self.given = scenario
        # Applied twice, UCP would join the Mexican bays twice.
        self.scenario = scenario if cooperation_applied else effective_scenario(scenario)
        self.layout: PortLayout = compile_scenario(self.scenario)
        self.export = ExportStage.of(self.scenario)
        self.imports = ImportStage.of(self.scenario)
        self._programs = self.layout.program_names
        self._class_program_code = self.layout.class_program_code
        self._random: dict[int, tuple[RandomModel, int]] = {}

    def random_model(self, days: int) -> tuple[RandomModel, int]:
        """The kernel tables of ``days`` days of this port's random model, and a capacity."""
        cached = self._random.get(days)
        if cached is None:
            cached = random_model(self.scenario, self.layout, stream_rates(self.scenario, days))
            self._random = {days: cached}  # keep the last horizon only
        return cached

    def draw(self, days: int, rng: np.random.Generator) -> CrossingDraws:
        """Draw ``days`` days of crossings (arrivals, services, referral, carriers)."""
        if days < 1:
            raise InputError("days", days, Message("must be at least 1"))
        rm, capacity = self.random_model(days)
        return draw_crossings(rm, capacity, rng)

    def draw_at(
        self, arrival: np.ndarray, stream: np.ndarray, rng: np.random.Generator
    ) -> CrossingDraws:
        """Draw crossings arriving at given (sorted) times, e.g. from an upstream stage."""
        rm, _ = self.random_model(1)  # the arrivals are given: any horizon's tables serve
        return draw_at_arrivals(rm, arrival, stream, rng)

    def run(self, draws: CrossingDraws, days: int) -> CrossingRecords:
        """Queue the drawn crossings through primary and secondary."""
        return self.run_secondary(draws, self.run_primary(draws), draws.referred, days)

    def run_primary(self, draws: CrossingDraws) -> PrimaryOutcome:
        """Primary inspection only: it does not depend on who is referred afterwards."""
        lane, booth, start, depart = serve_lanes(
            draws.arrival,
            draws.cls,
            draws.primary_seconds,
            reading_source(draws.tie_u),
            self.layout.primary.tables,
        )
        return PrimaryOutcome(lane=lane, booth=booth, start=start, depart=depart)

    def run_secondary(
        self, draws: CrossingDraws, primary: PrimaryOutcome, referred: np.ndarray, days: int
    ) -> CrossingRecords:
        """Secondary inspection of the ``referred`` crossings after ``primary``; the records."""
        p = self.layout.primary
        lane, booth, start, depart = primary.lane, primary.booth, primary.start, primary.depart
        area = self.layout.stream_area[draws.stream]
        orphan = referred & (area < 0)
        if orphan.any():
            name = self.layout.stream_names[int(draws.stream[np.argmax(orphan)])]
            raise InputError("referred", name, Message("stream has no secondary area to refer to"))
        sec_start = depart.copy()
        leave = depart.copy()
        idx = np.flatnonzero(referred)
        if idx.size:
            idx = idx[np.argsort(depart[idx], kind="stable")]
            _, _, s_start, s_depart = serve_lanes(
                depart[idx],
                area[idx].astype(np.int32),
                draws.secondary_seconds[idx],
                reading_source(np.zeros(idx.size)),  # an area is one lane: no ties
                self.layout.secondary.tables,
            )
            sec_start[idx] = s_start
            leave[idx] = s_depart
        detected = draws.detected(referred)
        return CrossingRecords(
            arrival=draws.arrival,
            service_start=start,
            primary_departure=depart,
            secondary_start=sec_start,
            departure=leave,
            stream=draws.stream,
            program=self._class_program_code[draws.cls],
            group=p.tables.lane_group[lane],
            lane=lane,
            booth=booth,
            referred=referred,
            carrier=draws.carrier,
            detected=detected,
            stream_names=self.layout.stream_names,
            program_names=self._programs,
            group_names=p.group_names,
            group_programs=p.group_program,
            days=days,
            queue=p.tables,
        )

    def simulate(
        self, days: int = 1, seed: int | np.random.Generator | None = None, *, lease: bool = False
    ) -> CrossingRecords:
        """Simulate one replication of ``days`` days.

        A port without an export stage runs in one compiled pass (the one-pass
        driver, :mod:`border21.ports.kernels.onepass`): statistically the same
        as ``run(draw(days, rng), days)`` but from its own generator. A port
        with one runs the draw driver, the Mexican stage and the replay driver
        (:meth:`simulate_border`). A port with a Mexican import stage then
        takes its southbound crossings through it
        (:meth:`~border21.ports.cooperation.ImportStage.cross`), from a second
        child seed. An int or ``None`` seeds through
        ``SeedSequence``; a Generator is advanced to seed it. With ``lease``
        the record buffers of a one-pass run are leased from this thread's
        pool; call ``records.release()`` when done with them.
        """
        if days < 1:
            raise InputError("days", days, Message("must be at least 1"))
        if self.imports is not None:  # the port's own seed, and one for the import stage
            port_seed, import_seed = seed_children(seed, 2)
            records = self._simulate_port(days, port_seed, lease=lease)
            return self.imports.cross(records, np.random.default_rng(import_seed))
        return self._simulate_port(days, seed, lease=lease)

    def _simulate_port(
        self,
        days: int,
        seed: int | np.random.Generator | np.random.SeedSequence | None,
        *,
        lease: bool,
    ) -> CrossingRecords:
        """One replication up to the port's exits (the import stage is not run)."""
        if self.export is not None:
            return self.simulate_border(days, seed)
        rm, capacity = self.random_model(days)
        p = self.layout.primary
        out = run_one_pass(
            rm, capacity, p.tables, self.layout.secondary.tables, state_words(seed), lease=lease
        )
        if out.orphan >= 0:
            if out.lease is not None:
                out.lease.release()
            name = self.layout.stream_names[out.orphan]
            raise InputError("referred", name, Message("stream has no secondary area to refer to"))
        arrival, start, depart, sec_start, leave = out.times
        stream, program, group, lane, booth = out.codes
        referred, carrier, detected = out.flags
        return CrossingRecords(
            arrival=arrival,
            service_start=start,
            primary_departure=depart,
            secondary_start=sec_start,
            departure=leave,
            stream=stream,
            program=program,
            group=group,
            lane=lane,
            booth=booth,
            referred=referred,
            carrier=carrier,
            detected=detected,
            stream_names=self.layout.stream_names,
            program_names=self._programs,
            group_names=p.group_names,
            group_programs=p.group_program,
            days=days,
            queue=p.tables,
            lease=out.lease,
        )

    def simulate_border(
        self, days: int, seed: int | np.random.Generator | np.random.SeedSequence | None = None
    ) -> CrossingRecords:
        """One replication through the export stage (or UCP's joint inspection) and CBP.

        The crossings are drawn, the export trucks cross the Mexican booths and
        the bridge (:meth:`~border21.ports.cooperation.ExportStage.cross`), and
        all queue at CBP; a truck the Mexican inspection caught counts as
        detected, and under UCP a red *semáforo* is referred to the joint
        secondary. The records are in order of arrival at CBP.
        """
        if self.export is None:
            raise InputError(
                "cooperation.export_inspection", None, Message("the port has no export stage")
            )
        port_seed, border_seed = seed_children(seed, 2)
        draws = self.draw(days, np.random.default_rng(port_seed))
        crossing = self.export.cross(draws, days, np.random.default_rng(border_seed))
        at_cbp = crossing.draws
        referred = at_cbp.referred if crossing.red is None else at_cbp.referred | crossing.red
        records = self.run(at_cbp.with_flags(referred=referred), days)
        return dataclasses.replace(
            records,
            detected=records.detected | crossing.mx_detected,
            origin=crossing.origin,
            upstream_seconds=crossing.upstream_seconds,
            upstream=crossing.upstream,
            upstream_rows=crossing.upstream_rows,
        )


def seed_children(
    seed: int | np.random.Generator | np.random.SeedSequence | None, k: int
) -> list[np.random.SeedSequence]:
    """``k`` independent child seeds of a seed (a Generator is advanced to make them)."""
    root = seed_sequence(seed)
    return [np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, i)) for i in range(k)]
