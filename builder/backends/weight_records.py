"""What a recipe made of every weight, in one record per weight whatever the backend: the manifest's
`details.quantization`, the report's weights table and `inspect` read these."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

FP32_BYTES = 4


@dataclass
class LayerRecord:
    """One weight of the program: what a recipe made of it, and what it costs in the file."""

    weight: str  # the state-dict name in the exported program (Core ML: the MIL constant's name)
    op: str  # "linear" or "embedding"
    shape: tuple[int, ...]
    precision: str  # "fp32", "fp16", "int8", "int4", "4-bit palette", ...
    scheme: str  # e.g. "per output channel", "per row", "per group of 32", "" for fp32
    # Bytes of the weight as stored: values plus scales (fp32: 4 per value). ExecuTorch: predicted from the
    # scheme; Core ML: read from the package's constants.
    predicted_bytes: int
    # Why the weight stayed in float under a recipe that quantizes its kind of op; "" otherwise.
    left_out: str = ""
    # Why the weight has another precision than the recipe's own (e.g. int8 in a 4-bit recipe); "" otherwise.
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "shape": list(self.shape)}


def fp32_record(weight: str, op: str, shape: tuple[int, ...], left_out: str = "") -> LayerRecord:
    return LayerRecord(weight, op, shape, "fp32", "", math.prod(shape) * FP32_BYTES, left_out)


def summarize(records: list[LayerRecord]) -> dict[str, Any]:
    """Counts by (op, precision), the left-out layers, and the predicted bytes of these weights."""
    counts: dict[str, int] = {}
    for record in records:
        key = f"{record.op} {record.precision}"
        counts[key] = counts.get(key, 0) + 1
    return {
        "counts": dict(sorted(counts.items())),
        "left_out": [{"weight": r.weight, "reason": r.left_out} for r in records if r.left_out],
        "predicted_weight_bytes": sum(r.predicted_bytes for r in records),
        "fp32_weight_bytes": sum(math.prod(r.shape) * FP32_BYTES for r in records),
    }


def describe_counts(counts: dict[str, int]) -> str:
    """{"linear int8": 36, "embedding int8": 3} -> "36 linear int8, 3 embedding int8"."""
    return ", ".join(f"{n} {kind}" for kind, n in counts.items())
