"""`edgepack run`: a bundle's artifacts on a text the user gives, shown the way the app shows it.

The text is tokenized with the bundle's own tokenizer/tokenizer.json, each artifact runs through the
same runners the parity gate uses, and the task's post-processing (the manifest's `task.postprocessing`,
implemented once in builder/tasks/) turns the outputs into labels, entities, an answer, candidates or a
ranking. Given the checkpoint, the eager model's view is shown first, to compare by eye or by diff.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from builder.backends import BACKENDS
from builder.backends.base import CannotVerify
from builder.errors import EdgepackError
from builder.manifest import Manifest, read_manifest
from builder.samples import Sample
from builder.tasks import Task
from builder.tasks.specs import Presentation
from builder.tokenizer_asset import load_tokenizer
from builder.vectors import TestVector

EAGER = "eager PyTorch"


@dataclass
class AppView:
    source: str  # "eager PyTorch" or a variant's name
    how: str  # how it was run, or why it could not be
    shown: Presentation | None  # None: not run here


def run_bundle(bundle: Path, sample: Sample, variants: Sequence[str] = (), candidates: Sequence[str] = (),
               checkpoint: Path | None = None, base: Path | None = None) -> list[AppView]:
    """The app's view of `sample` from each chosen variant (all when none is named), after the eager
    model's when `checkpoint` is given."""
    bundle = Path(bundle)
    manifest = read_manifest(bundle)
    task = manifest.task()
    chosen = _chosen_variants(manifest, variants)
    vectors = _vectors(bundle, manifest, task, sample, candidates)
    views = []
    if checkpoint is not None:
        views.append(_eager_view(checkpoint, base, manifest, task, vectors))
    contract = manifest.contract(task)
    for variant in chosen:
        backend = BACKENDS.get(variant["backend"])
        try:
            runner = backend.runners(bundle / variant["file"], contract)[0]
        except CannotVerify as exc:
            views.append(AppView(variant["name"], str(exc), None))
            continue
        views.append(AppView(variant["name"], runner.how, task.app_view(runner.run, vectors)))
    return views


def _chosen_variants(manifest: Manifest, names: Sequence[str]) -> list[dict]:
    chosen = []
    for name in names:
        chosen += [m for m in manifest.named_variants(name) if m not in chosen]
    return chosen or list(manifest["variants"])


def _vectors(bundle: Path, manifest: Manifest, task: Task, sample: Sample, candidates: Sequence[str]) -> list[TestVector]:
    """Token ids (and offsets, word and sequence ids where the task maps tokens back to the text) of
    every input the app runs for this sample, exactly as tokenizer.json gives them, padded to the
    program's minimum length."""
    tokenizer = load_tokenizer(bundle / "tokenizer")
    tokenizer.configure(int(manifest["sequence_length"]["max"]), task.pair_truncation, task.truncates_input)
    task.attach_tokenizer(tokenizer)
    text, pair = sample if isinstance(sample, tuple) else (sample, None)
    if task.options.text_pair:
        if pair is None:
            raise EdgepackError(f"this {task.name} bundle reads a pair of texts; pass the second one with --pair")
    elif pair is not None:
        raise EdgepackError(f"this {task.name} bundle reads one text, not a pair; leave out --pair")
    vectors = []
    for each in task.app_samples(sample, candidates):
        # The sample as the build would encode it (its first vector; padded copies follow it).
        vector = task.make_vectors(tokenizer, [each], int(manifest["sequence_length"]["min"]), int(manifest["sequence_length"]["max"]))[0]
        vector.positions = task.compared_positions(vector.input_ids, vector.attention_mask)
        vectors.append(vector)
    return vectors


def _eager_view(checkpoint_dir: Path, base: Path | None, manifest: Manifest, task: Task,
                vectors: Sequence[TestVector]) -> AppView:
    import torch

    from builder.checkpoint import load_checkpoint

    checkpoint = load_checkpoint(checkpoint_dir, task.name, base)
    if checkpoint.task.name != task.name or list(checkpoint.labels) != list(task.labels):
        raise EdgepackError(f"{checkpoint_dir} is a {checkpoint.task.name} model with labels {list(checkpoint.labels)[:8]}, "
                            f"not the {task.name} model this bundle was built from; pass that model's checkpoint")
    model = checkpoint.load_model()
    with torch.no_grad():
        shown = task.app_view(task.eager_program(model), vectors)
    return AppView(EAGER, f"transformers eager fp32 ({checkpoint_dir})", shown)
