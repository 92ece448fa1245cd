"""Every docstring example in the package runs (executable documentation)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import border21

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(border21.__path__, "border21.")
    if not m.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
