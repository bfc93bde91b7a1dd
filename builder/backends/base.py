"""The backend plug-in contract: lower the fused ExportedProgram to an app file under a
recipe, and run that file back on this machine.

Each backend is a package (builder/backends/<name>/) that owns its recipes (quantization and
compression schemes differ per runtime), its settings (a target profile's `[settings]` table
plus the command-line options it declares), and how its manifest details read in `inspect`
and the parity report.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Generic, Sequence, TypeVar

import numpy as np

from builder.registry import Registry
from builder.tasks.specs import PAD_TOKEN_ID, MethodSpec, TensorSpec

if TYPE_CHECKING:  # torch is imported only when a backend does work: the CLI reads these registries for its help
    from builder.export import ExportedModel, Inputs
    from builder.tasks.base import Task


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
    method: str = "forward"
    # Constant values the program carries for its runtime (Task.program_metadata).
    program_metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def contract(self) -> "RunContract":
        return RunContract(MethodSpec(self.method, tuple(self.inputs), tuple(self.outputs)), self.pad_token_id)


@dataclass
class LoweringJob:
    """Everything a backend needs to build any of its variants of one model."""

    exported: "ExportedModel"
    # Real tokenized samples: calibration data and probes for numerical safety checks.
    samples: Sequence["Inputs"]
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


@dataclass(frozen=True)
class RunContract:
    """What running an artifact needs besides its file: the program's method (name, inputs with
    their padding, outputs in order) and the tokenizer's pad id. The build makes it from the bound
    task, `edgepack verify` from the task rebuilt from the manifest."""

    method: MethodSpec
    pad_token_id: int

    def padding_value(self, spec: TensorSpec) -> int:
        return self.pad_token_id if spec.padding == PAD_TOKEN_ID else int(spec.padding)


@dataclass(frozen=True)
class Setting:
    """A backend setting the user may override on the command line (`--<flag>`), on top of the
    target profile's `[settings]` table. The CLI options and their help come from these."""

    key: str
    flag: str
    choices: tuple[str, ...]
    help: str


In = TypeVar("In")
Out = TypeVar("Out")


class Recipe(ABC, Generic[In, Out]):
    """One variant's quantization or compression scheme. Every backend's recipes share this contract:
    a name, a sentence for `edgepack targets` and the manifest, a refusal checked before any work, and
    `apply`, which turns the backend's starting point (an ExportedProgram for ExecuTorch, a converted
    ML Program for Core ML) into the variant's."""

    name: str
    description: str

    def refusal(self, settings: Any) -> str | None:
        """Why this recipe cannot be built here with these settings, or None."""
        return None

    def builds_only_on(self) -> str | None:
        """The one host system this recipe can be built on (for help texts), or None for any."""
        return None

    @abstractmethod
    def apply(self, subject: In, job: "LoweringJob") -> Out: ...


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
    # How the backend is named to people (help texts, inspect, the report).
    display_name: ClassVar[str]
    file_suffix: ClassVar[str]
    # Directory inside the bundle that holds this backend's artifacts.
    bundle_dir: ClassVar[str]
    recipes: ClassVar[Registry]
    # The settings a user may override from the command line; only this backend receives them.
    settings: ClassVar[tuple[Setting, ...]] = ()
    # The parity report's section on this backend's variants (templates/), or None.
    report_template: ClassVar[str | None] = None

    def resolve_settings(self, profile_settings: dict[str, Any], overrides: dict[str, Any]) -> Any:
        """Validate the profile's settings merged with the command-line overrides of this backend's
        own `settings` (the build never passes it another backend's)."""
        return {**profile_settings, **overrides}

    def settings_for_task(self, settings: Any, task: "Task", overrides: dict[str, Any]) -> Any:
        """`settings` adjusted to what `task`'s program needs, once the task is known (after loading the
        checkpoint); `overrides` are the user's command-line settings, which are refused rather than changed."""
        return settings

    def refusal(self, recipe: str, settings: Any) -> str | None:
        """Why `recipe` cannot be built here with these settings, or None. Checked before any work."""
        return self.recipes.get(recipe).refusal(settings)

    def graph_passes(self) -> tuple[Any, ...]:
        """Fusion passes (builder.passes.GraphPass) run on top of the shared ones, for this backend's
        programs only. A method: the passes import torch, and the CLI reads backends for its help."""
        return ()

    @abstractmethod
    def lower(self, job: LoweringJob, recipe: str) -> LoweredArtifact: ...

    @abstractmethod
    def runners(self, path: Path, contract: RunContract) -> list[Runner]:
        """Every way this machine can run the artifact; each is checked against the reference.
        Raises CannotVerify when there is none."""

    @abstractmethod
    def versions(self) -> dict[str, str]: ...

    @abstractmethod
    def describe(self, details: dict[str, Any]) -> str:
        """The few facts of a variant's manifest `details` that matter at a glance (`edgepack inspect`)."""

