"""A bundle handed to `verify`, `inspect` or `app` is untrusted input: its manifest is checked for the
fields those commands read, and every path it names must stay inside the bundle. A symbolic link in
the bundle is refused outright, so no file outside it is ever read or copied through one."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any

from builder.errors import EdgepackError

REBUILD = "the bundle is damaged or was not written by this edgepack: rebuild it with `edgepack build`"

# The fields the commands that read a bundle rely on, with their JSON types; a list holds one spec
# for every item. Other fields are free.
_THRESHOLDS = {"thresholds": dict, "figures": dict, "verdict": str}
SCHEMA: dict[str, Any] = {
    "status": str,
    "created": str,
    "model": {"name": str, "architecture": str, "parameters": int, "source_sha256": str},
    "task": {"name": str, "description": str, "labels": [str], "postprocessing": dict},
    "inputs": [{"name": str, "dtype": str, "shape": list, "description": str}],
    "outputs": [{"name": str, "dtype": str, "shape": list, "description": str}],
    "sequence_length": {"min": int, "max": int, "pad_token_id": int},
    "tokenizer": {"model": str, "vocab_size": int},
    "test_vectors": str,
    "variants": [{"name": str, "backend": str, "recipe": str, "file": str, "size_bytes": int, "sha256": str, "details": dict,
                  "parity": _THRESHOLDS, "runs": [dict]}],
    "files": dict,
}
_JSON_NAMES = {dict: "an object", list: "a list", str: "a string", int: "an integer"}


def check_manifest(manifest: Any, path: Path) -> None:
    problem = _mismatch(manifest, SCHEMA, "")
    if problem:
        raise EdgepackError(f"{path}: {problem}; {REBUILD}")


def _mismatch(value: Any, spec: Any, where: str) -> str | None:
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return f"{where or 'the manifest'} must be an object"
        for key, inner in spec.items():
            if key not in value:
                return f"{where + '.' if where else ''}{key} is missing"
            problem = _mismatch(value[key], inner, f"{where + '.' if where else ''}{key}")
            if problem:
                return problem
        return None
    if isinstance(spec, list):
        if not isinstance(value, list):
            return f"{where} must be a list"
        return next((p for i, item in enumerate(value) if (p := _mismatch(item, spec[0], f"{where}[{i}]"))), None)
    if not isinstance(value, spec) or (spec is int and isinstance(value, bool)):
        return f"{where} must be {_JSON_NAMES[spec]}, not {type(value).__name__}"
    return None


def inside(bundle: Path, relative: str, what: str) -> Path:
    """`bundle / relative`, for a relative path from the manifest that cannot leave the bundle."""
    pure = PurePosixPath(relative)
    if not relative or pure.is_absolute() or ".." in pure.parts or "\\" in relative:
        raise EdgepackError(f"{bundle / 'manifest.json'} names {what} {relative!r}, a path outside the bundle; {REBUILD}")
    return bundle / Path(*pure.parts)


def check_contained(bundle: Path, manifest: dict[str, Any]) -> None:
    """No symbolic link anywhere in the bundle, and every path the manifest names inside it."""
    for root, folders, files in os.walk(bundle):
        for name in folders + files:
            if os.path.islink(os.path.join(root, name)):
                link = Path(root, name)
                raise EdgepackError(f"{link} is a symbolic link (to {os.readlink(link)}); a bundle holds only its own files, and "
                                    f"edgepack reads nothing through a link: {REBUILD}")
    inside(bundle, manifest["test_vectors"], "test vectors")
    for variant in manifest["variants"]:
        inside(bundle, variant["file"], f"the artifact of {variant['name']}")
    for name in manifest["files"]:
        inside(bundle, name, "the file")
