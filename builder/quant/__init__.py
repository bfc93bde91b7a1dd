"""Recipe registries, one per backend: `--quant` names are looked up in the registry of
each target's backend (the same name, e.g. fp32, can exist for several backends)."""

from builder.quant.base import Recipe
from builder.quant.coreml_recipes import COREML_RECIPE_LIST, CoreMLRecipe
from builder.quant.executorch_recipes import Fp32, Int8Dynamic, Int8DynamicActivationInt4Weight, Int8Static
from builder.registry import Registry

EXECUTORCH_RECIPES: Registry[Recipe] = Registry("ExecuTorch recipe")
for _recipe in (Fp32(), Int8Dynamic(), Int8Static(), Int8DynamicActivationInt4Weight()):
    EXECUTORCH_RECIPES.add(_recipe.name, _recipe)

COREML_RECIPES: Registry[CoreMLRecipe] = Registry("Core ML recipe")
for _coreml_recipe in COREML_RECIPE_LIST:
    COREML_RECIPES.add(_coreml_recipe.name, _coreml_recipe)

__all__ = ["COREML_RECIPES", "CoreMLRecipe", "EXECUTORCH_RECIPES", "Recipe"]
