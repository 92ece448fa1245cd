"""Port scenarios: TOML files validated into frozen config objects.

A scenario describes one land port of entry: its traffic streams, its primary
lanes grouped by program, its secondary-inspection areas and the staffing
schedule of each. Numeric keys carry their unit in the name
(``crossings_per_day``, ``mean_seconds``).

>>> scenario = PortScenario.model_validate({
...     "port": {"name": "Toy"},
...     "streams": {"cars": {"kind": "personal_vehicle", "crossings_per_day": 2400,
...                          "primary_service": {"mean_seconds": 30}}},
...     "lanes": {"general": {"streams": ["cars"], "lanes": 2}},
... })
>>> scenario.lanes["general"].booths
2
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from border21.errors import InputError
from border21.i18n import N_
from border21.i18n.message import Message
from border21.ports import limits

StreamKind = Literal["personal_vehicle", "pedestrian", "truck", "bus"]
Direction = Literal["northbound", "southbound"]
Program = Literal["general", "ready", "sentri", "fast"]
Distribution = Literal["deterministic", "exponential", "lognormal", "gamma"]

PROGRAMS: tuple[str, ...] = ("general", "ready", "sentri", "fast")
DISTRIBUTIONS: tuple[str, ...] = ("deterministic", "exponential", "lognormal", "gamma")

# Every number is finite (``allow_inf_nan=False`` below) and bounded; the bounds and
# the reason for each are in border21.ports.limits.
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Seconds = Annotated[float, Field(ge=0.0, le=limits.MAX_SERVICE_SECONDS)]
MeanSeconds = Annotated[float, Field(gt=0.0, le=limits.MAX_SERVICE_SECONDS)]
ShapeWeight = Annotated[float, Field(ge=0.0, le=limits.MAX_SHAPE_WEIGHT)]
Bays = Annotated[int, Field(ge=1, le=limits.MAX_BAYS)]
OpenCount = Annotated[int, Field(ge=0, le=limits.MAX_GROUP_BOOTHS)]
StreamNames = Annotated[list[str], Field(min_length=1, max_length=limits.MAX_NAMED)]


# a whole sentence per kind of count, so a translator sees it whole
_EXCEEDS = {
    "group": N_("{key}[{hour}] = {n} exceeds the group's {most} booths"),
    "area": N_("{key}[{hour}] = {n} exceeds the area's {most} bays"),
    "inspection": N_("{key}[{hour}] = {n} exceeds the inspection's {most} booths"),
}


def _check_counts(counts: list[int], most: int, key: str, whose: str) -> None:
    for hour, n in enumerate(counts):
        if n > most:
            raise ValueError(Message(_EXCEEDS[whose], key=key, hour=hour, n=n, most=most))


class AcrossKeys(ValueError):
    """A check across keys fails: the key it is about, and what is wrong with it.

    Raised in a model validator, where pydantic knows no key; the conversion to
    :class:`InputError` names ``key``. The text is ``"{key}{sep}{reason}"``.
    """

    def __init__(self, key: str, reason: Message, sep: str = " ") -> None:
        super().__init__(f"{key}{sep}{reason}")
        self.key, self.reason = key, reason


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=False, allow_inf_nan=False)


# an hour's factor on a primary service's mean (``ServiceTime.factor_by_hour``)
ServiceFactor = Annotated[float, Field(ge=limits.MIN_SERVICE_FACTOR, le=limits.MAX_SERVICE_FACTOR)]


class ServiceTime(_Frozen):
    """A service-time distribution given by its mean and coefficient of variation.

    ``cv`` sets the spread of ``lognormal`` and ``gamma`` times; a
    ``deterministic`` time has cv 0 and an ``exponential`` one cv 1, so another
    cv for them is refused rather than ignored. ``mean_seconds_by_program``
    overrides the mean for crossings enrolled in a program (Ready Lane
    documents and SENTRI vetting make primary faster); only primary inspection
    distinguishes programs. ``factor_by_hour`` (24 numbers) multiplies the mean of
    a crossing that arrives in each hour of the day: who crosses changes over the day
    (commuters with their documents ready at dawn, visitors later), and with them
    how fast the booths go — SANDAG's calibrated rates at San Ysidro run from 73
    vehicles a stacked lane-hour at 06:00 to 51 at 17:00. Primary inspection only.
    """

    distribution: Distribution = "exponential"
    mean_seconds: MeanSeconds
    cv: Annotated[float, Field(ge=0.0, le=limits.MAX_CV)] = 1.0
    mean_seconds_by_program: dict[Program, MeanSeconds] = Field(default_factory=dict)
    factor_by_hour: Annotated[list[ServiceFactor], Field(min_length=24, max_length=24)] | None = (
        None
    )

    @property
    def effective_cv(self) -> float:
        if self.distribution == "deterministic":
            return 0.0
        if self.distribution == "exponential":
            return 1.0
        return self.cv

    def mean_for(self, program: str) -> float:
        return self.mean_seconds_by_program.get(program, self.mean_seconds)  # type: ignore[call-overload,no-any-return]

    def hour_factors(self) -> list[float]:
        """The 24 factors on the mean by the hour a crossing arrives (all 1 when not given)."""
        return list(self.factor_by_hour) if self.factor_by_hour is not None else [1.0] * 24

    def hourly_means(self, program: str) -> list[float]:
        """The mean seconds of a crossing of ``program`` by the hour it arrives (24)."""
        mean = self.mean_for(program)
        return [mean * f for f in self.hour_factors()]

    @model_validator(mode="after")
    def _check_cv(self) -> ServiceTime:
        if self.distribution in ("lognormal", "gamma") and self.cv <= 0:
            raise ValueError(
                Message(
                    "cv must be > 0 for a {distribution} distribution",
                    distribution=self.distribution,
                )
            )
        fixed = {"deterministic": (0.0, 1.0), "exponential": (1.0,)}.get(self.distribution)
        if fixed is not None and self.cv not in fixed:
            raise ValueError(
                Message(
                    "cv = {cv:g} cannot act: a {distribution} time has cv {fixed:g}; use "
                    "lognormal or gamma for another spread",
                    cv=self.cv,
                    distribution=self.distribution,
                    fixed=fixed[0],
                )
            )
        return self

    def check_one_mean(self, where: str) -> None:
        """Refuse per-program means where programs are not told apart."""
        if self.mean_seconds_by_program:
            raise ValueError(
                Message(
                    "{where}.mean_seconds_by_program cannot act: only primary inspection "
                    "tells programs apart; this service has one mean (mean_seconds)",
                    where=where,
                )
            )
        if self.factor_by_hour is not None:
            raise ValueError(
                Message(
                    "{where}.factor_by_hour cannot act: only primary inspection varies by the "
                    "hour a crossing arrives; this service has one mean (mean_seconds)",
                    where=where,
                )
            )


class Stream(_Frozen):
    """One traffic stream: a kind of traveller in one direction."""

    kind: StreamKind
    direction: Direction = "northbound"
    crossings_per_day: Annotated[float, Field(ge=0.0, le=limits.MAX_CROSSINGS_PER_DAY)]
    hour_of_day_shape: list[ShapeWeight] = Field(
        default_factory=lambda: [1.0] * 24, min_length=24, max_length=24
    )
    weekday_shape: list[ShapeWeight] = Field(
        default_factory=lambda: [1.0] * 7, min_length=7, max_length=7
    )
    program_shares: dict[Program, Probability] = Field(
        default_factory=lambda: {"general": 1.0}  # type: ignore[arg-type,dict-item]
    )
    primary_service: ServiceTime
    referral_probability: Probability = 0.0
    referral_probability_by_program: dict[Program, Probability] = Field(default_factory=dict)
    secondary: str | None = None
    carrier_probability: Probability = 0.0
    primary_detection_probability: Probability = 0.0
    secondary_detection_probability: Probability = 0.0

    @model_validator(mode="after")
    def _check_shapes(self) -> Stream:
        if sum(self.hour_of_day_shape) <= 0:
            raise ValueError(Message("hour_of_day_shape must have a positive sum"))
        if sum(self.weekday_shape) <= 0:
            raise ValueError(Message("weekday_shape must have a positive sum"))
        total = sum(self.program_shares.values())
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(Message("program_shares must sum to 1, got {total:g}", total=total))
        present = set(self.program_shares)
        for key, by_program in (
            ("referral_probability_by_program", self.referral_probability_by_program),
            (
                "primary_service.mean_seconds_by_program",
                self.primary_service.mean_seconds_by_program,
            ),
        ):
            for program in by_program:
                if program not in present:
                    raise ValueError(
                        Message(
                            "{key}.{program} cannot act: {program} is not among the stream's "
                            "program_shares",
                            key=key,
                            program=program,
                        )
                    )
        return self

    def referral_for(self, program: str) -> float:
        return self.referral_probability_by_program.get(program, self.referral_probability)  # type: ignore[call-overload,no-any-return]


class LaneGroup(_Frozen):
    """Identical primary lanes of one program.

    ``booths_per_lane = 2`` models stacked booths (two vehicles served at once
    in one lane); more booths to a lane model one queue served by several
    officers (a pedestrian hall's single line), up to 64. ``open_booths_by_hour``
    is the staffing schedule: how many of the group's booths are open in each
    hour of the day (default: all of them, every hour). Booths open lane by
    lane first, then each lane's second booths, and so on.

    ``staffed_booths = V`` staffs V booths in every hour the schedule opens any
    booth (every hour without a schedule) and none in the others: the schedule
    then says only *when* the group is open, ``staffed_booths`` *how many*
    booths. It must be between 1 and the group's booths (0 would close the
    group for good). Raising ``lanes`` alone does not open more booths when a
    schedule is given (the schedule still says how many); raise the schedule
    or ``staffed_booths`` with it.

    >>> night_closed = [0] * 6 + [2] * 18
    >>> group = LaneGroup(streams=["cars"], lanes=4, open_booths_by_hour=night_closed,
    ...                   staffed_booths=3)
    >>> group.open_booths()[4:8]
    [0, 0, 3, 3]
    """

    program: Program = "general"
    streams: StreamNames
    accepts: list[Program] | None = Field(default=None, max_length=len(PROGRAMS))
    lanes: Annotated[int, Field(ge=1, le=limits.MAX_LANES)]
    booths_per_lane: Annotated[int, Field(ge=1, le=limits.MAX_BOOTHS_PER_LANE)] = 1
    open_booths_by_hour: list[OpenCount] | None = Field(default=None, min_length=24, max_length=24)
    staffed_booths: OpenCount | None = None

    @field_validator("booths_per_lane")
    @classmethod
    def _bounded_group(cls, value: int, info: ValidationInfo) -> int:
        lanes = info.data.get("lanes")
        if lanes is not None and lanes * value > limits.MAX_GROUP_BOOTHS:
            raise ValueError(
                Message(
                    "lanes × booths_per_lane = {lanes} × {per_lane} = {booths} booths; at most "
                    "{max_group_booths} in one lane group",
                    lanes=lanes,
                    per_lane=value,
                    booths=lanes * value,
                    max_group_booths=limits.MAX_GROUP_BOOTHS,
                )
            )
        return value

    @field_validator("open_booths_by_hour")
    @classmethod
    def _opens_sometime(cls, value: list[int] | None, info: ValidationInfo) -> list[int] | None:
        if value is not None and not any(value):
            raise ValueError(Message("opens no booth in any hour (the lanes would never open)"))
        lanes, per_lane = info.data.get("lanes"), info.data.get("booths_per_lane")
        if value is not None and lanes is not None and per_lane is not None:
            _check_counts(value, lanes * per_lane, "open_booths_by_hour", "group")
        return value

    @field_validator("staffed_booths")
    @classmethod
    def _staffable(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is None:
            return value
        if value == 0:
            raise ValueError(Message("must be at least 1 (0 would close the lanes in every hour)"))
        lanes, per_lane = info.data.get("lanes"), info.data.get("booths_per_lane")
        if lanes is not None and per_lane is not None and value > lanes * per_lane:
            raise ValueError(
                Message(
                    "exceeds the group's {booths} booths (lanes × booths_per_lane = {lanes} × "
                    "{per_lane})",
                    booths=lanes * per_lane,
                    lanes=lanes,
                    per_lane=per_lane,
                )
            )
        return value

    @model_serializer(mode="wrap")
    def _drop_unset_staffing(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A scenario without ``staffed_booths`` dumps (and hashes) as it did before the key
        # existed, so config hashes of earlier results still match.
        data: dict[str, Any] = handler(self)
        if data.get("staffed_booths") is None:
            data.pop("staffed_booths", None)
        return data

    @property
    def booths(self) -> int:
        return self.lanes * self.booths_per_lane

    @property
    def accepted_programs(self) -> list[str]:
        return list(self.accepts) if self.accepts is not None else [self.program]

    def open_booths(self) -> list[int]:
        """Open booths in each hour of the day: the schedule, or ``staffed_booths`` in its hours."""
        schedule = self.open_booths_by_hour or [self.booths] * 24
        if self.staffed_booths is not None:
            return [self.staffed_booths if n > 0 else 0 for n in schedule]
        return list(schedule)


class SecondaryArea(_Frozen):
    """Secondary-inspection bays shared by the streams that refer to them."""

    bays: Bays
    open_bays_by_hour: list[Annotated[int, Field(ge=0, le=limits.MAX_BAYS)]] | None = Field(
        default=None, min_length=24, max_length=24
    )
    service: ServiceTime

    @field_validator("open_bays_by_hour")
    @classmethod
    def _opens_sometime(cls, value: list[int] | None, info: ValidationInfo) -> list[int] | None:
        if value is not None and not any(value):
            raise ValueError(Message("opens no bay in any hour (the area would never open)"))
        bays = info.data.get("bays")
        if value is not None and bays is not None:
            _check_counts(value, bays, "open_bays_by_hour", "area")
        return value

    def open_bays(self) -> list[int]:
        if self.open_bays_by_hour is None:
            return [self.bays] * 24
        return list(self.open_bays_by_hour)

    @model_validator(mode="after")
    def _one_mean(self) -> SecondaryArea:
        self.service.check_one_mean("service")
        return self


class PortInfo(_Frozen):
    name: Annotated[str, Field(max_length=limits.MAX_NAME_CHARS)]
    port_code: Annotated[str, Field(max_length=limits.MAX_NAME_CHARS)] | None = None
    description: Annotated[str, Field(max_length=limits.MAX_DESCRIPTION_CHARS)] = ""
    start_weekday: Annotated[int, Field(ge=0, le=6)] = 0  # 0 = Monday
    # curated: every number chosen and sourced by hand (scenarios/SOURCES.md); generated:
    # written by border21.ports.generate from BTS volumes and the method in docs/ports.md
    provenance: Literal["curated", "generated"] = "curated"


class ExportInspection(_Frozen):
    """Mexico's export inspection (aduana) that northbound trucks pass before CBP.

    Without Unified Cargo Processing a truck queues at the Mexican export
    booths, may get a red *semáforo* and a Mexican secondary inspection,
    crosses the bridge (``transit_seconds``) and then queues at CBP. With UCP
    both agencies inspect once, together, at the US facility.
    """

    streams: StreamNames
    booths: Annotated[int, Field(ge=1, le=limits.MAX_LANES)]  # single-booth lanes
    open_booths_by_hour: list[Annotated[int, Field(ge=0, le=limits.MAX_LANES)]] | None = Field(
        default=None, min_length=24, max_length=24
    )
    service: ServiceTime
    semaforo_probability: Probability = 0.1
    bays: Bays = 10
    secondary_service: ServiceTime
    detection_probability: Probability = 0.5
    transit_seconds: Seconds = 600.0
    joint_primary_extra_seconds: Seconds = 0.0

    @field_validator("open_booths_by_hour")
    @classmethod
    def _within_booths(cls, value: list[int] | None, info: ValidationInfo) -> list[int] | None:
        booths = info.data.get("booths")
        if value is not None and booths is not None:
            _check_counts(value, booths, "open_booths_by_hour", "inspection")
        return value

    @model_validator(mode="after")
    def _one_mean(self) -> ExportInspection:
        self.service.check_one_mean("service")
        self.secondary_service.check_one_mean("secondary_service")
        return self


class ImportInspection(_Frozen):
    """Mexico's import inspection (aduana) that southbound crossings pass on entering Mexico.

    The crossing presses the *semáforo fiscal*: a red light
    (``semaforo_probability``, random, whatever CBP does) sends it to a Mexican
    exam (``service``) at ``bays`` bays, FIFO from the moment it leaves the
    port's southbound lanes (and any CBP southbound exam); a carrier of
    firearms or cash is found with ``detection_probability``. Green lights
    drive on. The port's southbound lanes are the garita's lanes, so the stage
    has no booths of its own.
    """

    streams: StreamNames
    semaforo_probability: Probability = 0.1
    bays: Bays = 10
    service: ServiceTime
    detection_probability: Probability = 0.5

    @model_validator(mode="after")
    def _one_mean(self) -> ImportInspection:
        self.service.check_one_mean("service")
        return self


class Cooperation(_Frozen):
    """Binational cooperation switches (:mod:`border21.ports.cooperation`).

    * ``shared_intelligence``: the targeting model also uses the partner
      agency's shared (HMAC-keyed, per-trader) risk profiles.
    * ``unified_cargo_processing``: trucks pass one joint US–MX inspection
      instead of the Mexican export inspection followed by CBP's.
    * ``trusted_enrolment_scale``: multiplies the SENTRI / Ready / FAST shares
      of every stream (the general share shrinks to match).
    * ``southbound_inspection_probability``: share of southbound crossings
      sent to a secondary inspection for firearms and cash (0 = none), at
      ``southbound_bays`` bays; while southbound inspection runs, every
      southbound crossing also spends ``southbound_screening_seconds`` more at
      primary (default 0: officers pull cars aside as they roll by; at San
      Ysidro southbound lanes already run near capacity at the evening peak, so
      even one second per car builds a long queue).
      ``southbound_carrier_probability`` is the share of southbound crossings
      carrying firearms or bulk cash.

    ASSUMPTION (no public source for CBP outbound exams): a southbound exam
    takes 10 minutes on average (lognormal, cv 0.8: a search of the vehicle
    for firearms and bulk cash, shorter than a northbound narcotics exam) at 8
    bays. Sized so that the frontier's default southbound variant (1% of
    southbound crossings, ``--southbound-budget``) is stable at San Ysidro:
    about 440 exams a day on 43,600 southbound cars, utilisation 0.83 in the
    busiest hour and 0.38 over the day. The earlier defaults (5%, 15 minutes)
    asked for about 2,180 exams a day of bays that take about 770.
    """

    shared_intelligence: bool = False
    unified_cargo_processing: bool = False
    trusted_enrolment_scale: Annotated[float, Field(ge=0.0, le=limits.MAX_ENROLMENT_SCALE)] = 1.0
    southbound_inspection_probability: Probability = 0.0
    southbound_screening_seconds: Seconds = 0.0
    southbound_bays: Bays = 8
    southbound_service: ServiceTime = Field(
        default_factory=lambda: ServiceTime(distribution="lognormal", mean_seconds=600.0, cv=0.8)
    )
    southbound_carrier_probability: Probability = 0.0005
    southbound_detection_probability: Probability = 0.7
    export_inspection: ExportInspection | None = None
    import_inspection: ImportInspection | None = None

    @model_validator(mode="after")
    def _one_mean(self) -> Cooperation:
        self.southbound_service.check_one_mean("southbound_service")
        return self


class PortScenario(_Frozen):
    """A whole port: streams, primary lane groups and secondary areas."""

    port: PortInfo
    streams: dict[str, Stream] = Field(min_length=1, max_length=limits.MAX_NAMED)
    lanes: dict[str, LaneGroup] = Field(min_length=1, max_length=limits.MAX_NAMED)
    secondary: dict[str, SecondaryArea] = Field(default_factory=dict, max_length=limits.MAX_NAMED)
    cooperation: Cooperation = Field(default_factory=Cooperation)

    @model_validator(mode="after")
    def _check_references(self) -> PortScenario:
        for gname, group in self.lanes.items():
            for s in group.streams:
                if s not in self.streams:
                    raise AcrossKeys(
                        f"lanes.{gname}.streams", Message("names unknown stream {s!r}", s=s)
                    )
        for sname, stream in self.streams.items():
            if stream.secondary is not None and stream.secondary not in self.secondary:
                raise AcrossKeys(
                    f"streams.{sname}.secondary",
                    Message("names unknown area {area!r}", area=stream.secondary),
                )
            refers = stream.referral_probability > 0 or stream.primary_detection_probability > 0
            if refers and stream.secondary is None and stream.crossings_per_day > 0:
                raise AcrossKeys(
                    f"streams.{sname}", Message("refers to secondary but names no area")
                )
            for program, share in stream.program_shares.items():
                if share > 0 and not self.eligible_groups(sname, program):
                    raise AcrossKeys(
                        f"streams.{sname}",
                        Message("no lane group serves program {program!r}", program=program),
                        sep=": ",
                    )
        export = self.cooperation.export_inspection
        if export is not None:
            for sname in export.streams:
                if sname not in self.streams:
                    raise AcrossKeys(
                        "cooperation.export_inspection.streams",
                        Message("names unknown stream {s!r}", s=sname),
                    )
        imports = self.cooperation.import_inspection
        if imports is not None:
            for sname in imports.streams:
                if sname not in self.streams:
                    raise AcrossKeys(
                        "cooperation.import_inspection.streams",
                        Message("names unknown stream {s!r}", s=sname),
                    )
                if self.streams[sname].direction != "southbound":
                    raise AcrossKeys(
                        "cooperation.import_inspection.streams",
                        Message(
                            "{sname!r} is {direction}; Mexican import inspection takes "
                            "southbound streams",
                            sname=sname,
                            direction=self.streams[sname].direction,
                        ),
                        sep=": ",
                    )
        if self.cooperation.unified_cargo_processing and export is None:
            raise AcrossKeys(
                "cooperation.unified_cargo_processing",
                Message("needs cooperation.export_inspection"),
            )
        return self

    def eligible_groups(self, stream: str, program: str) -> list[str]:
        """Lane groups a crossing of this stream and program may join."""
        return [
            g
            for g, group in self.lanes.items()
            if stream in group.streams and program in group.accepted_programs
        ]


# ----------------------------------------------------------------- loading


def _format_loc(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if not str(p).startswith("function-after")]
    return ".".join(parts)


def _lookup(data: Any, loc: tuple[int | str, ...]) -> Any:
    node = data
    for key in loc:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node


class _Elided:
    """A long value shown by its start and size, so an error stays one short line."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _elided(value: Any, width: int = 120) -> Any:
    text = repr(value)
    if len(text) <= width or not isinstance(value, str | list):
        return value
    unit = "characters" if isinstance(value, str) else "items"
    return _Elided(f"{text[: width - 10]}… ({len(value):,} {unit})")


