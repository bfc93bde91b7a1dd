from __future__ import annotations

import math

from torch.fx import GraphModule, Node

from builder.passes.base import GraphPass, Rewrites, aten, is_op


class ConvertAttentionToSDPAPass(GraphPass):
    """Rewrite explicit attention into one `scaled_dot_product_attention` node.

    Matches softmax(q @ k^T * scale + mask) @ v as the eager attention of the BERT family
    exports it (the scale may be a multiply, a divide or absent; the mask may be absent).
    One node is what Core ML's fused attention op and ExecuTorch's decompositions expect,
    and it drops the scale and mask bookkeeping from the graph. A softmax that is not part
    of that pattern (for example the classifier's) is left alone with a note.
    """

    name = "convert-attention-to-sdpa"
    description = "softmax(q @ k^T * s + mask) @ v -> scaled_dot_product_attention"

    def rewrite(self, gm: GraphModule) -> Rewrites:
        rewrites = Rewrites()
        for softmax in [n for n in gm.graph.nodes if is_op(n, aten.softmax.int, aten._softmax.default)]:
            match = _match_attention(softmax)
            if isinstance(match, str):
                rewrites.skip(f"{softmax.name}: {match}")
                continue
            output_matmul, q, k, v, mask, scale = match
            with gm.graph.inserting_before(output_matmul):
                sdpa = gm.graph.call_function(
                    aten.scaled_dot_product_attention.default,
                    (q, k, v),
                    {"attn_mask": mask, "dropout_p": 0.0, "is_causal": False, "scale": scale},
                )
            output_matmul.replace_all_uses_with(sdpa)
            gm.graph.erase_node(output_matmul)
            rewrites.count += 1
        return rewrites


def _match_attention(softmax: Node):
    dim = softmax.args[1]
    if dim not in (-1, 3):
        return "softmax is not over the last dimension"
    users = list(softmax.users)
    if len(users) != 1 or not is_op(users[0], aten.matmul.default) or users[0].args[0] is not softmax:
        return "softmax output is not multiplied by a value tensor (not attention)"
    output_matmul, v = users[0], users[0].args[1]

    scores, mask = softmax.args[0], None
    if is_op(scores, aten.add.Tensor):
        left, right = scores.args
        scores, mask = (left, right) if _is_scores(left) else (right, left)
        if not _is_scores(scores):
            return "softmax input is an addition without a q @ k^T term"
    scale = 1.0
    if is_op(scores, aten.mul.Tensor) and isinstance(scores.args[1], (int, float)):
        scale, scores = float(scores.args[1]), scores.args[0]
    elif is_op(scores, aten.div.Tensor) and isinstance(scores.args[1], (int, float)):
        scale, scores = 1.0 / float(scores.args[1]), scores.args[0]
    if not is_op(scores, aten.matmul.default):
        return "attention scores are not a matmul"
    q, key_t = scores.args
    if not is_op(key_t, aten.transpose.int) or sorted(_last_two(key_t)) != [-2, -1]:
        return "key is not transposed over its last two dimensions"
    rank = len(softmax.meta["val"].shape) if "val" in softmax.meta else 4
    if rank != 4:
        return f"attention scores have rank {rank}, expected [batch, heads, seq, seq]"
    if any(len(n.users) != 1 for n in (softmax, softmax.args[0])):
        return "intermediate attention tensors are used elsewhere"
    return output_matmul, q, key_t.args[0], v, mask, _explicit_scale(q, scale)


def _explicit_scale(query: Node, scale: float) -> float | None:
    """None when the scale is SDPA's default 1/sqrt(head_dim): coremltools emits its fused
    iOS 18 attention op only for a default scale."""
    head_dim = query.meta["val"].shape[-1] if "val" in query.meta else None
    if isinstance(head_dim, int) and math.isclose(scale, head_dim**-0.5, rel_tol=1e-6):
        return None
    return scale


def _is_scores(node) -> bool:
    return is_op(node, aten.mul.Tensor, aten.div.Tensor, aten.matmul.default)


def _last_two(transpose: Node) -> list[int]:
    rank = len(transpose.meta["val"].shape) if "val" in transpose.meta else 4
    return [d - rank if d >= 0 else d for d in transpose.args[1:3]]
