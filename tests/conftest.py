"""Shared fixtures. Tests never read ../shared; they use repo fixtures or shipped data."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(autouse=True, scope="session")
def _model_key(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`target train` signs models with a key file; tests use one of their own, never $HOME's."""
    os.environ["BORDER21_MODEL_KEY"] = str(tmp_path_factory.mktemp("model-key") / "model.key")
