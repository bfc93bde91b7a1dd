"""Core ML recipes: compute precision plus an optional weight compression from
coremltools.optimize.coreml, applied to the converted ML Program.

Recipes are data: each names its precision, its compression and the oldest deployment
target that can run it. They are applied post-conversion, so one fp16 conversion feeds
every compressed variant of a build.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from typing import Any

from builder.backends.base import LoweringJob, Recipe
from builder.backends.coreml.settings import DEPLOYMENT_TARGETS, CoreMLSettings, on_macos
from builder.registry import Registry


@dataclass(frozen=True)
class CoreMLRecipe(Recipe[Any, Any]):
    """converted ML Program -> this variant's (compressed) ML Program."""

    name: str
    description: str
    precision: str  # "fp32" or "fp16": the ML Program's compute precision
    # coremltools.optimize.coreml function and op config class, or None for no compression.
    compression: tuple[str, str] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    min_deployment_target: str = "iOS17"
    # Quantize activations too, calibrated by running the model on the samples with Core ML.
    calibrate_activations: bool = False
    # Set when the recipe can only be built where Core ML runs.
    needs_macos: str | None = None

    def refusal(self, settings: CoreMLSettings) -> str | None:
        if self.needs_macos and not on_macos():
            return f"recipe {self.name} cannot be built on {platform.system()}: {self.needs_macos}; build it on a Mac"
        if DEPLOYMENT_TARGETS.index(self.min_deployment_target) > DEPLOYMENT_TARGETS.index(settings.deployment_target):
            return (f"recipe {self.name} needs Core ML {self.min_deployment_target} or later; "
                    f"add --deployment-target {self.min_deployment_target}")
        return None

    def builds_only_on(self) -> str | None:
        return "macOS" if self.needs_macos else None

    def apply(self, mlmodel, job: LoweringJob):
        import coremltools.optimize.coreml as cto

        if self.calibrate_activations:
            from builder.backends.coreml.conversion import calibration_feeds

            config = cto.OptimizationConfig(global_config=cto.experimental.OpActivationLinearQuantizerConfig(mode="linear_symmetric"))
            mlmodel = cto.experimental.linear_quantize_activations(mlmodel, config, calibration_feeds(job))
        if self.compression is None:
            return mlmodel
        function, config_class = self.compression
        config = cto.OptimizationConfig(global_config=getattr(cto, config_class)(**self.params))
        return getattr(cto, function)(mlmodel, config)


_LINEAR = ("linear_quantize_weights", "OpLinearQuantizerConfig")
_PALETTIZE = ("palettize_weights", "OpPalettizerConfig")

COREML_RECIPE_LIST = (
    CoreMLRecipe("fp32", "float32 compute, float32 weights", "fp32"),
    CoreMLRecipe("fp16", "float16 compute and weights (ops that overflow fp16 are kept in fp32)", "fp16"),
    CoreMLRecipe("int8-weights", "int8 linear weights, symmetric per output channel; fp16 compute", "fp16", _LINEAR,
                 {"mode": "linear_symmetric", "dtype": "int8", "granularity": "per_channel"}),
    CoreMLRecipe("int4-weights", "int4 linear weights, symmetric per block of 32; fp16 compute", "fp16", _LINEAR,
                 {"mode": "linear_symmetric", "dtype": "int4", "granularity": "per_block", "block_size": 32},
                 min_deployment_target="iOS18"),
    *(CoreMLRecipe(f"palettize-{bits}bit", f"{bits}-bit k-means palettized weights (a {2 ** bits}-entry look-up table per tensor); fp16 compute",
                   "fp16", _PALETTIZE, {"nbits": bits, "mode": "kmeans"}) for bits in (4, 6, 8)),
    CoreMLRecipe("prune-50", "50% of weights zeroed by magnitude, stored sparse; fp16 compute", "fp16",
                 ("prune_weights", "OpMagnitudePrunerConfig"), {"target_sparsity": 0.5}),
    CoreMLRecipe("w8a8", "int8 weights and activations (activations calibrated on the samples)", "fp16", _LINEAR,
                 {"mode": "linear_symmetric", "dtype": "int8", "granularity": "per_channel"}, calibrate_activations=True,
                 needs_macos="coremltools calibrates activation quantization by running the model with Core ML, which exists only on macOS"),
)

COREML_RECIPES: Registry[CoreMLRecipe] = Registry("Core ML recipe")
for _recipe in COREML_RECIPE_LIST:
    COREML_RECIPES.add(_recipe.name, _recipe)
