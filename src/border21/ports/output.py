"""Write a simulation result as Parquet (CSV when asked), with its seed and config hash.

Parquet is the default: per-crossing records as CSV run to about 190 bytes a
crossing (760 MB for a week of San Ysidro × 5 replications), as Parquet to
about a third of that. ``csv=True`` adds a CSV beside every Parquet file, and the
caller is told when the CSVs will pass :data:`CSV_WARN_BYTES`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from border21.ports.runs import SimulationResult


CSV_WARN_BYTES = 100_000_000
_SAMPLE_ROWS = 20_000


def write_result(
    result: SimulationResult,
    out: Path,
    *,
    records: bool = True,
    csv: bool = False,
    notes: list[str] | None = None,
) -> list[Path]:
    """Write summaries (and per-crossing records) to ``out``; return the files written.

    Parquet always; with ``csv`` a CSV beside each file. When the record CSVs
    are estimated (from a sample of rows) to pass :data:`CSV_WARN_BYTES`, a
    line saying so is appended to ``notes`` before they are written.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def write(table: pa.Table, stem: str) -> None:
        path = out / f"{stem}.parquet"
        pq.write_table(table, path)
        written.append(path)
        if csv:
            import pyarrow.csv as pacsv

            csv_path = out / f"{stem}.csv"
            pacsv.write_csv(table.cast(_plain_schema(table)), csv_path)
            written.append(csv_path)

    for name, frame in result.tables().items():
        write(pa.Table.from_pandas(frame, preserve_index=False), name)
    if records:
        from border21.ports.kernels.common import DAY

        cutoff = result.warm_up_days * DAY
        tables = []
        for rec in result.replications:
            table = rec.to_arrow()
            assert isinstance(table, pa.Table)
            first = rec.arrival if rec.origin is None else rec.origin
            tables.append(table.append_column("warm_up", pa.array(first < cutoff)))
        if csv and notes is not None and tables:
            size = sum(len(t) for t in tables) * csv_bytes_per_row(tables[0])
            if size > CSV_WARN_BYTES:
                notes.append(
                    f"the per-crossing CSVs take about {size / 1e6:,.0f} MB "
                    "(the Parquet files hold the same records; --no-records leaves both out)"
                )
        for i, table in enumerate(tables):
            write(table, f"records_rep{i:03d}")
    port = result.scenario.port
    meta = {
        "port": port.name,
        "port_code": port.port_code,
        "description": port.description,
        "provenance": port.provenance,
        "days": result.days,
        "warm_up_days": result.warm_up_days,
        "reported_days": result.reported_days,
        "warm_up": result.warm_up_note,
        "replications": len(result.replications),
        "seed": result.seed,
        "config_hash": result.config_hash,
        "warnings": result.warnings,
        "scenario": result.scenario.model_dump(mode="json"),
        "effective_scenario": result.ran.model_dump(mode="json"),
    }
    meta_path = out / "run.json"
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    written.append(meta_path)
    return written


def csv_bytes_per_row(table: object) -> float:
    """Bytes a row of ``table`` takes as CSV, measured on its first rows."""
    import io

    import pyarrow as pa
    import pyarrow.csv as pacsv

    assert isinstance(table, pa.Table)
    sample = table.slice(0, _SAMPLE_ROWS)
    if not len(sample):
        return 0.0
    buf = io.BytesIO()
    pacsv.write_csv(sample.cast(_plain_schema(sample)), buf)
    return buf.tell() / len(sample)


def _plain_schema(table: object) -> object:
    """Dictionary columns decoded to strings, for CSV."""
    import pyarrow as pa

    assert isinstance(table, pa.Table)
    fields = [
        pa.field(f.name, pa.string()) if pa.types.is_dictionary(f.type) else f for f in table.schema
    ]
    return pa.schema(fields)
