"""Compare an artifact's outputs with the reference model's, and decide the gate.

Everything is recorded before a verdict is drawn, so a failed gate still leaves the
full figures in the report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

import numpy as np

from builder.tasks import TASKS, Task
from builder.tasks.base import TaskMetric

PASS, FAIL, UNVERIFIED = "pass", "fail", "unverified"
# Limits every output is held to; each task metric `m` is held to `min_<m>`.
OUTPUT_THRESHOLDS = ("min_cosine", "max_abs_error")


def threshold_keys() -> set[str]:
    """Every key a target profile's thresholds may (and, per recipe, must) hold."""
    return {*OUTPUT_THRESHOLDS, *(f"min_{name}" for _, task in TASKS.items() for name in task.metric_names)}


@dataclass
class OutputStats:
    name: str
    max_abs_error: float
    mean_abs_error: float
    min_cosine: float
    mean_cosine: float
    snr_db: float


@dataclass
class ParityResult:
    variant: str
    how_run: str
    samples: int
    outputs: list[OutputStats]
    task_metrics: list[TaskMetric]
    thresholds: dict[str, float]
    failures: list[str]
    # Per-sample cosine and max error of the first output, for the report's plots.
    per_sample: list[dict[str, float]] = field(default_factory=list)
    # Set when the artifact could not be run here at all: why.
    not_run: str | None = None

    @property
    def verdict(self) -> str:
        return FAIL if self.failures else UNVERIFIED if self.not_run else PASS

    def headline(self) -> dict[str, float]:
        if not self.outputs:
            return {}
        first = self.outputs[0]
        figures = {"max_abs_error": first.max_abs_error, "min_cosine": first.min_cosine}
        figures.update({m.name: m.value for m in self.task_metrics})
        return figures

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = self.verdict
        return data


def not_run(variant: str, how_run: str, reason: str, thresholds: dict[str, float], allow_unverified: bool) -> ParityResult:
    """An artifact nobody could run here. It fails the gate unless the user explicitly
    ships unverified artifacts; it is never a pass."""
    return ParityResult(variant, how_run, 0, [], [], dict(thresholds), [] if allow_unverified else [reason], not_run=reason)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    norm = np.linalg.norm(a) * np.linalg.norm(b)
    if norm == 0.0:
        return 1.0 if np.array_equal(a, b) else 0.0
    return float(np.dot(a, b) / norm)


def compare(
    variant: str,
    how_run: str,
    task: Task,
    output_names: Sequence[str],
    reference: Sequence[Sequence[np.ndarray]],
    candidate: Sequence[Sequence[np.ndarray]],
    thresholds: dict[str, float],
    vectors: Sequence[Any],
    stepped_metrics: Sequence[TaskMetric] = (),
) -> ParityResult:
    """`task` is the bound task; `vectors` are the test vectors (text, ids, mask, alignment) the
    outputs were computed from; `stepped_metrics` the task's figures from driving the artifact step by
    step (Task.run_metrics)."""
    outputs = []
    for index, name in enumerate(output_names):
        refs = [np.asarray(sample[index], dtype=np.float64) for sample in reference]
        cands = [np.asarray(sample[index], dtype=np.float64) for sample in candidate]
        errors = [np.abs(r - c) for r, c in zip(refs, cands)]
        cosines = [cosine(r, c) for r, c in zip(refs, cands)]
        signal = sum(float(np.sum(r**2)) for r in refs)
        noise = sum(float(np.sum(e**2)) for e in errors)
        outputs.append(
            OutputStats(
                name=name,
                max_abs_error=max(float(e.max()) for e in errors),
                mean_abs_error=float(np.mean(np.concatenate([e.ravel() for e in errors]))),
                min_cosine=min(cosines),
                mean_cosine=float(np.mean(cosines)),
                snr_db=float("inf") if noise == 0 else 10.0 * float(np.log10(max(signal, 1e-300) / noise)),
            )
        )
    first = [(cosine(np.asarray(r[0]), np.asarray(c[0])), float(np.abs(np.asarray(r[0]) - np.asarray(c[0])).max()))
             for r, c in zip(reference, candidate)]
    metrics = task.task_metrics([list(r) for r in reference], [list(c) for c in candidate], vectors) + list(stepped_metrics)
    result = ParityResult(
        variant=variant,
        how_run=how_run,
        samples=len(reference),
        outputs=outputs,
        task_metrics=metrics,
        thresholds=dict(thresholds),
        failures=[],
        per_sample=[{"cosine": c, "max_abs_error": e} for c, e in first],
    )
    result.failures = _failures(result)
    return result


def _failures(result: ParityResult) -> list[str]:
    limits = result.thresholds
    # Fail closed: a figure without a limit is a failure, never an ungated pass.
    wanted = [*OUTPUT_THRESHOLDS, *(f"min_{metric.name}" for metric in result.task_metrics)]
    failures = [f"no threshold {key!r} for this recipe (add it to the target profile or pass --threshold)"
                for key in wanted if key not in limits]
    for stats in result.outputs:
        if not np.isfinite(stats.max_abs_error):
            failures.append(f"{stats.name}: non-finite values (NaN or inf)")
            continue
        if "min_cosine" in limits and not stats.min_cosine >= limits["min_cosine"]:
            failures.append(f"{stats.name}: min cosine {stats.min_cosine:.6f} < {limits['min_cosine']}")
        if "max_abs_error" in limits and not stats.max_abs_error <= limits["max_abs_error"]:
            failures.append(f"{stats.name}: max abs error {stats.max_abs_error:.3g} > {limits['max_abs_error']}")
    for metric in result.task_metrics:
        key = f"min_{metric.name}"
        if key in limits and not metric.value >= limits[key]:
            failures.append(f"{metric.name} {metric.value:.4f} < {limits[key]}")
    return failures
