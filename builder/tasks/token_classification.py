"""Token classification (NER, PoS): one label per token, grouped into entity spans.

The exported graph gives per-token logits (and probabilities). How an app turns them into
entities is written into the manifest and implemented once here (`aggregate_entities`), the
same way `transformers.pipeline("token-classification", aggregation_strategy="first")` does
it for a WordPiece tokenizer; tests/test_token_classification.py checks the two agree.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np

from builder.errors import EdgepackError
from builder.tasks.base import LogitsHeadTask, Presentation, TaskMetric, TensorSpec, config_labels, softmax

OUTSIDE = "O"
STRATEGIES = ("first", "simple")
# The word-piece strategy the manifest prescribes (the pipeline's "first").
DEFAULT_STRATEGY = "first"


@dataclass(frozen=True)
class Entity:
    label: str  # the entity type, without its B-/I- prefix
    start: int  # character offsets into the text, end exclusive
    end: int
    score: float  # mean probability of the label over the grouped words (or tokens)
    text: str

    def key(self) -> tuple[str, int, int]:
        return self.label, self.start, self.end


def split_tag(label: str) -> tuple[str, str]:
    """'B-PER' -> ('B', 'PER'); 'I-PER' -> ('I', 'PER'); anything else is its own type continuing ('I')."""
    if label.startswith("B-"):
        return "B", label[2:]
    if label.startswith("I-"):
        return "I", label[2:]
    return "I", label


def aggregate_entities(text: str, probabilities: np.ndarray, attention_mask: Sequence[int], offsets: Sequence[Sequence[int]],
                       word_ids: Sequence[int | None], labels: Sequence[str], strategy: str = DEFAULT_STRATEGY) -> list[Entity]:
    """Per-token probabilities [seq, labels] -> entity spans.

    1. Keep the tokens that carry text: attention mask 1 and a word id (drops [CLS], [SEP], padding).
    2. "first": tokens with the same word id form a word, labelled by the argmax of its first
       token. "simple": every token stands alone.
    3. Walk the words in order: one continues the current group when its type equals the group's
       and it is not a B- label; otherwise it starts a new group.
    4. A group's type is its first label without the B-/I- prefix; groups of type O are dropped.
       Its span runs from its first word's start offset to its last word's end offset.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy {strategy!r}: use one of {', '.join(STRATEGIES)}")
    probabilities = np.asarray(probabilities, dtype=np.float64).reshape(len(attention_mask), -1)
    units: list[list[int]] = []
    for index, (mask, word) in enumerate(zip(attention_mask, word_ids)):
        if not mask or word is None:
            continue
        if strategy == "first" and units and word_ids[units[-1][-1]] == word:
            units[-1].append(index)
        else:
            units.append([index])
    words = []
    for unit in units:
        best = int(np.argmax(probabilities[unit[0]]))
        words.append((labels[best], float(probabilities[unit[0], best]), offsets[unit[0]][0], offsets[unit[-1]][1]))
    groups: list[list[tuple[str, float, int, int]]] = []
    for word in words:
        bi, tag = split_tag(word[0])
        if groups and bi != "B" and split_tag(groups[-1][-1][0])[1] == tag:
            groups[-1].append(word)
        else:
            groups.append([word])
    entities = []
    for group in groups:
        tag = split_tag(group[0][0])[1]
        if tag == OUTSIDE:
            continue
        start, end = int(group[0][2]), int(group[-1][3])
        entities.append(Entity(tag, start, end, float(np.mean([w[1] for w in group])), text[start:end]))
    return entities


def label_scheme(labels: Sequence[str]) -> str:
    prefixed = [label for label in labels if label != OUTSIDE]
    if prefixed and all(re.match(r"[BI]-.", label) for label in prefixed):
        return "IOB2"
    if not any(re.match(r"[BI]-.", label) for label in prefixed):
        return "IO"
    return "mixed"


