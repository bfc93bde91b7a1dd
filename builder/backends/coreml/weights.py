"""What a Core ML recipe made of every weight, read back from the finished ML Program.

coremltools compresses a weight by replacing its constant with a `constexpr_*` op that rebuilds it
when the model loads: affine int8 dequantization, blockwise shift-and-scale (iOS 18 int4/int8
blocks), a palette look-up table, or sparse storage. Reading the program afterwards, not the
recipe's intent, says what each linear and embedding weight really is in the package, and what
it costs there; one it left as a float constant is recorded with the reason.
"""

from __future__ import annotations

import math
from typing import Any

from builder.backends.weight_records import LayerRecord

# The ops that read a weight, the argument that carries it, and the kind of layer it makes.
WEIGHT_ARGUMENTS = {"linear": ("weight", "linear"), "matmul": ("y", "linear"), "conv": ("weight", "linear"),
                    "gather": ("x", "embedding")}
# coremltools.optimize.coreml's default `weight_threshold`: a weight of at most this many values is never compressed.
WEIGHT_THRESHOLD = 2048


def weight_records(function: Any, compressed: bool) -> list[LayerRecord]:
    """One record per weight a linear, matmul, conv or gather of the MIL `function` reads. `compressed`:
    whether the recipe compresses weights, so that a float one left behind needs a reason."""
    records, seen = [], set()
    for op in function.operations:
        argument, kind = WEIGHT_ARGUMENTS.get(op.op_type, (None, None))
        var = op.inputs.get(argument) if argument else None
        producer = var.op if var is not None else None
        if producer is None or not producer.op_type.startswith("const") or producer.name in seen:
            continue  # an activation (e.g. attention's matmuls), or a weight read twice
        seen.add(producer.name)
        records.append(_record(producer, kind, tuple(int(d) for d in var.shape), compressed))
    return records


def _record(producer: Any, kind: str, shape: tuple[int, ...], compressed: bool) -> LayerRecord:
    stored = _stored_bytes(producer)
    if producer.op_type == "const":
        dtype = _dtype(producer.outputs[0])
        left_out = ""
        if compressed:
            values = math.prod(shape)
            left_out = (f"{values} values, not above coremltools' weight_threshold of {WEIGHT_THRESHOLD}: not worth its scales"
                        if values <= WEIGHT_THRESHOLD else "coremltools left it uncompressed")
        return LayerRecord(producer.name, kind, shape, dtype, "", stored, left_out)
    precision, scheme = _compression(producer, shape, kind)
    return LayerRecord(producer.name, kind, shape, precision, scheme, stored)


def _compression(op: Any, shape: tuple[int, ...], kind: str) -> tuple[str, str]:
    """(precision, scheme) of a constexpr op, e.g. ("int8", "per output channel")."""
    inputs = op.inputs
    per_row = "per row" if kind == "embedding" else "per output channel"
    if op.op_type == "constexpr_affine_dequantize":
        scale = inputs["scale"]
        scheme = per_row if len(scale.shape) == 1 and scale.shape[0] > 1 else "per tensor"
        return _dtype(inputs["quantized_data"]), scheme
    if op.op_type == "constexpr_blockwise_shift_scale":
        data, scale = inputs["data"], inputs["scale"]
        blocks = [int(d) // int(s) for d, s in zip(data.shape, scale.shape) if int(s) not in (1, int(d))]
        scheme = f"per block of {blocks[0]}" if blocks else per_row
        return _dtype(data), scheme
    if op.op_type == "constexpr_lut_to_dense":
        # iOS 17: one 1-D table; iOS 18: [..., entries, vector size], one table per group of channels.
        lut = [int(d) for d in inputs["lut"].shape]
        entries, tables, width = (lut[0], 1, 1) if len(lut) == 1 else (lut[-2], math.prod(lut[:-2]), lut[-1])
        values = "values" if width == 1 else f"vectors of {width}"
        scheme = f"look-up table of {entries} {values}" if tables == 1 else f"{tables} look-up tables of {entries} {values}"
        return f"{int(math.log2(entries))}-bit palette", scheme
    if op.op_type == "constexpr_sparse_to_dense":
        values = inputs["nonzero_data"]
        return f"sparse {_dtype(values)}", f"{math.prod(values.shape) / math.prod(shape):.0%} of the values stored"
    return op.op_type.removeprefix("constexpr_"), ""


def _stored_bytes(op: Any) -> int:
    """Bytes of every constant the weight is rebuilt from (sub-byte types at their width)."""
    if op.op_type == "const":
        output = op.outputs[0]
        return math.ceil(math.prod(output.shape or (1,)) * _bits(output) / 8)
    return sum(_stored_bytes(var.op) for var in op.inputs.values() if var.op is not None)


def _dtype(var: Any) -> str:
    from coremltools.converters.mil.mil import types

    return types.builtin_to_string(var.dtype)


def _bits(var: Any) -> int:
    name = _dtype(var)
    if name == "bool":
        return 1
    digits = "".join(c for c in name if c.isdigit())
    return int(digits) if digits else 32
