"""Golden test vectors: text -> token ids -> reference outputs.

The build writes them to tokenizer/test_vectors.json; `edgepack verify` and the app
shells replay them. Each text is used as tokenized, and a few are also right-padded to
longer lengths so the artifact is checked at several sequence lengths and with a mask
that actually masks something.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import torch

from builder.backends import Runner
from builder.samples import Sample
from builder.tokenizer_asset import TokenizerAsset

if TYPE_CHECKING:
    from builder.tasks import Task

# Lengths the first non-trivial samples are also padded to (capped at max length).
PADDED_LENGTHS = (32, 128)


@dataclass
class TestVector:
    text: str
    input_ids: list[int]
    attention_mask: list[int]
    padded_to: int | None = None
    expected: dict[str, list] = field(default_factory=dict)
    expected_answer: str = ""
    # Only for tasks that map tokens back to the text (token classification): each token's
    # [start, end) character offsets into `text` and its word id (null for special and pad tokens).
    offsets: list[list[int]] | None = None
    word_ids: list[int | None] | None = None
    # The task's post-processing applied to `expected` (e.g. the entities), when it has one.
    expected_decoded: Any = None
    # Pair inputs: the second text, its tokens' segment ids when the model takes them, and
    # (for tasks that map tokens back to the text) which text each token came from (0, 1, null).
    text_pair: str | None = None
    token_type_ids: list[int] | None = None
    sequence_ids: list[int | None] | None = None
    # Only for tasks that read a few rows of a large per-token output (fill-mask: the mask rows of
    # [1, seq, vocab] logits): the sequence positions (axis 1 of every output) that `expected`
    # holds, in order. Artifacts' outputs are taken at the same positions before comparison.
    positions: list[int] | None = None
    # Only for text generation: input_ids are the prompt's `prompt_length` ids followed by the eager model's greedy
    # continuation, and `top_ids` the reference's best ids at each position, whose logits `expected` summarises
    # (builder.tasks.text_generation).
    prompt_length: int | None = None
    top_ids: list[list[int]] | None = None
    # Text generation with a chat template: the conversation ([role, content] pairs) whose prompt-format rendering,
    # encoded without added special tokens, is the prompt (`text` is its last message).
    messages: list[list[str]] | None = None

    def inputs(self) -> dict[str, torch.Tensor]:
        """The encoder inputs by name, in the order the encoder tasks declare them (token_type_ids only when recorded)."""
        named = {"input_ids": self.input_ids, "attention_mask": self.attention_mask, "token_type_ids": self.token_type_ids}
        return {name: torch.tensor([values], dtype=torch.long) for name, values in named.items() if values is not None}

    def tensors(self) -> tuple[torch.Tensor, ...]:
        return tuple(self.inputs().values())

    def arrays(self) -> list[np.ndarray]:
        return [t.numpy() for t in self.tensors()]

    def expected_arrays(self, output_names: Sequence[str]) -> list[np.ndarray]:
        return [np.asarray(self.expected[name], dtype=np.float32) for name in output_names]

    def at_positions(self, outputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Outputs as `expected` stores them: only the `positions` rows of the sequence axis, when set."""
        if self.positions is None:
            return list(outputs)
        return [np.take(np.asarray(output), self.positions, axis=1) for output in outputs]


def make_vectors(tokenizer: TokenizerAsset, samples: Sequence[Sample], min_len: int, max_len: int,
                 aligned: bool = False, token_type_ids: bool = False) -> list[TestVector]:
    """`aligned` also records each token's character offsets and word id (and, for pairs, its
    sequence id); `token_type_ids` records the segment ids the program takes as an input."""
    vectors = [encode_vector(tokenizer, sample, min_len, aligned, token_type_ids) for sample in samples]
    padded_sources = [v for v in vectors if sum(v.attention_mask) > 3][: len(PADDED_LENGTHS)]
    for vector, length in zip(padded_sources, PADDED_LENGTHS):
        length = min(length, max_len)
        if length > len(vector.input_ids):
            copy = replace(vector, expected={})
            vectors.append(_pad(copy, length, tokenizer.pad_token_id, length))
    return vectors


def encode_vector(tokenizer: TokenizerAsset, sample: Sample, min_len: int, aligned: bool = False,
                  token_type_ids: bool = False) -> TestVector:
    """One sample as tokenizer.json encodes it, right-padded to the program's minimum length."""
    text, pair = sample if isinstance(sample, tuple) else (sample, None)
    encoding = tokenizer.encode_full(text, pair)
    vector = TestVector(text, list(encoding.ids), list(encoding.attention_mask), text_pair=pair)
    if token_type_ids:
        vector.token_type_ids = list(encoding.type_ids)
    if aligned:
        vector.offsets = [list(o) for o in encoding.offsets]
        vector.word_ids = list(encoding.word_ids)
        if pair is not None:
            vector.sequence_ids = list(encoding.sequence_ids)
    return _pad(vector, max(min_len, len(vector.input_ids)), tokenizer.pad_token_id, None)


def _pad(vector: TestVector, length: int, pad_id: int, padded_to: int | None) -> TestVector:
    """Right-pads every per-token field: the pad id, mask 0, segment 0, and no text position."""
    extra = length - len(vector.input_ids)
    vector.input_ids = vector.input_ids + [pad_id] * extra
    vector.attention_mask = vector.attention_mask + [0] * extra
    if vector.token_type_ids is not None:
        vector.token_type_ids = vector.token_type_ids + [0] * extra
    if vector.offsets is not None:
        vector.offsets = vector.offsets + [[0, 0]] * extra
        vector.word_ids = vector.word_ids + [None] * extra
    if vector.sequence_ids is not None:
        vector.sequence_ids = vector.sequence_ids + [None] * extra
    if padded_to is None and extra:
        # Padding up to the program's minimum length is not optional: record it.
        padded_to = length
    vector.padded_to = padded_to
    return vector


def run_artifact(runner: Runner, vectors: Sequence[TestVector], task: "Task") -> list[list[np.ndarray]]:
    """Each vector's outputs from the artifact, as `expected` holds them (Task.output_view)."""
    return [task.output_view(runner.run(task.program_inputs(vector)), vector) for vector in vectors]


def vectors_to_json(vectors: Sequence[TestVector], inputs: Sequence[str], outputs: Sequence[str], max_len: int) -> dict[str, Any]:
    note = "expected = eager fp32 PyTorch outputs for these exact input_ids"
    if any(v.positions is not None for v in vectors):
        note += "; where a vector has positions, expected holds only those rows of each output's sequence axis (axis 1)"
    return {
        "schema_version": 1,
        "max_seq_len": max_len,
        "inputs": list(inputs),
        "outputs": list(outputs),
        "note": note,
        "vectors": [_vector_json(v) for v in vectors],
    }


# Fields only some tasks fill; left out of the file when empty so the others' vectors keep their shape.
_OPTIONAL_FIELDS = ("offsets", "word_ids", "expected_decoded", "text_pair", "token_type_ids", "sequence_ids", "positions",
                    "prompt_length", "top_ids", "messages")


def _vector_json(vector: TestVector) -> dict[str, Any]:
    return {k: v for k, v in asdict(vector).items() if not (k in _OPTIONAL_FIELDS and v is None)}


def vectors_from_json(data: dict[str, Any]) -> list[TestVector]:
    return [TestVector(**v) for v in data["vectors"]]
