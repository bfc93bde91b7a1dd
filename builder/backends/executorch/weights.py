"""Weight transforms on the exported graph, and the record of what each did to every weight.

The recipes work on the fused program's graph, not on nn.Modules: the graph holds plain
aten.linear and aten.embedding calls, so torchao's per-tensor transforms are applied to the
weights those calls read. Each transform returns one `LayerRecord` per weight it looked at,
quantized or not, so that no layer is left in float without the manifest saying why.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Sequence

from builder.backends.weight_records import FP32_BYTES, LayerRecord, fp32_record

if TYPE_CHECKING:
    import torch

# Scales (and zero points) are stored in fp32 by torchao's unpacked int8 tensors.
SCALE_BYTES = 4


def quantized_record(weight: str, op: str, shape: tuple[int, ...], bits: int, group_size: int | None,
                     hqq: bool = False) -> LayerRecord:
    """`group_size` None: one scale per row (an embedding row, a linear's output channel)."""
    values = math.prod(shape)
    scales = values // group_size if group_size else shape[0]
    scheme = f"per group of {group_size}" if group_size else ("per row" if op == "embedding" else "per output channel")
    if hqq:
        scheme += ", HQQ scales"
    # torchao's unpacked tensors keep one int8 per value until the lowering packs int4 two to a byte.
    return LayerRecord(weight, op, shape, f"int{bits}", scheme, values * bits // 8 + scales * SCALE_BYTES)


def weight_uses(graph: "torch.fx.GraphModule") -> dict[str, set]:
    """Each weight (get_attr target) -> the call targets that read it; a weight read by more than one
    kind of op is tied (a masked LM's decoder and its word embeddings)."""
    uses: dict[str, set] = {}
    for node in graph.graph.nodes:
        if node.op == "get_attr":
            uses[node.target] = {user.target for user in node.users}
    return uses


def replace_parameter(graph: "torch.fx.GraphModule", name: str, value: "torch.Tensor") -> None:
    import torch

    owner_path, _, attr = name.rpartition(".")
    owner = graph.get_submodule(owner_path) if owner_path else graph
    setattr(owner, attr, torch.nn.Parameter(value, requires_grad=False))


# Suffix of the copy a tied output layer gets (untie_for_quantization).
UNTIED = "_untied_linear"


def untie_for_quantization(graph: "torch.fx.GraphModule") -> dict[str, str]:
    """Give every linear that reads an embedding table (tied word embeddings: a decoder LM's head, a masked LM's
    output layer) its own copy of the table, so that both can be quantized: the look-up as int8/int4 rows, the
    linear as XNNPACK's int8-activation kernels, which pack their own copy of the weight anyway. Two quantized
    copies are smaller than the one fp32 table they replace (two int8 copies: half; two int4: a quarter).
    Returns {copy: table}."""
    import torch

    aten = torch.ops.aten
    copies = {}
    for node in list(graph.graph.nodes):
        if node.op != "get_attr" or not {aten.linear.default, aten.embedding.default} <= {user.target for user in node.users}:
            continue
        copy = node.target.replace(".", "_") + UNTIED
        graph.register_parameter(copy, torch.nn.Parameter(graph.get_parameter(node.target).detach().clone(), requires_grad=False))
        with graph.graph.inserting_after(node):
            copy_node = graph.graph.get_attr(copy)
        for user in [u for u in node.users if u.target is aten.linear.default]:
            user.replace_input_with(node, copy_node)
        copies[copy] = node.target
    graph.recompile()
    return copies


def untied_note(record: LayerRecord, copies: dict[str, str]) -> LayerRecord:
    """The record of an untied copy says whose copy it is."""
    if record.weight not in copies:
        return record
    return replace(record, note=(f"{record.note}; " if record.note else "") +
                   f"tied to the embedding table {copies[record.weight]}: this linear reads its own quantized copy")


def quantize_embeddings(graph: "torch.fx.GraphModule", bits: int) -> list[LayerRecord]:
    """Weight-only quantization of every embedding table, one scale per row. The look-ups become
    dequantize + embedding, which ExecuTorch's quant fusion turns into its quantized embedding kernels
    (embedding_byte / embedding_4bit) at to_executorch. (8da4w's 4-bit tables: quantize_8da4w.)"""
    records, tables = _quantizable_embeddings(graph)
    for name, shape in tables:
        replace_parameter(graph, name, _weight_only(graph.get_parameter(name), bits, None))
        records.append(quantized_record(name, "embedding", shape, bits, None))
    return records


def quantize_8da8w(graph: "torch.fx.GraphModule") -> list[LayerRecord]:
    """torchao 8da8w on the linears: int8 weights per output channel, int8 activations quantized per
    token at run time (XNNPACK's qd8 kernels). A linear whose weight another op also reads (tied) stays
    fp32 and is recorded with the reason."""
    records, linears = _quantizable_linears(graph)
    for name, shape in linears:
        replace_parameter(graph, name, _dynamic_activation(graph.get_parameter(name), 8, None))
        records.append(quantized_record(name, "linear", shape, 8, None))
    return records


def quantize_8da4w(graph: "torch.fx.GraphModule", group_size: int, samples: Sequence[tuple],
                   target_cosine: float, hqq: bool = False) -> list[LayerRecord]:
    """torchao 8da4w: int4 weights in groups along the input dimension for the linears, int8 activations
    quantized per token at run time; embedding tables in 4-bit groups along the row. The weights that
    measurably cost the most (builder.backends.executorch.mixed_precision, on `samples`) fall back to
    int8 per output channel (8da8w) or per table row instead, as many as the outputs need to stay at that
    cosine. A weight whose width the group size does not divide also gets int8; one another op also reads
    (tied) stays fp32; each is recorded with the reason. `hqq`: the int4 groups' scales are fitted by torchao's
    HQQ instead of taken from each group's min/max."""
    from builder.backends.executorch.mixed_precision import SENSITIVITY_PROBES, Candidate, choose_mix

    records, linears = _quantizable_linears(graph)
    left_out, tables = _quantizable_embeddings(graph)
    records += left_out
    candidates, kinds = [], {}
    for op, weights, quantize in (("linear", linears, _dynamic_activation), ("embedding", tables, _weight_only)):
        for name, shape in weights:
            weight = graph.get_parameter(name)
            int8 = quantized_record(name, op, shape, 8, None)
            if shape[1] % group_size:
                replace_parameter(graph, name, quantize(weight, 8, None))
                records.append(replace(int8, note=f"int8, not int4: width {shape[1]} is not a multiple of the group size {group_size}"))
                continue
            saving = int8.predicted_bytes - quantized_record(name, op, shape, 4, group_size).predicted_bytes
            candidates.append(Candidate(name, quantize(weight, 4, group_size, hqq), quantize(weight, 8, None), saving))
            kinds[name] = op, shape
    if not candidates:
        return records
    choice = choose_mix(graph, candidates, samples, target_cosine)
    for c in candidates:
        op, shape = kinds[c.weight]
        if c.weight in choice.low:
            records.append(quantized_record(c.weight, op, shape, 4, group_size, hqq))
        else:
            records.append(replace(quantized_record(c.weight, op, shape, 8, None),
                                   note=f"int8, not int4: alone at int4 it moves the outputs to cosine {choice.alone[c.weight]:.4f} on the "
                                        f"first {SENSITIVITY_PROBES} samples, and the recipe keeps the whole model at "
                                        f"{target_cosine} on all of them where it can"))
    return records


def _quantizable_linears(graph: "torch.fx.GraphModule") -> tuple[list[LayerRecord], list[tuple[str, tuple[int, ...]]]]:
    """The linear weights a torchao quantized tensor can replace (their calls rewritten to reach one), and a
    record for each that stays fp32, with the reason: a weight another op also reads (tied to an embedding
    table), since torchao's quantized linear weight cannot also serve the look-up."""
    import torch

    uses = weight_uses(graph)
    left_out, linears = [], []
    for node in graph.graph.nodes:
        if node.op != "call_function" or node.target is not torch.ops.aten.linear.default:
            continue
        weight_node = node.args[1]
        if weight_node.op != "get_attr":
            continue
        shape = tuple(graph.get_parameter(weight_node.target).shape)
        if uses[weight_node.target] != {torch.ops.aten.linear.default}:
            left_out.append(fp32_record(weight_node.target, "linear", shape, "tied: the same weight is an embedding table"))
            continue
        # aten.linear would decompose into aten.t + addmm before the quantized tensor
        # sees it; F.linear reaches the tensor's __torch_function__ as nn.Linear does.
        node.target = torch.nn.functional.linear
        # A weight several linears share (ALBERT's one layer run N times) is quantized once.
        if (weight_node.target, shape) not in linears:
            linears.append((weight_node.target, shape))
    graph.recompile()
    return left_out, linears


def _scale_algorithm(hqq: bool):
    from torchao.quantization.quantize_.workflows.intx.intx_choose_qparams_algorithm import IntxChooseQParamsAlgorithm

    return IntxChooseQParamsAlgorithm.HQQ_SCALE_ONLY if hqq else IntxChooseQParamsAlgorithm.AFFINE


def _dynamic_activation(weight: "torch.Tensor", bits: int, group_size: int | None, hqq: bool = False) -> "torch.Tensor":
    """torchao's linear weight for int8 activations quantized per token at run time: one scale per output
    channel, or per group along the input dimension."""
    import torch
    from torchao.quantization import Int8DynamicActivationIntxWeightConfig
    from torchao.quantization.granularity import PerAxis, PerGroup
    from torchao.quantization.quant_api import _int8_dynamic_activation_intx_weight_quantize_tensor

    config = Int8DynamicActivationIntxWeightConfig(weight_dtype=getattr(torch, f"int{bits}"),
                                                   weight_granularity=PerGroup(group_size) if group_size else PerAxis(0),
                                                   intx_choose_qparams_algorithm=_scale_algorithm(hqq))
    return _int8_dynamic_activation_intx_weight_quantize_tensor(weight.detach(), None, config)[0]


def _quantizable_embeddings(graph: "torch.fx.GraphModule") -> tuple[list[LayerRecord], list[tuple[str, tuple[int, ...]]]]:
    """The embedding tables a quantized tensor can replace (their look-ups rewritten to read one), and a
    record for each table that stays fp32, with the reason.

    A table another op also reads (tied to a decoder) stays fp32: one table cannot be both an int8
    look-up and an XNNPACK linear's weight here, and a second copy would cost more than the quantization
    saves."""
    import torch

    uses = weight_uses(graph)
    left_out, tables = [], []
    for node in list(graph.graph.nodes):
        if node.op != "call_function" or node.target is not torch.ops.aten.embedding.default:
            continue
        weight_node = node.args[0]
        shape = tuple(graph.get_parameter(weight_node.target).shape)
        if uses[weight_node.target] != {torch.ops.aten.embedding.default}:
            left_out.append(fp32_record(weight_node.target, "embedding", shape,
                                        "tied: the same table is a linear's weight (the output decoder)"))
            continue
        # torchao's tensor serves F.embedding (its __torch_function__), with no padding_idx: that
        # argument only masks gradients, so inference does not need it.
        node.target = torch.nn.functional.embedding
        node.args = (node.args[1], weight_node)
        node.kwargs = {}
        if (weight_node.target, shape) not in tables:
            tables.append((weight_node.target, shape))
    graph.recompile()
    return left_out, tables


def _weight_only(weight: "torch.Tensor", bits: int, group_size: int | None, hqq: bool = False) -> "torch.Tensor":
    """torchao's weight-only quantized tensor: one scale per row, or per group along the row."""
    import torch
    from torchao.quantization import IntxWeightOnlyConfig
    from torchao.quantization.granularity import PerAxis, PerGroup
    from torchao.quantization.quant_api import _intx_weight_only_quantize_tensor

    config = IntxWeightOnlyConfig(weight_dtype=torch.int8 if bits == 8 else torch.int4,
                                  granularity=PerGroup(group_size) if group_size else PerAxis(0),
                                  intx_choose_qparams_algorithm=_scale_algorithm(hqq))
    return _intx_weight_only_quantize_tensor(weight.detach(), config)


def pt2e_linear_records(graph: "torch.fx.GraphModule") -> list[LayerRecord]:
    """What a PT2E convert made of each linear: int8 per output channel where the quantizer annotated
    it (its weight comes through a dequantize node), fp32 where it did not."""
    import torch

    records = []
    for node in graph.graph.nodes:
        if node.op != "call_function" or node.target is not torch.ops.aten.linear.default:
            continue
        weight = node.args[1]
        if weight.op == "call_function" and "dequantize_per_channel" in str(weight.target):
            source = weight.args[0]
            shape = tuple(graph.get_buffer(source.target).shape) if source.op == "get_attr" else tuple(weight.meta["val"].shape)
            records.append(quantized_record(str(source.target), "linear", shape, 8, None))
        elif weight.op == "get_attr":
            records.append(fp32_record(weight.target, "linear", tuple(graph.get_parameter(weight.target).shape),
                                       "the delegate's quantizer did not annotate it"))
    return records


def float_records(graph: "torch.fx.GraphModule") -> list[LayerRecord]:
    """Every linear and embedding weight, in fp32 (the fp32 recipe)."""
    import torch

    kinds = {torch.ops.aten.linear.default: ("linear", 1), torch.ops.aten.embedding.default: ("embedding", 0)}
    records = []
    for node in graph.graph.nodes:
        if node.op == "call_function" and node.target in kinds:
            op, index = kinds[node.target]
            weight = node.args[index]
            if weight.op == "get_attr":
                records.append(fp32_record(weight.target, op, tuple(graph.get_parameter(weight.target).shape)))
    return records
