"""Scenarios for every US–Mexico land port, generated from BTS monthly volumes.

The four curated scenarios (``scenarios/SOURCES.md``) have published lanes,
staffing and waits behind them; the other ports have only BTS counts. This
module turns one port's BTS counts for one year into a valid scenario with
the method in docs/ports.md ("Generated scenarios"): daily volumes by mode
from the annual totals, hour and weekday shapes borrowed by port type from the
curated San Diego and Laredo scenarios, service times and referral rates as in
the curated scenarios, and booths sized so that the busiest month's busiest
hour stays below :data:`TARGET_UTILISATION`, with at most
:data:`DESIGN_WAIT_SHARE` of its crossings waiting over
:data:`DESIGN_WAIT_SECONDS` (Erlang C). Pure: it reads no files; the
maintainer script ``scenarios/build_generated.py`` feeds it the shipped BTS
sample and writes the TOML files and ``border_ports.csv``.

>>> v = PortVolumes("2606", "Sasabe", "Arizona", 31.483, -111.544, 2024,
...                 {"Personal Vehicles": (800,) * 12})
>>> sc = generated_scenario(v)
>>> sc.port.provenance, list(sc.streams), round(sc.streams["cars"].crossings_per_day, 1)
('generated', ['cars'], 26.2)
"""

from __future__ import annotations

import calendar
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from border21.ports import limits
from border21.ports.config import PortScenario
from border21.ports.edits import validated
from border21.ports.sipp import wait_tail

TARGET_UTILISATION = 0.85
"""Booths (and secondary bays) are sized so the design hour's offered load stays below this."""

DESIGN_WAIT_SECONDS = 600.0
DESIGN_WAIT_SHARE = 0.01
"""And so that at most 1% of the design hour's crossings wait over 10 minutes (Erlang C)."""

URBAN_CARS_PER_DAY = 10_000.0
"""Cars a day above which a port takes San Ysidro's hour shape (below it, Otay Mesa's)."""

PROGRAM_MIN_PER_DAY = 2_000.0
"""Cars or pedestrians a day above which a port gets Ready (and SENTRI) lanes."""

FAST_MIN_PER_DAY = 500.0
"""Trucks a day above which a port gets a FAST lane."""

TEXAS = "Texas"


@dataclass(frozen=True)
class Mode:
    """A BTS measure turned into a stream: its kind, service times and referral."""

    measure: str
    stream: str
    kind: str
    secondary: str
    mean_seconds: Mapping[str, float]  # by program; "general" first
    cv: float
    referral: Mapping[str, float]  # by program
    carrier_probability: float
    primary_detection: float
    secondary_detection: float
    source: str


# Service times, referral and carriers as in the curated scenarios (SOURCES.md):
# cars and pedestrians as el_paso_bota.toml (San Ysidro single-booth SANDAG-R rates),
# trucks as laredo_wtb.toml (120 s General, FAST 27 s observed); buses are an assumption.
MODES: tuple[Mode, ...] = (
    Mode("Personal Vehicles", "cars", "personal_vehicle", "vehicle_secondary",
         {"general": 86.6, "ready": 72.3, "sentri": 30.0}, 0.7,
         {"general": 0.02, "ready": 0.015, "sentri": 0.005}, 0.001, 0.3, 0.7,
         "service and referral as el_paso_bota.toml cars (SANDAG-R San Ysidro single booths; "
         "<2% of cars scanned, CBP FY2021)"),
    Mode("Pedestrians", "pedestrians", "pedestrian", "pedestrian_secondary",
         {"general": 48.0, "ready": 28.0}, 0.7, {"general": 0.01, "ready": 0.01},
         0.0005, 0.3, 0.8, "service and referral as el_paso_bota.toml pedestrians (ASSUMPTION)"),
    Mode("Trucks", "trucks", "truck", "truck_secondary",
         {"general": 120.0, "fast": 27.0}, 0.6, {"general": 0.15, "fast": 0.15},
         0.002, 0.2, 0.6,
         "service as laredo_wtb.toml (120 s General, ASSUMPTION calibrated to FHWA's 18 min; "
         "FAST ~27 s observed); ~15% of trucks scanned (CBP FY2021)"),
    Mode("Buses", "buses", "bus", "vehicle_secondary",
         {"general": 600.0}, 0.6, {"general": 0.05}, 0.001, 0.3, 0.7,
         "ASSUMPTION: 10 min per bus at primary (passengers inspected on board or in the "
         "hall), 5% referred; no bus figures in the corpus"),
)  # fmt: skip

