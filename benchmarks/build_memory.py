"""What building a 1B-parameter decoder takes on this machine: wall time and peak memory of `edgepack build`.

    .venv/bin/python benchmarks/build_memory.py [--recipes fp32 int8-dynamic] [--max-seq-len 256] [--keep DIR]

No 1B decoder reaches this machine with real weights (nothing is downloaded from a model hub), so the model has
Llama 3.2 1B's published shape (16 layers, hidden 2048, feed-forward 8192, 32 query and 8 key/value heads, head
size 64, a 128,256-token vocabulary, tied embeddings: 1.24B parameters) with transformers' random initialisation,
saved in bfloat16 as released checkpoints are (2.5 GB), and the tokenizer and chat template of SmolLM2-135M-Instruct
(tools/real_decoder.py), whose ids all fit the larger table. What the figures measure does not depend on the weights'
values: edgepack's memory and time, per stage. The parity figures do: random weights give near-flat logits, so the
fp32 greedy comparison may flip on a near-tie, and the table says whether the bundle verified.

Each recipe is built in a process of its own (`--target android --quant RECIPE`); its peak resident memory is the
child's ru_maxrss (wait4), its stage times come from the bundle's manifest. Writes
benchmarks/results/<date>-build-memory.json and prints the Markdown table the README carries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tools.real_decoder (development tooling, not in the wheel)

from common import cpu_model, save_record  # noqa: E402  (benchmarks/common.py, beside this script)

# Llama 3.2 1B's config.json values (the shape only).
SHAPE = dict(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32, num_key_value_heads=8,
             head_dim=64, vocab_size=128256, tie_word_embeddings=True, rope_theta=500000.0, max_position_embeddings=131072,
             rms_norm_eps=1e-5)


def make_checkpoint(folder: Path) -> int:
    """The 1B-shaped model with SmolLM2's tokenizer, saved in bfloat16; returns its parameter count."""
    import torch
    import transformers

    from tools.real_decoder import smollm2_dir

    tokenizer_source = smollm2_dir()
    tokenizer = transformers.AutoTokenizer.from_pretrained(tokenizer_source)
    config = transformers.LlamaConfig(**SHAPE, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                                      architectures=["LlamaForCausalLM"])
    torch.manual_seed(0)
    model = transformers.LlamaForCausalLM(config).to(torch.bfloat16)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    shutil.copy(tokenizer_source / "generation_config.json", folder / "generation_config.json")
    return sum(p.numel() for p in model.parameters())


def count_parameters(folder: Path) -> int:
    """A kept checkpoint's parameter count, from its config alone (the model is built on the meta device)."""
    import torch
    import transformers

    with torch.device("meta"):
        model = transformers.LlamaForCausalLM(transformers.LlamaConfig.from_pretrained(folder))
    return sum(p.numel() for p in model.parameters())


def build(checkpoint: Path, out: Path, recipe: str, max_seq_len: int) -> dict:
    command = [str(ROOT / ".venv" / "bin" / "edgepack"), "build", str(checkpoint), "-o", str(out), "--name", f"llama-1b-{recipe}",
               "--target", "android", "--quant", recipe, "--max-seq-len", str(max_seq_len)]
    log = out / f"llama-1b-{recipe}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with log.open("w") as sink:
        # wait4 on this one child: its own peak resident memory (ru_maxrss, KiB), not the largest of all builds so far.
        pid = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT).pid
        _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    bundle = next((p for p in (out / f"llama-1b-{recipe}", out / f"llama-1b-{recipe}.failed") if p.is_dir()), None)
    record = {"recipe": recipe, "exit_code": os.waitstatus_to_exitcode(status), "wall_seconds": round(wall, 1),
              "peak_rss_gib": round(usage.ru_maxrss / 2**20, 2), "last_line": log.read_text().strip().splitlines()[-1:]}
    if bundle is not None:
        manifest = json.loads((bundle / "manifest.json").read_text())
        (variant,) = manifest["variants"]
        record.update(status=manifest["status"], pte_mb=round(variant["size_bytes"] / 1e6, 1),
                      stages={k: round(v, 1) for k, v in manifest["build_seconds"].items()},
                      figures=variant["parity"]["figures"])
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", nargs="+", default=["fp32", "int8-dynamic"])
    parser.add_argument("--max-seq-len", type=int, default=256)
    parser.add_argument("--keep", type=Path, help="keep the checkpoint and bundles here (default: a temporary folder)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="edgepack-1b-"))
    checkpoint = work / "llama-1b-shape"
    parameters = make_checkpoint(checkpoint) if not (checkpoint / "config.json").is_file() else count_parameters(checkpoint)
    rows = [build(checkpoint, work / "bundles", recipe, args.max_seq_len) for recipe in args.recipes]
    record = {"date": dt.date.today().isoformat(), "cpu": cpu_model(), "cores": os.cpu_count(),
              "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
              "model": "random weights in Llama 3.2 1B's shape", "parameters": parameters, "max_seq_len": args.max_seq_len,
              "builds": rows}
    save_record(record, f"{record['date']}-build-memory.json")
    print(f"| recipe | build wall time | peak memory | .pte | bundle |\n|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['recipe']} | {row['wall_seconds'] / 60:.1f} min | {row['peak_rss_gib']:.1f} GiB | "
              f"{row.get('pte_mb', '-')} MB | {row.get('status', 'exit ' + str(row['exit_code']))} |")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
