"""Sequence classification: one label for a whole text (intent, sentiment, topic)."""

from __future__ import annotations

from typing import Any

import numpy as np

from builder.tasks.base import LogitsHeadTask, Presentation, TaskMetric, TensorSpec, pair_encoding, softmax

# How many labels the app lists.
SHOWN_LABELS = 5


class SequenceClassification(LogitsHeadTask):
    name = "sequence-classification"
    description = "one label per text (intent, sentiment, topic)"
    head_suffixes = ("ForSequenceClassification",)
    auto_model_class = "AutoModelForSequenceClassification"
    peft_task_type = "SEQ_CLS"
    metric_names = ("top1_agreement",)
    # NLI, paraphrase and cross-encoder checkpoints are sequence classifiers over a text pair.
    pairs = "optional"

    def outputs(self) -> list[TensorSpec]:
        n = len(self.labels)
        specs = [TensorSpec("logits", "float32", (1, n), "unnormalised class scores, in label order")]
        if self.options.probabilities:
            specs.append(TensorSpec("probabilities", "float32", (1, n), "softmax of logits, folded into the graph"))
        return specs

    def postprocessing(self) -> dict[str, Any]:
        spec = {
            "kind": "single-label-classification",
            "read_output": "probabilities" if self.options.probabilities else "logits",
            "apply_softmax": not self.options.probabilities,
            "decision": "argmax",
            "labels": self.labels,
        }
        if self.options.text_pair:
            spec["input"] = pair_encoding(self.options)
        return spec

    def task_metrics(self, reference, candidate, vectors) -> list[TaskMetric]:
        ref_top = [int(np.argmax(outputs[0])) for outputs in reference]
        cand_top = [int(np.argmax(outputs[0])) for outputs in candidate]
        disagreements = [i for i, (r, c) in enumerate(zip(ref_top, cand_top)) if r != c]
        agreement = 1.0 - len(disagreements) / max(len(ref_top), 1)
        return [TaskMetric("top1_agreement", agreement, {"disagreeing_samples": disagreements})]

    def app_hints(self) -> tuple[str, str]:
        return super().app_hints() if self.options.text_pair else ("Type a text to classify", "")

    def classifier_labels(self) -> list[str] | None:
        return self.labels if self.options.probabilities else None

    def describe_prediction(self, outputs, vector) -> str:
        return self.labels[int(np.argmax(outputs[0]))]

    def present(self, outputs, vectors) -> Presentation:
        """The most probable labels, best first, with their probabilities (the app's list)."""
        first = outputs[0]
        probabilities = np.asarray(first[1] if self.options.probabilities else softmax(first[0]), dtype=np.float64).ravel()
        best = np.argsort(-probabilities, kind="stable")[:SHOWN_LABELS]
        return Presentation(self.describe_prediction(first, vectors[0]),
                            [f"{probabilities[i]:.3f}  {self.labels[i]}" for i in best])