MEASURES: tuple[str, ...] = tuple(m.measure for m in MODES)

# Secondary exam times (seconds, lognormal cv), as el_paso_bota.toml (ASSUMPTION there).
SECONDARY_SERVICE: Mapping[str, tuple[float, float]] = {
    "vehicle_secondary": (1200.0, 1.0),
    "truck_secondary": (600.0, 1.5),
    "pedestrian_secondary": (600.0, 1.0),
}


@dataclass(frozen=True)
class Shape:
    """An hour-of-day (and weekday) shape borrowed from a curated scenario."""

    hours: tuple[float, ...]
    weekdays: tuple[float, ...] | None
    source: str


SAN_YSIDRO_CARS = Shape(
    (709, 909, 1133, 1762, 2188, 2017, 2212, 2208, 2070, 2120, 1957, 1948,
     1877, 1845, 1771, 1766, 1700, 1646, 1625, 1597, 1293, 1174, 1059, 806),
    None,
    "San Ysidro northbound cars, all lanes, arrivals (SANDAG-P 2017 processed volume plus the "
    "queue change; san_ysidro.toml, el_paso_bota.toml)",
)  # fmt: skip
OTAY_MESA_CARS = Shape(
    (286, 355, 503, 989, 1128, 1278, 1279, 1268, 1253, 1157, 1144, 1063,
     1126, 1112, 989, 1017, 981, 974, 937, 935, 802, 582, 396, 298),
    None,
    "Otay Mesa northbound cars, General + Ready + SENTRI arrivals (SANDAG-P 2017; the sum of "
    "otay_mesa.toml's three car streams)",
)  # fmt: skip
OTAY_MESA_TRUCKS = Shape(
    (0, 0, 0, 0, 0, 127, 175, 220, 186, 216, 196, 282,
     232, 275, 265, 379, 279, 234, 200, 222, 0, 0, 0, 0),
    (1.0, 1.0, 1.0, 1.0, 1.0, 0.111, 0.0),
    "Otay Mesa northbound trucks processed per hour (SANDAG-P 2017) and weekdays "
    "(Mon–Fri, Saturday 0.111 from SANDAG-P vs BTS, Sunday closed; otay_mesa.toml)",
)  # fmt: skip
LAREDO_TRUCKS = Shape(
    (0, 0, 0, 0, 0, 0, 0, 127, 175, 220, 186, 216,
     196, 282, 232, 275, 265, 379, 279, 234, 200, 222, 150, 80),
    (1.0, 1.0, 1.0, 1.0, 1.0, 0.47, 0.47),
    "Laredo World Trade Bridge trucks (the Otay Mesa shape on TXDOT's 07:00–24:00 commercial "
    "hours; weekend 8/17 of a weekday by opening hours; laredo_wtb.toml)",
)  # fmt: skip


@dataclass(frozen=True)
class PortVolumes:
    """One port's BTS inbound counts for one calendar year, by measure and month."""

    port_code: str
    port_name: str
    state: str
    latitude: float
    longitude: float
    year: int
    monthly: Mapping[str, Sequence[int]]  # measure -> 12 counts, January first

    def annual(self, measure: str) -> int:
        return sum(self.monthly.get(measure, ()))

    @property
    def days(self) -> int:
        return 366 if calendar.isleap(self.year) else 365

    def per_day(self, measure: str) -> float:
        return self.annual(measure) / self.days

    def peak_month(self, measure: str) -> tuple[int, float]:
        """The busiest month (1–12) by daily average, and that daily average."""
        counts = self.monthly.get(measure, (0,) * 12)
        daily = [c / calendar.monthrange(self.year, m + 1)[1] for m, c in enumerate(counts)]
        best = max(range(12), key=daily.__getitem__)
        return best + 1, daily[best]

    @property
    def modes(self) -> tuple[Mode, ...]:
        """The modes with crossings in the year."""
        return tuple(m for m in MODES if self.annual(m.measure) > 0)


def scenario_name(port_name: str) -> str:
    """File stem for a port: ``Cross Border Xpress`` -> ``cross_border_xpress``."""
    return "_".join(port_name.lower().replace("-", " ").split())