# pydantic's own messages that scenario and region keys meet most, as Messages: matched whole,
# so the English stays pydantic's text exactly; the Spanish comes from the catalog. Others
# (and pydantic's "Input should be 'a' or 'b'") stay English.
_PYDANTIC = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        (r"Input should be greater than or equal to (?P<limit>.+)",
         N_("Input should be greater than or equal to {limit}")),
        (r"Input should be greater than (?P<limit>.+)", N_("Input should be greater than {limit}")),
        (r"Input should be less than or equal to (?P<limit>.+)",
         N_("Input should be less than or equal to {limit}")),
        (r"Input should be less than (?P<limit>.+)", N_("Input should be less than {limit}")),
        (r"Input should be a valid integer, unable to parse string as an integer",
         N_("Input should be a valid integer, unable to parse string as an integer")),
        (r"Input should be a valid integer, got a number with a fractional part",
         N_("Input should be a valid integer, got a number with a fractional part")),
        (r"Input should be a valid integer", N_("Input should be a valid integer")),
        (r"Input should be a valid number, unable to parse string as a number",
         N_("Input should be a valid number, unable to parse string as a number")),
        (r"Input should be a valid number", N_("Input should be a valid number")),
        (r"Input should be a finite number", N_("Input should be a finite number")),
        (r"Input should be a valid boolean, unable to interpret input",
         N_("Input should be a valid boolean, unable to interpret input")),
        (r"Input should be a valid boolean", N_("Input should be a valid boolean")),
        (r"Input should be a valid string", N_("Input should be a valid string")),
        (r"Input should be a valid list", N_("Input should be a valid list")),
        (r"Input should be a valid dictionary", N_("Input should be a valid dictionary")),
        (r"List should have at least 1 item after validation, not (?P<n>\d+)",
         N_("List should have at least 1 item after validation, not {n}")),
        (r"List should have at least (?P<limit>\d+) items after validation, not (?P<n>\d+)",
         N_("List should have at least {limit} items after validation, not {n}")),
        (r"List should have at most 1 item after validation, not (?P<n>\d+)",
         N_("List should have at most 1 item after validation, not {n}")),
        (r"List should have at most (?P<limit>\d+) items after validation, not (?P<n>\d+)",
         N_("List should have at most {limit} items after validation, not {n}")),
        (r"Dictionary should have at least 1 item after validation, not (?P<n>\d+)",
         N_("Dictionary should have at least 1 item after validation, not {n}")),
        (r"Dictionary should have at least (?P<limit>\d+) items after validation, not (?P<n>\d+)",
         N_("Dictionary should have at least {limit} items after validation, not {n}")),
        (r"Dictionary should have at most 1 item after validation, not (?P<n>\d+)",
         N_("Dictionary should have at most 1 item after validation, not {n}")),
        (r"Dictionary should have at most (?P<limit>\d+) items after validation, not (?P<n>\d+)",
         N_("Dictionary should have at most {limit} items after validation, not {n}")),
    )
)  # fmt: skip


