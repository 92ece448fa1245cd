"""The public API: what each package exports, pinned (as httpx's tests/test_exported_members.py).

A change to a package's public names must change this file too. Every listed
name must resolve, and importing a package must not load the heavy libraries
(its names load them when first used).
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import types

import pytest

PUBLIC = {
    "border21": [
        "Border21Error",
        "CrossingRecords",
        "InputError",
        "NotFoundError",
        "PortModel",
        "PortScenario",
        "RunLimits",
        "SimulationResult",
        "__version__",
        "load_scenario",
        "shipped_scenarios",
        "simulate",
        "validate_scenario",
        "with_overrides",
        "with_values",
    ],
    "border21.ports": [
        "CrossingDraws",
        "CrossingRecords",
        "DAY",
        "HOUR",
        "PortModel",
        "PortScenario",
        "PrimaryStage",
        "RunLimits",
        "SimulationResult",
        "effective_scenario",
        "load_scenario",
        "offered_load",
        "run_downstream",
        "run_primary",
        "shipped_scenarios",
        "simulate",
        "validate_scenario",
        "with_overrides",
        "with_switches",
        "with_value",
        "with_values",
    ],
    "border21.frontier": [
        "DelayCosts",
        "PolicySpec",
        "PreparedScenario",
        "RunMetrics",
        "build_grid",
        "build_tasks",
        "build_variants",
        "calibrate",
        "execute",
        "parse_axis",
        "run_demo",
        "run_metrics",
        "run_replication",
        "summarise",
    ],
    "border21.reports": ["Chart", "save_chart", "time_chart", "trends_report"],
    "border21.service": ["AGENCIES", "RECORD_KINDS", "ROLES"],
    "border21.cli": [],
}


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_public_names_are_pinned_and_resolve(package: str) -> None:
    module = importlib.import_module(package)
    assert sorted(module.__all__) == sorted(PUBLIC[package])
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    assert set(module.__all__) <= set(dir(module))


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_no_submodule_shadows_an_exported_name(package: str) -> None:
    # Importing a submodule sets it as the package's attribute of that name, so
    # an exported ``simulate`` beside a ``simulate.py`` turns into the module
    # as soon as anything imports the module: which one a caller got depended
    # on import order.
    module = importlib.import_module(package)
    path = getattr(module, "__path__", [])
    submodules = {info.name for info in pkgutil.iter_modules(path)}
    assert not submodules & set(module.__all__)
    for name in module.__all__:
        value = getattr(module, name)
        assert not isinstance(value, types.ModuleType), name


@pytest.mark.parametrize("package", ["border21.data", "border21.targeting"])
def test_other_packages_declare_their_names(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__all__ and all(hasattr(module, name) for name in module.__all__)


def test_unknown_names_are_attribute_errors() -> None:
    import border21

    with pytest.raises(AttributeError, match="no attribute 'Teleport'"):
        border21.Teleport  # noqa: B018


def test_importing_the_packages_stays_cheap() -> None:
    code = (
        "import sys, border21, border21.ports, border21.frontier, border21.reports, "
        "border21.targeting\n"
        "heavy = ('numba', 'pandas', 'duckdb', 'lightgbm', 'altair')\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
