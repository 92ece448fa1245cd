"""The named structures the kernels read and write.

Each is a ``NamedTuple`` of arrays (Numba passes one as a single argument and
reads a field like a local), so a kernel takes a few named tables instead of
dozens of positional arrays, and no row is known only by its position.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class QueueTables(NamedTuple):
    """One queueing stage (primary lanes, or secondary areas) in kernel form.

    Class ``c`` may join lanes ``class_lanes[class_ptr[c] : class_ptr[c + 1]]``;
    lane ``ln`` has booths ``lane_first_booth[ln] ..`` (``lane_nbooths[ln]`` of
    them). ``sched[g, h]`` is the number of open booths of group ``g`` in hour
    ``h`` of the day; a booth is open when its ``booth_rank`` is below that
    number. ``lane_open`` and ``lane_open_step`` are derived from them (see
    :func:`border21.ports.kernels.queue.lane_hours`), and so is each lane's JSQ
    key by hour (:func:`border21.ports.kernels.queue.lane_keys`).
    """

    class_ptr: np.ndarray  # int64[classes + 1]
    class_lanes: np.ndarray  # int64
    lane_group: np.ndarray  # int32[lanes]
    lane_first_booth: np.ndarray  # int64[lanes]
    lane_nbooths: np.ndarray  # int64[lanes]
    booth_rank: np.ndarray  # int64[booths]
    sched: np.ndarray  # int64[groups, 24]
    always_open: np.ndarray  # bool[groups]: every booth of the group open in every hour
    lane_open: np.ndarray  # int64[lanes, 24]: open booths of the lane in each hour of the day
    lane_open_step: np.ndarray  # int64[lanes, 24]: hours until the lane next opens (25: never)
    lane_key_base: np.ndarray  # int64[lanes, 24]: JSQ key numerator before the lane's count
    lane_key_den: np.ndarray  # int64[lanes, 24]: JSQ key denominator


class RandomModel(NamedTuple):
    """What a driver that draws needs: arrival intensities, classes, services, referral.

    Per stream ``s``: ``cum``/``hours`` (see :mod:`~border21.ports.kernels.arrivals`),
    its classes ``stream_cls[stream_cls_ptr[s] : stream_cls_ptr[s + 1]]`` with
    cumulative shares ``stream_cls_cum``, its primary-service distribution
    (``stream_dist``, ``stream_par`` = p1, p2), ``stream_prob`` = (carrier,
    officer's suspicion of a carrier, secondary's finding) and ``stream_area``
    (secondary area, -1 for none) and ``stream_hour`` (the factor on the primary mean
    of a crossing arriving in each hour of the day). Per class: mean primary service, random
    referral probability and program code. Per secondary area: exam-time
    distribution and (p1, p2, mean seconds).
    """

    cum: np.ndarray  # float64[streams, hours + 1]
    hours: np.ndarray  # float64[streams, 4 (hours + 1)]
    stream_cls_ptr: np.ndarray  # int64[streams + 1]
    stream_cls: np.ndarray  # int64
    stream_cls_cum: np.ndarray  # float64
    stream_dist: np.ndarray  # int64[streams]
    stream_par: np.ndarray  # float64[streams, 2]
    stream_prob: np.ndarray  # float64[streams, 3]
    stream_area: np.ndarray  # int64[streams]
    stream_hour: np.ndarray  # float64[streams, 24]: factor on the mean by the arrival's hour
    stream_hourly: np.ndarray  # bool[streams]: the stream has factors (not all 1)
    class_mean: np.ndarray  # float64[classes]
    class_ref_p: np.ndarray  # float64[classes]
    class_prog: np.ndarray  # int32[classes]
    area_dist: np.ndarray  # int64[areas]
    area_par: np.ndarray  # float64[areas, 3]


class RecordBuffers(NamedTuple):
    """Output columns, one crossing per column index.

    ``times`` rows: arrival, primary start, primary departure, secondary start,
    departure. ``codes`` rows: stream, program, lane group, lane, booth.
    ``flags`` rows: referred, carrier, detected.
    """

    times: np.ndarray  # float64[5, capacity]
    codes: np.ndarray  # int32[5, capacity]
    flags: np.ndarray  # bool[3, capacity]

    @property
    def capacity(self) -> int:
        return int(self.times.shape[1])


ARRIVAL, START, PRIMARY_DEPARTURE, SECONDARY_START, DEPARTURE = range(5)
STREAM, PROGRAM, GROUP, LANE, BOOTH = range(5)
REFERRED, CARRIER, DETECTED = range(3)


def new_record_buffers(capacity: int) -> RecordBuffers:
    """Fresh, unwritten buffers for ``capacity`` crossings (NumPy asks for huge pages)."""
    return RecordBuffers(
        np.empty((5, capacity), np.float64),
        np.empty((5, capacity), np.int32),
        np.empty((3, capacity), np.bool_),
    )
