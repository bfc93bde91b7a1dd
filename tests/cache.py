"""What the suite makes once and reuses: tiny checkpoints on disk between runs, bundles within a run.

Checkpoints are deterministic functions of their factory's source, its arguments and the library
versions, so they are kept under ~/.cache/edgepack/test-checkpoints (EDGEPACK_TEST_CACHE) keyed by
all three: a second run copies them instead of retraining tokenizers and MLM heads.

Bundles are rebuilt every run (building is what the suite proves), but only once per run: every test
that needs the bundle of a given (checkpoint, command line) asks `built_once`, which builds it through
the CLI on the first request, under a file lock shared by the pytest-xdist workers, and hands the
same folder to every later request, on either worker.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Callable

from filelock import FileLock

HERE = Path(__file__).resolve().parent
# What decides a checkpoint's bytes besides the factory's arguments.
_SOURCES = (HERE / "checkpoints.py",)
_LIBRARIES = ("torch", "transformers", "tokenizers", "safetensors", "numpy")


def checkpoint_cache_dir() -> Path:
    root = os.environ.get("EDGEPACK_TEST_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "edgepack" / "test-checkpoints"


@functools.cache
def _source_key() -> str:
    digest = hashlib.sha256()
    for source in _SOURCES:
        digest.update(source.read_bytes())
    for library in _LIBRARIES:
        digest.update(f"{library}=={version(library)}\0".encode())
    return digest.hexdigest()[:16]


def disk_cached(factory: Callable[..., Path]) -> Callable[..., Path]:
    """Wrap `factory(directory, *args, **kwargs) -> directory` so that it runs once per machine for
    each set of arguments; later calls copy the cached folder into `directory`. The cached folder is
    never handed out itself, so a test that edits its checkpoint cannot spoil the cache."""

    @functools.wraps(factory)
    def cached(directory: Path, *args, **kwargs) -> Path:
        call = json.dumps([factory.__name__, [str(a) for a in args], {k: str(v) for k, v in sorted(kwargs.items())}])
        entry = checkpoint_cache_dir() / _source_key() / f"{factory.__name__}-{hashlib.sha256(call.encode()).hexdigest()[:16]}"
        if not entry.is_dir():
            entry.parent.mkdir(parents=True, exist_ok=True)
            with FileLock(f"{entry}.lock"):
                if not entry.is_dir():
                    partial = entry.with_name(f"{entry.name}.partial-{os.getpid()}")
                    shutil.rmtree(partial, ignore_errors=True)
                    factory(partial, *args, **kwargs)
                    partial.rename(entry)
        shutil.copytree(entry, directory, dirs_exist_ok=True)
        return Path(directory)

    return cached


def shared_root(tmp_path_factory) -> Path:
    """The run's temporary directory that every xdist worker sees (each worker's own basetemp is a
    `popen-gwN` folder inside it); without xdist, the session's basetemp."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@dataclass(frozen=True)
class Built:
    """A bundle built through the CLI: the folder, and what the command printed and returned."""

    bundle: Path
    output: str
    exit_code: int


def built_once(root: Path, name: str, args: list[str], build: Callable[[Path], tuple[int, str]]) -> Built:
    """The result of `build(out_dir)` for this command line, built by the first caller of the run.
    `name` is the bundle's folder inside `out_dir`."""
    key = hashlib.sha256(json.dumps(args).encode()).hexdigest()[:16]
    out = root / "shared-builds" / f"{name}-{key}"
    record = out / "result.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{out}.lock"):
        if not record.is_file():
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            exit_code, output = build(out)
            record.write_text(json.dumps({"exit_code": exit_code, "output": output}))
    result = json.loads(record.read_text())
    return Built(out / name, result["output"], result["exit_code"])
