"""Quantization recipes for ExecuTorch. Each starts from the build's one fused ExportedProgram and
never re-traces the model; PT2E recipes quantize with the backend's delegate's quantizer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from builder.backends.base import LoweringJob, Recipe
from builder.registry import Registry

if TYPE_CHECKING:
    from torch.export import ExportedProgram

    from builder.export import ExportedModel


class ExecuTorchRecipe(Recipe["ExportedModel", "ExportedProgram"]):
    """fused fp32 program -> the program this variant is lowered from."""


class Fp32(ExecuTorchRecipe):
    name = "fp32"
    description = "float32 weights and activations (no quantization)"

    def apply(self, model: ExportedModel, job: LoweringJob) -> ExportedProgram:
        return model.program


class _PT2E(ExecuTorchRecipe):
    """PT2E with the delegate's quantizer (XNNPACK: symmetric int8, per-channel weights)."""

    dynamic: bool

    def apply(self, model: ExportedModel, job: LoweringJob) -> ExportedProgram:
        import torch
        from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

        calibration = job.samples
        prepared = prepare_pt2e(model.program.module(), job.settings.delegate.quantizer(self.dynamic))
        with torch.no_grad():
            # Dynamic activations need no ranges, but observers must see one batch to
            # settle the weight observers.
            for inputs in calibration if not self.dynamic else calibration[:1]:
                prepared(*inputs)
            return model.reexport(convert_pt2e(prepared))


class Int8Dynamic(_PT2E):
    name = "int8-dynamic"
    description = "PT2E int8: per-channel weights, activations quantized per call"
    dynamic = True


class Int8Static(_PT2E):
    name = "int8-static"
    description = "PT2E int8: per-channel weights, activation ranges calibrated on the sample texts"
    dynamic = False


class Int8DynamicActivationInt4Weight(ExecuTorchRecipe):
    """torchao 8da4w: int4 weights in groups of 32 along the input dimension, int8
    activations quantized per token at run time. Linears whose input width is not a
    multiple of the group size stay fp32, and so do linears whose weight another op also
    reads (a masked LM's decoder tied to the word embeddings): torchao's quantized weight
    tensor cannot serve aten.embedding (IntxUnpackedToInt8Tensor asserts on its padding_idx)."""

    name = "8da4w"
    description = "torchao: int8 dynamic activations, int4 weights grouped by 32"
    group_size = 32

    def apply(self, model: ExportedModel, job: LoweringJob) -> ExportedProgram:
        import torch
        from torchao.quantization import Int8DynamicActivationIntxWeightConfig
        from torchao.quantization.granularity import PerGroup
        # The public quantize_() walks nn.Linear modules; the exported graph holds plain
        # aten.linear calls, so the per-tensor transform is applied to their weights.
        from torchao.quantization.quant_api import _int8_dynamic_activation_intx_weight_quantize_tensor

        config = Int8DynamicActivationIntxWeightConfig(weight_dtype=torch.int4, weight_granularity=PerGroup(self.group_size))
        graph = model.program.module()
        shared = {n.target for n in graph.graph.nodes
                  if n.op == "get_attr" and any(user.target is not torch.ops.aten.linear.default for user in n.users)}
        for node in graph.graph.nodes:
            if node.op != "call_function" or node.target is not torch.ops.aten.linear.default:
                continue
            weight_node = node.args[1]
            if weight_node.op != "get_attr" or weight_node.target in shared:
                continue
            weight = graph.get_parameter(weight_node.target)
            if weight.shape[1] % self.group_size:
                continue
            quantized, _ = _int8_dynamic_activation_intx_weight_quantize_tensor(weight.detach(), None, config)
            owner_path, _, attr = weight_node.target.rpartition(".")
            owner = graph.get_submodule(owner_path) if owner_path else graph
            setattr(owner, attr, torch.nn.Parameter(quantized, requires_grad=False))
            # aten.linear would decompose into aten.t + addmm before the quantized tensor
            # sees it; F.linear reaches the tensor's __torch_function__ as nn.Linear does.
            node.target = torch.nn.functional.linear
        graph.recompile()
        with torch.no_grad():
            return model.reexport(graph)


EXECUTORCH_RECIPES: Registry[ExecuTorchRecipe] = Registry("ExecuTorch recipe")
for _recipe in (Fp32(), Int8Dynamic(), Int8Static(), Int8DynamicActivationInt4Weight()):
    EXECUTORCH_RECIPES.add(_recipe.name, _recipe)
