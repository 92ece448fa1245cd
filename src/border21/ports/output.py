"""Write a simulation result as Parquet and CSV, with its seed and config hash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from border21.ports.runs import SimulationResult


def write_result(result: SimulationResult, out: Path, *, records: bool = True) -> list[Path]:
    """Write summaries (and per-crossing records) to ``out``; return the files written."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, frame in result.tables().items():
        table = pa.Table.from_pandas(frame, preserve_index=False)
        for path, writer in (
            (out / f"{name}.parquet", pq.write_table),
            (out / f"{name}.csv", pacsv.write_csv),
        ):
            writer(table, path)
            written.append(path)
    if records:
        from border21.ports.kernels.common import DAY

        cutoff = result.warm_up_days * DAY
        for i, rec in enumerate(result.replications):
            table = rec.to_arrow()
            assert isinstance(table, pa.Table)
            first = rec.arrival if rec.origin is None else rec.origin
            table = table.append_column("warm_up", pa.array(first < cutoff))
            path = out / f"records_rep{i:03d}.parquet"
            pq.write_table(table, path)
            written.append(path)
            csv_path = out / f"records_rep{i:03d}.csv"
            pacsv.write_csv(table.cast(_plain_schema(table)), csv_path)
            written.append(csv_path)
    port = result.scenario.port
    meta = {
        "port": port.name,
        "port_code": port.port_code,
        "description": port.description,
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


def _plain_schema(table: object) -> object:
    """Dictionary columns decoded to strings, for CSV."""
    import pyarrow as pa

    assert isinstance(table, pa.Table)
    fields = [
        pa.field(f.name, pa.string()) if pa.types.is_dictionary(f.type) else f for f in table.schema
    ]
    return pa.schema(fields)
