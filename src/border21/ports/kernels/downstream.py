"""The downstream driver: referral, detection and secondary for one variant of a primary stage.

Crossings come in order of primary departure with their variates drawn once
per stage (a reading :class:`~border21.ports.kernels.rng.Source`), so every
variant of a replication sees the same carriers and the same uniforms for
referral (common random numbers). The steps are the one-pass driver's:
:func:`~border21.ports.kernels.referral.referral_outcome`,
:func:`~border21.ports.kernels.service.unit_variate` and the queue steps of
:mod:`~border21.ports.kernels.queue`, each referred crossing queued at its
area the moment it leaves primary (departures are in order, so this is the
replay driver's arrival order).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from border21.ports.kernels.common import HOUR, borrow
from border21.ports.kernels.common import U as _U
from border21.ports.kernels.queue import QueueState, choose_booth, choose_lane, join
from border21.ports.kernels.referral import referral_outcome
from border21.ports.kernels.rng import Source
from border21.ports.kernels.service import unit_variate
from border21.ports.kernels.tables import QueueTables


class DownstreamTables(NamedTuple):
    """A variant's downstream parameters per class (``stream × n_programs + program``).

    Random referral probability; (carrier, officer's suspicion, secondary's
    finding) probabilities; secondary area (-1: none); a weight per hour of
    delay (e.g. its value in dollars), whether it counts as a truck, and
    whether it is southbound. Per area: exam-time
    distribution and (p1, p2, mean seconds).
    """

    cls_ref_p: np.ndarray  # float64[classes]
    cls_prob: np.ndarray  # float64[classes, 3]
    cls_area: np.ndarray  # int64[classes]
    cls_weight: np.ndarray  # float64[classes]
    cls_truck: np.ndarray  # bool[classes]
    cls_south: np.ndarray  # bool[classes]: a southbound class
    area_dist: np.ndarray  # int64[areas]
    area_par: np.ndarray  # float64[areas, 3]


class DownstreamRecords(NamedTuple):
    """Per-crossing outcomes, indexed like the primary records (length 0: not kept)."""

    referred: np.ndarray  # bool
    carrier: np.ndarray  # bool
    detected: np.ndarray  # bool
    secondary_start: np.ndarray  # float64
    departure: np.ndarray  # float64


#: Rows of :func:`downstream_pass`'s sums.
SUMS = (
    "carriers",
    "detected",
    "referred",
    "licit_referred",
    "extra_hours",
    "truck_extra_hours",
    "weighted_extra_hours",
)


@njit(cache=True, nogil=True)
def downstream_pass(  # pragma: no cover - compiled
    src: Source,
    dep: np.ndarray,
    cls: np.ndarray,
    arrival: np.ndarray,
    count_from: float,
    tab: DownstreamTables,
    secondary: QueueTables,
    qs: QueueState,
    keep: bool,
    out: DownstreamRecords,
) -> tuple[np.ndarray, int]:
    """Referral, carriers, detection and secondary queueing of one variant.

    ``dep``, ``cls`` and ``arrival`` are each crossing's primary departure,
    class and arrival, in departure order; ``src.index`` its row in the
    primary records. Returns the sums named by :data:`SUMS` (extra hours:
    from primary departure to leaving the port) over the crossings that
    arrived at ``count_from`` or later (earlier ones, a warm-up, still queue
    at secondary), as a ``[2, len(SUMS)]`` array: row 0 over every crossing,
    row 1 over the southbound ones (so a caller keeps each flow apart: the
    northbound sums are row 0 minus row 1), and ``orphan``: the first class
    whose crossing was referred without a secondary area, or -1. With
    ``keep`` the per-crossing outcomes are written to ``out``.
    """
    src, tab, secondary, qs, out = borrow((src, tab, secondary, qs, out))
    track = qs.heap_t.shape[0] > 0
    carriers = 0
    detected = 0
    licit = 0
    referred = 0
    orphan = -1
    extra_h = 0.0
    truck_h = 0.0
    weighted = 0.0
    # The southbound share of each sum, in registers beside the totals and
    # behind a branch on the class's flow (the same way for every crossing of a
    # northbound-only port, so predicted). A per-class array of sums (memory adds
    # on one address crossing after crossing) made the 1,000-scenario sweep
    # 12-14% slower; multiplying every crossing's counts by a 0/1 float made it
    # about 5% slower (a floating-point add chained from crossing to crossing).
    sb_carriers = 0
    sb_detected = 0
    sb_referred = 0
    sb_licit = 0
    sb_extra_h = 0.0
    sb_truck_h = 0.0
    sb_weighted = 0.0
    for j in range(dep.shape[0]):
        uj = _U(j)
        c = cls[uj]
        uc = _U(c)
        t = dep[uj]
        ref, car, det = referral_outcome(
            src,
            j,
            tab.cls_ref_p[uc],
            tab.cls_prob[uc, _U(0)],
            tab.cls_prob[uc, _U(1)],
            tab.cls_prob[uc, _U(2)],
        )
        counted = arrival[uj] >= count_from
        south = tab.cls_south[uc]
        carriers += car and counted
        if south:
            sb_carriers += car and counted
        if keep:
            i = _U(src.index[uj])
            out.referred[i] = ref
            out.carrier[i] = car
            out.detected[i] = det
            out.secondary_start[i] = t
            out.departure[i] = t
        if not ref:
            continue
        referred += counted
        detected += det and counted
        licit += counted and not car
        if south:
            sb_referred += counted
            sb_detected += det and counted
            sb_licit += counted and not car
        a = tab.cls_area[uc]
        if a < 0:
            if orphan < 0:
                orphan = c
            continue
        ua = _U(a)
        service = tab.area_par[ua, _U(2)] * unit_variate(
            src, j, tab.area_dist[ua], tab.area_par[ua, _U(0)], tab.area_par[ua, _U(1)]
        )
        ln = choose_lane(t, a, j, secondary, qs, src)
        b, start = choose_booth(t, ln, secondary, qs.booth_free)
        leave = start + service
        join(ln, b, leave, qs, track)
        if counted:
            extra = (leave - t) / HOUR
            extra_h += extra
            weighted += tab.cls_weight[uc] * extra
            truck = tab.cls_truck[uc]
            if truck:
                truck_h += extra
            if south:
                sb_extra_h += extra
                sb_weighted += tab.cls_weight[uc] * extra
                if truck:
                    sb_truck_h += extra
        if keep:
            i = _U(src.index[uj])
            out.secondary_start[i] = start
            out.departure[i] = leave
    sums = np.array(
        [
            [carriers, detected, referred, licit, extra_h, truck_h, weighted],
            [sb_carriers, sb_detected, sb_referred, sb_licit, sb_extra_h, sb_truck_h, sb_weighted],
        ],
        np.float64,
    )
    return sums, orphan
