"""The task plug-in contract.

A task says how to wrap a Hugging Face model into an export-friendly module with a fixed
signature, what its inputs and outputs are, how an app turns the outputs into an answer,
and which task metric decides parity. Everything downstream (fusion, quantization,
lowering, verification, packaging) is task-agnostic and works from these answers.

The contract's data types are in builder/tasks/specs.py and the export wrappers (torch
modules) in builder/tasks/wrappers.py, so that the registry imports without torch.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Sequence

import numpy as np

from builder.tasks.specs import MethodSpec, Presentation, TaskMetric, TaskOptions, TensorSpec, encoder_inputs

if TYPE_CHECKING:
    import torch

    from builder.backends.base import Runner
    from builder.samples import Sample
    from builder.tokenizer_asset import TokenizerAsset
    from builder.vectors import TestVector


def config_labels(raw_config: dict[str, Any], config: Any) -> list[str]:
    """Labels in id order from the loaded transformers config (which invents LABEL_n when
    config.json has no id2label)."""
    return [str(config.id2label[i]) for i in sorted(config.id2label)]


def pair_encoding(options: TaskOptions, first: str = "the first text", second: str = "the second text") -> str:
    """How an app encodes a pair input, for the manifest's post-processing spec."""
    segments = ("; token_type_ids are the encoding's type ids (0 for the first text, 1 for the second)"
                if options.token_type_ids else "; the model takes no token_type_ids")
    return (f"tokenizer/tokenizer.json encodes ({first}, {second}) as one pair sequence, with its own special tokens "
            f"and its truncation setting{segments}")


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis in float64, as the tasks' post-processing specs apply it."""
    x = np.asarray(x, dtype=np.float64)
    shifted = np.exp(x - x.max(-1, keepdims=True))
    return shifted / shifted.sum(-1, keepdims=True)


