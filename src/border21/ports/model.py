"""One port, ready to simulate: the scenario compiled once, run many times.

>>> from border21.ports.catalog import load_scenario
>>> model = PortModel(load_scenario("san_ysidro"))
>>> records = model.simulate(days=1, seed=7)
>>> bool((records.wait_seconds >= 0).all())
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from border21.errors import InputError
from border21.ports.config import PortScenario
from border21.ports.draws import CrossingDraws, draw_at_arrivals, draw_crossings
from border21.ports.engine import run_lanes
from border21.ports.fused import FusedTables, build_tables, run_fused, state_words
from border21.ports.layout import PortLayout, compile_scenario


@dataclass(frozen=True, slots=True)
class CrossingRecords:
    """Per-crossing results as columns, in arrival order (times in seconds from start).

    ``lane`` and ``booth`` index the port's primary lanes and booths;
    ``group`` indexes :attr:`group_names`. Crossings not referred have
    ``secondary_start = departure = primary_departure``.
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

    def __len__(self) -> int:
        return int(self.arrival.shape[0])

    @property
    def wait_seconds(self) -> np.ndarray:
        """Wait before primary service."""
        return np.asarray(self.service_start - self.arrival)

    @property
    def secondary_wait_seconds(self) -> np.ndarray:
        return np.asarray(self.secondary_start - self.primary_departure)

    @property
    def time_in_port_seconds(self) -> np.ndarray:
        return np.asarray(self.departure - self.arrival)

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
    """A compiled scenario. Draw crossings, optionally set referral flags, run."""

    def __init__(self, scenario: PortScenario) -> None:
        self.scenario = scenario
        self.layout: PortLayout = compile_scenario(scenario)
        streams = list(scenario.streams.values())
        self._p_found = np.array([s.secondary_detection_probability for s in streams])
        self._programs = tuple(dict.fromkeys(self.layout.class_program))
        self._class_program_code = np.array(
            [self._programs.index(p) for p in self.layout.class_program], np.int32
        )
        self._fused_tables: dict[int, FusedTables] = {}

    def draw(self, days: int, rng: np.random.Generator) -> CrossingDraws:
        """Draw ``days`` days of crossings (arrivals, services, referral, carriers)."""
        if days < 1:
            raise InputError("days", days, "must be at least 1")
        return draw_crossings(self.scenario, self.layout, days, rng)

    def draw_at(
        self, arrival: np.ndarray, stream: np.ndarray, rng: np.random.Generator
    ) -> CrossingDraws:
        """Draw crossings arriving at given (sorted) times, e.g. from an upstream stage."""
        return draw_at_arrivals(self.scenario, self.layout, arrival, stream, rng)

    def run(self, draws: CrossingDraws, days: int) -> CrossingRecords:
        """Queue the drawn crossings through primary and secondary."""
        return self.run_secondary(draws, self.run_primary(draws), draws.referred, days)

    def run_primary(self, draws: CrossingDraws) -> PrimaryOutcome:
        """Primary inspection only: it does not depend on who is referred afterwards."""
        p = self.layout.primary
        lane, booth, start, depart = run_lanes(
            draws.arrival, draws.cls, draws.primary_seconds, draws.tie_u, *p.kernel_args()
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
            raise InputError("referred", name, "stream has no secondary area to refer to")
        sec_start = depart.copy()
        leave = depart.copy()
        idx = np.flatnonzero(referred)
        if idx.size:
            idx = idx[np.argsort(depart[idx], kind="stable")]
            s = self.layout.secondary
            _, _, s_start, s_depart = run_lanes(
                depart[idx],
                area[idx].astype(np.int32),
                draws.secondary_seconds[idx],
                np.zeros(idx.size),
                *s.kernel_args(),
            )
            sec_start[idx] = s_start
            leave[idx] = s_depart
        detected = draws.carrier & referred & (draws.found_u < self._p_found[draws.stream])
        return CrossingRecords(
            arrival=draws.arrival,
            service_start=start,
            primary_departure=depart,
            secondary_start=sec_start,
            departure=leave,
            stream=draws.stream,
            program=self._class_program_code[draws.cls],
            group=p.lane_group[lane],
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
        )

    def simulate(
        self, days: int = 1, seed: int | np.random.Generator | None = None
    ) -> CrossingRecords:
        """Draw and run one replication in one compiled pass (the fused engine).

        Statistically the same as ``run(draw(days, rng), days)`` but from its own
        generator (see :mod:`border21.ports.fused`): an int or ``None`` seeds it
        through ``SeedSequence``; a Generator is advanced to seed it.
        """
        if days < 1:
            raise InputError("days", days, "must be at least 1")
        tables = self._fused_tables.get(days)
        if tables is None:
            tables = build_tables(self.scenario, self.layout, days, self._class_program_code)
            self._fused_tables = {days: tables}  # keep the last horizon only
        cols, orphan = run_fused(tables, self.layout, state_words(seed))
        (arrival, start, depart, sec_start, leave) = cols[:5]
        (stream, program, group, lane, booth, referred, carrier, detected) = cols[5:]
        if orphan >= 0:
            name = self.layout.stream_names[int(orphan)]
            raise InputError("referred", name, "stream has no secondary area to refer to")
        p = self.layout.primary
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
        )
