"""The examples in the data and report modules' docstrings run and are right."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "border21.data", "border21.data.store", "border21.data.schema", "border21.data.names",
    "border21.data.loaders", "border21.data.loaders._base", "border21.data.samples",
    "border21.data.indicators", "border21.data.effects", "border21.reports.charts",
]  # fmt: skip


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_importing_the_package_stays_light() -> None:
    import subprocess
    import sys

    code = "import sys, border21.data; print('duckdb' in sys.modules, 'statsmodels' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
