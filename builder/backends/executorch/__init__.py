"""ExecuTorch .pte files: lowering through a delegate (delegates.py), the recipes, the host runner
(runner.py) and the delegation report (delegation.py). Importing the package does not import torch."""

from builder.backends.executorch.backend import ExecuTorchBackend, ExecuTorchSettings
from builder.backends.executorch.recipes import EXECUTORCH_RECIPES

__all__ = ["EXECUTORCH_RECIPES", "ExecuTorchBackend", "ExecuTorchSettings"]
