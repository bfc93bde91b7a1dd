"""Keep the toolchain's own chatter off the user's terminal during a build (into the bundle's build.log).

torch, torchao, executorch and transformers print deprecation notices, optional-kernel
load failures ("Failed to load ..._C_mxfp8...so", CUDA-only kernels) and per-file
progress bars that say nothing about the user's model. edgepack reports its own stages;
EDGEPACK_DEBUG=1 lets everything through.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import warnings
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, TextIO

_CHATTY_LOGGERS = ("torchao", "torch.utils._pytree", "torch._export", "torch.export", "executorch", "coremltools")


@contextmanager
def quiet_toolchain() -> Iterator[None]:
    if os.environ.get("EDGEPACK_DEBUG"):
        yield
        return
    levels = {name: logging.getLogger(name).level for name in _CHATTY_LOGGERS}
    with warnings.catch_warnings():
        for category in (FutureWarning, DeprecationWarning, UserWarning):
            warnings.simplefilter("ignore", category)
        for name in _CHATTY_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)
        import transformers

        progress_was_enabled = transformers.utils.logging.is_progress_bar_enabled()
        verbosity = transformers.utils.logging.get_verbosity()
        transformers.utils.logging.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()
        try:
            yield
        finally:
            transformers.utils.logging.set_verbosity(verbosity)
            if progress_was_enabled:
                transformers.utils.logging.enable_progress_bar()
            for name, level in levels.items():
                logging.getLogger(name).setLevel(level)


@contextmanager
def toolchain_output_to(log: Path | None) -> Iterator[TextIO]:
    """Send everything the toolchain prints, from Python or from C++ (the ExecuTorch runtime's cpuinfo
    lines, coremltools' progress bars, numpy's RuntimeWarnings), into `log`: file descriptors 1 and 2
    and sys.stdout/sys.stderr point there while the block runs. Yields the stream edgepack's own
    output goes to, still the user's terminal. With `log` None, nothing moves."""
    if log is None:
        yield sys.stderr
        return
    streams = sys.stdout, sys.stderr
    for stream in streams:
        stream.flush()
    terminal = _survives_redirect(sys.stderr)
    saved = [os.dup(1), os.dup(2)]
    with open(log, "a", buffering=1, encoding="utf-8", errors="replace") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        sys.stdout = sys.stderr = sink
        try:
            yield terminal
        finally:
            sink.flush()
            sys.stdout, sys.stderr = streams
            for fd, original in zip((1, 2), saved):
                os.dup2(original, fd)
                os.close(original)
            if terminal is not streams[1]:
                terminal.close()


def _survives_redirect(stream: TextIO) -> TextIO:
    """`stream`, or, when it writes to fd 1 or 2 (a terminal), a copy of that descriptor the redirect leaves alone."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # CliRunner's and pytest's captures have no descriptor
        return stream
    if fd not in (1, 2):
        return stream
    return os.fdopen(os.dup(fd), "w", buffering=1, encoding=getattr(stream, "encoding", None) or "utf-8", errors="replace")


_WARNING = re.compile(r"\b(\w+Warning): (.+)$")


def warning_summary(log: Path) -> list[str]:
    """The distinct Python warnings in the toolchain log (e.g. numpy's "RuntimeWarning: invalid value
    encountered in divide" from a compression), each once with how often it came."""
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    counts = Counter(f"{m.group(1)}: {m.group(2).strip()}" for line in lines if (m := _WARNING.search(line)))
    return [f"{message} ({count}x)" if count > 1 else message for message, count in counts.most_common()]
