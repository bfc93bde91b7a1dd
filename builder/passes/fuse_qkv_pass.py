from __future__ import annotations

from collections import defaultdict

import torch
from torch.fx import GraphModule, Node

from builder.passes.base import GraphPass, Rewrites, aten, is_op


class FuseQKVPass(GraphPass):
    """Fuse linear layers that read the same tensor into one wider linear plus slices.

    In BERT-family attention the query, key and value projections all read the layer
    input, so one GEMM with concatenated weights replaces three (MobileBERT's value reads
    a different tensor, so there only query and key fuse). The concatenation is along
    output channels, so per-channel quantization later treats every row as before.
    Linears whose weights are not plain parameters, or whose bias presence differs, are
    left alone with a note.
    """

    name = "fuse-qkv"
    description = "q/k/v linears sharing an input -> one linear + slices"

    def rewrite(self, gm: GraphModule) -> Rewrites:
        rewrites = Rewrites()
        groups: dict[Node, list[Node]] = defaultdict(list)
        for node in gm.graph.nodes:
            if is_op(node, aten.linear.default):
                groups[node.args[0]].append(node)
        for source, linears in groups.items():
            if len(linears) < 2:
                continue
            reason = _unfusable(gm, linears)
            if reason:
                rewrites.skip(f"{', '.join(n.name for n in linears)}: {reason}")
                continue
            _fuse(gm, source, linears, index=rewrites.count)
            rewrites.count += 1
        return rewrites


def _bias(linear: Node) -> Node | None:
    return linear.args[2] if len(linear.args) > 2 else None


def _unfusable(gm: GraphModule, linears: list[Node]) -> str | None:
    if any(n.args[1].op != "get_attr" for n in linears):
        return "a weight is computed, not a parameter"
    if len({gm.get_parameter(n.args[1].target).shape[1] for n in linears}) != 1:
        return "input widths differ"
    biases = [_bias(n) for n in linears]
    if len({b is None for b in biases}) != 1 or any(b is not None and b.op != "get_attr" for b in biases):
        return "bias presence differs or a bias is computed"
    return None


def _fuse(gm: GraphModule, source: Node, linears: list[Node], index: int) -> None:
    weights = [gm.get_parameter(n.args[1].target) for n in linears]
    prefix = f"edgepack_fused_linear_{index}"
    gm.register_parameter(f"{prefix}_weight", torch.nn.Parameter(torch.cat(weights).detach(), requires_grad=False))
    has_bias = _bias(linears[0]) is not None
    if has_bias:
        biases = [gm.get_parameter(_bias(n).target) for n in linears]
        gm.register_parameter(f"{prefix}_bias", torch.nn.Parameter(torch.cat(biases).detach(), requires_grad=False))

    first = linears[0]
    with gm.graph.inserting_before(first):
        weight = gm.graph.get_attr(f"{prefix}_weight")
        bias = gm.graph.get_attr(f"{prefix}_bias") if has_bias else None
        fused = gm.graph.call_function(aten.linear.default, (source, weight, bias))
        start = 0
        for linear, w in zip(linears, weights):
            part = gm.graph.call_function(aten.slice.Tensor, (fused, -1, start, start + w.shape[0]))
            start += w.shape[0]
            linear.replace_all_uses_with(part)
    for linear in linears:
        gm.graph.erase_node(linear)
