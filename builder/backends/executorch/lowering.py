"""ExportedProgram -> .pte bytes, delegated wherever the delegate has a kernel."""

from __future__ import annotations

from typing import Any

from torch.export import ExportedProgram

from builder.backends.executorch.delegates import DELEGATES, Delegate
from builder.backends.executorch.delegation import Delegation, delegation_report


def lower_program(program: ExportedProgram, delegate: Delegate = DELEGATES.get("xnnpack"),
                  quantized_embeddings: bool = False, constant_methods: dict[str, Any] | None = None) -> tuple[bytes, Delegation]:
    """`quantized_embeddings`: fuse the dequantize + embedding pairs weight-only quantization leaves into
    ExecuTorch's quantized embedding kernels (the runtime must register them: executorch.kernels.quantized).
    `constant_methods`: methods that return a constant (an LLM runner's get_max_seq_len, ...)."""
    from executorch.exir import EdgeCompileConfig, ExecutorchBackendConfig, to_edge_transform_and_lower

    program, rewrites = delegate.legalize(program)
    # The edge-dialect verifier re-checks every op of every intermediate graph: 2-3 s of a tiny BERT's 13 s lowering
    # (measured, fp32 and int8-dynamic, same .pte bytes without it). Every .pte is run against the eager model
    # afterwards, which is the check that matters; an invalid program fails there, by name.
    edge = to_edge_transform_and_lower(program, partitioner=[delegate.partitioner()], constant_methods=constant_methods or None,
                                       compile_config=EdgeCompileConfig(_check_ir_validity=False))
    delegation = delegation_report(edge.exported_program().graph_module, delegate)
    delegation.rewrites = rewrites
    # Only then: const propagation would also be a change to programs that have nothing to fuse.
    config = ExecutorchBackendConfig(do_quant_fusion_and_const_prop=True) if quantized_embeddings else None
    return edge.to_executorch(config).buffer, delegation
