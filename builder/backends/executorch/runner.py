"""Run a .pte with the ExecuTorch runtime the Python wheel ships (portable + XNNPACK kernels)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from builder.backends.base import Runner


class ExecuTorchRunner(Runner):
    how = "ExecuTorch runtime on this host's CPU (portable + XNNPACK kernels)"

    def __init__(self, path: Path, method: str = "forward"):
        # Registers the quantized kernels (embedding_byte, embedding_4bit) that programs with quantized
        # embedding tables call. ExecuTorch's Android library registers them too (its LLM apps run such
        # tables); that the generated app finds them is proven only on a phone.
        importlib.import_module("executorch.kernels.quantized")
        from executorch.runtime import Runtime

        self._method = Runtime.get().load_program(Path(path)).load_method(method)

    def run(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        outputs = self._method.execute([torch.from_numpy(np.ascontiguousarray(a)) for a in inputs])
        return [o.detach().numpy().copy() for o in outputs]


def set_threads(count: int) -> None:
    """Size the runtime's thread pool (the host default is every core)."""
    from executorch.extension.pybindings.portable_lib import _unsafe_reset_threadpool

    _unsafe_reset_threadpool(count)
