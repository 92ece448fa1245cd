"""Synthetic agency records for a fresh service (``border21 serve --demo-data``).

Each agency gets pending declarations (what the targeting page ranks),
inspection results, seizures and per-importer risk profiles, drawn from the
targeting generator with a fixed seed. Written through :class:`AgencyData`,
so the audit log records the seeding like any other write.
"""

from __future__ import annotations

from typing import Any

from border21.service.access import utc_now
from border21.service.agency_data import AgencyData
from border21.service.auth import Principal

SIDES = {"us-cbp": "US", "mx-customs": "MX"}
_DECLARATION_FIELDS = (
    "declaration_id", "date", "office_id", "importer_id", "declarant_id", "seller_id",
    "courier_id", "hs6", "origin_country", "transport_mode", "value", "net_mass_kg",
    "quantity", "tax_rate",
)  # fmt: skip


def _rows(frame: Any, columns: list[str]) -> list[dict[str, Any]]:
    from border21.reports.charts import to_records

    return to_records(frame[[c for c in columns if c in frame.columns]])


def seed_demo_records(data: AgencyData, *, seed: int = 7, pending: int = 150) -> dict[str, int]:
    """Add demo records for both agencies if none exist; return counts added per agency."""
    if data.db.query("SELECT 1 FROM records LIMIT 1"):
        return {}
    from border21.targeting.generator import generate_declarations

    added: dict[str, int] = {}
    for offset, (agency, side) in enumerate(SIDES.items()):
        system = Principal(name="system:demo-data", agency=agency, role="admin")
        frame = generate_declarations(pending + 300, seed=seed + offset, agency=side)  # type: ignore[arg-type]
        now = utc_now()
        fields = list(_DECLARATION_FIELDS)
        n = len(data.add_records(system, "declaration", _rows(frame.iloc[:pending], fields), now))
        done = frame.iloc[pending:]
        inspected = _rows(done, [*fields, "fraud"])
        n += len(data.add_records(system, "inspection", inspected, now))
        hits = done[done["fraud"] == 1]
        seizures = [
            {"declaration_id": r["declaration_id"], "date": r["date"], "office_id": r["office_id"],
             "importer_id": r["importer_id"], "value": r["value"], "finding": "undervaluation"
             if side == "US" else "overvaluation"}
            for r in _rows(hits, fields)
        ]  # fmt: skip
        if seizures:
            n += len(data.add_records(system, "seizure", seizures, now))
        stats = done.groupby("importer_id")["fraud"].agg(["count", "mean"]).reset_index()
        stats = stats[stats["count"] >= 2].head(100)
        profiles = [
            {"entity": f"importer:{r.importer_id}", "inspections": int(r.count),
             "fraud_rate": round(float(r.mean), 4)}
            for r in stats.itertuples()
        ]  # fmt: skip
        n += len(data.add_records(system, "risk_profile", profiles, now))
        added[agency] = n
    return added