def volumes_from_rows(rows: Iterable[Sequence[Any]]) -> list[PortVolumes]:
    """Per-port volumes of the latest complete year from BTS rows.

    Rows are ``(port_code, port_name, state, latitude, longitude, date, measure,
    value)`` with BTS's ``Mon YYYY`` dates, as in the shipped sample. A repeated
    (port, month, measure) keeps its first value, as the warehouse loader does.
    """
    months = {m: i for i, m in enumerate(calendar.month_abbr) if m}
    seen: dict[tuple[str, int, int, str], int] = {}
    info: dict[str, tuple[str, str, float, float]] = {}
    for code, name, state, lat, lon, date, measure, value in rows:
        mon, yyyy = str(date).split()
        key = (str(code), int(yyyy), months[mon], str(measure))
        seen.setdefault(key, int(value))
        info.setdefault(str(code), (str(name), str(state), float(lat), float(lon)))
    by_year: dict[int, set[int]] = {}
    for _, y, m, _ in seen:
        by_year.setdefault(y, set()).add(m)
    year: int = max(y for y, ms in by_year.items() if len(ms) == 12)
    out = []
    for code in sorted(info):
        port_name, state, lat, lon = info[code]
        monthly = {
            measure: tuple(seen.get((code, year, m, measure), 0) for m in range(1, 13))
            for measure in MEASURES
        }
        out.append(PortVolumes(code, port_name, state, lat, lon, year, monthly))
    return out


@dataclass(frozen=True)
class _Stream:
    mode: Mode
    shape: Shape
    shares: dict[str, float]
    per_day: float
    design_per_day: float  # busiest month's daily average × busiest weekday factor
    peak_month: int


def _shape_for(v: PortVolumes, mode: Mode) -> Shape:
    if mode.measure == "Trucks":
        return LAREDO_TRUCKS if v.state == TEXAS else OTAY_MESA_TRUCKS
    urban = v.per_day("Personal Vehicles") >= URBAN_CARS_PER_DAY
    return SAN_YSIDRO_CARS if urban else OTAY_MESA_CARS


def _shares(mode: Mode, per_day: float) -> dict[str, float]:
    # ASSUMPTIONS, as el_paso_bota.toml: Ready 35% / SENTRI 10% of cars, Ready 40% of
    # pedestrians, FAST 20% of trucks; only where the volume would keep such a lane busy.
    if mode.measure == "Personal Vehicles" and per_day >= PROGRAM_MIN_PER_DAY:
        return {"general": 0.55, "ready": 0.35, "sentri": 0.10}
    if mode.measure == "Pedestrians" and per_day >= PROGRAM_MIN_PER_DAY:
        return {"general": 0.6, "ready": 0.4}
    if mode.measure == "Trucks" and per_day >= FAST_MIN_PER_DAY:
        return {"general": 0.8, "fast": 0.2}
    return {"general": 1.0}


def _streams(v: PortVolumes) -> list[_Stream]:
    out = []
    for mode in v.modes:
        shape = _shape_for(v, mode)
        week = shape.weekdays or (1.0,) * 7
        peak_weekday = max(week) / (sum(week) / 7)
        month, peak_daily = v.peak_month(mode.measure)
        per_day = v.per_day(mode.measure)
        out.append(
            _Stream(
                mode, shape, _shares(mode, per_day), per_day, peak_daily * peak_weekday, month
            )  # fmt: skip
        )
    return out


def _hourly_rate(s: _Stream, share: float) -> list[float]:
    total = sum(s.shape.hours)
    return [s.design_per_day * share * w / total for w in s.shape.hours]


def _booths(load_erlangs: float, positive: bool) -> int:
    if not positive:
        return 0
    return max(1, math.ceil(load_erlangs / TARGET_UTILISATION - 1e-9))


def _primary_booths(rate_per_hour: float, mean: float, cv: float) -> int:
    # The utilisation cap alone leaves one- and two-booth groups at ρ ≈ 0.8, where an
    # hour's random surge queues for half an hour (Douglas cars at midnight, 39 min); the
    # wait target staffs them up, and gives a 10-minute bus a second booth.
    if rate_per_hour <= 0:
        return 0
    booths = _booths(rate_per_hour * mean / 3600.0, True)
    rate = rate_per_hour / 3600.0
    while (
        booths < limits.MAX_LANES
        and wait_tail(booths, rate, mean, cv * cv, DESIGN_WAIT_SECONDS) > DESIGN_WAIT_SHARE
    ):
        booths += 1
    return booths


def _lane_groups(s: _Stream) -> dict[str, list[int]]:
    """Open booths per hour for each program's lane group of a stream."""
    groups = {}
    for program, share in s.shares.items():
        mean = s.mode.mean_seconds[program]
        groups[program] = [_primary_booths(r, mean, s.mode.cv) for r in _hourly_rate(s, share)]
    return groups


