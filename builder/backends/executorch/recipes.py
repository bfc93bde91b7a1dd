"""Quantization recipes for ExecuTorch. Each starts from the build's one fused ExportedProgram and
never re-traces the model: torchao's quantized tensors replace the weights of its graph (dynamic
activations), or PT2E quantizes it with the delegate's quantizer (static activations). Every recipe
records what it made of each weight (builder.backends.executorch.weights)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from builder.backends.base import LoweringJob, Recipe
from builder.backends.executorch.weights import (float_records, pt2e_linear_records, quantize_8da4w, quantize_8da8w,
                                                 quantize_embeddings, untie_for_quantization, untied_note)
from builder.backends.weight_records import LayerRecord
from builder.registry import Registry

if TYPE_CHECKING:
    from torch.export import ExportedProgram

    from builder.export import ExportedModel


@dataclass
class QuantizedProgram:
    """A recipe's program and what it did to every weight."""

    program: "ExportedProgram"
    layers: list[LayerRecord]

    @property
    def quantized_embeddings(self) -> bool:
        return any(r.op == "embedding" and r.precision != "fp32" for r in self.layers)


class ExecuTorchRecipe(Recipe["ExportedModel", QuantizedProgram]):
    """fused fp32 program -> the program this variant is lowered from, with its layer records."""


class Fp32(ExecuTorchRecipe):
    name = "fp32"
    description = "float32 weights and activations (no quantization)"

    def apply(self, model: ExportedModel, job: LoweringJob) -> QuantizedProgram:
        return QuantizedProgram(model.program, float_records(model.program.module()))


class Int8Dynamic(ExecuTorchRecipe):
    name = "int8-dynamic"
    description = "torchao: int8 weights per output channel, int8 activations quantized per token at run time; int8 embedding rows"

    def apply(self, model: ExportedModel, job: LoweringJob) -> QuantizedProgram:
        import torch

        graph = model.program.module()
        copies = untie_for_quantization(graph)
        layers = [untied_note(r, copies) for r in quantize_8da8w(graph) + quantize_embeddings(graph, bits=8)]
        with torch.no_grad():
            return QuantizedProgram(model.reexport(graph), layers)


class Int8Static(ExecuTorchRecipe):
    """PT2E with the delegate's static quantizer (XNNPACK: symmetric int8, per-channel weights, activation
    ranges calibrated on the samples), 8-bit rows for the embedding tables."""

    name = "int8-static"
    description = "PT2E int8: per-channel weights, activation ranges calibrated on the sample texts; int8 embedding rows"

    def apply(self, model: ExportedModel, job: LoweringJob) -> QuantizedProgram:
        import torch
        from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

        prepared = prepare_pt2e(model.program.module(), job.settings.delegate.static_quantizer())
        with torch.no_grad():
            for inputs in job.samples:
                prepared(*inputs)
            converted = convert_pt2e(prepared)
            layers = pt2e_linear_records(converted) + quantize_embeddings(converted, bits=8)
            return QuantizedProgram(model.reexport(converted), layers)


class Int8DynamicActivationInt4Weight(ExecuTorchRecipe):
    """torchao 8da4w on the linears and 4-bit embedding tables, int8 where measured sensitivity says so
    (builder.backends.executorch.weights.quantize_8da4w)."""

    name = "8da4w"
    description = ("torchao: int8 dynamic activations, int4 weights and embedding rows in groups (--group-size, 32 by "
                   "default; int8 for the weights measured most sensitive)")
    # The outputs' cosine to fp32 on the build's samples that the int4/int8 mix must keep: above the profiles'
    # 0.97 gate, with room for texts outside the samples.
    target_cosine = 0.985

    def apply(self, model: ExportedModel, job: LoweringJob) -> QuantizedProgram:
        import torch

        graph = model.program.module()
        settings = job.settings
        copies = untie_for_quantization(graph)
        layers = [untied_note(r, copies) for r in
                  quantize_8da4w(graph, settings.group_size, job.samples, self.target_cosine, hqq=settings.int4_scales == "hqq")]
        with torch.no_grad():
            return QuantizedProgram(model.reexport(graph), layers)


EXECUTORCH_RECIPES: Registry[ExecuTorchRecipe] = Registry("ExecuTorch recipe")
for _recipe in (Fp32(), Int8Dynamic(), Int8Static(), Int8DynamicActivationInt4Weight()):
    EXECUTORCH_RECIPES.add(_recipe.name, _recipe)