class Task(ABC):
    """A task in two parts. The class is the stateless spec the registry holds: how to recognise a
    checkpoint of the task and read what it needs from the folder (`read_settings`) or from a bundle's
    manifest (`from_manifest`). An instance is the task bound to one model (`bind`): its labels,
    options and settings, and everything that depends on them (samples, graph, app contract,
    metrics). The build and `edgepack verify` both work from a bound instance."""

    # -- the spec: class level, the same for every checkpoint --
    name: ClassVar[str]
    description: ClassVar[str]
    # Suffixes of `config.architectures[0]` that identify a checkpoint of this task.
    head_suffixes: ClassVar[tuple[str, ...]]
    # The transformers Auto class that builds the model with this task's head.
    auto_model_class: ClassVar[str]
    # The PEFT `task_type` of LoRA adapters for this task, if edgepack merges them.
    peft_task_type: ClassVar[str | None] = None
    # Whether the test vectors carry each token's character offsets and word id (tasks whose
    # post-processing maps tokens back to the text).
    needs_alignment: ClassVar[bool] = False
    # Names of the TaskMetrics task_metrics() returns; a target profile gates each with min_<name>.
    metric_names: ClassVar[tuple[str, ...]] = ()
    # Whether inputs are text pairs: "no", "optional" (--pairs) or "required".
    pairs: ClassVar[str] = "no"
    # The .csv/.jsonl fields a pair sample is read from, by default.
    pair_columns: ClassVar[tuple[str, str]] = ("text", "text_pair")
    # How tokenizer.json truncates a pair that is too long (a tokenizers TruncationStrategy).
    pair_truncation: ClassVar[str] = "longest_first"
    # Whether tokenizer.json truncates inputs to the program's length (an encoder's app feeds one window). A task
    # whose app decides what to leave out (a chat drops its oldest turns) gets none: a silently cut prompt loses its end.
    truncates_input: ClassVar[bool] = True
    # Which architectures can carry the task: "encoder" (BERT family) or "decoder" (causal language models);
    # builder.architectures.Architecture.family.
    family: ClassVar[str] = "encoder"
    # Export with strict (TorchDynamo) tracing: models with in-place state need it.
    export_strict: ClassVar[bool] = False
    # What the program keeps from one call to the next (a decoder's key/value cache), or None: an app then runs
    # one sequence on one loaded program, and Core ML holds it as state (iOS 18).
    program_state: ClassVar[str | None] = None

    @classmethod
    def matches(cls, heads: list[str], checkpoint_dir: Path) -> bool:
        """Whether a checkpoint whose config.json lists these `architectures` is of this task."""
        return any(head.endswith(suffix) for head in heads for suffix in cls.head_suffixes)

    @classmethod
    def read_labels(cls, raw_config: dict[str, Any], config: Any, checkpoint_dir: Path) -> list[str]:
        """The labels the outputs are indexed by, or raise EdgepackError saying how to fix the config."""
        return config_labels(raw_config, config)

    @classmethod
    def read_settings(cls, checkpoint_dir: Path, raw_config: dict[str, Any]) -> Any:
        """What this task needs to know of one checkpoint besides its labels (e.g. its pooling); reads
        files, never executes anything from the folder. Raises EdgepackError for what it cannot handle."""
        return None

    @classmethod
    def settings_from_manifest(cls, manifest: dict[str, Any]) -> Any:
        """The settings `read_settings` gave at build time, read back from the bundle's manifest."""
        return None

    @classmethod
    def bind(cls, labels: Sequence[str] = (), options: TaskOptions = TaskOptions(), settings: Any = None) -> "Task":
        return cls(list(labels), options, settings)

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> "Task":
        """The task bound as it was for the build that wrote `manifest`."""
        return cls.bind(manifest["task"]["labels"], TaskOptions.from_manifest(manifest), cls.settings_from_manifest(manifest))

    # -- the bound task: one model's labels, options and settings --
    def __init__(self, labels: list[str], options: TaskOptions, settings: Any = None):
        self.labels = labels
        self.options = options
        self.settings = settings

    # Samples: what parity runs on.
    def extra_samples(self) -> list[str]:
        """Texts this task's parity metric needs besides the user's samples."""
        return []

    def default_pairs(self) -> list[tuple[str, str]]:
        """Built-in pair samples, for tasks that read pairs and when no --samples file is given."""
        from builder.samples import BUILTIN_PAIRS

        return list(BUILTIN_PAIRS)

    def parity_texts(self, texts: list[str], tokenizer: "TokenizerAsset") -> list[str]:
        """The texts parity and calibration run on, made from the samples (e.g. given the mask
        tokens the task needs). Default: the samples as they are."""
        return texts

    def make_vectors(self, tokenizer: "TokenizerAsset", samples: Sequence["Sample"], min_len: int,
                     max_len: int) -> list["TestVector"]:
        """The test vectors (before the reference fills them): each sample as tokenized, a few also padded."""
        from builder.vectors import make_vectors

        return make_vectors(tokenizer, samples, min_len, max_len, aligned=self.needs_alignment,
                            token_type_ids=self.options.token_type_ids)

    def input_rule(self) -> str:
        """How an app fills the program's inputs for a text (the manifest's sequence_length.padding)."""
        return "right-pad with pad_token_id and attention_mask 0 up to min" + (" (token_type_ids 0)" if self.options.token_type_ids else "")

    def program_inputs(self, vector: "TestVector") -> tuple[np.ndarray, ...]:
        """The program's inputs for one test vector, in the order of `inputs()`."""
        return tuple(vector.arrays())

    def output_view(self, outputs: Sequence[np.ndarray], vector: "TestVector") -> list[np.ndarray]:
        """An artifact's (or the eager model's) outputs for one vector as `expected` stores them and parity
        compares them: by default the `positions` rows when the vector has them (compared_positions)."""
        return vector.at_positions(outputs)

    def compared_positions(self, input_ids: list[int], attention_mask: list[int]) -> list[int] | None:
        """Sequence positions (axis 1 of every output) the test vectors store and parity compares,
        for tasks that read only some rows of a large per-token output; None: whole outputs."""
        return None

    # The graph: what is exported and what the eager model is compared with.
    def inputs(self) -> list[TensorSpec]:
        return encoder_inputs(self.options)

    @abstractmethod
    def outputs(self) -> list[TensorSpec]: ...

    def methods(self) -> list[MethodSpec]:
        """The exported program's methods; encoder tasks have one."""
        return [MethodSpec("forward", tuple(self.inputs()), tuple(self.outputs()))]

    def fusion_passes(self) -> Sequence[Any] | None:
        """The graph passes run on the exported program (builder.passes); None: the default set."""
        return None

    def program_metadata(self) -> dict[str, Any]:
        """Constant values a program carries for its runtime (ExecuTorch: methods returning them)."""
        return {}

    @abstractmethod
    def wrap(self, model: torch.nn.Module) -> torch.nn.Module:
        """An nn.Module taking the `inputs()` tensors positionally and returning a tuple of
        tensors in the order of `outputs()`."""

    @abstractmethod
    def reference(self, model: torch.nn.Module, inputs: dict[str, torch.Tensor]) -> tuple[torch.Tensor, ...]:
        """The eager model's outputs computed the plain transformers way (`model(**inputs)`, 2-D
        mask, no wrapper), so that a wrapper bug shows up as a parity failure."""

    def classifier_labels(self) -> list[str] | None:
        """Labels when the model is a single-label classifier ending in probabilities:
        backends that know the notion (Core ML) then present it as a classifier."""
        return None

    # The app contract: how an app turns the outputs into an answer.
    @abstractmethod
    def postprocessing(self) -> dict[str, Any]:
        """Written into the manifest."""

    def decode(self, outputs: list[np.ndarray], vector: "TestVector") -> Any:
        """The app-level answer (e.g. entities) the post-processing spec yields, for the test
        vectors; None when the raw outputs are the answer."""
        return None

    def describe_prediction(self, outputs: list[np.ndarray], vector: "TestVector") -> str:
        return ""

    # edgepack run: the app's screen for one input.
    def attach_tokenizer(self, tokenizer: "TokenizerAsset") -> None:
        """Give a task rebuilt from a manifest the bundle's tokenizer, for tasks whose answer decodes ids."""

    def app_samples(self, sample: "Sample", candidates: Sequence[str]) -> list["Sample"]:
        """What the app runs the model on for one input: the input itself (a task that ranks texts adds
        `candidates`, the texts to rank). Raises EdgepackError for an input the app would refuse."""
        return [sample]

    def present(self, outputs: list[list[np.ndarray]], vectors: Sequence["TestVector"]) -> Presentation:
        """What the app shows, from the outputs of the `app_samples` (vectors in the same order)."""
        answer = self.describe_prediction(outputs[0], vectors[0])
        return Presentation(answer, [answer])

    def app_view(self, program: Callable[[tuple[np.ndarray, ...]], Sequence[np.ndarray]],
                 vectors: Sequence["TestVector"]) -> Presentation:
        """What the app shows for the `app_samples`' vectors, running `program` (program inputs -> outputs: an
        artifact's runner, or `eager_program`) as the app runs its model: once per vector by default."""
        return self.present([self.output_view(program(self.program_inputs(v)), v) for v in vectors], vectors)

    def eager_program(self, model: torch.nn.Module) -> Callable[[tuple[np.ndarray, ...]], list[np.ndarray]]:
        """The eager model behind the program's interface (`edgepack run --checkpoint`): inputs by `inputs()` order."""
        import torch

        names = [spec.name for spec in self.inputs()]

        def run(arrays: tuple[np.ndarray, ...]) -> list[np.ndarray]:
            named = {name: torch.from_numpy(np.asarray(a)) for name, a in zip(names, arrays)}
            return [o.numpy() for o in self.reference(model, named)]

        return run

    # The app shells: what their screen asks for and the data it starts with.
    def app_hints(self) -> tuple[str, str]:
        """Placeholder texts of the screen's two input fields (the second empty: the screen has one)."""
        if self.options.text_pair:
            return "Type the first text", "Type the second text"
        return "Type a text", ""

    def app_data(self, vectors: Sequence["TestVector"]) -> dict[str, Any] | None:
        """Data the app's screen starts with, shipped next to the test vectors (e.g. the sentences a search
        ranks), with what the Python reference makes of it for the kit's tests; None: the task needs none."""
        return None

    def record_reference(self, model: torch.nn.Module, vector: "TestVector") -> None:
        """Run the eager model on one test vector and store what it expects: the outputs (at the
        compared positions), the answer in words and the decoded answer."""
        vector.positions = self.compared_positions(vector.input_ids, vector.attention_mask)
        outputs = self.reference(model, vector.inputs())
        arrays = self.output_view([o.numpy() for o in outputs], vector)
        vector.expected = {spec.name: out.tolist() for spec, out in zip(self.outputs(), arrays)}
        vector.expected_answer = self.describe_prediction(arrays, vector)
        vector.expected_decoded = self.decode(arrays, vector)

    # Parity: the task's own agreement figures.
    def run_metrics(self, runner: "Runner", vectors: Sequence["TestVector"]) -> list[TaskMetric]:
        """Figures that need the artifact driven step by step (e.g. free-running generation), not one call
        per vector; gated like task_metrics."""
        return []

    @abstractmethod
    def task_metrics(self, reference: list[list[np.ndarray]], candidate: list[list[np.ndarray]],
                     vectors: Sequence["TestVector"]) -> list[TaskMetric]:
        """Agreement figures over all samples; each list item is one sample's outputs, and
        `vectors[i]` the test vector (text, ids, mask, alignment) they were computed from."""


class LogitsHeadTask(Task):
    """A task whose head returns `.logits` with labels on the last axis (per text or per
    token): exported through LogitsForExport, with the eager reference computed the plain
    transformers way (2-D mask, no wrapper) so a wrapper bug shows up as a parity failure."""

    def wrap(self, model: torch.nn.Module) -> torch.nn.Module:
        from builder.tasks.wrappers import LogitsForExport

        return LogitsForExport(model, self.options.probabilities).eval()

    def reference(self, model, inputs):
        import torch

        logits = model(**inputs).logits
        if self.options.probabilities:
            return logits, torch.softmax(logits, dim=-1)
        return (logits,)
