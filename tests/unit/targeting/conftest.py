"""Shared fixtures of the targeting unit tests (small, seeded, no ../shared)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from border21.targeting.generator import generate_declarations
from border21.targeting.io import read_declarations

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "customs"


@pytest.fixture(scope="session")
def kcs_train() -> pd.DataFrame:
    return read_declarations(FIXTURES / "kcs_train_slice.csv", require_label=True)


@pytest.fixture(scope="session")
def kcs_test() -> pd.DataFrame:
    return read_declarations(FIXTURES / "kcs_test_slice.csv", require_label=True)


@pytest.fixture(scope="session")
def synthetic() -> pd.DataFrame:
    return generate_declarations(2_000, seed=11)
