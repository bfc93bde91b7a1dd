from __future__ import annotations

from torch.fx import GraphModule

from builder.passes.base import GraphPass, Rewrites, aten, is_op


class RemoveDropoutPass(GraphPass):
    """Drop inference-mode dropout nodes, which are identities.

    They would otherwise sit between softmax and the value matmul and hide the attention
    pattern from ConvertAttentionToSDPAPass. Dropout in training mode is left alone.
    """

    name = "remove-dropout"
    description = "drop inference-mode dropout (identity) nodes"

    def rewrite(self, gm: GraphModule) -> Rewrites:
        rewrites = Rewrites()
        for node in list(gm.graph.nodes):
            if not is_op(node, aten.dropout.default):
                continue
            train = node.args[2] if len(node.args) > 2 else node.kwargs.get("train", False)
            if train:
                rewrites.skip(f"{node.name}: dropout in training mode is not an identity")
                continue
            node.replace_all_uses_with(node.args[0])
            gm.graph.erase_node(node)
            rewrites.count += 1
        return rewrites
