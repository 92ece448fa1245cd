"""A compact, Numba-compiled evaluator for a LightGBM binary model.

LightGBM's own ``Booster.predict`` converts each dense row to sparse pairs,
which caps one-core throughput near 10⁵ rows/s. Here the trees become flat
arrays and a jitted loop walks them, replicating LightGBM's numerical
decision rule exactly (missing types ``None``, ``Zero``, ``NaN``; default
direction). Equality with ``Booster.predict`` is asserted in the unit tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

_MISSING = {"None": 0, "Zero": 1, "NaN": 2}


@dataclass(frozen=True)
class FlatForest:
    """Trees as arrays; node ``i`` of tree ``t`` sits at ``offset[t] + i``.

    Children ``>= 0`` are internal nodes; ``< 0`` encode leaf ``~child``.
    """

    offset: np.ndarray
    leaf_offset: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing: np.ndarray
    default_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf_value: np.ndarray

    @classmethod
    def from_booster(cls, booster: Any) -> FlatForest:
        """Flatten a fitted ``lightgbm.Booster`` (numerical splits only)."""
        dump = booster.dump_model()
        cols: dict[str, list[Any]] = {k: [] for k in ("f", "t", "m", "d", "l", "r", "v")}
        offset, leaf_offset = [], []
        for tree in dump["tree_info"]:
            offset.append(len(cols["f"]))
            leaf_offset.append(len(cols["v"]))
            _flatten(tree["tree_structure"], cols)
        return cls(
            offset=np.asarray(offset, dtype=np.int64),
            leaf_offset=np.asarray(leaf_offset, dtype=np.int64),
            feature=np.asarray(cols["f"], dtype=np.int64),
            threshold=np.asarray(cols["t"], dtype=np.float64),
            missing=np.asarray(cols["m"], dtype=np.int8),
            default_left=np.asarray(cols["d"], dtype=np.bool_),
            left=np.asarray(cols["l"], dtype=np.int64),
            right=np.asarray(cols["r"], dtype=np.int64),
            leaf_value=np.asarray(cols["v"], dtype=np.float64),
        )

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """P(fraud) for each row of a float64 feature matrix."""
        raw = _raw_scores(
            np.ascontiguousarray(X, dtype=np.float64),  # row-major: one row stays in cache
            self.offset,
            self.leaf_offset,
            self.feature,
            self.threshold,
            self.missing,
            self.default_left,
            self.left,
            self.right,
            self.leaf_value,
        )
        return np.asarray(1.0 / (1.0 + np.exp(-raw)))


def _flatten(root: dict[str, Any], cols: dict[str, list[Any]]) -> None:
    """Pre-order walk; internal nodes and leaves numbered per tree from 0."""
    if "leaf_value" in root and "split_index" not in root:  # single-leaf tree
        cols["f"].append(0)
        cols["t"].append(np.inf)
        cols["m"].append(0)
        cols["d"].append(True)
        cols["l"].append(~len_leaves(cols, root))
        cols["r"].append(cols["l"][-1])
        return
    base = len(cols["f"])
    leaf_base = len(cols["v"])
    nodes: list[dict[str, Any]] = []
    leaves: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> int:
        if "leaf_value" in node:
            leaves.append(node)
            return ~(len(leaves) - 1)
        idx = len(nodes)
        nodes.append(node)
        node["_l"] = walk(node["left_child"])
        node["_r"] = walk(node["right_child"])
        return idx

    walk(root)
    for node in nodes:
        if node["decision_type"] != "<=":
            raise ValueError("only numerical splits are supported")
        cols["f"].append(int(node["split_feature"]))
        cols["t"].append(float(node["threshold"]))
        cols["m"].append(_MISSING[node["missing_type"]])
        cols["d"].append(bool(node["default_left"]))
        cols["l"].append(node["_l"])
        cols["r"].append(node["_r"])
    cols["v"].extend(float(leaf["leaf_value"]) for leaf in leaves)
    del base, leaf_base


def len_leaves(cols: dict[str, list[Any]], leaf: dict[str, Any]) -> int:
    """Append a lone leaf and return its index within its tree (always 0)."""
    cols["v"].append(float(leaf["leaf_value"]))
    return 0


def _raw_python(
    X: np.ndarray,
    offset: np.ndarray,
    leaf_offset: np.ndarray,
    feature: np.ndarray,
    threshold: np.ndarray,
    missing: np.ndarray,
    default_left: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    leaf_value: np.ndarray,
) -> np.ndarray:
    n = X.shape[0]
    out = np.zeros(n)
    for i in range(n):
        total = 0.0
        for t in range(offset.shape[0]):
            base = offset[t]
            node = 0
            while node >= 0:
                j = base + node
                x = X[i, feature[j]]
                mt = missing[j]
                if np.isnan(x) and mt != 2:
                    x = 0.0
                if (mt == 1 and abs(x) <= 1e-35) or (mt == 2 and np.isnan(x)):
                    node = left[j] if default_left[j] else right[j]
                elif x <= threshold[j]:
                    node = left[j]
                else:
                    node = right[j]
            total += leaf_value[leaf_offset[t] + ~node]
        out[i] = total
    return out


_raw_scores: Any
try:
    from numba import njit

    _raw_scores = njit(cache=False, nogil=True)(_raw_python)
except ImportError:  # pragma: no cover - numba is a declared dependency
    _raw_scores = _raw_python
