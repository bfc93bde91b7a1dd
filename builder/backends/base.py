"""The backend plug-in contract: lower the fused ExportedProgram to an app file under a
recipe, and run that file back on this machine.

Each backend owns its recipes (quantization/compression schemes differ per runtime) and
its settings (a target profile's `[settings]` table plus command-line overrides).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, ClassVar, Sequence

import numpy as np

from builder.export import ExportedModel, Inputs
from builder.registry import Registry
from builder.tasks.base import TensorSpec


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


@dataclass(frozen=True)
class ModelFacts:
    """What an artifact may carry about the model it came from (Core ML embeds it as metadata)."""

    name: str
    task: str
    task_description: str
    architecture: str
    labels: list[str]
    # Set for single-label classifiers whose graph ends in probabilities.
    classifier_labels: list[str] | None
    inputs: list[TensorSpec]
    outputs: list[TensorSpec]
    pad_token_id: int
    min_seq_len: int
    max_seq_len: int
    tokenizer: dict[str, Any]
    version: str
    author: str | None = None
    license: str | None = None


@dataclass
class LoweringJob:
    """Everything a backend needs to build any of its variants of one model."""

    exported: ExportedModel
    # Real tokenized samples: calibration data and probes for numerical safety checks.
    samples: Sequence[Inputs]
    facts: ModelFacts
    settings: Any
    # Work shared between the variants of one build (e.g. one Core ML conversion feeds
    # every compressed variant).
    cache: dict[str, Any] = field(default_factory=dict)


@dataclass
class LoweredArtifact:
    write: Callable[[Path], None]
    # Backend-specific facts for the manifest entry of this variant.
    details: dict[str, Any]
    # One line for the build summary's "backend" column.
    summary: str


class CannotVerify(Exception):
    """The artifact exists but cannot be run on this machine; never reported as a pass."""


class Runner(ABC):
    """A loaded artifact that maps input arrays to output arrays, in the manifest's output order."""

    # How the artifact is run, as a sentence; the part before " (" is its short form.
    how: str

    @abstractmethod
    def run(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]: ...


class Backend(ABC):
    name: ClassVar[str]
    file_suffix: ClassVar[str]
    # Directory inside the bundle that holds this backend's artifacts.
    bundle_dir: ClassVar[str]
    recipes: ClassVar[Registry]

    def resolve_settings(self, profile_settings: dict[str, Any], overrides: dict[str, Any]) -> Any:
        """Validate the profile's settings merged with command-line overrides."""
        return {**profile_settings, **overrides}

    def refusal(self, recipe: str, settings: Any) -> str | None:
        """Why `recipe` cannot be built here with these settings, or None. Checked before any work."""
        return None

    @abstractmethod
    def lower(self, job: LoweringJob, recipe: str) -> LoweredArtifact: ...

    @abstractmethod
    def runners(self, path: Path) -> list[Runner]:
        """Every way this machine can run the artifact; each is checked against the reference.
        Raises CannotVerify when there is none."""

    @abstractmethod
    def versions(self) -> dict[str, str]: ...

