"""Named cooperation variants of a base scenario, and the risk pool each one uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from border21.errors import InputError
from border21.frontier.risk import CrossingRisk, RiskPool, RiskSetup
from border21.i18n.message import Message
from border21.ports.config import PortScenario
from border21.ports.cooperation import with_switches

VARIANTS = ("baseline", "shared_intelligence", "ucp", "enrolment", "southbound")
TARGETING_POLICIES = ("targeted",)


def build_variants(
    base: PortScenario,
    names: Sequence[str],
    *,
    enrolment_scale: float = 1.5,
    southbound_rate: float = 0.01,
) -> dict[str, PortScenario]:
    """Each named variant: ``baseline`` is the scenario as given; the others flip one switch.

    >>> from border21.ports.catalog import load_scenario
    >>> sorted(build_variants(load_scenario("laredo_wtb"), ["baseline", "ucp"]))
    ['baseline', 'ucp']
    """
    out: dict[str, PortScenario] = {}
    for name in names:
        if name not in VARIANTS:
            raise InputError(
                "variant",
                name,
                Message("unknown variant (known: {variants})", variants=", ".join(VARIANTS)),
            )
        if name == "baseline":
            out[name] = base
        elif name == "shared_intelligence":
            out[name] = with_switches(base, shared_intelligence=True)
        elif name == "ucp":
            if base.cooperation.export_inspection is None:
                raise InputError(
                    "variant",
                    name,
                    Message(
                        "{port} describes no [cooperation.export_inspection] to unify",
                        port=base.port.name,
                    ),
                )
            out[name] = with_switches(base, ucp=True)
        elif name == "enrolment":
            out[name] = with_switches(base, trusted_enrolment_scale=enrolment_scale)
        else:
            if not any(s.direction == "southbound" for s in base.streams.values()):
                raise InputError(
                    "variant", name, Message("{port} has no southbound stream", port=base.port.name)
                )
            out[name] = with_switches(base, southbound_inspection_probability=southbound_rate)
    return out


def risk_pools(
    variants: dict[str, PortScenario],
    policies: Sequence[str],
    *,
    setup: RiskSetup | None = None,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, RiskPool | None]:
    """One scored declaration pool per variant (shared or not), only if a policy targets."""
    if not any(p in TARGETING_POLICIES for p in policies):
        return dict.fromkeys(variants)
    setup = setup or RiskSetup()
    cache: dict[bool, RiskPool] = {}
    out: dict[str, RiskPool | None] = {}
    for name, sc in variants.items():
        shared = sc.cooperation.shared_intelligence
        if shared not in cache:
            if progress is not None:
                progress(f"training the {'shared-intelligence' if shared else 'isolated'} model")
            from dataclasses import replace

            cache[shared] = CrossingRisk(replace(setup, shared_intelligence=shared), seed=seed).pool
        out[name] = cache[shared]
    return out
