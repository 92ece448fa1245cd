"""Region files: the ports travellers choose among, validated into frozen config objects.

A region groups port scenarios (:mod:`border21.ports.catalog`) with what
travellers and officers need on top of them: the demand zones and their
travel times to each port, the traveller segments and the port stream each
uses, the choice model's parameters, the wait band officers hold per lane
group, and the equilibrium's tolerance. Every number is bounded; unknown keys
are refused (:func:`validate_region`).

>>> region = load_region("san_diego")
>>> sorted(region.ports)
['otay_mesa', 'otay_mesa_east', 'san_ysidro', 'tecate']
>>> region.choice.travel_minute_utils
-0.025
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from border21.errors import InputError, NotFoundError
from border21.i18n.message import Message
from border21.ports import limits
from border21.ports.config import (
    AcrossKeys,
    Program,
    ServiceFactor,
    StreamKind,
    apply_overrides,
    error_reason,
    read_scenario_file,
)

MAX_PORTS = 20  # a region is a metropolitan area: San Diego–Tijuana has 4 ports, El Paso–Juárez 4
MAX_ZONES = 200  # SANDAG's cross-border model uses a few hundred zones; a region file here a few
MAX_TRAVEL_MINUTES = 600.0  # ten hours: beyond that no traveller compares ports
MAX_WAIT_MINUTES = 1440.0  # a band beyond a day holds nothing
MAX_TOLL_USD = 1000.0  # SR-11 truck tolls are tens of dollars; cars a few
MAX_VALUE_OF_TIME = 1000.0  # USD per hour
MAX_ITERATIONS = 500  # MSA steps shrink as 1/k: 500 steps move a flow by at most 0.2%
MAX_NAME = 200
MAX_OFFICERS = 1000  # booths staffed at once; San Ysidro, the largest port, has 46 car booths
DEFAULT_VALUE_OF_TIME = 15.0  # USD per hour; acts only where a port charges a toll

Minutes = Annotated[float, Field(ge=0.0, le=MAX_TRAVEL_MINUTES)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
HourWeight = Annotated[float, Field(ge=0.0, le=1e9)]  # an hour's weight in a day's shape
Officers = Annotated[int, Field(ge=0, le=MAX_OFFICERS)]  # booths staffed at once in an hour
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=False, allow_inf_nan=False)


class RegionInfo(_Frozen):
    name: Name
    description: Annotated[str, Field(max_length=10_000)] = ""


class Choice(_Frozen):
    """Multinomial logit port choice: U = β·(travel + w·port time + toll / VOT) + bias.

    ``travel_minute_utils`` is β (utils per minute, negative), ``port_time_weight`` is w.
    With ``shift_hour_minutes`` and ``forgo_minutes`` travellers also choose to cross an
    hour earlier or later, or not at all (:func:`border21.regions.choice.hour_shares`).
    """

    travel_minute_utils: Annotated[float, Field(ge=-10.0, lt=0.0)] = -0.025
    port_time_weight: Annotated[float, Field(ge=0.0, le=20.0)] = 2.5
    shift_hour_minutes: Annotated[float, Field(ge=0.0, le=MAX_TRAVEL_MINUTES)] | None = None
    forgo_minutes: Annotated[float, Field(gt=0.0, le=MAX_TRAVEL_MINUTES)] | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> Choice:
        if (self.shift_hour_minutes is None) != (self.forgo_minutes is None):
            raise ValueError(
                Message(
                    "choice.shift_hour_minutes cannot act without choice.forgo_minutes (and "
                    "the reverse): give both to let travellers shift their hour or stay home"
                )
            )
        return self


class Segment(_Frozen):
    """Travellers who choose alike: one value of time, one port stream at each port they may use."""

    program: Program
    value_of_time_usd_per_hour: Annotated[float, Field(gt=0.0, le=MAX_VALUE_OF_TIME)] = (
        DEFAULT_VALUE_OF_TIME
    )
    streams: dict[str, Name] = Field(min_length=1, max_length=MAX_PORTS)


class Band(_Frozen):
    """The wait a lane group's officers hold: open a booth above the maximum, close one below,
    never below ``min_booths`` in an hour the group is open (SANDAG's "minimum allowed
    lanes"; kept even when the officers on duty are fewer); with ``own_officers``, officers
    of its own staff it."""

    min_wait_minutes: Annotated[float, Field(ge=0.0, le=MAX_WAIT_MINUTES)]
    max_wait_minutes: Annotated[float, Field(gt=0.0, le=MAX_WAIT_MINUTES)]
    min_booths: Annotated[int, Field(ge=1, le=limits.MAX_LANES)] = 1
    # Officers of the group's own (SENTRI's lanes at San Ysidro, say): its booths are staffed
    # apart from the other lanes of its kind of traffic, up to officers_scale × its booths in
    # every hour it is open; a shortage of its kind's officers takes no booth from it.
    own_officers: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.min_wait_minutes >= self.max_wait_minutes:
            raise ValueError(
                Message(
                    "min_wait_minutes = {min_wait_minutes:g} must be below max_wait_minutes "
                    "= {max_wait_minutes:g}",
                    min_wait_minutes=self.min_wait_minutes,
                    max_wait_minutes=self.max_wait_minutes,
                )
            )
        return self


class Balance(_Frozen):
    """SANDAG's balancing of a flexible pool of two groups (General and Ready at San Ysidro):
    after the bands, while the other group's wait is under ``max_wait_minutes`` and under
    ``ratio`` × the ``favoured`` group's, one of its booths goes to the favoured group (SANDAG's
    SR-11 lane logic: Ready 1.45, FAST 1.22, 120 minutes). The favoured travellers' shorter
    wait is what their program sells."""

    favoured: Name
    ratio: Annotated[float, Field(ge=1.0, le=10.0)]
    max_wait_minutes: Annotated[float, Field(gt=0.0, le=MAX_WAIT_MINUTES)] = 120.0


class RegionPort(_Frozen):
    """One port of the region: its scenario, bias, tolls, officers' bands and build status."""

    scenario: Name
    build: bool = False
    bias_utils: Annotated[float, Field(ge=-50.0, le=50.0)] = 0.0
    # per segment, added to bias_utils: the constants `region fit` fits (each segment's own
    # counted crossings at the port: pedestrians and cars do not share a preference)
    bias_by_segment: dict[str, Annotated[float, Field(ge=-50.0, le=50.0)]] = Field(
        default_factory=dict, max_length=50
    )
    toll_usd: dict[str, Annotated[float, Field(ge=0.0, le=MAX_TOLL_USD)]] = Field(
        default_factory=dict
    )
    bands: dict[str, Band] = Field(default_factory=dict, max_length=50)
    officers_scale: Annotated[float, Field(gt=0.0, le=10.0)] = 1.0
    # booths staffed at once by hour, per kind of traffic (its lanes' streams' kind: car,
    # truck and pedestrian lanes are staffed apart); a kind left out: officers_scale × the
    # most its banded groups' schedules staff in the hour
    officers_on_duty: dict[
        StreamKind, Annotated[list[Officers], Field(min_length=24, max_length=24)]
    ] = Field(default_factory=dict)
    arrival_shapes: dict[str, Annotated[list[HourWeight], Field(min_length=24, max_length=24)]] = (
        Field(default_factory=dict, max_length=50)
    )
    flexible: list[Name] = Field(default_factory=list, max_length=50)
    balance: Balance | None = None  # within the flexible pool (none: the bands alone)
    # per segment: the factor on its primary service's mean by the hour it arrives, replacing
    # the scenario stream's (how fast the booths go over the day, as the arrival hours above)
    service_by_hour: dict[
        str, Annotated[list[ServiceFactor], Field(min_length=24, max_length=24)]
    ] = Field(default_factory=dict, max_length=50)

    def bias(self, segment: str) -> float:
        """The port's constant for ``segment``: the port's own plus the segment's."""
        return self.bias_utils + self.bias_by_segment.get(segment, 0.0)

    @model_validator(mode="after")
    def _one_officer_rule(self) -> RegionPort:
        if self.flexible:
            unknown = [g for g in self.flexible if g not in self.bands]
            if unknown or len(set(self.flexible)) != len(self.flexible) or len(self.flexible) < 2:
                raise ValueError(
                    Message(
                        "flexible = {groups}: two or more different banded lane groups "
                        "(bands: {bands})",
                        groups=list(self.flexible),
                        bands=", ".join(self.bands) or Message("none"),
                    )
                )
        if self.balance is not None and (
            len(self.flexible) != 2 or self.balance.favoured not in self.flexible
        ):
            raise ValueError(
                Message(
                    "balance.favoured = {favoured}: needs a flexible pool of two banded lane "
                    "groups, one of them the favoured (flexible: {groups})",
                    favoured=self.balance.favoured,
                    groups=", ".join(self.flexible) or Message("none"),
                )
            )
        for sname, shape in self.arrival_shapes.items():
            if not sum(shape) > 0:
                raise ValueError(
                    Message("arrival_shapes.{segment} has no arrivals in any hour", segment=sname)
                )
        return self


