"""Sentence embeddings (feature extraction): one vector per text, pooling and normalisation
fused into the exported graph so the app reads the final vector.

Two kinds of checkpoint: a plain base model (config.json architectures "BertModel" etc.),
pooled by mean over the real tokens and not normalised unless told otherwise; and a
sentence-transformers folder, recognised by its modules.json, whose Pooling config and
optional Normalize module are read as JSON (nothing from the folder is imported or run).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from builder.errors import EdgepackError
from builder.json_files import read_json_object
from builder.tasks.base import Presentation, Task, TaskMetric, TaskOptions, TensorSpec

POOLING_MODES = ("mean", "cls", "max")
_POOLING_TEXT = {
    "mean": "mean of the last hidden states over the tokens with attention_mask 1",
    "cls": "the last hidden state of the first token ([CLS])",
    "max": "element-wise maximum of the last hidden states over the tokens with attention_mask 1",
}
# sentence-transformers < 5 wrote one flag per mode in 1_Pooling/config.json.
_LEGACY_POOLING_FLAGS = {
    "pooling_mode_cls_token": "cls",
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens": "weightedmean",
    "pooling_mode_lasttoken": "lasttoken",
}
_ST_MODULES = ("Transformer", "Pooling", "Normalize")
QUERY_SET = Path(__file__).with_name("similarity_queries.json")


@dataclass(frozen=True)
class EmbeddingConfig:
    pooling: str = "mean"
    normalize: bool = False
    dimension: int | None = None
    # Where the pooling came from, for the manifest.
    source: str = "plain base model: edgepack's default (mean pooling, not normalised)"
    # sentence-transformers' own truncation length, when the folder states one.
    max_seq_length: int | None = None


def load_query_set() -> list[dict[str, Any]]:
    return json.loads(QUERY_SET.read_text(encoding="utf-8"))["queries"]


def default_sentences() -> list[str]:
    """What the search ranks when the user gives nothing else: every candidate of the query set, once."""
    return list(dict.fromkeys(text for item in load_query_set() for text in item["candidates"]))


class SentenceEmbedding(Task):
    name = "feature-extraction"
    description = "one vector per text (sentence embeddings), pooled and normalised in the graph"
    head_suffixes = ()
    auto_model_class = "AutoModel"
    peft_task_type = "FEATURE_EXTRACTION"
    metric_names = ("ranking_agreement",)
    settings: EmbeddingConfig

    @classmethod
    def matches(cls, heads: list[str], checkpoint_dir: Path) -> bool:
        # A bare encoder ("BertModel", "DistilBertModel"), not a head ("...ForX", "...LMHeadModel").
        bare = any(re.fullmatch(r"[A-Za-z0-9]+Model", head) and "For" not in head and not head.endswith("HeadModel")
                   for head in heads)
        return bare or (checkpoint_dir / "modules.json").is_file()

    @classmethod
    def read_settings(cls, checkpoint_dir: Path, raw_config: dict[str, Any]) -> EmbeddingConfig:
        dimension = raw_config.get("hidden_size") or raw_config.get("dim")
        modules_file = checkpoint_dir / "modules.json"
        if not modules_file.is_file():
            return EmbeddingConfig(dimension=dimension)
        return _sentence_transformers_config(checkpoint_dir, modules_file, dimension)

    @classmethod
    def settings_from_manifest(cls, manifest: dict[str, Any]) -> EmbeddingConfig:
        spec = manifest["task"]["postprocessing"]
        return EmbeddingConfig(spec["pooling"], bool(spec["normalized"]), spec["dimension"], spec["source"],
                               spec["trained_max_seq_length"])

    @classmethod
    def bind(cls, labels=(), options=TaskOptions(), settings: EmbeddingConfig | None = None) -> "SentenceEmbedding":
        return cls(list(labels), options, settings or EmbeddingConfig())

    @classmethod
    def read_labels(cls, raw_config, config, checkpoint_dir) -> list[str]:
        return []

    def extra_samples(self) -> list[str]:
        return [text for item in load_query_set() for text in (item["query"], *item["candidates"])]

    def wrap(self, model):
        from builder.tasks.wrappers import EmbeddingForExport

        return EmbeddingForExport(model, self.settings.pooling, self.settings.normalize).eval()

    def reference(self, model, inputs):
        from builder.tasks.wrappers import reference_embedding

        hidden = model(**inputs).last_hidden_state
        return (reference_embedding(hidden, inputs["attention_mask"], self.settings.pooling, self.settings.normalize),)

    def outputs(self) -> list[TensorSpec]:
        norm = ", L2-normalised" if self.settings.normalize else ""
        return [TensorSpec("embedding", "float32", (1, self.settings.dimension or "dim"),
                           f"sentence embedding: {self.settings.pooling} pooling{norm}, computed in the graph")]

    def postprocessing(self) -> dict[str, Any]:
        return {
            "kind": "sentence-embedding",
            "read_output": "embedding",
            "dimension": self.settings.dimension,
            "pooling": self.settings.pooling,
            "pooling_detail": _POOLING_TEXT[self.settings.pooling],
            "normalized": self.settings.normalize,
            "in_graph": "pooling and normalisation are part of the exported model: use the output as it is",
            "similarity": "cosine similarity; the vectors have unit length, so it is their dot product" if self.settings.normalize
                          else "cosine similarity: dot product divided by both vectors' lengths",
            "source": self.settings.source,
            "trained_max_seq_length": self.settings.max_seq_length,
        }

    def app_samples(self, sample, candidates) -> list:
        """The query, then the sentences to rank (by default the built-in query set's candidates)."""
        return [sample, *(candidates or default_sentences())]

    def app_hints(self) -> tuple[str, str]:
        return "Type what to search for", "The sentences to search, one a line"

    def app_data(self, vectors) -> dict[str, Any]:
        """The search screen's sentences (the user edits them in the app) and, for the kit's tests, each
        built-in query's ranking of them as `present` computes it, from the reference embeddings."""
        sentences = default_sentences()
        first: dict[str, Any] = {}
        for vector in vectors:
            first.setdefault(vector.text, vector)
        name = self.outputs()[0].name
        rankings = []
        for item in load_query_set():
            texts = [item["query"], *sentences]
            if all(text in first for text in texts):
                order, scores = _ranking([np.asarray(first[text].expected[name]) for text in texts])
                rankings.append({"query": item["query"],
                                 "ranked": [{"sentence": sentences[i], "score": float(scores[i])} for i in order]})
        return {"sentences": sentences, "reference_rankings": rankings}

    def present(self, outputs, vectors) -> Presentation:
        """The sentences ranked by cosine similarity to the query, with their scores (the app's search)."""
        order, scores = _ranking([np.asarray(o[0]) for o in outputs])
        ranked = [vectors[1 + i].text for i in order]
        return Presentation(" > ".join(ranked), [f"{scores[i]:.3f}  {vectors[1 + i].text}" for i in order])

    def task_metrics(self, reference, candidate, vectors) -> list[TaskMetric]:
        first = {}
        for index, vector in enumerate(vectors):
            first.setdefault(vector.text, index)
        agree, gaps, changed, used = 0, [], [], 0
        for number, item in enumerate(load_query_set()):
            texts = [item["query"], *item["candidates"]]
            if not all(text in first for text in texts):
                continue
            used += 1
            ref_order, ref_scores = _ranking([np.asarray(reference[first[t]][0]) for t in texts])
            cand_order, _ = _ranking([np.asarray(candidate[first[t]][0]) for t in texts])
            ordered = np.sort(ref_scores)[::-1]
            gaps.append(float(np.min(ordered[:-1] - ordered[1:])) if len(ordered) > 1 else 0.0)
            if ref_order == cand_order:
                agree += 1
            else:
                changed.append(number)
        # No query found (vectors made without the query set) is a failed check, never a pass.
        value = agree / used if used else float("nan")
        return [TaskMetric("ranking_agreement", value, {"queries": used, "changed_queries": changed,
                                                        "min_reference_score_gap": min(gaps) if gaps else None})]


def _ranking(embeddings: list[np.ndarray]) -> tuple[list[int], np.ndarray]:
    query, candidates = embeddings[0].ravel().astype(np.float64), embeddings[1:]
    scores = np.array([float(query @ c.ravel() / max(np.linalg.norm(query) * np.linalg.norm(c), 1e-30)) for c in candidates])
    return [int(i) for i in np.argsort(-scores, kind="stable")], scores


def _sentence_transformers_config(directory: Path, modules_file: Path, dimension: int | None) -> EmbeddingConfig:
    """Read modules.json and the Pooling config as data; refuse what the graph cannot reproduce."""
    try:
        modules = sorted(json.loads(modules_file.read_text(encoding="utf-8")), key=lambda m: m.get("idx", 0))
        kinds = [(str(m["type"]).rsplit(".", 1)[-1], str(m["type"]), str(m.get("path", ""))) for m in modules]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise EdgepackError(f"{modules_file} is not a sentence-transformers module list ({exc}); re-save the model with "
                            "SentenceTransformer.save") from exc
    unsupported = [f"{full} ({path or 'top level'})" for kind, full, path in kinds
                   if kind not in _ST_MODULES or not full.startswith("sentence_transformers.")]
    if unsupported:
        raise EdgepackError(f"{modules_file} lists {', '.join(unsupported)}, which edgepack cannot export; supported "
                            f"sentence-transformers modules: {', '.join(_ST_MODULES)} (export a model without the others)")
    order = [kind for kind, _, _ in kinds]
    if order not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise EdgepackError(f"{modules_file} has modules {' -> '.join(order)}; edgepack exports Transformer -> Pooling "
                            "(-> Normalize) in that order")
    if kinds[0][2] not in ("", "."):
        raise EdgepackError(f"{modules_file} keeps the transformer in {kinds[0][2]}/; edgepack reads it from the folder's top "
                            "level (config.json and weights next to modules.json), as SentenceTransformer.save writes it")
    pooling_file = directory / kinds[1][2] / "config.json"
    if not pooling_file.is_file():
        raise EdgepackError(f"cannot read the pooling config {pooling_file}: it does not exist; it is written by SentenceTransformer.save")
    pooling_config = read_json_object(pooling_file, "re-save the model with SentenceTransformer.save, which writes it")
    modes = _pooling_modes(pooling_config)
    if len(modes) != 1 or modes[0] not in POOLING_MODES:
        raise EdgepackError(f"{pooling_file} asks for pooling {' + '.join(modes) or 'none'}; edgepack exports exactly one of "
                            f"{', '.join(POOLING_MODES)}: set one mode in the Pooling module and re-save the model")
    bert_config = directory / "sentence_bert_config.json"
    max_len = None
    if bert_config.is_file():
        try:
            max_len = json.loads(bert_config.read_text(encoding="utf-8")).get("max_seq_length")
        except (OSError, ValueError, AttributeError):
            max_len = None
    normalize = order[-1] == "Normalize"
    source = "sentence-transformers folder: modules.json, " + f"{kinds[1][2]}/config.json" + (", Normalize" if normalize else "")
    return EmbeddingConfig(modes[0], normalize, dimension or pooling_config.get("embedding_dimension")
                           or pooling_config.get("word_embedding_dimension"), source, max_len)


def _pooling_modes(config: dict[str, Any]) -> list[str]:
    mode = config.get("pooling_mode")
    if mode is not None:
        return [mode] if isinstance(mode, str) else [str(m) for m in mode]
    return [name for flag, name in _LEGACY_POOLING_FLAGS.items() if config.get(flag)]
