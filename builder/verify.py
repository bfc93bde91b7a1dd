"""Re-check a bundle from its own files: checksums, then every artifact on the stored
test vectors against the stored reference outputs and thresholds. No checkpoint needed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from builder.backends import BACKENDS
from builder.backends.base import Backend, CannotVerify, RunContract
from builder.bundle import checksum_problems
from builder.manifest import STATUS_VERIFIED, read_manifest
from builder.parity import ParityResult, compare, not_run
from builder.tasks import Task
from builder.vectors import TestVector, run_artifact, vectors_from_json


@dataclass
class VerifyOutcome:
    manifest: dict
    checksum_problems: list[str]
    results: list[ParityResult] = field(default_factory=list)
    # Variants that could not be run at all, with the reason.
    not_run: dict[str, str] = field(default_factory=dict)

    def problems(self) -> list[str]:
        """Everything wrong with the bundle, one line each, naming the file or variant."""
        problems = [f"checksum: {p}" for p in self.checksum_problems]
        problems += [f"{r.variant}: {', '.join(r.failures)}" for r in self.results if r.failures]
        problems += [f"{name}: not run ({reason})" for name, reason in self.not_run.items()]
        if self.manifest["status"] != STATUS_VERIFIED:
            problems.append(f"manifest status is {self.manifest['status']!r}: this bundle failed its parity gate at build time")
        return problems

    @property
    def ok(self) -> bool:
        return not self.problems()


def check_artifact(variant: str, backend: Backend, path: Path, task: Task, contract: RunContract,
                   reference: Sequence[Sequence[np.ndarray]], vectors: Sequence[TestVector], thresholds: dict[str, float],
                   allow_unverified: bool) -> list[ParityResult]:
    """Run the artifact every way this machine can and compare each run with the reference.

    Shared by the build's gate and `edgepack verify`, both with a bound task. An artifact nobody
    can run here is a "not run" result; one that breaks its runtime is a failed run, never "unverified".
    """
    output_names = [spec.name for spec in contract.method.outputs]
    try:
        runners = backend.runners(path, contract)
    except CannotVerify as exc:
        return [not_run(variant, "not run", str(exc), thresholds, allow_unverified)]
    runs = []
    for runner in runners:
        try:
            candidate = run_artifact(runner, vectors, task)
            stepped = task.run_metrics(runner, vectors)
        except Exception as exc:
            reason = f"failed to run ({runner.how.split(' (')[0]}): {_first_line(exc)}"
            runs.append(not_run(variant, runner.how, reason, thresholds, allow_unverified=False))
            continue
        runs.append(compare(variant, runner.how, task, output_names, reference, candidate, thresholds, vectors, stepped))
    return runs


def verify_bundle(bundle: Path) -> VerifyOutcome:
    bundle = Path(bundle)
    manifest = read_manifest(bundle)
    outcome = VerifyOutcome(manifest, checksum_problems(bundle, manifest))
    task = manifest.task()
    contract = manifest.contract(task)
    output_names = [spec.name for spec in contract.method.outputs]
    try:
        vectors = vectors_from_json(json.loads((bundle / manifest["test_vectors"]).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        for variant in manifest["variants"]:
            outcome.not_run[variant["name"]] = f"test vectors unreadable ({type(exc).__name__})"
        return outcome
    reference = [v.expected_arrays(output_names) for v in vectors]
    for variant in manifest["variants"]:
        backend = BACKENDS.get(variant["backend"])
        try:
            runs = check_artifact(variant["name"], backend, bundle / variant["file"], task, contract, reference, vectors,
                                  variant["parity"]["thresholds"], allow_unverified=False)
        except Exception as exc:  # a corrupted artifact fails to load in many ways
            outcome.not_run[variant["name"]] = f"{variant['file']} could not be loaded: {_first_line(exc)}"
            continue
        for run in runs:
            if run.not_run:
                outcome.not_run[variant["name"]] = run.not_run
            else:
                outcome.results.append(run)
    return outcome


def _first_line(exc: Exception) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"
