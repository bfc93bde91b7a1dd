"""The task plug-in contract.

A task says how to wrap a Hugging Face model into an export-friendly module with a fixed
signature, what its inputs and outputs are, how an app turns the outputs into an answer,
and which task metric decides parity. Everything downstream (fusion, quantization,
lowering, verification, packaging) is task-agnostic and works from these answers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Sequence

import numpy as np
import torch

from builder.architectures import MASK_FILL_VALUE  # noqa: F401 - re-exported for the pooling wrappers

if TYPE_CHECKING:
    from builder.tokenizer_asset import TokenizerAsset
    from builder.vectors import TestVector

def model_attention_mask(model: torch.nn.Module, attention_mask: torch.Tensor) -> torch.Tensor:
    """The attention mask `model`'s architecture takes (see Architecture.attention_mask), built
    from the [batch, seq] 0/1 input: the export wrappers never let transformers build it."""
    from builder.architectures import ARCHITECTURES

    return ARCHITECTURES.get(model.config.model_type).attention_mask(attention_mask)


# The exported programs' inputs, always in this order; a task takes the first two, plus
# token_type_ids when it reads text pairs with a model that has segment embeddings.
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")


def encoder_kwargs(model: torch.nn.Module, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                   token_type_ids: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """The keyword arguments an exported wrapper calls the transformers `model` with: the mask
    built here (never by transformers), segment ids only when the program takes them."""
    kwargs = {"input_ids": input_ids, "attention_mask": model_attention_mask(model, attention_mask)}
    if token_type_ids is not None:
        kwargs["token_type_ids"] = token_type_ids
    return kwargs


class LogitsForExport(torch.nn.Module):
    """(input_ids [1, seq] int64, attention_mask [1, seq] int64, token_type_ids [1, seq]?) ->
    (logits, probabilities?) for any head whose output is `.logits` with labels on the last axis
    (per text or per token)."""

    def __init__(self, model: torch.nn.Module, with_probabilities: bool):
        super().__init__()
        self.model = model
        self.with_probabilities = with_probabilities

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor | None = None) -> tuple[torch.Tensor, ...]:
        logits = self.model(**encoder_kwargs(self.model, input_ids, attention_mask, token_type_ids)).logits
        if self.with_probabilities:
            return logits, torch.softmax(logits, dim=-1)
        return (logits,)


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


@dataclass(frozen=True)
class TensorSpec:
    """One model input or output as the app sees it. Dynamic dims are named strings."""

    name: str
    dtype: str
    shape: tuple[int | str, ...]
    description: str

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "shape": list(self.shape)}


@dataclass(frozen=True)
class TaskOptions:
    max_seq_len: int = 128
    # Fold a softmax into the graph so the app reads probabilities directly.
    probabilities: bool = True
    # Each input is a pair of texts (NLI, paraphrase, question + context), encoded as one sequence.
    text_pair: bool = False
    # The program also takes token_type_ids (segment ids): pairs on a model with segment embeddings.
    token_type_ids: bool = False


@dataclass
class TaskMetric:
    """A task-level agreement figure between reference and candidate outputs."""

    name: str
    value: float
    detail: dict[str, Any] = field(default_factory=dict)


def encoder_inputs(options: TaskOptions) -> list[TensorSpec]:
    ids_text = ("token ids of the pair encoded as one sequence by tokenizer/tokenizer.json, [CLS] A [SEP] B [SEP]"
                if options.text_pair else "token ids from tokenizer/tokenizer.json, [CLS] ... [SEP]")
    specs = [
        TensorSpec("input_ids", "int64", (1, "seq"), ids_text),
        TensorSpec("attention_mask", "int64", (1, "seq"), "1 for real tokens, 0 for padding"),
    ]
    if options.token_type_ids:
        specs.append(TensorSpec("token_type_ids", "int64", (1, "seq"),
                                "segment ids from tokenizer/tokenizer.json: 0 for the first text and its special tokens, "
                                "1 for the second; 0 for padding"))
    return specs


class Task(ABC):
    name: ClassVar[str]
    description: ClassVar[str]
    # Suffixes of `config.architectures[0]` that identify a checkpoint of this task.
    head_suffixes: ClassVar[tuple[str, ...]]
    # The transformers Auto class that builds the model with this task's head.
    auto_model_class: ClassVar[str]
    # Whether the test vectors carry each token's character offsets and word id (tasks whose
    # post-processing maps tokens back to the text).
    needs_alignment: ClassVar[bool] = False
    # Names of the TaskMetrics task_metrics() returns; a target profile gates each with min_<name>.
    metric_names: ClassVar[tuple[str, ...]] = ()
    # App shells (builder/apps) that know how to present this task (for single-text inputs).
    app_shells: ClassVar[tuple[str, ...]] = ()
    # Whether inputs are text pairs: "no", "optional" (--pairs) or "required".
    pairs: ClassVar[str] = "no"
    # The .csv/.jsonl fields a pair sample is read from, by default.
    pair_columns: ClassVar[tuple[str, str]] = ("text", "text_pair")
    # How tokenizer.json truncates a pair that is too long (a tokenizers TruncationStrategy).
    pair_truncation: ClassVar[str] = "longest_first"

    def matches(self, heads: list[str], checkpoint_dir: Path) -> bool:
        """Whether a checkpoint whose config.json lists these `architectures` is of this task."""
        return any(head.endswith(suffix) for head in heads for suffix in self.head_suffixes)

    def for_checkpoint(self, checkpoint_dir: Path, raw_config: dict[str, Any]) -> "Task":
        """This task configured for one checkpoint (e.g. its pooling); reads files, never
        executes anything from the folder. Raises EdgepackError for what it cannot handle."""
        return self

    def labels(self, raw_config: dict[str, Any], config: Any, checkpoint_dir: Path) -> list[str]:
        """The labels the outputs are indexed by, or raise EdgepackError saying how to fix the config."""
        return config_labels(raw_config, config)

    def extra_samples(self) -> list[str]:
        """Texts this task's parity metric needs besides the user's samples."""
        return []

    def default_pairs(self) -> list[tuple[str, str]]:
        """Built-in pair samples, for tasks that read pairs and when no --samples file is given."""
        from builder.samples import BUILTIN_PAIRS

        return list(BUILTIN_PAIRS)

    def inputs(self, options: TaskOptions) -> list[TensorSpec]:
        return encoder_inputs(options)

    @abstractmethod
    def wrap(self, model: torch.nn.Module, options: TaskOptions) -> torch.nn.Module:
        """An nn.Module taking the `inputs()` tensors positionally and returning a tuple of
        tensors in the order of `outputs()`."""

    @abstractmethod
    def reference(self, model: torch.nn.Module, inputs: dict[str, torch.Tensor], options: TaskOptions) -> tuple[torch.Tensor, ...]:
        """The eager model's outputs computed the plain transformers way (`model(**inputs)`, 2-D
        mask, no wrapper), so that a wrapper bug shows up as a parity failure."""

    @abstractmethod
    def outputs(self, labels: list[str], options: TaskOptions) -> list[TensorSpec]: ...

    @abstractmethod
    def postprocessing(self, labels: list[str], options: TaskOptions) -> dict[str, Any]:
        """How an app turns the outputs into an answer; written into the manifest."""

    @abstractmethod
    def task_metrics(self, reference: list[list[np.ndarray]], candidate: list[list[np.ndarray]],
                     vectors: Sequence["TestVector"], labels: list[str]) -> list[TaskMetric]:
        """Agreement figures over all samples; each list item is one sample's outputs, and
        `vectors[i]` the test vector (text, ids, mask, alignment) they were computed from."""

    def describe_prediction(self, outputs: list[np.ndarray], labels: list[str], vector: "TestVector") -> str:
        return ""

    def decode(self, outputs: list[np.ndarray], labels: list[str], vector: "TestVector") -> Any:
        """The app-level answer (e.g. entities) the post-processing spec yields, for the test
        vectors; None when the raw outputs are the answer."""
        return None

    def classifier_labels(self, labels: list[str], options: TaskOptions) -> list[str] | None:
        """Labels when the model is a single-label classifier ending in probabilities:
        backends that know the notion (Core ML) then present it as a classifier."""
        return None

    def parity_texts(self, texts: list[str], tokenizer: "TokenizerAsset") -> list[str]:
        """The texts parity and calibration run on, made from the samples (e.g. given the mask
        tokens the task needs). Default: the samples as they are."""
        return texts

    def compared_positions(self, input_ids: list[int], attention_mask: list[int]) -> list[int] | None:
        """Sequence positions (axis 1 of every output) the test vectors store and parity compares,
        for tasks that read only some rows of a large per-token output; None: whole outputs."""
        return None


class LogitsHeadTask(Task):
    """A task whose head returns `.logits` with labels on the last axis (per text or per
    token): exported through LogitsForExport, with the eager reference computed the plain
    transformers way (2-D mask, no wrapper) so a wrapper bug shows up as a parity failure."""

    def wrap(self, model: torch.nn.Module, options: TaskOptions) -> torch.nn.Module:
        return LogitsForExport(model, options.probabilities).eval()

    def reference(self, model, inputs, options):
        logits = model(**inputs).logits
        if options.probabilities:
            return logits, torch.softmax(logits, dim=-1)
        return (logits,)
