"""Extractive question answering: the answer is a span of the context, found from per-token
start and end scores.

The input is the pair (question, context) encoded as one sequence; when it is too long the
context is cut, never the question (truncation "only_second", one window: a context longer
than --max-seq-len is not searched past the cut, and the manifest says so). The graph gives
`start_logits` and `end_logits` per token; the span decoding written into the manifest and
implemented once here (`best_span`) is the one transformers' question-answering pipelines use
(`select_starts_ends` in transformers.pipelines.document_question_answering):
tests/test_question_answering.py checks the two agree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np

from builder.tasks.base import Presentation, Task, TaskMetric, TensorSpec, pair_encoding, softmax

# The longest answer in tokens, as the transformers pipelines default it.
MAX_ANSWER_TOKENS = 15
CONTEXT_SEQUENCE = 1
# What the pipeline adds to the logits of tokens that cannot be in the answer before its softmax.
EXCLUDED_LOGIT = -10000.0


@dataclass(frozen=True)
class Answer:
    token_start: int  # first and last token of the span, inclusive
    token_end: int
    start: int  # character offsets into the context, end exclusive
    end: int
    score: float  # p(start) * p(end), softmax over the context tokens and the first token
    text: str


def best_span(start_logits: np.ndarray, end_logits: np.ndarray, attention_mask: Sequence[int],
              sequence_ids: Sequence[int | None], offsets: Sequence[Sequence[int]], context: str,
              max_answer_tokens: int = MAX_ANSWER_TOKENS) -> Answer | None:
    """The most probable answer span, or None when the context has no token (e.g. cut away).

    1. Candidates are the context's tokens: sequence id 1 and attention mask 1.
    2. Each score vector gets a softmax over the candidates and the first token ([CLS] / <s>,
       kept because some models score "no answer" there); the others count as -10000.
    3. The first token is then dropped, and the answer is the (start, end) with start <= end <
       start + max_answer_tokens, both candidates, that maximises p_start[start] * p_end[end]
       (ties: the smallest start, then the smallest end).
    4. Its text is context[offsets[start][0]:offsets[end][1]].
    """
    length = len(attention_mask)
    candidate = np.array([bool(m) and s == CONTEXT_SEQUENCE for m, s in zip(attention_mask, sequence_ids)])
    if not candidate.any():
        return None
    in_softmax = candidate.copy()
    in_softmax[0] = bool(attention_mask[0])
    # Tokens outside the softmax count as EXCLUDED_LOGIT, as in the pipeline.
    p_start, p_end = (softmax(np.where(in_softmax, np.asarray(x, dtype=np.float64).reshape(length), EXCLUDED_LOGIT))
                      for x in (start_logits, end_logits))
    p_start[0] = p_end[0] = 0.0
    scores = np.outer(np.where(candidate, p_start, 0.0), np.where(candidate, p_end, 0.0))
    scores = np.tril(np.triu(scores), max_answer_tokens - 1)
    first, last = (int(i) for i in np.unravel_index(int(np.argmax(scores)), scores.shape))
    if not (candidate[first] and candidate[last]):
        return None
    start, end = int(offsets[first][0]), int(offsets[last][1])
    return Answer(first, last, start, end, float(scores[first, last]), context[start:end])


class QuestionAnswering(Task):
    name = "question-answering"
    description = "the span of a context that answers a question (extractive QA)"
    head_suffixes = ("ForQuestionAnswering",)
    auto_model_class = "AutoModelForQuestionAnswering"
    needs_alignment = True
    metric_names = ("answer_span_agreement",)
    pairs = "required"
    pair_columns = ("question", "context")
    pair_truncation = "only_second"

    @classmethod
    def read_labels(cls, raw_config, config, checkpoint_dir) -> list[str]:
        return []

    def default_pairs(self) -> list[tuple[str, str]]:
        from builder.samples import BUILTIN_QUESTIONS

        return list(BUILTIN_QUESTIONS)

    def wrap(self, model):
        from builder.tasks.wrappers import QuestionAnsweringForExport

        return QuestionAnsweringForExport(model).eval()

    def reference(self, model, inputs):
        outputs = model(**inputs)
        return outputs.start_logits, outputs.end_logits

    def outputs(self) -> list[TensorSpec]:
        return [
            TensorSpec("start_logits", "float32", (1, "seq"), "per token: unnormalised score of the answer starting there"),
            TensorSpec("end_logits", "float32", (1, "seq"), "per token: unnormalised score of the answer ending there"),
        ]

    def postprocessing(self) -> dict[str, Any]:
        return {
            "kind": "extractive-question-answering",
            "input": pair_encoding(self.options, "the question", "the context"),
            "truncation": "only the context is cut when the pair is longer than the model's maximum length; the answer is "
                          "searched in the part that fits (one window, no stride over longer contexts)",
            "read_outputs": ["start_logits", "end_logits"],
            "candidates": "tokens of the context: sequence id 1 in the encoding (Encoding.sequence_ids) and attention_mask 1",
            "probabilities": "softmax of start_logits (and, separately, of end_logits) over the candidates and the first "
                             "token; every other token counts as -10000. The first token is then removed as a start or end.",
            "max_answer_tokens": MAX_ANSWER_TOKENS,
            "decision": "the (start, end) with start <= end < start + max_answer_tokens, both candidates, maximising "
                        "p_start[start] * p_end[end]; ties go to the smallest start, then the smallest end",
            "answer": "context[offsets[start][0]:offsets[end][1]]: character offsets into the context, end exclusive",
            "score": "p_start[start] * p_end[end]",
            "same_as": "transformers' extractive question-answering decoding (select_starts_ends, top_k=1, "
                       "handle_impossible_answer=False, max_answer_len=15)",
        }

    def app_hints(self) -> tuple[str, str]:
        return "Type a question", "Paste the text that holds the answer"

    def task_metrics(self, reference, candidate, vectors) -> list[TaskMetric]:
        disagreements, margins = [], []
        for index, (ref, cand, vector) in enumerate(zip(reference, candidate, vectors)):
            ref_answer, cand_answer = self._answer(ref, vector), self._answer(cand, vector)
            if _span(ref_answer) != _span(cand_answer):
                disagreements.append(index)
            if ref_answer is not None:
                margins.append(ref_answer.score)
        agreement = 1.0 - len(disagreements) / max(len(reference), 1)
        return [TaskMetric("answer_span_agreement", agreement,
                           {"disagreeing_samples": disagreements, "definition": "share of samples whose best span "
                            "(first and last token) is the same", "lowest_reference_score": min(margins) if margins else None})]

    def _answer(self, outputs, vector) -> Answer | None:
        return best_span(outputs[0], outputs[1], vector.attention_mask, vector.sequence_ids, vector.offsets, vector.text_pair)

    def decode(self, outputs, vector) -> dict[str, Any] | None:
        answer = self._answer(outputs, vector)
        return asdict(answer) if answer else None

    def describe_prediction(self, outputs, vector) -> str:
        answer = self._answer(outputs, vector)
        return answer.text if answer else ""

    def present(self, outputs, vectors) -> Presentation:
        """The answer with its score, and the context with the answer in brackets."""
        vector = vectors[0]
        answer = self._answer(outputs[0], vector)
        if answer is None:
            return Presentation("", ["no answer: none of the context fits in the model's maximum length after the question"])
        context = vector.text_pair
        return Presentation(answer.text, [f"answer: {answer.text!r} (score {answer.score:.3f})",
                                          f"{context[:answer.start]}[{answer.text}]{context[answer.end:]}"])


def _span(answer: Answer | None) -> tuple[int, int] | None:
    return (answer.token_start, answer.token_end) if answer else None
