"""The dashboard's what-if sliders, as typed scenario edits (:mod:`border21.ports.edits`).

>>> from border21.ports.catalog import load_scenario
>>> sc = apply_sliders(load_scenario("laredo_wtb"), booth_scale=1.5, referral_rate=0.1)
>>> max(sc.lanes["general"].open_booths()), sc.streams["trucks"].referral_probability
(18, 0.1)
"""

from __future__ import annotations

from border21.ports.config import PortScenario
from border21.ports.edits import with_booth_scale, with_referral_rate


def apply_sliders(
    scenario: PortScenario, *, booth_scale: float = 1.0, referral_rate: float | None = None
) -> PortScenario:
    """Staffed booths × ``booth_scale``, then (if given) every stream's referral rate."""
    if booth_scale != 1.0:
        scenario = with_booth_scale(scenario, booth_scale)
    if referral_rate is not None:
        scenario = with_referral_rate(scenario, referral_rate)
    return scenario
