"""Where the data directories (targets/, templates/) are, in a wheel and in a source tree.

The wheel maps them to builder/_data/ (see pyproject.toml); a source checkout or an
editable install finds them at the repository's top level.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"edgepack data directory {name!r} is missing from the installation")
