"""The bundle on disk: atomic writing, destinations edgepack may replace, and checksums (the
manifest's schema is builder/manifest.py).

A bundle is staged in a hidden sibling directory and renamed into place only when it is
complete, so an interrupted build never leaves a directory that looks like a bundle.
A bundle whose parity gate failed is moved to `<name>.failed/` with status "failed".
A bundle the user chose to ship with artifacts that could not be run here
(`--allow-unverified`) keeps its place but says "unverified".
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from builder import __version__
from builder.errors import EdgepackError
from builder.manifest import MANIFEST, STATUS_UNVERIFIED, STATUS_VERIFIED, failed_path

# Written into every bundle (and every failed one): edgepack replaces a folder only when it holds this.
BUNDLE_MARKER = ".edgepack-bundle.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def artifact_size(path: Path) -> int:
    """Bytes of a file, or of every file inside a package directory (.mlpackage)."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def artifact_sha256(path: Path) -> str:
    """sha256 of a file; for a package directory (.mlpackage), of its sorted
    "<relative path> <file sha256>" lines, so any changed, added or removed file shows."""
    if not path.is_dir():
        return sha256_file(path)
    lines = "".join(f"{p.relative_to(path).as_posix()} {sha256_file(p)}\n" for p in sorted(path.rglob("*")) if p.is_file())
    return hashlib.sha256(lines.encode()).hexdigest()


def file_index(root: Path) -> dict[str, dict[str, Any]]:
    """Every file in the bundle except the manifest itself, with size and sha256."""
    return {
        path.relative_to(root).as_posix(): {"size_bytes": path.stat().st_size, "sha256": sha256_file(path)}
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).as_posix() != MANIFEST
    }


def check_writable(output_dir: Path) -> None:
    existing = output_dir
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise EdgepackError(f"output path {output_dir} is inside a file ({existing}); choose a directory with -o")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise EdgepackError(f"output directory {existing} is not writable; choose another with -o or fix its permissions")


def check_destination(final: Path, inputs: dict[str, Path | None]) -> None:
    """Refuse, before any work, a bundle destination that would destroy or write into something
    edgepack did not write: any overlap with the build's inputs (checkpoint, base, samples), or an
    existing folder without the bundle marker at OUTPUT/<name> or OUTPUT/<name>.failed. (The staging
    folder is a sibling of the bundle: it is inside an input only when the bundle is.)"""
    check_apart({"bundle": final, "failed bundle": failed_path(final)}, inputs)
    for path in (final, failed_path(final)):
        if not replaceable(path):
            raise EdgepackError(f"{path} already exists and is not a bundle edgepack wrote; edgepack only replaces its own "
                                "bundles: pass another --name or -o, or move it away")


def replaceable(path: Path) -> bool:
    """Nothing there, an empty folder, or a bundle edgepack wrote."""
    return not path.exists() or path.is_dir() and ((path / BUNDLE_MARKER).is_file() or not any(path.iterdir()))


def check_apart(outputs: dict[str, Path], inputs: dict[str, Path | None]) -> None:
    """No output may be an input, contain one, or sit inside one."""
    for what, output in outputs.items():
        written = output.resolve()
        for role, source in inputs.items():
            if source is None:
                continue
            read = Path(source).resolve()
            if written == read:
                how = "is"
            elif read in written.parents:
                how = "is inside"
            elif written in read.parents:
                how = "contains"
            else:
                continue
            raise EdgepackError(f"the {what} {output} {how} the {role} {source}, and edgepack never replaces or writes into its "
                                "inputs: choose an -o outside it (or another --name)")


class DestinationLock:
    """OUTPUT/.<name>.lock, held from the end of loading to the end of the build: a second build of the same
    bundle at the same time is refused at once instead of mixing its files into the first one's. Taken after
    the inputs are read, so a refused input leaves nothing in OUTPUT; removed when the build ends."""

    def __init__(self, final: Path):
        self.final = final
        self.path = final.with_name(f".{final.name}.lock")
        self._handle = None
        self._made: list[Path] = []

    def acquire(self) -> None:
        # The folders made for the lock are removed again if the build leaves nothing in them.
        self._made = [p for p in [self.final.parent, *self.final.parent.parents] if not p.exists()]
        self.final.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise EdgepackError(f"another edgepack build is writing {self.final} right now; wait for it to finish or pass another "
                                "--name") from None
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self.path.unlink(missing_ok=True)
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
            for folder in self._made:  # innermost first; one that holds anything stays, and so do its parents
                try:
                    folder.rmdir()
                except OSError:
                    break


class BundleWriter:
    """Stage files under `.staging`, then `commit()` renames the directory into place."""

    def __init__(self, final: Path):
        self.final = final
        self.staging = final.with_name(f".{final.name}.partial-{os.getpid()}")
        self.committed_to: Path | None = None

    def __enter__(self) -> "BundleWriter":
        self.final.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir()
        return self

    def __exit__(self, *exc_info) -> None:
        if self.committed_to is None:
            shutil.rmtree(self.staging, ignore_errors=True)

    def commit(self, manifest: dict[str, Any]) -> Path:
        write_json(self.staging / BUNDLE_MARKER, {"generator": f"edgepack {__version__}", "bundle": self.final.name})
        manifest["files"] = file_index(self.staging)
        write_json(self.staging / MANIFEST, manifest)
        if manifest["status"] in (STATUS_VERIFIED, STATUS_UNVERIFIED):
            destination = self.final
            stale = failed_path(self.final)
            if stale.exists() and replaceable(stale):
                shutil.rmtree(stale, ignore_errors=True)
        else:
            destination = failed_path(self.final)
        # Checked again at the end: a folder may have appeared at the destination during the build.
        if not replaceable(destination):
            raise EdgepackError(f"{destination} appeared during the build and is not a bundle edgepack wrote; nothing was "
                                "replaced: pass another --name or -o")
        replace_dir(self.staging, destination)
        self.committed_to = destination
        return destination


def replace_dir(source: Path, destination: Path) -> None:
    """Move a finished directory into place; an existing one is retired, then removed."""
    if destination.exists():
        retired = destination.with_name(f".{destination.name}.old-{os.getpid()}")
        destination.rename(retired)
        source.rename(destination)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        source.rename(destination)


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=True) + "\n", encoding="utf-8")


def checksum_problems(bundle: Path, manifest: dict[str, Any]) -> list[str]:
    """Files that are missing, changed, or not listed in the manifest, each named."""
    problems = []
    listed = manifest.get("files", {})
    for name, entry in listed.items():
        path = bundle / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"{name}: sha256 differs from the manifest (file modified or corrupted)")
    for name in file_index(bundle):
        if name not in listed:
            problems.append(f"{name}: not listed in the manifest")
    for variant in manifest.get("variants", []):
        path = bundle / variant["file"]
        if path.exists() and artifact_sha256(path) != variant.get("sha256"):
            problems.append(f"{variant['file']}: artifact sha256 differs from the manifest")
    return problems
