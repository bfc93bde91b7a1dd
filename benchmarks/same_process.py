"""Does a .pte run slower in a process that ran eager PyTorch first (as the old benchmarks/run.py did)?

    .venv/bin/python benchmarks/same_process.py fresh|after-eager|default-threads MODEL.pte CHECKPOINT_DIR

fresh: the .pte alone, 1 runtime thread; after-eager: eager PyTorch first (1 thread), then the .pte;
default-threads: the .pte alone with ExecuTorch's default threadpool (every core). 128 tokens, median of 40.
"""
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
mode, pte, ck = sys.argv[1], sys.argv[2], sys.argv[3]
import torch  # noqa: E402

from builder.backends.executorch.runner import ExecuTorchRunner, set_threads  # noqa: E402

torch.set_num_threads(1)
ids = np.random.default_rng(0).integers(1000, 20000, (1, 128)).astype(np.int64)
mask = np.ones((1, 128), np.int64)


def med(fn, n=40):
    for _ in range(5):
        fn()
    t = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        t.append((time.perf_counter() - start) * 1e3)
    return statistics.median(t)


if mode == "after-eager":
    from builder.checkpoint import load_checkpoint
    from builder.tasks import TaskOptions
    checkpoint = load_checkpoint(Path(ck))
    w = checkpoint.bind_task(TaskOptions()).wrap(checkpoint.load_model())
    with torch.no_grad():
        print("eager", round(med(lambda: w(torch.from_numpy(ids), torch.from_numpy(mask))), 2))
if mode != "default-threads":
    set_threads(1)  # before loading: resetting the threadpool under a loaded program corrupts the heap
r = ExecuTorchRunner(Path(pte))
print(mode, Path(pte).name, round(med(lambda: r.run([ids, mask])), 2))
