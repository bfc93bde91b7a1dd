"""Fill-mask (masked language modelling): the vocabulary's scores at each mask token.

Decisions, and why:

- Detection: config.json architectures ending in `ForMaskedLM` (or `--task fill-mask`); the model is
  built with AutoModelForMaskedLM. There are no labels: the vocabulary is the label space, and the
  manifest names tokenizer/tokenizer.json as the decoder of candidate ids.
- The mask token is the one the tokenizer declares (`mask_token` in tokenizer_config.json, else in
  special_tokens_map.json); a tokenizer that declares none but has `[MASK]` or `<mask>` uses it. The
  token must be in tokenizer.json's vocabulary and come out of tokenization as one id. Anything else
  is refused up front: the task means nothing without it.
- Output: `logits` [1, seq, vocab] for every position, unnormalised. The app picks the rows where
  input_ids == mask_token_id and applies the softmax there; a softmax folded into the graph would
  cost seq x vocab exponentials for rows nobody reads, so `--probabilities` does not apply here.
- Decoding follows `transformers.pipeline("fill-mask")` (5.x) exactly, and tests/test_fill_mask.py
  checks the two agree on the eager model: softmax over the whole vocabulary at each mask row; the
  top_k (default 5) ids by probability; special tokens are NOT filtered out (the pipeline does not
  filter them); token_str = decode([id]) with special tokens kept; sequence = the input ids with
  this mask replaced by the candidate, pad ids removed, decoded skipping special tokens when the
  text has one mask and keeping them when it has several. Several masks are predicted
  independently (per-mask marginals, as the pipeline does), not jointly.
- Test vectors store the expected logits only at the mask positions (each vector's `positions`),
  because a real vocabulary (30k) times every position of every vector would make
  tokenizer/test_vectors.json about 100 MB. The build's gate and `edgepack verify` take the
  artifact's outputs at the same positions (builder.vectors.TestVector.at_positions).
- Parity texts must contain masks, and sample texts have none. Rule (deterministic): a text whose
  tokenization (after truncation) already contains the mask token is used as it is; otherwise the
  middle word as the tokenizer's pre-tokenizer splits words (word index len(words) // 2, after
  truncation; a CJK character is a word) is replaced in the text by the mask token; a text with no
  word (empty) gets the mask token appended. Two task samples add texts with one and with two masks.
- Metrics (gated as min_<name> in the target profiles): `mask_top1_agreement`, the share of mask
  positions whose most probable token matches the reference's; `mask_top5_overlap`, the mean over
  mask positions of |reference top 5 ∩ candidate top 5| / 5. Both over every mask of every vector.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from builder.errors import EdgepackError
from builder.tasks.base import Presentation, Task, TaskMetric, TensorSpec, softmax

if TYPE_CHECKING:
    from tokenizers import Tokenizer

    from builder.tokenizer_asset import TokenizerAsset

TOP_K = 5
# Tried in this order when the tokenizer files declare no mask_token (BERT family, RoBERTa family).
_CONVENTIONAL_MASK_TOKENS = ("[MASK]", "<mask>")
# Templates of the task's own samples; {mask} is the checkpoint's mask token.
_SAMPLES = (
    "where is my {mask}? it was supposed to arrive yesterday",
    "i want to {mask} my subscription and get a {mask} for last month",
)


@dataclass(frozen=True)
class MaskToken:
    text: str
    id: int
    # Where it came from, for the manifest.
    source: str


@dataclass(frozen=True)
class FillMaskSettings:
    mask: MaskToken
    vocab_size: int | None
    # Decodes the candidates for the test vectors; a task rebuilt from a manifest has none (verify needs none).
    tokenizer: "TokenizerAsset | None" = None


def top_k_ids(row: np.ndarray, k: int = TOP_K) -> list[int]:
    """The k ids with the highest score in one vocabulary row, best first (ties: lower id first)."""
    return [int(i) for i in np.argsort(-np.asarray(row, dtype=np.float64), kind="stable")[:k]]


def fill_mask(tokenizer: "Tokenizer", input_ids: Sequence[int], mask_rows: np.ndarray, mask_token_id: int, pad_token_id: int,
              top_k: int = TOP_K) -> list[list[dict[str, Any]]]:
    """The manifest's decoding rule: mask rows [masks, vocab] of logits -> per mask, the top_k
    candidates as the transformers fill-mask pipeline reports them (score, token, token_str, sequence)."""
    ids = np.asarray(input_ids)
    positions = [int(p) for p in np.flatnonzero(ids == mask_token_id)]
    rows = np.asarray(mask_rows, dtype=np.float64).reshape(len(positions), -1)
    single = len(positions) == 1
    answers = []
    for position, row in zip(positions, rows):
        probabilities = softmax(row)
        candidates = []
        for token in top_k_ids(probabilities, top_k):
            filled = ids.copy()
            filled[position] = token
            filled = filled[filled != pad_token_id]
            candidates.append({
                "score": float(probabilities[token]),
                "token": token,
                "token_str": tokenizer.decode([token], skip_special_tokens=False),
                "sequence": tokenizer.decode([int(i) for i in filled], skip_special_tokens=single),
            })
        answers.append(candidates)
    return answers


def _declared_mask_token(checkpoint_dir: Path) -> tuple[str, str] | None:
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        path = checkpoint_dir / name
        try:
            token = json.loads(path.read_text(encoding="utf-8")).get("mask_token") if path.is_file() else None
        except (OSError, ValueError, AttributeError):
            token = None
        if isinstance(token, dict):
            token = token.get("content")
        if isinstance(token, str) and token:
            return token, f"mask_token in {name}"
    return None


def find_mask_token(checkpoint_dir: Path, tokenizer: "Tokenizer") -> MaskToken:
    declared = _declared_mask_token(checkpoint_dir)
    if declared:
        text, source = declared
        token_id = tokenizer.token_to_id(text)
        if token_id is None:
            raise EdgepackError(f"{checkpoint_dir} declares mask token {text!r} ({source}) but its tokenizer has no such token; "
                                "save the tokenizer the model was trained with (tokenizer.save_pretrained)")
        return MaskToken(text, token_id, source)
    for text in _CONVENTIONAL_MASK_TOKENS:
        token_id = tokenizer.token_to_id(text)
        if token_id is not None:
            return MaskToken(text, token_id, f"{text} in the tokenizer's vocabulary (no mask_token declared)")
    raise EdgepackError(f"{checkpoint_dir} has no mask token: its tokenizer files declare no mask_token and its vocabulary has "
                        f"neither {' nor '.join(_CONVENTIONAL_MASK_TOKENS)}, so no text can ask this model to fill a mask; save the "
                        "tokenizer the model was trained with (tokenizer.save_pretrained writes mask_token)")


class FillMask(Task):
    name = "fill-mask"
    description = "the vocabulary's scores at each mask token (masked language model)"
    head_suffixes = ("ForMaskedLM",)
    auto_model_class = "AutoModelForMaskedLM"
    metric_names = ("mask_top1_agreement", "mask_top5_overlap")

    settings: "FillMaskSettings"

    @classmethod
    def read_settings(cls, checkpoint_dir: Path, raw_config: dict[str, Any]) -> "FillMaskSettings":
        from builder.tokenizer_asset import load_tokenizer

        tokenizer = load_tokenizer(checkpoint_dir)
        return FillMaskSettings(find_mask_token(checkpoint_dir, tokenizer.tokenizer), raw_config.get("vocab_size"), tokenizer)

    @classmethod
    def settings_from_manifest(cls, manifest: dict[str, Any]) -> "FillMaskSettings":
        spec = manifest["task"]["postprocessing"]
        return FillMaskSettings(MaskToken(spec["mask_token"], int(spec["mask_token_id"]), spec["mask_token_source"]),
                                spec["vocab_size"])

    @classmethod
    def read_labels(cls, raw_config, config, checkpoint_dir) -> list[str]:
        return []

    @property
    def mask(self) -> MaskToken:
        return self.settings.mask

    def extra_samples(self) -> list[str]:
        return [template.format(mask=self.mask.text) for template in _SAMPLES]

    def parity_texts(self, texts: list[str], tokenizer: "TokenizerAsset") -> list[str]:
        masked: list[str] = []
        for text in texts:
            text = self._with_mask(text, tokenizer)
            if self.mask.id not in tokenizer.encode(text)[0]:
                raise EdgepackError(f"the sample {text[:60]!r} has no mask token after tokenization (--max-seq-len too short, or "
                                    f"the tokenizer splits {self.mask.text!r}); fill-mask parity needs one in every sample")
            if text not in masked:
                masked.append(text)
        return masked

    def _with_mask(self, text: str, tokenizer: "TokenizerAsset") -> str:
        encoding = tokenizer.encode_full(text)
        if self.mask.id in encoding.ids:
            return text
        words = sorted({w for w in encoding.word_ids if w is not None})
        if not words:
            return f"{text} {self.mask.text}" if text.strip() else self.mask.text
        middle = words[len(words) // 2]
        spans = [offset for offset, word in zip(encoding.offsets, encoding.word_ids) if word == middle]
        return text[:spans[0][0]] + self.mask.text + text[spans[-1][1]:]

    def compared_positions(self, input_ids: list[int], attention_mask: list[int]) -> list[int] | None:
        return [i for i, (token, real) in enumerate(zip(input_ids, attention_mask)) if real and token == self.mask.id]

    def wrap(self, model):
        from builder.tasks.wrappers import LogitsForExport

        return LogitsForExport(model, with_probabilities=False).eval()

    def reference(self, model, inputs):
        return (model(**inputs).logits,)

    def outputs(self) -> list[TensorSpec]:
        return [TensorSpec("logits", "float32", (1, "seq", self.settings.vocab_size or "vocab"),
                           "unnormalised scores over the vocabulary (token ids of tokenizer/tokenizer.json) at every position")]

    def postprocessing(self) -> dict[str, Any]:
        return {
            "kind": "fill-mask",
            "read_output": "logits",
            "mask_token": self.mask.text,
            "mask_token_id": self.mask.id,
            "mask_token_source": self.mask.source,
            "rows": "logits[0, i] for each position i with input_ids[i] == mask_token_id (and attention_mask 1); "
                    "one answer per mask, the other rows are not used",
            "apply_softmax": True,
            "softmax": "over the vocabulary axis of each mask row; a candidate's probability is its score",
            "top_k": TOP_K,
            "candidates": "the top_k token ids by probability, best first; special tokens are candidates too "
                          "(the transformers pipeline does not filter them)",
            "decoder": "tokenizer/tokenizer.json",
            "token_str": "decode([id]) with tokenizer.json's decoder, special tokens kept (a WordPiece continuation "
                         "piece keeps its ## prefix)",
            "sequence": "input_ids with this mask replaced by the candidate id, pad ids removed, decoded with tokenizer.json "
                        "skipping special tokens when the text has exactly one mask (keeping them when it has several)",
            "several_masks": "each mask is predicted independently from the same input (per-mask probabilities, not joint)",
            "vocab_size": self.settings.vocab_size,
            "same_as": f'transformers.pipeline("fill-mask", top_k={TOP_K}) with this tokenizer',
        }

    def task_metrics(self, reference, candidate, vectors) -> list[TaskMetric]:
        rows = top1 = 0
        overlap = 0.0
        top1_changed, top5_changed, margins = [], [], []
        for index, (ref, cand) in enumerate(zip(reference, candidate)):
            ref_rows = np.asarray(ref[0], dtype=np.float64)
            ref_rows = ref_rows.reshape(-1, ref_rows.shape[-1])
            cand_rows = np.asarray(cand[0], dtype=np.float64).reshape(ref_rows.shape)
            for ref_row, cand_row in zip(ref_rows, cand_rows):
                ref_top, cand_top = top_k_ids(ref_row), top_k_ids(cand_row)
                rows += 1
                same = len(set(ref_top) & set(cand_top)) / TOP_K
                top1 += ref_top[0] == cand_top[0]
                overlap += same
                if ref_top[0] != cand_top[0] and index not in top1_changed:
                    top1_changed.append(index)
                if same < 1 and index not in top5_changed:
                    top5_changed.append(index)
                ordered = np.sort(ref_row)[::-1]
                margins.append(float(ordered[0] - ordered[1]))
        # No mask position at all is a check not run, never a pass.
        nan = float("nan")
        return [
            TaskMetric("mask_top1_agreement", top1 / rows if rows else nan,
                       {"mask_positions": rows, "disagreeing_samples": top1_changed,
                        "min_reference_top1_logit_margin": min(margins) if margins else None}),
            TaskMetric("mask_top5_overlap", overlap / rows if rows else nan,
                       {"mask_positions": rows, "changed_samples": top5_changed,
                        "definition": f"mean over mask positions of |reference top {TOP_K} & candidate top {TOP_K}| / {TOP_K}"}),
        ]

    def decode(self, outputs, vector) -> list[dict[str, Any]] | None:
        tokenizer = self.settings.tokenizer
        if tokenizer is None:
            return None
        answers = fill_mask(tokenizer.tokenizer, vector.input_ids, outputs[0], self.mask.id, tokenizer.pad_token_id)
        return [{"position": p, "candidates": c} for p, c in zip(vector.positions or [], answers)]

    def describe_prediction(self, outputs, vector) -> str:
        tokenizer = self.settings.tokenizer
        if tokenizer is None:
            return ""
        rows = np.asarray(outputs[0]).reshape(-1, np.asarray(outputs[0]).shape[-1])
        return " | ".join(tokenizer.tokenizer.decode([top_k_ids(row, 1)[0]], skip_special_tokens=False) for row in rows)

    def attach_tokenizer(self, tokenizer) -> None:
        self.settings = replace(self.settings, tokenizer=tokenizer)

    def app_hints(self) -> tuple[str, str]:
        return f"Type a text with {self.mask.text} where a word is missing", ""

    def app_samples(self, sample, candidates) -> list:
        text = sample[0] if isinstance(sample, tuple) else sample
        if self.mask.text not in text:
            raise EdgepackError(f"the text has no {self.mask.text}; write {self.mask.text} where the word to predict goes")
        return [sample]

    def present(self, outputs, vectors) -> Presentation:
        """Per mask, the top candidates with their probabilities and the sentence each completes."""
        lines = []
        for number, position in enumerate(self.decode(outputs[0], vectors[0]) or [], start=1):
            lines.append(f"{self.mask.text} {number} (token {position['position']}):")
            lines += [f"  {c['score']:.3f}  {c['token_str']!r}  {c['sequence']}" for c in position["candidates"]]
        return Presentation(self.describe_prediction(outputs[0], vectors[0]), lines)
