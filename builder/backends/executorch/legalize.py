"""Rewrite the fused program into operators XNNPACK's partitioner accepts with a dynamic sequence length.

XNNPACK 1.5.1's partitioner has no LayerNorm, reduces only 4-D tensors over their two inner axes,
declines a reshape whose target shape holds a symbolic size (though it runs one with an inferred -1
dimension), and cannot run the "safe softmax" guard of torch's SDPA decomposition. Each of those
sent a few nodes per layer to ExecuTorch's portable kernels and split MiniLM into 52 delegated
subgraphs. Written with operators it does accept, the whole encoder is one subgraph: only the
embedding look-ups and the mask and position arithmetic on the inputs stay outside it.

Every rewrite is exact up to fp32 summation order, and every .pte is compared with the eager model
by the parity gate like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from torch.export import ExportedProgram

aten = torch.ops.aten


def batched_matmul_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                             enable_gqa=False):
    """Attention as bmm / softmax / bmm over [batch * heads, seq, head_dim].

    torch's own decomposition adds a guard for rows where every key is masked (any/eq/where), which
    XNNPACK cannot run; edgepack's masks are finite, so no row is ever fully masked. It also multiplies
    4-D tensors, which decomposes into expand + reshape around a bmm with two symbolic sizes.
    """
    if dropout_p or is_causal or enable_gqa:
        raise NotImplementedError("edgepack only emits inference, non-causal SDPA without GQA")
    batch, heads, seq, head_dim = query.shape
    factor = scale if scale is not None else head_dim ** -0.5
    q = query.reshape(batch * heads, seq, head_dim)
    k = key.reshape(batch * heads, key.shape[2], head_dim)
    v = value.reshape(batch * heads, value.shape[2], value.shape[3])
    scores = torch.bmm(q, k.transpose(1, 2)) * factor
    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.shape[1] == 1:
            # The usual [1, 1, rows, keys] mask broadcasts over every head as [rows, keys].
            scores = scores + attn_mask.reshape(attn_mask.shape[2], attn_mask.shape[3])
        else:
            scores = (scores.reshape(batch, heads, seq, -1) + attn_mask).reshape(batch * heads, seq, -1)
    out = torch.bmm(torch.softmax(scores, dim=-1), v)
    return out.reshape(batch, heads, seq, value.shape[3])


def _layer_norm_parts(x, weight, bias, eps):
    # mean over the last axis becomes a linear in legalize(), which XNNPACK runs.
    mean = x.mean(dim=-1, keepdim=True)
    centered = x - mean
    rstd = torch.rsqrt((centered * centered).mean(dim=-1, keepdim=True) + eps)
    y = centered * rstd
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y, mean, rstd


def native_layer_norm(x, normalized_shape, weight, bias, eps):
    if len(normalized_shape) != 1:
        raise NotImplementedError("layer norm over more than the last axis")
    return _layer_norm_parts(x, weight, bias, eps)


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    return native_layer_norm(x, normalized_shape, weight, bias, eps)[0]


DECOMPOSITIONS = {
    aten.scaled_dot_product_attention.default: batched_matmul_attention,
    aten.layer_norm.default: layer_norm,
    aten.native_layer_norm.default: native_layer_norm,
}


def legalize_for_xnnpack(program: ExportedProgram) -> tuple[ExportedProgram, dict[str, int]]:
    """The program decomposed and rewritten for XNNPACK, and how many nodes each rewrite changed."""
    program = program.run_decompositions(DECOMPOSITIONS)
    counts = {"last-axis mean/sum -> linear": _reductions_to_linear(program),
              "reshape with one symbolic size -> inferred -1": _infer_symbolic_reshapes(program)}
    program.graph.eliminate_dead_code()
    program.graph_module.recompile()
    return program, counts


def _reductions_to_linear(program: ExportedProgram) -> int:
    """mean or sum of a float tensor over its last axis, of static width W -> linear with a constant
    [1, W] weight (1/W or 1): a GEMM XNNPACK delegates, where its mean only covers 4-D pooling and it
    has no sum at all."""
    from executorch.backends.transforms.utils import create_constant_placeholder
    from torch.export.graph_signature import InputKind

    graph = program.graph
    first_input = next(node for node in graph.nodes if node.op == "placeholder")
    weights: dict[tuple[str, int], torch.fx.Node] = {}
    rewritten = 0
    for node in list(graph.nodes):
        if node.op != "call_function" or node.target not in (aten.mean.dim, aten.sum.dim_IntList):
            continue
        source = node.args[0]
        value = source.meta["val"]
        dims = node.args[1]
        keepdim = node.args[2] if len(node.args) > 2 else node.kwargs.get("keepdim", False)
        width = value.shape[-1] if value.dim() else None
        if (not value.dtype.is_floating_point or node.kwargs.get("dtype") is not None or not isinstance(width, int)
                or dims is None or len(dims) != 1 or dims[0] not in (-1, value.dim() - 1)):
            continue
        kind = "mean" if node.target == aten.mean.dim else "sum"
        if (kind, width) not in weights:
            with graph.inserting_before(first_input):
                weights[kind, width] = create_constant_placeholder(
                    program, graph, f"edgepack_{kind}_weight_{width}", InputKind.PARAMETER,
                    torch.full((1, width), 1.0 / width if kind == "mean" else 1.0, dtype=value.dtype))
        result = node.meta["val"]
        with graph.inserting_before(node):
            replacement = graph.call_function(aten.linear.default, (source, weights[kind, width]))
            replacement.meta["val"] = result if keepdim else result.unsqueeze(-1)
            if not keepdim:
                replacement = graph.call_function(aten.view.default, (replacement, _shape_arg(result.shape)))
                replacement.meta["val"] = result
        node.replace_all_uses_with(replacement)
        graph.erase_node(node)
        rewritten += 1
    return rewritten


def _infer_symbolic_reshapes(program: ExportedProgram) -> int:
    """A reshape to a shape with one symbolic size states that size as -1, which XNNPACK infers at run
    time; export writes it as a sym_size node, which XNNPACK's partitioner declines."""
    rewritten = 0
    for node in program.graph.nodes:
        if node.op == "call_function" and node.target in (aten.view.default, aten._unsafe_view.default):
            if all(isinstance(size, int) for size in node.args[1]):
                continue
            shape = _shape_arg(node.meta["val"].shape)
            if shape.count(-1) == 1:
                node.args = (node.args[0], shape)
                rewritten += 1
    return rewritten


def _shape_arg(shape) -> list[int]:
    """Static sizes as they are, symbolic ones as -1 (valid as a reshape argument when there is one)."""
    return [size if isinstance(size, int) else -1 for size in shape]
