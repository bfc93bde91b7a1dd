"""ExportedProgram -> .pte bytes, delegated wherever the delegate has a kernel."""

from __future__ import annotations

import torch
from torch.export import ExportedProgram

from builder.backends.executorch.delegates import DELEGATES, Delegate
from builder.backends.executorch.delegation import Delegation, delegation_report


def _plain_sdpa(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
    """Attention as matmul/softmax/matmul, every op of which XNNPACK delegates.

    torch's default SDPA decomposition adds a "safe softmax" guard for rows where every
    key is masked (any/eq/where/full_like), which XNNPACK cannot run and which splits the
    delegated graph at every layer. The masks edgepack builds are finite, so no row is
    ever fully masked and the guard is dead weight.
    """
    if dropout_p or is_causal or enable_gqa:
        raise NotImplementedError("edgepack only emits inference, non-causal SDPA without GQA")
    factor = scale if scale is not None else query.shape[-1] ** -0.5
    scores = torch.matmul(query, key.transpose(-2, -1)) * factor
    if attn_mask is not None:
        scores = scores + attn_mask
    return torch.matmul(torch.softmax(scores, dim=-1), value)


def lower_program(program: ExportedProgram, delegate: Delegate = DELEGATES.get("xnnpack"),
                  quantized_embeddings: bool = False) -> tuple[bytes, Delegation]:
    """`quantized_embeddings`: fuse the dequantize + embedding pairs weight-only quantization leaves into
    ExecuTorch's quantized embedding kernels (the runtime must register them: executorch.kernels.quantized)."""
    from executorch.exir import EdgeCompileConfig, ExecutorchBackendConfig, to_edge_transform_and_lower

    program = program.run_decompositions({torch.ops.aten.scaled_dot_product_attention.default: _plain_sdpa})
    # The edge-dialect verifier re-checks every op of every intermediate graph: 2-3 s of a tiny BERT's 13 s lowering
    # (measured, fp32 and int8-dynamic, same .pte bytes without it). Every .pte is run against the eager model
    # afterwards, which is the check that matters; an invalid program fails there, by name.
    edge = to_edge_transform_and_lower(program, partitioner=[delegate.partitioner()],
                                       compile_config=EdgeCompileConfig(_check_ir_validity=False))
    delegation = delegation_report(edge.exported_program().graph_module, delegate)
    # Only then: const propagation would also be a change to programs that have nothing to fuse.
    config = ExecutorchBackendConfig(do_quant_fusion_and_const_prop=True) if quantized_embeddings else None
    return edge.to_executorch(config).buffer, delegation