def _secondary_bays(streams: list[_Stream]) -> dict[str, int]:
    loads: dict[str, list[float]] = {}
    for s in streams:
        exam = SECONDARY_SERVICE[s.mode.secondary][0]
        area = loads.setdefault(s.mode.secondary, [0.0] * 24)
        for program, share in s.shares.items():
            sent = s.mode.referral[program] + s.mode.carrier_probability * s.mode.primary_detection
            for h, r in enumerate(_hourly_rate(s, share)):
                area[h] += r * sent * exam / 3600.0
    return {a: _booths(max(load), True) for a, load in loads.items()}


def _group_name(s: _Stream, program: str) -> str:
    return s.mode.stream if program == "general" else f"{s.mode.stream}_{program}"


def _fmt(x: float) -> str:
    return f"{x:g}" if float(x) != int(x) else str(int(x))


def _list(values: Iterable[float]) -> str:
    return "[" + ", ".join(_fmt(x) for x in values) + "]"


def _table(mapping: Mapping[str, float]) -> str:
    return "{ " + ", ".join(f"{k} = {_fmt(v)}" for k, v in mapping.items()) + " }"


def _header(v: PortVolumes, streams: list[_Stream]) -> list[str]:
    lines = [
        f"# {v.port_name}, {v.state} (BTS port code {v.port_code}): GENERATED by",
        "# border21.ports.generate from the shipped BTS Border Crossing/Entry sample",
        f"# (data/samples/crossings_us_mexico_1996_2025.parquet), calendar year {v.year}.",
        "# Do not edit by hand: run `python src/border21/ports/scenarios/build_generated.py`.",
        '# Method and ASSUMPTIONs: docs/ports.md, "Generated scenarios".',
        "#",
        f"# BTS {v.year} inbound counts by month (Jan..Dec):",
    ]
    for m in MODES:
        if v.annual(m.measure):
            counts = ", ".join(str(c) for c in v.monthly[m.measure])
            lines.append(f"#   {m.measure}: {counts} (total {v.annual(m.measure):,})")
    lines.append("#")
    lines.append(
        f"# Booths are sized for the busiest month's busiest weekday at utilisation < "
        f"{TARGET_UTILISATION}, with ≤ {DESIGN_WAIT_SHARE:.0%} waiting over "
        f"{DESIGN_WAIT_SECONDS / 60:g} min (ASSUMPTION)."
    )
    return lines


def _stream_lines(v: PortVolumes, s: _Stream) -> list[str]:
    m = s.mode
    general = m.mean_seconds["general"]
    faster = {p: m.mean_seconds[p] for p in s.shares if p != "general"}
    referral_by = {p: m.referral[p] for p in s.shares if m.referral[p] != m.referral["general"]}
    lines = [
        f"[streams.{m.stream}]",
        f'kind = "{m.kind}"',
        'direction = "northbound"',
        f"# BTS {v.year} {m.measure} {v.annual(m.measure):,} / {v.days} days.",
        f"crossings_per_day = {round(s.per_day, 1)}",
        f"# ASSUMPTION (shape by port type): {s.shape.source}.",
        f"hour_of_day_shape = {_list(s.shape.hours)}",
    ]
    if s.shape.weekdays is not None:
        lines.append(f"weekday_shape = {_list(s.shape.weekdays)}")
    lines += [
        "# ASSUMPTION: program shares as el_paso_bota.toml where the volume supports the lanes.",
        f"program_shares = {_table(s.shares)}",
        f"# {m.source}.",
        f"referral_probability = {_fmt(m.referral['general'])}",
    ]
    if referral_by:
        lines.append(f"referral_probability_by_program = {_table(referral_by)}")
    lines += [
        f'secondary = "{m.secondary}"',
        f"carrier_probability = {_fmt(m.carrier_probability)}  # ASSUMPTION, as curated",
        f"primary_detection_probability = {_fmt(m.primary_detection)}  # ASSUMPTION, as curated",
        f"secondary_detection_probability = {_fmt(m.secondary_detection)}  # ASSUMPTION",
        "",
        f"[streams.{m.stream}.primary_service]",
        'distribution = "lognormal"',
        f"mean_seconds = {_fmt(general)}",
        f"cv = {_fmt(m.cv)}",
    ]
    if faster:
        lines.append(f"mean_seconds_by_program = {_table(faster)}")
    lines.append("")
    return lines


