"""Coupled runs: statistical comparisons are paired by replication (common random numbers)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from border21.errors import InputError
from border21.frontier.experiment import PolicySpec, PreparedScenario, run_replication
from border21.frontier.sweep import build_tasks, execute, run_task, shifts, summarise
from border21.ports.catalog import load_scenario
from border21.ports.cooperation import with_switches

REPS = 8


def _paired_ci(diff: np.ndarray) -> tuple[float, float]:
    half = stats.t.ppf(0.995, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
    return float(diff.mean() - half), float(diff.mean() + half)


@pytest.fixture(scope="module")
def laredo() -> PreparedScenario:
    return PreparedScenario(load_scenario("laredo_wtb"))


def test_targeted_catches_more_than_random_at_equal_budget(laredo, small_pool):
    diffs = []
    for rep in range(REPS):
        seed = np.random.SeedSequence(9, spawn_key=(rep,))
        t = run_replication(
            laredo, PolicySpec(policy="targeted", rate=0.05), days=1, seed=seed, risk=small_pool
        )
        r = run_replication(
            laredo, PolicySpec(policy="random", rate=0.05), days=1, seed=seed, risk=small_pool
        )
        assert t.northbound.crossings == r.northbound.crossings  # the same crossings (CRN)
        assert t.northbound.carriers == r.northbound.carriers
        diffs.append(t.northbound.detection_rate - r.northbound.detection_rate)
    lo, _ = _paired_ci(np.array(diffs))
    assert lo > 0.05  # 99% CI of the lift is clearly positive


def test_ucp_cuts_truck_delay(laredo, small_pool):
    ucp = PreparedScenario(with_switches(load_scenario("laredo_wtb"), ucp=True))
    diffs = []
    for rep in range(16):  # a week each: daily queues vary a lot, the paired mean much less
        seed = np.random.SeedSequence(4, spawn_key=(rep,))
        spec = PolicySpec(policy="random", rate=0.05)
        base = run_replication(laredo, spec, days=7, seed=seed, risk=small_pool)
        joint = run_replication(ucp, spec, days=7, seed=seed, risk=small_pool)
        diffs.append(joint.northbound.mean_delay_min - base.northbound.mean_delay_min)
    _, hi = _paired_ci(np.array(diffs))
    assert hi < 0


def test_more_budget_more_referrals_and_detection(laredo, small_pool):
    seed = np.random.SeedSequence(2)
    low = run_replication(
        laredo, PolicySpec(policy="targeted", rate=0.02), days=1, seed=seed, risk=small_pool
    )
    high = run_replication(
        laredo, PolicySpec(policy="targeted", rate=0.3), days=1, seed=seed, risk=small_pool
    )
    assert high.northbound.referred > low.northbound.referred
    assert (
        high.northbound.detected >= low.northbound.detected
    )  # nested thresholds on the same crossings
    assert high.northbound.licit_per_1000 > low.northbound.licit_per_1000


def test_southbound_inspection_slows_southbound_only():
    base = load_scenario("san_ysidro")
    on = PreparedScenario(with_switches(base, southbound_inspection_probability=0.1))
    off = PreparedScenario(base)
    seed = np.random.SeedSequence(1)
    spec = PolicySpec(policy="random", rate=0.02)
    a = run_replication(off, spec, days=1, seed=seed)
    b = run_replication(on, spec, days=1, seed=seed)
    assert a.southbound is not None and b.southbound is not None
    # The exam adds delay; primary (no screening time by default) is the same crossings'.
    assert b.southbound.mean_delay_min > a.southbound.mean_delay_min
    assert b.southbound.mean_wait_min == a.southbound.mean_wait_min
    # Mexico's import semáforo examines the same red lights in both; CBP's exams come on top.
    assert b.southbound.referred > a.southbound.referred > 0
    # Common random numbers: northbound is untouched, to every digit.
    assert b.northbound.as_row() == a.northbound.as_row()
    assert b.southbound.carriers > 0


def test_replication_does_not_consume_its_seed(laredo):
    seed = np.random.SeedSequence(8)
    spec = PolicySpec(policy="random", rate=0.1)
    a = run_replication(laredo, spec, days=1, seed=seed)
    b = run_replication(laredo, spec, days=1, seed=seed)
    assert a == b


def test_sweep_is_identical_serial_threads_and_order(small_pool):
    sc = load_scenario("laredo_wtb")
    tasks = build_tasks(
        {"baseline": sc}, ["random", "targeted"], [0.05, 0.2], replications=2, days=1, seed=3
    )
    serial = execute(tasks, risks={"baseline": small_pool}, workers=1)
    threaded = execute(tasks, risks={"baseline": small_pool}, workers=2)
    backwards = execute(tasks[::-1], risks={"baseline": small_pool}, workers=2)[::-1]
    assert serial == threaded == backwards
    # Policies of a replication share one base; each task alone builds its own.
    alone = [run_task(t, small_pool) for t in tasks]
    assert alone == serial
    summary = summarise(serial)
    assert set(summary["replications"]) == {2}
    assert (summary["detection_rate_ci95"] >= 0).all()


def test_shifts_are_paired_differences(small_pool):
    sc = load_scenario("laredo_wtb")
    variants = {"baseline": sc, "same": sc}
    tasks = build_tasks(variants, ["random"], [0.1], replications=3, days=1, seed=1)
    moved = shifts(execute(tasks, risks=dict.fromkeys(variants, small_pool)))
    assert moved["d_detection"].abs().max() == 0
    assert moved["d_delay_min"].abs().max() == 0


def test_unknown_policy_and_missing_model(laredo):
    with pytest.raises(InputError, match="unknown policy"):
        PolicySpec(policy="psychic", rate=0.1)
    with pytest.raises(InputError, match="needs a risk model"):
        run_replication(
            laredo, PolicySpec(policy="targeted", rate=0.1), days=1, seed=np.random.SeedSequence(0)
        )


@pytest.mark.parametrize("variant", ["baseline", "ucp", "southbound"])
def test_shared_base_equals_a_full_run_per_policy(variant, small_pool):
    """finish_replication on a shared base gives the records of a full run with its flags."""
    from border21.frontier.experiment import finish_replication, prepare_replication
    from border21.ports.cooperation import with_switches

    name = "san_ysidro" if variant == "southbound" else "laredo_wtb"
    sc = load_scenario(name)
    if variant == "ucp":
        sc = with_switches(sc, unified_cargo_processing=True)
    if variant == "southbound":
        sc = with_switches(sc, southbound_inspection_probability=0.05)
    prepared = PreparedScenario(sc)
    seed = np.random.SeedSequence(9, spawn_key=(0,))
    base = prepare_replication(prepared, days=1, seed=seed, risk=small_pool)
    specs = [PolicySpec(policy="random", rate=0.02), PolicySpec(policy="targeted", rate=0.3)]
    first = [finish_replication(base, s).northbound.as_row() for s in specs]
    again = [finish_replication(base, s).northbound.as_row() for s in specs[::-1]][::-1]
    fresh = [
        run_replication(prepared, s, days=1, seed=seed, risk=small_pool).northbound.as_row()
        for s in specs
    ]
    assert _same(first, again) and _same(first, fresh)
    # The primary stage is the same; only what follows it moves with the budget.
    assert first[0]["mean_wait_min"] == first[1]["mean_wait_min"]
    assert first[0]["referred"] < first[1]["referred"]


def _same(a: list[dict], b: list[dict]) -> bool:
    return all(
        x.keys() == y.keys() and all(x[k] == y[k] or (x[k] != x[k] and y[k] != y[k]) for k in x)
        for x, y in zip(a, b, strict=True)
    )


def test_a_row_gives_each_flow_apart_with_northbound_as_the_headline():
    from border21.frontier.variants import build_variants

    variants = build_variants(load_scenario("san_ysidro"), ["southbound"])
    (task,) = build_tasks(variants, ["random"], [0.02], replications=1, days=1, seed=3)
    row = run_task(task)
    for name in ("detection_rate", "mean_delay_min", "p95_wait_min", "licit_per_1000"):
        assert row[name] == row[f"nb_{name}"]  # the headline is northbound, labelled so
        assert f"sb_{name}" in row
    assert row["sb_delay_cost_usd"] > 0 and row["nb_delay_cost_usd"] == row["delay_cost_usd"]
    # southbound cars wait minutes, northbound an hour: an all-traffic mean would sit between
    assert row["sb_mean_wait_min"] < row["nb_mean_wait_min"] / 5
    north, south = row["nb_carriers"], row["sb_carriers"]
    assert north > 0 and south > 0  # drugs northbound, firearms and cash southbound
    assert row["carriers"] == north  # the headline counts northbound carriers only


def _exam_port(semaforo: float, carriers: float = 0.0):
    from border21.ports.config import validate_scenario

    return validate_scenario(
        {
            "port": {"name": "one bridge"},
            "streams": {
                "trucks": {
                    "kind": "truck",
                    "crossings_per_day": 300,
                    "primary_service": {"mean_seconds": 60},
                    "secondary": "dock",
                    "carrier_probability": carriers,
                }
            },
            "lanes": {"general": {"streams": ["trucks"], "lanes": 2}},
            "secondary": {"dock": {"bays": 40, "service": {"mean_seconds": 600}}},
            "cooperation": {
                "export_inspection": {
                    "streams": ["trucks"],
                    "booths": 2,
                    "service": {"mean_seconds": 30},
                    "semaforo_probability": semaforo,
                    "bays": 40,
                    "secondary_service": {"mean_seconds": 300},
                }
            },
        }
    )


@pytest.mark.parametrize(
    ("semaforo", "budget", "separate", "joint"),
    [
        (1.0, 1.0, 2000, 1000),  # red and referred: two exams apart, one joint exam
        (0.0, 1.0, 1000, 1000),  # CBP alone
        (1.0, 1e-9, 1000, 1000),  # Mexico alone, whichever the setting
    ],
)
def test_ucp_merges_the_two_exams_into_one(semaforo, budget, separate, joint):
    """Licit exams per 1,000 trucks, by hand: each truck has a Mexican red light with
    probability ``semaforo`` and a CBP referral with probability ``budget``; apart
    they are two exams, under UCP one."""
    seed = np.random.SeedSequence(7)
    spec = PolicySpec(policy="random", rate=budget)
    base = _exam_port(semaforo)
    apart = run_replication(PreparedScenario(base), spec, days=1, seed=seed).northbound
    ucp = with_switches(base, unified_cargo_processing=True)
    together = run_replication(PreparedScenario(ucp), spec, days=1, seed=seed).northbound
    assert apart.carriers == together.carriers == 0
    assert apart.licit_per_1000 == pytest.approx(separate)
    assert together.licit_per_1000 == pytest.approx(joint)
    assert apart.referred == apart.crossings * separate // 1000


def test_mexican_exams_count_for_licit_trucks_only():
    seed = np.random.SeedSequence(8)
    spec = PolicySpec(policy="random", rate=1e-9)  # no CBP referrals: Mexico's exams alone
    out = run_replication(
        PreparedScenario(_exam_port(1.0, carriers=0.2)), spec, days=1, seed=seed
    ).northbound
    assert out.carriers > 0
    assert out.referred == out.crossings  # every truck had its red-light exam
    assert out.licit_referred == out.crossings - out.carriers
