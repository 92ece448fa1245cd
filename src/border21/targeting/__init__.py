"""Risk targeting: choose what to inspect under a budget, learn, share.

Public API (imported lazily, so ``import border21.targeting`` is cheap):

* records — :func:`validate_declarations`, :data:`SCHEMA`;
  adapters :func:`read_declarations`, :func:`write_declarations`, :func:`read_kcs`;
* generator — :class:`TrafficConfig`, :func:`generate_traffic`,
  :func:`generate_declarations`;
* models — :class:`LightGBMRiskModel`, :class:`EntityProfileModel`,
  :class:`DeclarationFeaturizer`, :func:`check_model`;
* selection — :func:`budget_count`, :func:`top_k`, :class:`GreedyPolicy`,
  :class:`ExplorationPolicy`, :class:`UncertaintyPolicy`,
  :func:`select_for_inspection`, :func:`selection_metrics`;
* loops — :func:`run_online`, :func:`compare_cooperation`,
  :class:`SharingAgreement`, :func:`build_profiles`, :func:`attach_profiles`,
  :func:`hash_ids`.

>>> import border21.targeting as tg
>>> tg.budget_count(1000, 5)
50
"""

from __future__ import annotations

from border21._lazy import lazy_exports

_EXPORTS = {
    "SCHEMA": "records",
    "validate_declarations": "records",
    "read_declarations": "io",
    "write_declarations": "io",
    "read_kcs": "io",
    "TrafficConfig": "generator",
    "BinationalTraffic": "generator",
    "generate_traffic": "generator",
    "generate_declarations": "generator",
    "DeclarationFeaturizer": "features",
    "LightGBMRiskModel": "models",
    "EntityProfileModel": "models",
    "check_model": "conformance",
    "budget_count": "policies",
    "check_budget": "policies",
    "top_k": "policies",
    "GreedyPolicy": "policies",
    "ExplorationPolicy": "policies",
    "UncertaintyPolicy": "policies",
    "Selection": "selection",
    "select_for_inspection": "selection",
    "SelectionMetrics": "metrics",
    "selection_metrics": "metrics",
    "OnlineResult": "online",
    "run_online": "online",
    "SharingAgreement": "cooperation",
    "CooperationResult": "cooperation",
    "build_profiles": "cooperation",
    "attach_profiles": "cooperation",
    "hash_ids": "cooperation",
    "compare_cooperation": "cooperation",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
