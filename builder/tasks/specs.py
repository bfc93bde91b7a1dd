"""The data the task contract speaks in: tensor and method specs, build options, metrics. Plain
dataclasses, importable without torch (the CLI builds its help from the registries)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# An input's padding value that is the tokenizer's pad id rather than a number.
PAD_TOKEN_ID = "pad_token_id"
# An input's example that counts the sequence's positions (0, 1, 2, ...) rather than repeating a number.
POSITIONS = "positions"


@dataclass(frozen=True)
class Presentation:
    """What an app shows for one input (edgepack run prints it): the decision two models must agree on
    (a label, the entities, an answer span, the best candidates, an order), and the lines of the screen."""

    answer: str
    lines: list[str]


@dataclass(frozen=True)
class TensorSpec:
    """One model input or output as the app sees it. Dynamic dims are named strings."""

    name: str
    dtype: str
    shape: tuple[int | str, ...]
    description: str
    # Inputs only: what an app right-pads this input with (a number or PAD_TOKEN_ID), and the value
    # export's example input holds (a number valid for every model, or POSITIONS). The manifest states
    # the padding in words (sequence_length.padding); neither is part of the spec's JSON.
    padding: int | str = field(default=0, compare=False)
    example: int | str = field(default=1, compare=False)

    @property
    def sequence_axis(self) -> int:
        """The axis that is as long as the token sequence (export makes it dynamic)."""
        return self.shape.index("seq")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "shape": list(self.shape), "description": self.description}


@dataclass(frozen=True)
class MethodSpec:
    """One method of the exported program: its inputs and outputs, in order."""

    name: str
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]


@dataclass(frozen=True)
class TaskOptions:
    max_seq_len: int = 128
    # Fold a softmax into the graph so the app reads probabilities directly.
    probabilities: bool = True
    # Each input is a pair of texts (NLI, paraphrase, question + context), encoded as one sequence.
    text_pair: bool = False
    # The program also takes token_type_ids (segment ids): pairs on a model with segment embeddings.
    token_type_ids: bool = False

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> "TaskOptions":
        """The options a bundle was built with, read back from what its manifest records of them."""
        names = {"inputs": {s["name"] for s in manifest["inputs"]}, "outputs": {s["name"] for s in manifest["outputs"]}}
        return cls(max_seq_len=int(manifest["sequence_length"]["max"]), probabilities="probabilities" in names["outputs"],
                   text_pair=manifest["task"].get("input", "text") == "text-pair", token_type_ids="token_type_ids" in names["inputs"])


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
        TensorSpec("input_ids", "int64", (1, "seq"), ids_text, padding=PAD_TOKEN_ID),
        TensorSpec("attention_mask", "int64", (1, "seq"), "1 for real tokens, 0 for padding"),
    ]
    if options.token_type_ids:
        # Segment 0 is valid for every model that takes segment ids.
        specs.append(TensorSpec("token_type_ids", "int64", (1, "seq"),
                                "segment ids from tokenizer/tokenizer.json: 0 for the first text and its special tokens, "
                                "1 for the second; 0 for padding", example=0))
    return specs
