"""The backend plug-in contract: lower an ExportedProgram to a file, and run that file."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Sequence

import numpy as np
from torch.export import ExportedProgram


@dataclass
class Delegation:
    """Which operators run in the accelerated backend and which stay on the portable CPU ops."""

    backend: str
    subgraphs: int
    delegated_nodes: int
    cpu_nodes: int
    compute_delegated: int
    compute_total: int
    by_operator: dict[str, dict[str, int]]
    cpu_ops: list[dict[str, Any]] = field(default_factory=list)

    @property
    def compute_share(self) -> float:
        return self.compute_delegated / self.compute_total if self.compute_total else 1.0

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "compute_share": self.compute_share}


@dataclass
class LoweredArtifact:
    data: bytes
    delegation: Delegation


class Runner(ABC):
    """A loaded artifact that maps input arrays to output arrays."""

    how: ClassVar[str]

    @abstractmethod
    def run(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]: ...


class Backend(ABC):
    name: ClassVar[str]
    file_suffix: ClassVar[str]
    # Directory inside the bundle that holds this backend's artifacts.
    bundle_dir: ClassVar[str]

    @abstractmethod
    def lower(self, program: ExportedProgram) -> LoweredArtifact: ...

    @abstractmethod
    def load(self, path: Path) -> Runner: ...

    @abstractmethod
    def versions(self) -> dict[str, str]: ...
