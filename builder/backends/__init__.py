"""Backend registry: one entry per artifact format."""

from builder.backends.base import Backend, Delegation, Runner
from builder.backends.executorch import ExecuTorchXnnpack
from builder.registry import Registry

BACKENDS: Registry[Backend] = Registry("backend")
BACKENDS.add(ExecuTorchXnnpack.name, ExecuTorchXnnpack())

__all__ = ["BACKENDS", "Backend", "Delegation", "Runner"]
