"""The money value of waiting, so that a frontier can be read in dollars.

The defaults are documented public figures; every one can be overridden.

* Personal travel time: US DOT *Revised Departmental Guidance on Valuation of
  Travel Time in Economic Analysis* (2016), all-purpose surface travel,
  $14.20 per person-hour (2015 dollars).
* Vehicle occupancy: BTS Border Crossing Entry Data, US–Mexico border 2024,
  personal-vehicle passengers ÷ personal vehicles ≈ 1.6 (crossings/PROVENANCE.md
  data; 122.9 M passengers / 76.9 M vehicles).
* Truck time: ATRI *An Analysis of the Operational Costs of Trucking: 2023
  Update*, marginal cost $91.27 per truck-hour (2022), covering driver wages
  and benefits, fuel, equipment, insurance and tolls but not cargo inventory.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class DelayCosts:
    """Dollar value of one hour of delay by traveller kind.

    >>> DelayCosts().per_crossing_hour("personal_vehicle")
    22.72
    """

    person_hour_usd: float = 14.20
    vehicle_occupancy: float = 1.6
    truck_hour_usd: float = 91.27
    bus_occupancy: float = 30.0

    def per_crossing_hour(self, kind: str) -> float:
        """Value of one hour of delay for one crossing of this stream kind."""
        if kind == "truck":
            return self.truck_hour_usd
        if kind == "personal_vehicle":
            return round(self.person_hour_usd * self.vehicle_occupancy, 2)
        if kind == "bus":
            return self.person_hour_usd * self.bus_occupancy
        return self.person_hour_usd
