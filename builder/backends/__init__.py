"""Backend registry: one entry per artifact format."""

from builder.backends.base import Backend, CannotVerify, Delegation, Runner
from builder.backends.coreml import CoreMLBackend
from builder.backends.executorch import ExecuTorchXnnpack
from builder.registry import Registry

BACKENDS: Registry[Backend] = Registry("backend")
for _backend in (ExecuTorchXnnpack(), CoreMLBackend()):
    BACKENDS.add(_backend.name, _backend)

__all__ = ["BACKENDS", "Backend", "CannotVerify", "Delegation", "Runner"]
