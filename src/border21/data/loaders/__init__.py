"""Loaders, one module per source, all sharing :mod:`border21.data.loaders._base`.

>>> sorted(SOURCES)[:3]
['apprehensions', 'bridge_lanes', 'bridge_sites']
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from border21.data.loaders import (
    apprehensions,
    bridges,
    crossings,
    events,
    homicides,
    seizures,
    trade,
    waittimes,
)
from border21.data.loaders._base import (
    LoadResult,
    SourceSpec,
    check_columns,
    csv_header,
    load_file,
    reconcile_header,
)
from border21.errors import InputError, NotFoundError
from border21.i18n.message import Message

if TYPE_CHECKING:
    from border21.data.store import Store

SOURCES: dict[str, tuple[SourceSpec, ...]] = {
    "crossings": (crossings.SPEC,),
    "trade": trade.SPECS,
    "seizures": (seizures.SPEC,),
    "apprehensions": (apprehensions.SPEC,),
    "homicides": (homicides.INEGI,),
    "sesnsp": (homicides.SESNSP, homicides.SESNSP_OFFICIAL),
    "population": (homicides.POPULATION,),
    "waittimes": waittimes.SPECS,
    "hourly": (waittimes.HOURLY,),
    "bridges": (bridges.SPEC,),
    "bridge_sites": (bridges.SITES,),
    "bridge_lanes": (bridges.LANES,),
    "events": (events.SPEC,),
}

__all__ = ["SOURCES", "LoadResult", "SourceSpec", "load_source", "read_header"]


def read_header(store: Store, spec: SourceSpec, path: Path) -> list[str]:
    """Column names of a CSV, Parquet or spreadsheet file, without loading it."""
    import duckdb

    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xls"):
            import pandas as pd

            return [str(c) for c in pd.read_excel(path, nrows=0).columns]
        if suffix != ".parquet":
            return csv_header(path, spec.encoding)[0]
        rel = store.con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)])
        return [r[0] for r in rel.fetchall()]
    except (duckdb.Error, ValueError, OSError) as exc:
        raise InputError("file", str(path), str(exc).strip().splitlines()[0]) from None


def pick_spec(source: str, header: list[str]) -> SourceSpec:
    """The layout of ``source`` whose required columns the header has (best match)."""
    specs = SOURCES[source]
    for spec in specs:
        if set(spec.columns) <= set(header) and set(header) <= set(
            spec.columns + spec.optional_columns
        ):
            return spec
    return max(specs, key=lambda s: len(set(s.columns) & set(header)))


def load_source(
    store: Store, source: str, path: str | Path, *, force: bool = False, label: str | None = None
) -> LoadResult:
    """Validate and load ``path`` as ``source`` (one transaction; see ``_base``).

    Raises :class:`InputError` naming missing/unexpected columns, and
    :class:`NotFoundError` for an unknown source.
    """
    if source not in SOURCES:
        raise NotFoundError(
            Message(
                "unknown source {source!r}; known: {sources}",
                source=source,
                sources=", ".join(sorted(SOURCES)),
            )
        )
    path = Path(path)
    if not path.is_file():
        raise InputError("file", str(path), Message("no such file"))
    spec = SOURCES[source][0]
    raw_header = read_header(store, spec, path)
    for candidate in SOURCES[source]:  # tolerate mangled accents in header names
        mapping = reconcile_header(candidate, raw_header)
        header = [mapping.get(h, h) for h in raw_header]
        if set(candidate.columns) <= set(header):
            break
    spec = pick_spec(source, header)
    check_columns(spec, header, path.name)
    return load_file(store, spec, path, force=force, label=label)