class Zone(_Frozen):
    """A demand zone: its share of each segment's travellers and its travel minutes to each port."""

    shares: dict[str, Share] = Field(min_length=1, max_length=50)
    travel_minutes: dict[str, Minutes] = Field(min_length=1, max_length=MAX_PORTS)


class Equilibrium(_Frozen):
    """How choice and simulation iterate: MSA to ``flow_tolerance`` or ``max_iterations``."""

    max_iterations: Annotated[int, Field(ge=1, le=MAX_ITERATIONS)] = 40
    flow_tolerance: Annotated[float, Field(gt=0.0, le=1.0)] = 0.02
    wait_tolerance_minutes: Annotated[float, Field(gt=0.0, le=MAX_WAIT_MINUTES)] = 0.5
    days: Annotated[int, Field(ge=1, le=14)] = 2
    lane_rule_until: Annotated[int, Field(ge=0, le=MAX_ITERATIONS)] = 20
    inner_iterations: Annotated[int, Field(ge=1, le=10_000)] = 200


class Region(_Frozen):
    """A whole region: ports, zones, segments, choice, officers, equilibrium."""

    region: RegionInfo
    choice: Choice = Field(default_factory=Choice)
    equilibrium: Equilibrium = Field(default_factory=Equilibrium)
    ports: dict[str, RegionPort] = Field(min_length=1, max_length=MAX_PORTS)
    segments: dict[str, Segment] = Field(min_length=1, max_length=50)
    zones: dict[str, Zone] = Field(min_length=1, max_length=MAX_ZONES)

    @model_validator(mode="after")
    def _check_references(self) -> Region:
        for sname, segment in self.segments.items():
            for port in segment.streams:
                if port not in self.ports:
                    raise AcrossKeys(
                        f"segments.{sname}.streams",
                        Message("names unknown port {port!r}", port=port),
                    )
            total = sum(z.shares.get(sname, 0.0) for z in self.zones.values())
            if not math.isclose(total, 1.0, abs_tol=1e-6):
                raise AcrossKeys(
                    f"zones.*.shares.{sname}",
                    Message("the zones' shares sum to {total:g}, not 1", total=total),
                )
        for zname, zone in self.zones.items():
            for sname in zone.shares:
                if sname not in self.segments:
                    raise AcrossKeys(
                        f"zones.{zname}.shares",
                        Message("names unknown segment {segment!r}", segment=sname),
                    )
            for port in self.ports:
                if port not in zone.travel_minutes:
                    raise AcrossKeys(
                        f"zones.{zname}.travel_minutes",
                        Message("misses port {port!r}", port=port),
                    )
            for port in zone.travel_minutes:
                if port not in self.ports:
                    raise AcrossKeys(
                        f"zones.{zname}.travel_minutes",
                        Message("names unknown port {port!r}", port=port),
                    )
        for pname, rport in self.ports.items():  # per segment: tolls, hours, service, biases
            for key, names in (
                ("toll_usd", rport.toll_usd),
                ("arrival_shapes", rport.arrival_shapes),
                ("service_by_hour", rport.service_by_hour),
                ("bias_by_segment", rport.bias_by_segment),
            ):
                for sname in names:
                    if sname not in self.segments or pname not in self.segments[sname].streams:
                        raise AcrossKeys(
                            f"ports.{pname}.{key}.{sname}",
                            Message(
                                "cannot act: segment {segment!r} does not use {port}",
                                segment=sname,
                                port=pname,
                            ),
                        )
        for pname, rport in self.ports.items():
            for key, used in (
                ("officers_scale", rport.officers_scale != 1.0),
                ("officers_on_duty", bool(rport.officers_on_duty)),
            ):
                if used and not rport.bands:
                    raise AcrossKeys(
                        f"ports.{pname}.{key}",
                        Message("cannot act: the port has no banded lane group"),
                    )
            for sname in rport.arrival_shapes:
                if rport.build:
                    raise AcrossKeys(
                        f"ports.{pname}.arrival_shapes.{sname}",
                        Message("cannot act: a build option adds no demand of its own"),
                    )
        for sname, segment in self.segments.items():
            tolled = any(sname in self.ports[p].toll_usd for p in segment.streams)
            if not tolled and segment.value_of_time_usd_per_hour != DEFAULT_VALUE_OF_TIME:
                raise AcrossKeys(
                    f"segments.{sname}.value_of_time_usd_per_hour",
                    Message("cannot act: no port has a toll (ports.*.toll_usd) for the segment"),
                )
        if all(p.build for p in self.ports.values()):
            raise AcrossKeys(  # the key keeps its colon: "ports: = …" as ever
                "ports:", Message("every port is a build option; the region has no demand")
            )
        return self

    def open_ports(self, build: Sequence[str] = ()) -> list[str]:
        """The ports open in a run: the existing ones plus the build options named."""
        for name in build:
            if name not in self.ports or not self.ports[name].build:
                options = ", ".join(p for p, port in self.ports.items() if port.build)
                raise InputError(
                    "--build",
                    name,
                    Message("not a build option ({options})", options=options or Message("none")),
                )
        return [p for p, port in self.ports.items() if not port.build or p in build]


