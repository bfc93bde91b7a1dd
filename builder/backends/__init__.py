"""Backend registry, the one list of artifact formats: one entry per backend package."""

from builder.backends.base import Backend, CannotVerify, Recipe, RunContract, Runner, Setting
from builder.backends.coreml import CoreMLBackend
from builder.backends.executorch import ExecuTorchBackend
from builder.registry import Registry

BACKENDS: Registry[Backend] = Registry("backend")
for _backend in (ExecuTorchBackend(), CoreMLBackend()):
    BACKENDS.add(_backend.name, _backend)


def backend_settings() -> dict[str, tuple[Backend, Setting]]:
    """Every command-line backend setting by key, with the backend that owns it."""
    return {setting.key: (backend, setting) for _, backend in BACKENDS.items() for setting in backend.settings}


__all__ = ["BACKENDS", "Backend", "CannotVerify", "Recipe", "RunContract", "Runner", "Setting", "backend_settings"]
