"""Bounds on every scenario number and on the work of one run, in one place.

Two kinds of bound:

* **Scenario bounds** (the constants below) hold for every scenario, whoever
  runs it: they are part of the scenario model's validation
  (:mod:`border21.ports.config`), so a file, a ``--set`` override, a sweep axis
  and an HTTP override meet the same bound with the same message. They are
  generous for the largest real US–Mexico ports (San Ysidro: ~50,000 vehicles
  and ~25,000 pedestrians a day northbound, 25–34 lanes, 62 booths; Laredo:
  ~15,000 trucks a day) and stop input that would only allocate memory or
  overflow arithmetic.
* **Run limits** (:class:`RunLimits`) bound the work one run may ask for
  before it starts: days, replications, the expected number of crossings held
  in memory, and the size of a sweep. The defaults fit the project machine
  (24 GiB); the service can pass stricter limits (per role, say).

Every violation raises :class:`~border21.errors.InputError` naming the key
and the bound, which the CLI turns into exit code 2 and the API into 422.

>>> from border21.ports.catalog import load_scenario
>>> laredo = load_scenario("laredo_wtb")
>>> round(expected_crossings(laredo, days=7, replications=1))  # a week: 7 × 6,251.5
43760
>>> round(expected_crossings(laredo, days=1, replications=1))  # a Monday: busier than average
7367
>>> RunLimits().check_run(laredo, days=7, replications=10_000)
Traceback (most recent call last):
...
border21.errors.InputError: replications = 10000: at most 1,000 replications in one run
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import TYPE_CHECKING

from border21.errors import InputError
from border21.i18n.message import Message

if TYPE_CHECKING:
    from border21.ports.config import PortScenario

# ------------------------------------------------------------ scenario bounds

MAX_LANES = 200
"""Lanes in one lane group: San Ysidro, the largest port, has 25–34; 200 is six times that."""
MAX_BOOTHS_PER_LANE = 64
"""Booths serving one lane's queue: a pedestrian hall's single line; the lane kernels' limit."""
MAX_GROUP_BOOTHS = 500
"""Booths in one lane group (lanes × booths per lane): eight times San Ysidro's 62 in all."""
MAX_BAYS = 500
"""Bays of one secondary area or export inspection: real ones have tens."""
MAX_CROSSINGS_PER_DAY = 1_000_000
"""Crossings a day of one stream: 13 times San Ysidro's ~75,000 (all streams together)."""
MAX_SERVICE_SECONDS = 86_400.0
"""Mean service time, transit or added screening seconds: one inspection cannot last a day."""
MAX_CV = 10.0
"""Coefficient of variation of a service time: observed ones are 0.5–1.5; 10 is a lognormal
with sigma 2.1, beyond which the mean is carried by a handful of extreme draws."""
MIN_SERVICE_FACTOR = 0.1
MAX_SERVICE_FACTOR = 10.0
"""Bounds of a primary service's hourly factor on its mean (``factor_by_hour``): an hour's
booths ten times faster or slower than the day's mean is beyond any published rate."""
MAX_SHAPE_WEIGHT = 1_000_000.0
"""One entry of an hour-of-day or weekday shape (relative weights, normalised): six orders
of magnitude of range between hours, and a sum that stays finite."""
MAX_ENROLMENT_SCALE = 100.0
"""Trusted-programme enrolment multiplier: beyond ~10 the general share is exhausted anyway."""
MAX_NAMED = 50
"""Streams, lane groups or secondary areas in one port (and streams a lane group serves):
a real port has a handful; 50 leaves room for splits by kind, direction and programme."""
MAX_NAME_CHARS = 200
"""Length of a port's name or code (text that ends up in every table and chart title)."""
MAX_DESCRIPTION_CHARS = 10_000
"""Length of a port's description (the shipped ones are under 200 characters)."""
MAX_TARGET_MINUTES = 1_440
"""A staffing wait target (p95 or mean, minutes): a day; longer is no target at all."""

