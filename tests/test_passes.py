"""One test per fusion pass: op counts before and after, a negative case, and numbers."""

import pytest
import torch
import torch.nn.functional as F

from builder.passes import DEFAULT_PASSES, op_counts, run_passes
from builder.passes.base import GraphPass, Rewrites
from builder.passes.convert_attention_to_sdpa_pass import ConvertAttentionToSDPAPass
from builder.passes.fuse_qkv_pass import FuseQKVPass
from builder.passes.remove_dropout_pass import RemoveDropoutPass
from builder.tasks import TaskOptions


class Attention(torch.nn.Module):
    """The eager BERT attention pattern, in miniature."""

    def __init__(self, width=16, heads=2, scale_style="mul"):
        super().__init__()
        self.q, self.k, self.v = (torch.nn.Linear(width, width) for _ in range(3))
        self.heads, self.scale_style = heads, scale_style

    def forward(self, x, mask):
        b, s, w = x.shape
        split = lambda t: t.view(b, s, self.heads, w // self.heads).transpose(1, 2)  # noqa: E731
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = torch.matmul(q, k.transpose(2, 3))
        scores = scores * 0.5 if self.scale_style == "mul" else scores / 2.0
        weights = F.dropout(torch.softmax(scores + mask, dim=-1), p=0.1, training=False)
        return torch.matmul(weights, v).transpose(1, 2).reshape(b, s, w)


def graph_of(module, *inputs):
    return torch.export.export(module.eval(), inputs, strict=False).module()


def inputs():
    torch.manual_seed(0)
    mask = torch.zeros(1, 1, 1, 5)
    mask[..., -2:] = -1e4
    return torch.randn(1, 5, 16), mask


@pytest.mark.parametrize("scale_style", ["mul", "div"])
def test_attention_becomes_one_sdpa_node(scale_style):
    x, mask = inputs()
    gm = graph_of(Attention(scale_style=scale_style), x, mask)
    fused, outcomes = run_passes(gm, [RemoveDropoutPass(), ConvertAttentionToSDPAPass()], [(x, mask)])
    before, after = outcomes[1].op_counts_before, op_counts(fused)
    assert before["softmax.int"] == 1 and before["matmul.default"] == 2
    assert after.get("softmax.int", 0) == 0 and after.get("matmul.default", 0) == 0
    assert after["scaled_dot_product_attention.default"] == 1
    assert outcomes[1].kept and outcomes[1].max_abs_error < 1e-6
    torch.testing.assert_close(fused(x, mask), gm(x, mask), atol=1e-6, rtol=0)


def test_softmax_that_is_not_attention_is_left_alone():
    class Classifier(torch.nn.Module):
        def forward(self, x):
            return torch.softmax(x.sum(-1), dim=-1)

    x = torch.randn(1, 5, 16)
    gm = graph_of(Classifier(), x)
    _, outcomes = run_passes(gm, [ConvertAttentionToSDPAPass()], [(x,)])
    assert not outcomes[0].kept and outcomes[0].rewrites == 0
    assert "not multiplied by a value tensor" in outcomes[0].notes[0]


def test_qkv_linears_fuse_into_one():
    x, mask = inputs()
    gm = graph_of(Attention(), x, mask)
    fused, outcomes = run_passes(gm, [FuseQKVPass()], [(x, mask)])
    assert outcomes[0].op_counts_before["linear.default"] == 3
    assert op_counts(fused)["linear.default"] == 1 and op_counts(fused)["slice.Tensor"] == 3
    weights = [p for name, p in fused.named_parameters() if name.startswith("edgepack_fused")]
    assert [tuple(w.shape) for w in weights] == [(48, 16), (48,)]
    torch.testing.assert_close(fused(x, mask), gm(x, mask), atol=1e-6, rtol=0)


def test_linears_with_different_inputs_are_not_fused():
    class Chain(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = torch.nn.Linear(8, 8), torch.nn.Linear(8, 8)

        def forward(self, x):
            return self.b(self.a(x))

    x = torch.randn(2, 8)
    _, outcomes = run_passes(graph_of(Chain(), x), [FuseQKVPass()], [(x,)])
    assert not outcomes[0].kept and outcomes[0].op_counts_after["linear.default"] == 2


def test_inference_dropout_is_removed_training_dropout_is_kept():
    class Drops(torch.nn.Module):
        def forward(self, x):
            return F.dropout(x, 0.5, training=False) + 1

    x = torch.randn(3)
    fused, outcomes = run_passes(graph_of(Drops(), x), [RemoveDropoutPass()], [(x,)])
    assert outcomes[0].op_counts_before["dropout.default"] == 1
    assert "dropout.default" not in op_counts(fused)

    gm = graph_of(Drops(), x)
    for node in gm.graph.nodes:
        if node.op == "call_function" and "dropout" in str(node.target):
            node.args = (node.args[0], node.args[1], True)
    _, outcomes = run_passes(gm, [RemoveDropoutPass()], [(x,)])
    assert outcomes[0].rewrites == 0 and "training mode" in outcomes[0].notes[0]


class ScaleEverythingPass(GraphPass):
    """A wrong rewrite: doubles every linear weight."""

    name = "wrong"
    description = "deliberately breaks the numbers"

    def rewrite(self, gm):
        for name, param in gm.named_parameters():
            param.data.mul_(2)
        return Rewrites(count=1)


def test_runner_rejects_a_pass_that_changes_the_numbers():
    x, mask = inputs()
    gm = graph_of(Attention(), x, mask)
    kept, outcomes = run_passes(gm, [ScaleEverythingPass()], [(x, mask)])
    assert not outcomes[0].kept and "rejected: output moved" in outcomes[0].notes[-1]
    torch.testing.assert_close(kept(x, mask), gm(x, mask))


@pytest.mark.parametrize("arch, layers, linears_saved", [("bert", 2, 4), ("distilbert", 2, 4), ("mobilebert", 2, None)])
def test_default_passes_on_real_architectures(tiny_checkpoints, arch, layers, linears_saved):
    from builder.checkpoint import load_checkpoint

    checkpoint = load_checkpoint(tiny_checkpoints[arch])
    model = checkpoint.load_model()
    wrapper = checkpoint.bind_task(TaskOptions()).wrap(model)
    n = max(3, checkpoint.architecture.min_seq_len)
    ids, mask = torch.randint(5, 200, (1, 9)), torch.tensor([[1] * 7 + [0] * 2])
    seq = torch.export.Dim("seq", min=n, max=64)
    gm = torch.export.export(wrapper, (ids, mask), dynamic_shapes=({1: seq}, {1: seq}), strict=False).module()
    # The shared passes, then Core ML's own (the fused q/k/v).
    fused, outcomes = run_passes(gm, (*DEFAULT_PASSES, FuseQKVPass()), [(ids, mask)])
    before, after = op_counts(gm), op_counts(fused)
    assert after["scaled_dot_product_attention.default"] == layers
    assert after["softmax.int"] == 1  # only the folded probabilities softmax remains
    saved = before["linear.default"] - after["linear.default"]
    assert saved == linears_saved if linears_saved is not None else saved > 0
    assert all(o.kept for o in outcomes)
    # BERT-family scale is 1/sqrt(head_dim), SDPA's default: left implicit for Core ML's fused op.
    sdpa = [n for n in fused.graph.nodes if "scaled_dot_product_attention" in str(n.target)]
    assert all(n.kwargs["scale"] is None for n in sdpa)
    reference = model(input_ids=ids, attention_mask=mask).logits
    torch.testing.assert_close(fused(ids, mask)[0], reference, atol=1e-5, rtol=0)