def validate_region(data: Mapping[str, Any]) -> Region:
    """Validate a region mapping, raising :class:`InputError` naming the first bad key."""
    try:
        return Region.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(  # "[key]": pydantic's mark for a bad mapping key, named before it
            str(p) for p in err["loc"] if not str(p).startswith("function-") and p != "[key]"
        )
        msg, cause = error_reason(err)
        if err["type"] == "extra_forbidden":
            raise InputError(field, err.get("input"), Message("unknown key")) from None
        if err["type"] == "missing":
            raise InputError(field, None, Message("required key is missing")) from None
        if not field and isinstance(cause, AcrossKeys):  # a check across keys names its key
            raise InputError(cause.key, _at(data, cause.key), cause.reason) from None
        if not field and " " in msg:  # a message that names its key first
            key, reason = msg.split(" ", 1)
            raise InputError(key, _at(data, key), reason.removeprefix(": ")) from None
        value = err.get("input")
        raise InputError(
            field or "region", "{...}" if isinstance(value, Mapping) else value, msg
        ) from None


def _at(data: Mapping[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return "…"
        node = node[part]
    return "{...}" if isinstance(node, Mapping) else node


def _region_dir() -> Path:
    return Path(str(resources.files("border21.regions") / "scenarios"))


def shipped_regions() -> dict[str, Path]:
    """Shipped region names (file stems) mapped to their TOML files."""
    return {p.stem: p for p in sorted(_region_dir().glob("*.toml"))}


def region_data(name_or_path: str, overrides: Sequence[str] = ()) -> dict[str, Any]:
    """The raw mapping of a shipped region (by name) or a TOML file, overrides applied."""
    shipped = shipped_regions()
    key = name_or_path.strip().lower().replace("-", "_")
    if key in shipped:
        path = shipped[key]
    else:
        path = Path(name_or_path)
        if path.suffix != ".toml" and not path.exists():
            known = ", ".join(shipped) or Message("none")
            raise NotFoundError(
                Message(
                    "region = {name_or_path!r}: unknown region (shipped: {known})",
                    name_or_path=name_or_path,
                    known=known,
                )
            )
    try:
        data = read_scenario_file(path)
    except InputError as exc:
        raise InputError("region", str(path), exc.reason) from None
    return apply_overrides(data, list(overrides))


def load_region(name_or_path: str, overrides: Sequence[str] = ()) -> Region:
    """Load a region by name or path, apply ``key.path=value`` overrides and validate it."""
    return validate_region(region_data(name_or_path, overrides))


def with_toll(region: Region, build: Sequence[str], usd: float) -> Region:
    """The region with ``usd`` charged at each named port to every segment that may use it."""
    data = region.model_dump()
    for port in build:
        data["ports"][port]["toll_usd"] = {
            s: usd for s, seg in region.segments.items() if port in seg.streams
        }
    return validate_region(data)