class TokenClassification(LogitsHeadTask):
    name = "token-classification"
    description = "one label per token, grouped into entity spans (NER)"
    head_suffixes = ("ForTokenClassification",)
    auto_model_class = "AutoModelForTokenClassification"
    peft_task_type = "TOKEN_CLS"
    needs_alignment = True
    metric_names = ("token_label_agreement", "entity_span_agreement")

    @classmethod
    def read_labels(cls, raw_config, config, checkpoint_dir) -> list[str]:
        labels = config_labels(raw_config, config)
        if not raw_config.get("id2label") or all(re.fullmatch(r"LABEL_\d+", label) for label in labels):
            raise EdgepackError(
                f"{checkpoint_dir / 'config.json'} has no id2label, so the entity types are unknown (transformers would call "
                f"them LABEL_0..LABEL_{len(labels) - 1}); add the training labels to config.json, e.g. "
                '"id2label": {"0": "O", "1": "B-PER", "2": "I-PER"}'
            )
        return labels

    def outputs(self) -> list[TensorSpec]:
        n = len(self.labels)
        specs = [TensorSpec("logits", "float32", (1, "seq", n), "unnormalised label scores per token, in label order")]
        if self.options.probabilities:
            specs.append(TensorSpec("probabilities", "float32", (1, "seq", n), "softmax of logits over the label axis, per token"))
        return specs

    def postprocessing(self) -> dict[str, Any]:
        return {
            "kind": "token-classification",
            "read_output": "probabilities" if self.options.probabilities else "logits",
            "apply_softmax": not self.options.probabilities,
            "labels": self.labels,
            "label_scheme": label_scheme(self.labels),
            "outside_label": OUTSIDE,
            "token_decision": "argmax over the label axis for each token; its probability is the token's score",
            "skip_tokens": "tokens with attention_mask 0 or no word id (special tokens such as [CLS]/[SEP], padding); "
                           "tokenizer.json gives word ids and offsets (Encoding.word_ids / Encoding.offsets)",
            "word_pieces": {
                "strategy": DEFAULT_STRATEGY,
                "rule": "consecutive tokens with the same word id form one word; the word takes the label and score "
                        "of its first token (later word pieces are ignored)",
            },
            "grouping": "walk the words in order; a word joins the current entity when its type (label without B-/I-) "
                        "equals the entity's and its label does not start with B-; otherwise it starts a new entity. "
                        "A label without a B-/I- prefix counts as I-. Entities of type O are dropped.",
            "span": "start = first word's start offset, end = last word's end offset: character offsets into the input "
                    "text, end exclusive; entity text = text[start:end]",
            "score": "mean of the grouped words' scores",
            "same_as": 'transformers.pipeline("token-classification", aggregation_strategy="first") with this tokenizer',
        }

    def app_hints(self) -> tuple[str, str]:
        return "Type a text to find its entities", ""

    def task_metrics(self, reference, candidate, vectors) -> list[TaskMetric]:
        agree = total = matched = union = 0
        token_disagreements, span_disagreements = [], []
        for index, (ref, cand, vector) in enumerate(zip(reference, candidate, vectors)):
            keep = _text_tokens(vector)
            ref_labels = np.argmax(np.asarray(ref[0]).reshape(len(vector.input_ids), -1), -1)[keep]
            cand_labels = np.argmax(np.asarray(cand[0]).reshape(len(vector.input_ids), -1), -1)[keep]
            same = int(np.sum(ref_labels == cand_labels))
            agree, total = agree + same, total + len(keep)
            if same != len(keep):
                token_disagreements.append(index)
            ref_spans = {e.key() for e in self._entities(ref, vector)}
            cand_spans = {e.key() for e in self._entities(cand, vector)}
            matched, union = matched + len(ref_spans & cand_spans), union + len(ref_spans | cand_spans)
            if ref_spans != cand_spans:
                span_disagreements.append(index)
        return [
            TaskMetric("token_label_agreement", agree / total if total else 1.0,
                       {"tokens": total, "disagreeing_samples": token_disagreements}),
            TaskMetric("entity_span_agreement", matched / union if union else 1.0,
                       {"entities_matched": matched, "entities_in_either": union, "disagreeing_samples": span_disagreements,
                        "definition": "|same (type, start, end)| / |in either|, over all samples"}),
        ]

    def _entities(self, outputs, vector) -> list[Entity]:
        # The probabilities output when there is one (the graph's softmax), else softmax of the logits.
        scores = outputs[1] if len(outputs) > 1 else softmax(outputs[0])
        return aggregate_entities(vector.text, scores, vector.attention_mask, vector.offsets, vector.word_ids, self.labels)

    def decode(self, outputs, vector) -> list[dict[str, Any]]:
        return [asdict(e) for e in self._entities(outputs, vector)]

    def describe_prediction(self, outputs, vector) -> str:
        return "; ".join(f"{e.label}: {e.text}" for e in self._entities(outputs, vector))

    def present(self, outputs, vectors) -> Presentation:
        """The text with each entity in brackets and labelled, then each entity with its score."""
        vector = vectors[0]
        entities = sorted(self._entities(outputs[0], vector), key=lambda e: e.start)
        marked, cursor = [], 0
        for entity in entities:
            marked += [vector.text[cursor:entity.start], f"[{entity.text}]({entity.label})"]
            cursor = entity.end
        marked.append(vector.text[cursor:])
        details = [f"{e.score:.3f}  {e.label}  {e.text!r}  characters {e.start}-{e.end}" for e in entities]
        return Presentation(self.describe_prediction(outputs[0], vector), ["".join(marked), *(details or ["no entities"])])


def _text_tokens(vector) -> np.ndarray:
    return np.array([i for i, (m, w) in enumerate(zip(vector.attention_mask, vector.word_ids)) if m and w is not None], dtype=int)
