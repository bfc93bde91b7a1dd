"""Size, host latency, parity and build time per variant, for the demo model and MiniLM.

    .venv/bin/python benchmarks/run.py [--runs 50] [--threads 1] [--models demo minilm]

Builds each model with every ExecuTorch recipe through the same code path as
`edgepack build`, then times each .pte with the ExecuTorch runtime next to eager
PyTorch fp32, in one process, with the same thread count for both. Writes
benchmarks/results/<date>.json and prints a Markdown table for the README.
Latency here is this host's CPU (x86_64), not a phone: use it to compare variants.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the MiniLM classifier fixture lives with the tests

from builder.backends.executorch.runner import ExecuTorchRunner, set_threads  # noqa: E402
from builder.build import BuildOptions, build  # noqa: E402
from builder.checkpoint import load_checkpoint  # noqa: E402
from builder.demo import CHECKPOINT_DIR  # noqa: E402
from builder.progress import Stages  # noqa: E402

RECIPES = ("fp32", "int8-dynamic", "int8-static", "8da4w")
TEXT = "Hi, my order #48213 still has not arrived and the tracking page has not changed for a week. Can you help?"


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


def inputs_of_length(checkpoint, length: int):
    ids, mask = checkpoint.tokenizer.encode(TEXT)
    ids, mask = (ids + [checkpoint.tokenizer.pad_token_id] * length)[:length], (mask + [0] * length)[:length]
    return torch.tensor([ids]), torch.tensor([mask])


def bench_model(name: str, checkpoint_dir: Path, out: Path, runs: int, threads: int) -> list[dict]:
    with Stages(enabled=True) as stages:
        result = build(BuildOptions(checkpoint=checkpoint_dir, output_dir=out, targets=("android",), recipes=RECIPES), stages)
    checkpoint = load_checkpoint(checkpoint_dir)
    checkpoint.tokenizer.configure(128)
    model = checkpoint.load_model()
    torch.set_num_threads(threads)
    set_threads(threads)
    rows = []
    lengths = (16, 128)
    with torch.no_grad():
        eager = {n: median_ms(lambda: model(*inputs_of_length(checkpoint, n)), runs) for n in lengths}
    for variant in result.variants:
        runner = ExecuTorchRunner(result.bundle / variant.file)
        latency = {}
        for n in lengths:
            arrays = [t.numpy() for t in inputs_of_length(checkpoint, n)]
            latency[n] = median_ms(lambda: runner.run(arrays), runs)
        figures = variant.parity.headline()
        rows.append({
            "model": name,
            "variant": variant.recipe,
            "pte_mb": round(variant.size_bytes / 1e6, 2),
            "pte_ms_16": round(latency[16], 2),
            "pte_ms_128": round(latency[128], 2),
            "eager_fp32_ms_16": round(eager[16], 2),
            "eager_fp32_ms_128": round(eager[128], 2),
            "min_cosine": round(figures["min_cosine"], 6),
            "max_abs_error": float(f"{figures['max_abs_error']:.3g}"),
            "top1_agreement": round(figures["top1_agreement"], 3),
            "parity": variant.parity.verdict,
            "compute_ops_delegated": "{compute_delegated}/{compute_total}".format(**variant.details["delegation"]),
            # Quantization and lowering together.
            "build_s": round(result.timings[f"lower:{variant.target}:{variant.recipe}"], 1),
            "export_fuse_s": round(result.timings["export"], 1),
        })
    return rows


def markdown(rows: list[dict]) -> str:
    header = ("| model | variant | .pte MB | ET ms (16 tok) | ET ms (128 tok) | eager fp32 ms (16 / 128) | min cosine "
              "| max abs err | top-1 agree | parity | XNNPACK compute ops | build s (quantize + lower) |")
    lines = [header, "|" + "---|" * 12]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['variant']} | {r['pte_mb']} | {r['pte_ms_16']} | {r['pte_ms_128']} | "
            f"{r['eager_fp32_ms_16']} / {r['eager_fp32_ms_128']} | {r['min_cosine']} | {r['max_abs_error']} | "
            f"{r['top1_agreement']} | {r['parity']} | {r['compute_ops_delegated']} | {r['build_s']} |"
        )
    return "\n".join(lines)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--models", nargs="+", default=["demo", "minilm"], choices=["demo", "minilm"])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, checkpoint_dir in model_checkpoints(args.models, Path(tmp)):
            rows += bench_model(name, checkpoint_dir, Path(tmp) / "dist", args.runs, args.threads)
    machine = f"{cpu_model()}, {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    record = {"date": dt.date.today().isoformat(), "machine": machine, "threads": args.threads, "runs": args.runs, "rows": rows}
    save_record(record, f"{record['date']}.json")
    print(f"\n{record['date']}, {machine}; median of {args.runs} runs, {args.threads} thread(s)\n")
    print(markdown(rows))


if __name__ == "__main__":
    main()
