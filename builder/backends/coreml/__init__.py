"""Core ML ML Programs: settings, conversion, recipes, the package metadata and the runners."""

from builder.backends.coreml.backend import CoreMLBackend
from builder.backends.coreml.recipes import COREML_RECIPES, CoreMLRecipe
from builder.backends.coreml.runners import CoreMLPredictRunner, MilReferenceRunner
from builder.backends.coreml.settings import CoreMLSettings

__all__ = ["COREML_RECIPES", "CoreMLBackend", "CoreMLPredictRunner", "CoreMLRecipe", "CoreMLSettings", "MilReferenceRunner"]
