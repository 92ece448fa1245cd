from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from border21.data.store import Store, open_store

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "data"


@pytest.fixture()
def store() -> Iterator[Store]:
    with open_store(None, threads=1) as s:
        yield s


@pytest.fixture()
def fixtures() -> Path:
    return FIXTURES
