"""The task plug-in contract.

A task says how to wrap a Hugging Face model into an export-friendly module with a fixed
signature, what its inputs and outputs are, how an app turns the outputs into an answer,
and which task metric decides parity. Everything downstream (fusion, quantization,
lowering, verification, packaging) is task-agnostic and works from these answers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

import numpy as np
import torch

# Finite on purpose: finfo(float32).min becomes -inf in fp16 and turns masked softmax rows
# into NaN; -1e4 is far enough below any real attention score to zero the weight.
MASK_FILL_VALUE = -1e4


def additive_attention_mask(attention_mask: torch.Tensor) -> torch.Tensor:
    """[batch, seq] 0/1 mask -> [batch, 1, 1, seq] float mask added to attention scores.

    Built here rather than by transformers: its mask helpers export to `aten.index` graphs
    that break PT2E calibration ("tensors used as indices must be long") and to `new_ones`
    that coremltools rejects.
    """
    mask = attention_mask[:, None, None, :].to(torch.float32)
    return (1.0 - mask) * MASK_FILL_VALUE


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


@dataclass
class TaskMetric:
    """A task-level agreement figure between reference and candidate outputs."""

    name: str
    value: float
    detail: dict[str, Any] = field(default_factory=dict)


def encoder_inputs() -> list[TensorSpec]:
    return [
        TensorSpec("input_ids", "int64", (1, "seq"), "token ids from tokenizer/tokenizer.json, [CLS] ... [SEP]"),
        TensorSpec("attention_mask", "int64", (1, "seq"), "1 for real tokens, 0 for padding"),
    ]


class Task(ABC):
    name: ClassVar[str]
    description: ClassVar[str]
    # Suffixes of `config.architectures[0]` that identify a checkpoint of this task.
    head_suffixes: ClassVar[tuple[str, ...]]
    # The transformers Auto class that builds the model with this task's head.
    auto_model_class: ClassVar[str]

    def inputs(self, options: TaskOptions) -> list[TensorSpec]:
        return encoder_inputs()

    @abstractmethod
    def wrap(self, model: torch.nn.Module, options: TaskOptions) -> torch.nn.Module:
        """An nn.Module taking the `inputs()` tensors positionally and returning a tuple of
        tensors in the order of `outputs()`."""

    @abstractmethod
    def reference(self, model: torch.nn.Module, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                  options: TaskOptions) -> tuple[torch.Tensor, ...]:
        """The eager model's outputs computed the plain transformers way (2-D mask, no
        wrapper), so that a wrapper bug shows up as a parity failure."""

    @abstractmethod
    def outputs(self, labels: list[str], options: TaskOptions) -> list[TensorSpec]: ...

    @abstractmethod
    def postprocessing(self, labels: list[str], options: TaskOptions) -> dict[str, Any]:
        """How an app turns the outputs into an answer; written into the manifest."""

    @abstractmethod
    def task_metrics(self, reference: list[list[np.ndarray]], candidate: list[list[np.ndarray]]) -> list[TaskMetric]:
        """Agreement figures over all samples; each list item is one sample's outputs."""

    def describe_prediction(self, outputs: list[np.ndarray], labels: list[str]) -> str:
        return ""

    def classifier_labels(self, labels: list[str], options: TaskOptions) -> list[str] | None:
        """Labels when the model is a single-label classifier ending in probabilities:
        backends that know the notion (Core ML) then present it as a classifier."""
        return None
