"""The REST API and web dashboard (``border21 serve``).

Adapters only: requests are parsed into validated objects, handed to the pure
cores (ports, data, targeting, frontier) and their results formatted as JSON
or pages. The service adds what the cores do not have: users and hashed API
tokens, agency-owned records, sharing agreements and a hash-chained audit log,
all in one SQLite file under the service's data directory.

Importing this package is cheap; FastAPI is imported by :mod:`border21.service.app`.
"""

from __future__ import annotations

AGENCIES = ("us-cbp", "mx-customs", "analyst")
"""Who a user works for. ``analyst`` = outside analysts (aggregates only)."""

ROLES = ("viewer", "analyst", "admin")
"""What a user may do, least to most."""

RECORD_KINDS = ("declaration", "inspection", "seizure", "risk_profile")
"""Agency-owned record kinds."""

__all__ = ["AGENCIES", "RECORD_KINDS", "ROLES"]
