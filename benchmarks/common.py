"""Helpers the benchmark scripts share: the host's CPU name, a median timer, the benchmarked models,
and where results are saved."""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the MiniLM classifier fixture lives with the tests

from builder.demo import CHECKPOINT_DIR  # noqa: E402


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def median_ms(fn, runs: int) -> float:
    for _ in range(3):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def model_checkpoints(models: list[str], tmp: Path) -> Iterator[tuple[str, Path]]:
    """(name, checkpoint dir) of each benchmarked model; MiniLM's classifier is written into tmp."""
    for name in models:
        if name == "minilm":
            from checkpoints import make_minilm_classifier

            yield name, make_minilm_classifier(tmp / "all-MiniLM-L6-v2-classifier")
        else:
            yield name, CHECKPOINT_DIR


def save_record(record: dict, file_name: str) -> None:
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / file_name).write_text(json.dumps(record, indent=2) + "\n")
