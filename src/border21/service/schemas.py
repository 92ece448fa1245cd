"""Request bodies at the HTTP edge: pydantic models with bounds, unknown keys refused.

Numbers are finite and bounded; scenario overrides meet the scenario's own bounds
(:mod:`border21.ports.limits`) when the scenario is built, before any run.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

ScenarioName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_\- ]+$",
        description="A shipped scenario name (see /api/v1/scenarios).",
    ),  # fmt: skip
]
Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]
Override = Annotated[str, Field(min_length=3, max_length=200, pattern=r"^[A-Za-z0-9_.]+=.+$")]
Scalar = str | float | int | bool | None


class _Body(BaseModel):
    # Python's JSON parser reads NaN and Infinity; no field of a request may be either.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class SimulationRequest(_Body):
    """Run a port scenario; small runs answer at once, larger ones become jobs."""

    scenario: ScenarioName
    days: Annotated[int, Field(ge=1, le=28)] = 1
    replications: Annotated[int, Field(ge=1, le=20)] = 1
    seed: Seed = 0
    overrides: Annotated[list[Override], Field(max_length=20)] = []
    booth_scale: Annotated[float, Field(ge=0.1, le=4.0)] = 1.0
    referral_rate: Annotated[float | None, Field(ge=0.0, le=1.0)] = None
    """If set, every stream's referral probability to secondary inspection."""
    warm_up_days: Annotated[int | None, Field(ge=0, le=27)] = None
    """Days simulated and left out of the summary (default: 1 when days > 1, else 0)."""


class FrontierRequest(_Body):
    """A small sweep of policies × budgets × cooperation variants at one port."""

    scenario: ScenarioName = "laredo_wtb"
    variants: Annotated[
        list[Literal["baseline", "shared_intelligence", "ucp", "enrolment", "southbound"]],
        Field(min_length=1, max_length=5),
    ] = ["baseline"]
    policies: Annotated[
        list[Literal["random", "trusted", "targeted"]],
        Field(min_length=1, max_length=4),
    ] = ["random", "trusted"]
    rates: Annotated[
        list[Annotated[float, Field(gt=0.0, le=1.0)]], Field(min_length=1, max_length=10)
    ] = [0.02, 0.05, 0.1, 0.2]
    replications: Annotated[int, Field(ge=1, le=30)] = 5
    """Each row carries 95% intervals over them (``*_ci95``); ``notes`` says when they
    are too wide to tell (30 meet ±5 pp caught and ±10% delay on the shipped ports)."""
    days: Annotated[int, Field(ge=1, le=7)] = 1
    seed: Seed = 0
    booth_scale: Annotated[float, Field(ge=0.1, le=4.0)] = 1.0


def _nonzero(value: int) -> int:
    if value == 0:
        raise ValueError("must not be 0: positive adds officers, negative cuts them")
    return value


PortCode = Annotated[str, Field(min_length=4, max_length=4, pattern=r"^[0-9]{4}$")]


class AllocationRequest(_Body):
    """Officers added (negative: cut) across the border, placed where delay cost changes most."""

    officers: Annotated[int, Field(ge=-10_000, le=10_000), AfterValidator(_nonzero)]
    """Officers, each working ``shift_hours`` of the repeating day (the role caps it)."""
    shift_hours: Annotated[int, Field(ge=1, le=12)] = 8
    days: Annotated[int, Field(ge=1, le=7)] = 2
    """Days simulated per replication; the first is a warm-up when there are two or more."""
    replications: Annotated[int, Field(ge=2, le=30)] = 3
    """Each port's saving carries a 95% interval over them (paired)."""
    seed: Seed = 0
    ports: Annotated[list[PortCode], Field(max_length=100)] = []
    """BTS port codes to place officers among (default: every port of the border)."""


class RegionRequest(_Body):
    """A shipped region solved to equilibrium, once per toll at the build ports."""

    region: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]
    build: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]],
        Field(max_length=5),
    ] = []
    """Build options to open (``otay_mesa_east``)."""
    tolls: Annotated[list[Annotated[float, Field(ge=0.0, le=1000.0)]], Field(max_length=6)] = []
    """Tolls in USD at the build ports, every segment; one equilibrium per toll."""
    replications: Annotated[int, Field(ge=2, le=10)] = 3
    seed: Seed = 0


class ScoreRequest(_Body):
    """A batch of declarations (border21 declaration schema) to score and select from."""

    declarations: Annotated[list[dict[str, Scalar]], Field(min_length=1, max_length=5000)]
    budget_pct: Annotated[float, Field(gt=0.0, le=100.0)] = 5.0
    explain: bool = True


RecordKind = Literal["declaration", "inspection", "seizure", "risk_profile"]
Partner = Literal["us-cbp", "mx-customs"]
FieldName = Annotated[str, Field(min_length=1, max_length=64)]


class RecordsRequest(_Body):
    """Records to store under the signed-in user's agency."""

    kind: RecordKind
    records: Annotated[list[dict[str, Scalar]], Field(min_length=1, max_length=5000)]


def _in_utc(moment: datetime) -> datetime:
    """The moment in UTC, within years 1970–9999 (an extreme offset at 9999-12-31 overflows)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range once converted to UTC (years 1970–9999)") from None
    if moment.year < 1970:
        raise ValueError("before 1970")
    return moment


class AgreementRequest(_Body):
    """Share some fields of some record kinds with a partner agency until a date."""

    grantee: Partner
    kinds: Annotated[list[RecordKind], Field(min_length=1, max_length=4)]
    fields: Annotated[list[FieldName], Field(min_length=1, max_length=50)]
    expires_at: Annotated[datetime, AfterValidator(_in_utc)]
    purpose: Annotated[str, Field(max_length=500)] = ""


Json = dict[str, Any]
