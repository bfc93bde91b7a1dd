"""The delegates an ExecuTorch program can be lowered to, injected into the backend: the partitioner
that claims subgraphs, the PT2E quantizer whose static int8 scheme the delegate's kernels run, and what the
delegation report counts. XNNPACK (CPU, Android and iOS) is the one edgepack ships today; another
(e.g. ExecuTorch's Core ML delegate) is one more entry here and one more registered backend."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from builder.registry import Registry


@dataclass(frozen=True)
class Delegate:
    name: str
    display_name: str
    # () -> the ExecuTorch partitioner lowered subgraphs go to.
    partitioner: Callable[[], Any]
    # () -> a PT2E quantizer for this delegate's static int8 kernels (activation ranges from calibration).
    static_quantizer: Callable[[], Any]
    # Operators that carry the model's arithmetic; the goal is all of them in the delegate.
    compute_ops: re.Pattern
    # (node name) -> why the node stayed on the portable CPU kernels.
    cpu_reason: Callable[[str], str]
    # (fused ExportedProgram) -> (the program in operators the partitioner accepts, rewrite -> count).
    legalize: Callable[[Any], tuple[Any, dict[str, int]]]


def _xnnpack_partitioner():
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner

    return XnnpackPartitioner()


def _xnnpack_static_quantizer():
    """Symmetric int8 with per-channel weights."""
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import XNNPACKQuantizer, get_symmetric_quantization_config

    return XNNPACKQuantizer().set_global(get_symmetric_quantization_config(is_per_channel=True, is_dynamic=False))


def _xnnpack_legalize(program):
    from builder.backends.executorch.legalize import legalize_for_xnnpack

    return legalize_for_xnnpack(program)


def _xnnpack_cpu_reason(op: str) -> str:
    """Why an operator stayed out of XNNPACK. `op` is a node name such as
    `aten_slice_copy_tensor` or `dim_order_ops__to_dim_order_copy_default`."""
    from executorch.backends.xnnpack.partition.config import ALL_PARTITIONER_CONFIGS

    for config in ALL_PARTITIONER_CONFIGS:
        name = re.escape(config.target_name.split(".")[0].lower())
        if re.fullmatch(rf"(aten|dim_order_ops)_{name}(_[a-z_]+)?", op.lower()):
            return "XNNPACK has a kernel but its partitioner declined this node (dtype, shape or dynamic-size constraint)"
    return "no XNNPACK kernel for this operator; runs on ExecuTorch's portable CPU kernels"


DELEGATES: Registry[Delegate] = Registry("ExecuTorch delegate")
DELEGATES.add("xnnpack", Delegate(
    "xnnpack", "XNNPACK", _xnnpack_partitioner, _xnnpack_static_quantizer,
    re.compile(r"(linear|addmm|\bmm|bmm|matmul|softmax|convolution|scaled_dot_product)"), _xnnpack_cpu_reason,
    _xnnpack_legalize,
))
