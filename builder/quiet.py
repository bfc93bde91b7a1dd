"""Keep the toolchain's own chatter off the user's terminal during a build.

torch, torchao, executorch and transformers print deprecation notices, optional-kernel
load failures ("Failed to load ..._C_mxfp8...so", CUDA-only kernels) and per-file
progress bars that say nothing about the user's model. edgepack reports its own stages;
EDGEPACK_DEBUG=1 lets everything through.
"""

from __future__ import annotations

import logging
import os
import warnings
from contextlib import contextmanager
from typing import Iterator

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