# ------------------------------------------------------------ run limits

BYTES_PER_CROSSING = 63
"""Memory the engine keeps per crossing and replication (the record columns)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunLimits:
    """How much work one run may ask for, checked before anything is simulated.

    ``max_crossings`` bounds the *expected* number of crossings a run holds in
    memory: for ``simulate`` every replication's records (Σ crossings_per_day ×
    days × replications, weekday shapes applied), for a sweep one replication
    of one scenario per task (the rows of finished tasks are kept, their
    crossings are not). At ~63 bytes a crossing plus the summaries, the default
    5·10⁷ is about 3–4 GB: a year of San Ysidro in both directions (3.8·10⁷)
    fits, and several such runs fit side by side on the 24 GiB machine.

    >>> RunLimits(max_days=28).check_counts(days=365, replications=1)
    Traceback (most recent call last):
    ...
    border21.errors.InputError: days = 365: at most 28 days in one run
    """

    max_days: int = 3_660
    """Ten years; a longer horizon is better run as replications."""
    max_replications: int = 1_000
    """Confidence intervals stop narrowing usefully long before 1,000."""
    max_crossings: int = 50_000_000
    """Expected crossings held in memory by one run (≈ 3–4 GB at ~63 bytes each)."""
    max_grid_scenarios: int = 100_000
    """Scenarios in one what-if grid (each is validated and kept while the sweep runs)."""
    max_sweep_tasks: int = 200_000
    """Tasks in one sweep (scenarios × variants × policies × budgets × replications): each
    returns a row of ~2 KB kept for the summary, so at most ~0.5 GB of rows."""
    max_sweep_crossings: float = 1e12
    """Scenario-crossings in one sweep (Σ over tasks of their expected crossings): about
    2 hours of downstream-only variants (~15 ns each) on 2 cores, 2–3 days if every
    scenario needs its own primary stage (~420 ns each)."""
    max_calibration_rounds: int = 50
    """Hill-climb rounds of the hourly staffing fit (16 simulations each)."""
    max_staffing_days: int = 28
    """Days per replication of a staffing search: the schedule repeats daily, so four
    weeks cover every weekday four times; each candidate simulates them all."""
    max_staffing_replications: int = 100
    """Replications of a staffing search (every candidate schedule queues every one)."""
    max_staffing_work: float = 1e7
    """Expected crossings one candidate schedule queues (Σ crossings_per_day × days ×
    replications): ~1 s a candidate at ~100 ns a crossing on one core."""
    max_staffing_evaluations: int = 5_000
    """Candidate schedules one search simulates; a search that reaches it stops and says so."""

    def check_counts(self, *, days: int, replications: int) -> None:
        """Days and replications within their bounds (before any scenario is read)."""
        if days < 1:
            raise InputError("days", days, Message("must be at least 1"))
        if days > self.max_days:
            raise InputError(
                "days",
                days,
                Message("at most {max_days:,} days in one run", max_days=self.max_days),
            )
        if replications < 1:
            raise InputError("replications", replications, Message("must be at least 1"))
        if replications > self.max_replications:
            raise InputError(
                "replications",
                replications,
                Message(
                    "at most {max_replications:,} replications in one run",
                    max_replications=self.max_replications,
                ),
            )

    def check_run(self, scenario: PortScenario, *, days: int, replications: int) -> float:
        """Refuse a run whose expected crossings exceed ``max_crossings``; return the count."""
        self.check_counts(days=days, replications=replications)
        work = expected_crossings(scenario, days=days, replications=replications)
        if work > self.max_crossings:
            raise InputError(
                "days × replications",
                f"{days} × {replications}",
                Message(
                    "expects {work:,.0f} crossings; at most {max_crossings:,} in one run (Σ "
                    "crossings_per_day × days × replications)",
                    work=work,
                    max_crossings=self.max_crossings,
                ),
            )
        return work

    def check_grid(self, scenarios: int) -> None:
        """Refuse a what-if grid of more than ``max_grid_scenarios`` scenarios."""
        if scenarios > self.max_grid_scenarios:
            raise InputError(
                "--vary",
                scenarios,
                Message(
                    "grid too large (at most {max_grid_scenarios:,} scenarios)",
                    max_grid_scenarios=self.max_grid_scenarios,
                ),
            )

    def check_tasks(self, tasks: int) -> None:
        """Refuse a sweep of more than ``max_sweep_tasks`` tasks."""
        if tasks > self.max_sweep_tasks:
            raise InputError(
                "sweep",
                f"{tasks:,} tasks",
                Message(
                    "too many tasks (at most {max_sweep_tasks:,}: scenarios × variants × "
                    "policies × budgets × replications)",
                    max_sweep_tasks=self.max_sweep_tasks,
                ),
            )

    def check_sweep_crossings(self, crossings: float) -> None:
        """Refuse a sweep expected to simulate more than ``max_sweep_crossings`` in all."""
        if crossings > self.max_sweep_crossings:
            raise InputError(
                "sweep",
                f"{crossings:.3g} scenario-crossings",
                Message(
                    "too much work for one sweep (at most {max_sweep_crossings:,.0f}: Σ over "
                    "tasks of crossings_per_day × days)",
                    max_sweep_crossings=self.max_sweep_crossings,
                ),
            )

    def check_staffing(self, scenario: PortScenario, *, days: int, replications: int) -> float:
        """Refuse a staffing search whose every candidate would queue too much; return the work."""
        self.check_counts(days=days, replications=replications)
        if days > self.max_staffing_days:
            raise InputError(
                "days",
                days,
                Message(
                    "at most {max_staffing_days} days in a search",
                    max_staffing_days=self.max_staffing_days,
                ),
            )
        if replications > self.max_staffing_replications:
            raise InputError(
                "replications",
                replications,
                Message(
                    "at most {max_staffing_replications} replications in a search",
                    max_staffing_replications=self.max_staffing_replications,
                ),
            )
        work = expected_crossings(scenario, days=days, replications=replications)
        if work > self.max_staffing_work:
            raise InputError(
                "days × replications",
                f"{days} × {replications}",
                Message(
                    "expects {work:,.0f} crossings for each candidate schedule; at most "
                    "{max_staffing_work:,.0f} in a staffing search",
                    work=work,
                    max_staffing_work=self.max_staffing_work,
                ),
            )
        return work

    def check_rounds(self, rounds: int) -> None:
        """Refuse more than ``max_calibration_rounds`` hill-climb rounds."""
        if not 0 <= rounds <= self.max_calibration_rounds:
            raise InputError(
                "--hourly-rounds",
                rounds,
                Message(
                    "must be in [0, {max_calibration_rounds}]",
                    max_calibration_rounds=self.max_calibration_rounds,
                ),
            )


DEFAULT_LIMITS = RunLimits()


def check_seed(seed: object) -> None:
    """Refuse a root seed NumPy cannot take (negative, or not an integer), naming it.

    >>> check_seed(-5)
    Traceback (most recent call last):
    ...
    border21.errors.InputError: seed = -5: must be a non-negative integer
    """
    if seed is None:
        return
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise InputError("seed", seed, Message("must be a non-negative integer"))


def expected_crossings(scenario: PortScenario, *, days: int, replications: int = 1) -> float:
    """The expected number of crossings a run draws: Σ crossings_per_day × weekday × days × reps.

    Exact for the scenario's weekday shapes and starting weekday (a one-day run
    on a busy weekday draws more than ``crossings_per_day``); O(1) in ``days``.
    """
    full_weeks, rest = divmod(days, 7)
    start = scenario.port.start_weekday
    total = 0.0
    for stream in scenario.streams.values():
        week = stream.weekday_shape
        mean = sum(week) / 7.0
        partial = sum(week[(start + d) % 7] for d in range(rest)) / mean
        total += stream.crossings_per_day * (7.0 * full_weeks + partial)
    return total * replications
