"""Shared fixtures. Tests never read ../shared; they use repo fixtures or shipped data."""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
