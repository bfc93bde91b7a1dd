"""Quantization recipe registry, one entry per `--quant` name."""

from builder.quant.base import Recipe
from builder.quant.executorch_recipes import Fp32, Int8Dynamic, Int8DynamicActivationInt4Weight, Int8Static
from builder.registry import Registry

RECIPES: Registry[Recipe] = Registry("quantization recipe")
for _recipe in (Fp32(), Int8Dynamic(), Int8Static(), Int8DynamicActivationInt4Weight()):
    RECIPES.add(_recipe.name, _recipe)

__all__ = ["RECIPES", "Recipe"]