def pydantic_reason(msg: str) -> str:
    """pydantic's message ``msg`` as a :class:`Message` when it is one of the common ones."""
    for pattern, template in _PYDANTIC:
        found = pattern.fullmatch(msg)
        if found is not None:
            return Message(template, **found.groupdict())
    return msg


def error_reason(err: Mapping[str, Any]) -> tuple[str, Any]:
    """One pydantic error's reason — a validator's :class:`Message`, else pydantic's own
    text (translatable when it is a common one) — and the exception that caused it."""
    cause = err.get("ctx", {}).get("error")
    if isinstance(cause, ValueError) and cause.args and isinstance(cause.args[0], Message):
        return cause.args[0], cause  # a validator's Message: translatable where it is shown
    return pydantic_reason(str(err["msg"]).removeprefix("Value error, ")), cause


def validate_scenario(data: Mapping[str, Any]) -> PortScenario:
    """Validate a scenario mapping, raising :class:`InputError` on the first problem."""
    try:
        return PortScenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        field = _format_loc(loc)
        msg, cause = error_reason(err)
        if err["type"] == "extra_forbidden":
            raise InputError(field, err.get("input"), Message("unknown key")) from None
        if err["type"] == "missing":
            raise InputError(field, None, Message("required key is missing")) from None
        value = err.get("input", _lookup(data, loc))
        named = None if field else _NAMED_KEY.match(msg)
        if not field and isinstance(cause, AcrossKeys):  # a check across keys names its key
            field, msg = cause.key, cause.reason
            value = _lookup(data, tuple(field.split(".")))
        elif named is not None:  # a message that starts with the key it names
            field, msg = named.group(1), named.group(2)
            value = _lookup(data, tuple(field.split(".")))
        if isinstance(value, Mapping):
            value = "{...}"
        raise InputError(field or "scenario", _elided(value), msg) from None


