"""Ports: a fast, validated simulator of land ports of entry."""

from __future__ import annotations

from border21.ports.catalog import load_scenario, shipped_scenarios
from border21.ports.config import PortScenario, validate_scenario

__all__ = ["PortScenario", "load_scenario", "shipped_scenarios", "validate_scenario"]
