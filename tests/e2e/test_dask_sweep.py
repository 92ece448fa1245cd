"""A sweep on a Dask LocalCluster (loopback) gives the same rows as a local run."""

from __future__ import annotations

import pytest

from border21.frontier.sweep import PortTask, build_tasks, execute
from border21.ports.catalog import load_scenario

distributed = pytest.importorskip("distributed")


def test_dask_and_local_results_identical(tmp_path):
    sc = load_scenario("laredo_wtb")
    tasks = build_tasks(
        {"baseline": sc}, ["random", "trusted"], [0.05, 0.2], replications=2, days=1, seed=7
    )
    tasks += [
        PortTask(variant="port", scenario=sc, replication=r, root_seed=7, days=1) for r in range(2)
    ]
    local = execute(tasks, workers=1)
    port_rows = [r for r in local if r["variant"] == "port"]
    assert port_rows[0]["crossings"] > 3000 and port_rows[0] != port_rows[1]
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        local_directory=str(tmp_path),
    ) as cluster:
        remote = execute(tasks, scheduler=cluster.scheduler_address)
    assert remote == local