# "streams.cars.secondary names unknown area 'x'" -> the key, and what is wrong with it
_NAMED_KEY = re.compile(r"^([A-Za-z_]\w*(?:\.[\w*-]+)+):?\s+(.*)$", re.DOTALL)


def parse_override(text: str) -> tuple[list[str], Any]:
    """Parse ``key.path=value`` where value is a TOML literal (or a bare string).

    >>> parse_override("streams.cars.referral_probability=0.05")
    (['streams', 'cars', 'referral_probability'], 0.05)
    """
    if "=" not in text:
        raise InputError("--set", text, Message("expected key=value"))
    key, raw = text.split("=", 1)
    path = [p for p in key.strip().split(".") if p]
    if not path:
        raise InputError("--set", text, Message("empty key"))
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return path, value


def set_key(data: dict[str, Any], path: Sequence[str], value: Any) -> None:
    """Set ``path`` (e.g. ``["lanes", "fast", "lanes"]``) to ``value`` in ``data``, in place.

    Missing tables on the way are created; list items are addressed by index.
    Errors name the dotted key. The typed edits of :mod:`border21.ports.edits`
    are built on this; other code edits scenarios through them.
    """
    node: Any = data
    for i, part in enumerate(path[:-1]):
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise InputError(".".join(path[: i + 1]), part, Message("no such list index"))
            node = node[int(part)]
            continue
        if not isinstance(node, dict):
            raise InputError(".".join(path[: i + 1]), node, Message("is not a table"))
        node = node.setdefault(part, {})
    last = path[-1]
    if isinstance(node, list):
        if not last.isdigit() or int(last) >= len(node):
            raise InputError(".".join(path), last, Message("no such list index"))
        node[int(last)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise InputError(".".join(path[:-1]), node, Message("is not a table"))


def apply_overrides(data: Mapping[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Return a copy of ``data`` with each ``key.path=value`` override applied."""
    import copy

    out = copy.deepcopy(dict(data))
    for text in overrides:
        path, value = parse_override(text)
        set_key(out, path, value)
    return out


def read_scenario_file(path: Path) -> dict[str, Any]:
    """Read a TOML scenario file into a plain mapping (no validation)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("scenario", str(path), Message("file not found")) from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise InputError("scenario", str(path), Message("cannot read: {exc}", exc=exc)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError("scenario", str(path), Message("invalid TOML: {exc}", exc=exc)) from None