ONE_LINE_KINDS = ("pedestrian", "bus")
"""Kinds that queue in one line for several booths (a pedestrian hall, a bus terminal)."""


def _layout(s: _Stream, most: int) -> tuple[str, str]:
    """(comment, keys): single-booth lanes for vehicles, one line for halls."""
    if s.mode.kind in ONE_LINE_KINDS:
        lanes = math.ceil(most / limits.MAX_BOOTHS_PER_LANE)
        per_lane = math.ceil(most / lanes)
        return (
            "# ASSUMPTION: one line served by every open booth (a hall or bus terminal);",
            f"lanes = {lanes}\nbooths_per_lane = {per_lane}",
        )
    return (
        "# ASSUMPTION: one booth per lane, as many lanes as the busiest hour opens;",
        f"lanes = {most}",
    )


def _lane_lines(s: _Stream) -> list[str]:
    lines = []
    for program, opens in _lane_groups(s).items():
        comment, keys = _layout(s, max(opens))
        lines += [
            f"[lanes.{_group_name(s, program)}]",
            f'program = "{program}"',
            f'streams = ["{s.mode.stream}"]',
            comment,
            f"# booths per hour sized for month {s.peak_month}'s daily average "
            f"({s.design_per_day:,.0f} a day on the busiest weekday) × share",
            f"# {_fmt(s.shares[program])} × hour shape × {_fmt(s.mode.mean_seconds[program])} s"
            f" / 3600 / {TARGET_UTILISATION}, at least 1 in hours with arrivals, and more",
            f"# where needed so that ≤ {DESIGN_WAIT_SHARE:.0%} wait over "
            f"{DESIGN_WAIT_SECONDS / 60:g} min (Erlang C, Allen–Cunneen).",
            keys,
            f"open_booths_by_hour = {_list(opens)}",
            "",
        ]
    return lines


def scenario_toml(v: PortVolumes) -> str:
    """The generated scenario of one port as TOML text, every number commented."""
    streams = _streams(v)
    if not streams:
        raise ValueError(f"port {v.port_code}: no crossings in {v.year}")
    modes = ", ".join(s.mode.measure.lower() for s in streams)
    lines = _header(v, streams) + [
        "",
        "[port]",
        f'name = "{v.port_name}"',
        f'port_code = "{v.port_code}"',
        f'description = "{v.port_name}, {v.state}: northbound {modes}; generated from BTS '
        f"{v.year} volumes, hour shapes by port type, booths sized for the busiest month "
        f"(utilisation < {TARGET_UTILISATION}, ≤ {DESIGN_WAIT_SHARE:.0%} waiting over "
        f'{DESIGN_WAIT_SECONDS / 60:g} min; docs/ports.md)."',
        "start_weekday = 0  # Monday",
        'provenance = "generated"',
        "",
    ]
    for s in streams:
        lines += _stream_lines(v, s)
    for s in streams:
        lines += _lane_lines(s)
    for area, bays in _secondary_bays(streams).items():
        mean, cv = SECONDARY_SERVICE[area]
        lines += [
            "# ASSUMPTION: exam times as el_paso_bota.toml; bays sized like the booths "
            "(referrals + carriers detected at primary).",
            f"[secondary.{area}]",
            f"bays = {bays}",
            "",
            f"[secondary.{area}.service]",
            'distribution = "lognormal"',
            f"mean_seconds = {_fmt(mean)}",
            f"cv = {_fmt(cv)}",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def generated_scenario(v: PortVolumes) -> PortScenario:
    """The generated scenario of one port, validated like any scenario file."""
    return validated(tomllib.loads(scenario_toml(v)), [])


PORTS_COLUMNS: tuple[str, ...] = (
    "port_code", "port_name", "state", "latitude", "longitude", "year",
    "personal_vehicles", "pedestrians", "trucks", "buses",
)  # fmt: skip


def ports_table_csv(volumes: Iterable[PortVolumes]) -> str:
    """``border_ports.csv``: each port's BTS name, state, coordinates and annual counts."""
    lines = [",".join(PORTS_COLUMNS)]
    for v in volumes:
        counts = [str(v.annual(m)) for m in MEASURES]
        name = f'"{v.port_name}"' if "," in v.port_name else v.port_name
        cells = [v.port_code, name, v.state, f"{v.latitude:g}", f"{v.longitude:g}", str(v.year)]
        lines.append(",".join(cells + counts))
    return "\n".join(lines) + "\n"
