"""The border data warehouse: an embedded DuckDB store of real public data.

Quick start (offline, from the samples shipped in the package)::

    >>> from border21.data import open_store, load_samples, indicators
    >>> store = open_store(None)            # a path, or None for in-memory
    >>> _ = load_samples(store)
    >>> indicators.monthly_crossings(store, "San Ysidro").tail(1).value.item() > 0
    True
    >>> indicators.hourly_wait_profile(store, "san ysidro").shape
    (24, 3)
    >>> store.close()

Importing this package does not import DuckDB, pandas or statsmodels; the
functions do, when called.
"""

from __future__ import annotations

from border21.data import effects, indicators
from border21.data.loaders import SOURCES, LoadResult, load_source
from border21.data.samples import load_samples
from border21.data.store import Store, default_db_path, open_store

__all__ = [
    "SOURCES",
    "LoadResult",
    "Store",
    "default_db_path",
    "effects",
    "indicators",
    "load_samples",
    "load_source",
    "open_store",
]
