"""Quantization recipes for ExecuTorch. Each starts from the build's one fused ExportedProgram and
never re-traces the model; PT2E recipes quantize with the backend's delegate's quantizer. Every
recipe records what it made of each weight (builder.backends.executorch.weights)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from builder.backends.base import LoweringJob, Recipe
from builder.backends.executorch.weights import (LayerRecord, float_records, pt2e_linear_records, quantize_embeddings,
                                                 quantize_linears_8da4w)
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

    # Embedding tables: weight-only bits (None: fp32) and group size (None: one scale per row).
    embedding_bits: int | None = None
    embedding_group: int | None = None

    def _embeddings(self, graph) -> list[LayerRecord]:
        return quantize_embeddings(graph, self.embedding_bits, self.embedding_group) if self.embedding_bits else []


class Fp32(ExecuTorchRecipe):
    name = "fp32"
    description = "float32 weights and activations (no quantization)"

    def apply(self, model: ExportedModel, job: LoweringJob) -> QuantizedProgram:
        return QuantizedProgram(model.program, float_records(model.program.module()))


class _PT2E(ExecuTorchRecipe):
    """PT2E with the delegate's quantizer (XNNPACK: symmetric int8, per-channel weights) for the linears,
    8-bit rows for the embedding tables."""

    dynamic: bool
    embedding_bits = 8

    def apply(self, model: ExportedModel, job: LoweringJob) -> QuantizedProgram:
        import torch
        from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

        calibration = job.samples
        prepared = prepare_pt2e(model.program.module(), job.settings.delegate.quantizer(self.dynamic))
        with torch.no_grad():
            # Dynamic activations need no ranges, but observers must see one batch to
            # settle the weight observers.
            for inputs in calibration if not self.dynamic else calibration[:1]:
                prepared(*inputs)
            converted = convert_pt2e(prepared)
            layers = pt2e_linear_records(converted) + self._embeddings(converted)
            return QuantizedProgram(model.reexport(converted), layers)


class Int8Dynamic(_PT2E):
    name = "int8-dynamic"
    description = "PT2E int8: per-channel weights, activations quantized per call; int8 embedding rows"
    dynamic = True


class Int8Static(_PT2E):
    name = "int8-static"
    description = "PT2E int8: per-channel weights, activation ranges calibrated on the sample texts; int8 embedding rows"
    dynamic = False


class Int8DynamicActivationInt4Weight(ExecuTorchRecipe):
    """torchao 8da4w on the linears (builder.backends.executorch.weights.quantize_linears_8da4w), and
    the embedding tables in 8-bit rows."""

    name = "8da4w"
    description = ("torchao: int8 dynamic activations, int4 weights grouped by 32 (int8 per channel for the linears "
                   "measured most sensitive); int8 embedding rows")
    group_size = 32
    embedding_bits = 8
    # The outputs' cosine to fp32 on the build's samples that the int4/int8 mix must keep: above the profiles'
    # 0.97 gate, with room for texts outside the samples.
    target_cosine = 0.985

    def apply(self, model: ExportedModel, job: LoweringJob) -> QuantizedProgram:
        import torch

        graph = model.program.module()
        layers = quantize_linears_8da4w(graph, self.group_size, job.samples, self.target_cosine) + self._embeddings(graph)
        with torch.no_grad():
            return QuantizedProgram(model.reexport(graph), layers)


EXECUTORCH_RECIPES: Registry[ExecuTorchRecipe] = Registry("ExecuTorch recipe")
for _recipe in (Fp32(), Int8Dynamic(), Int8Static(), Int8DynamicActivationInt4Weight()):
    EXECUTORCH_RECIPES.add(_recipe.name, _recipe)
