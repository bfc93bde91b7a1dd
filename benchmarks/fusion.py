"""What the fusion passes buy on XNNPACK: MiniLM fp32 latency with no passes, with the SDPA
rewrite only, and with SDPA + fused q/k/v.

    .venv/bin/python benchmarks/fusion.py [--runs 30] [--threads 1] [--tokens 128]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from builder.backends.executorch.lowering import lower_program  # noqa: E402
from builder.backends.executorch.runner import ExecuTorchRunner, set_threads  # noqa: E402
from builder.checkpoint import load_checkpoint  # noqa: E402
from builder.export import export_model  # noqa: E402
from builder.passes import ConvertAttentionToSDPAPass, FuseQKVPass, RemoveDropoutPass  # noqa: E402
from builder.tasks import TaskOptions  # noqa: E402
from checkpoints import make_minilm_classifier  # noqa: E402
from common import median_ms  # noqa: E402  (benchmarks/common.py, beside this script)

PASS_SETS = {
    "no passes": (),
    "dropout + SDPA": (RemoveDropoutPass(), ConvertAttentionToSDPAPass()),
    "dropout + SDPA + fused QKV": (RemoveDropoutPass(), ConvertAttentionToSDPAPass(), FuseQKVPass()),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--tokens", type=int, default=128)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = load_checkpoint(make_minilm_classifier(Path(tmp) / "minilm"))
        task = checkpoint.bind_task(TaskOptions())
        wrapper = task.wrap(checkpoint.load_model())
        torch.manual_seed(0)
        ids = torch.randint(1000, 20000, (1, args.tokens))
        mask = torch.ones(1, args.tokens, dtype=torch.long)
        set_threads(args.threads)
        print(f"| passes | median ms ({args.tokens} tokens, {args.threads} thread) | delegated subgraphs | nodes on CPU |")
        print("|---|---|---|---|")
        for label, passes in PASS_SETS.items():
            exported = export_model(wrapper, task.inputs(), 1, 128, [(ids, mask)], passes)
            data, delegation = lower_program(exported.program)
            path = Path(tmp) / "model.pte"
            path.write_bytes(data)
            runner, arrays = ExecuTorchRunner(path), [ids.numpy(), mask.numpy()]
            latency = median_ms(lambda: runner.run(arrays), args.runs)
            print(f"| {label} | {latency:.2f} | {delegation.subgraphs} | {delegation.cpu_nodes} |", flush=True)


if __name__ == "__main__":
    main()
