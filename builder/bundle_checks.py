"""A bundle handed to `verify`, `inspect` or `app` is untrusted input: its manifest is checked for the
fields those commands read (builder.manifest.SCHEMA), and every path it names must stay inside the bundle. A symbolic link in
the bundle is refused outright, so no file outside it is ever read or copied through one."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any

from builder.errors import EdgepackError

REBUILD = "the bundle is damaged or was not written by this edgepack: rebuild it with `edgepack build`"

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
