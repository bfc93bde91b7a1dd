"""The Swift toolchain for the iOS app shell's proofs on Linux: Debian 13's `swiftlang` in a chroot.

macOS has Swift natively; this Debian 12 machine has no Swift package at all. Debian 13
(trixie) packages Swift 6 as `swiftlang`, so a `debootstrap --variant=minbase trixie` root
holds it (about 3 GB, a few minutes, once per machine; later runs reuse it). The Debian
mirror is read from this machine's own apt configuration, never written down here.

Commands run as `unshare --mount` + `chroot`, so the /proc mount Swift needs disappears
with the process and nothing stays mounted on the host.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

SUITE = "trixie"
# libc6-dev: Foundation's module map includes C headers (sys/param.h) that minbase lacks.
PACKAGES = ("swiftlang", "libc6-dev", "ca-certificates")
READY_STAMP = ".edgepack-swift-ready"
INSTALL_HINT = "set up the Swift toolchain with `make app-tools` (needs root and Debian's apt)"


class SwiftToolchainError(RuntimeError):
    pass


def native_swift() -> str | None:
    """On macOS (or anywhere `swift` is installed), the platform's own Swift is used."""
    if os.environ.get("EDGEPACK_SWIFT_CHROOT") == "1":
        return None
    return shutil.which("swift")


def chroot_dir() -> Path:
    root = os.environ.get("EDGEPACK_TOOLS")
    base = Path(root) if root else Path.home() / ".cache" / "edgepack" / "tools"
    return base / f"swift-{SUITE}-{platform.machine()}"


# --------------------------------------------------------------------------- mirror

def _sources_entries() -> list[tuple[str, list[str]]]:
    """(URI, suites) pairs from apt's one-line and deb822 source files."""
    entries: list[tuple[str, list[str]]] = []
    files = [Path("/etc/apt/sources.list")] + sorted(Path("/etc/apt/sources.list.d").glob("*"))
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        if path.suffix == ".sources":
            for stanza in re.split(r"\n\s*\n", text):
                fields = {}
                for line in stanza.splitlines():
                    if line.startswith("#") or ":" not in line:
                        continue
                    key, _, value = line.partition(":")
                    fields[key.strip().lower()] = value.split()
                if fields.get("enabled", ["yes"])[0].lower() == "no":
                    continue
                for uri in fields.get("uris", []):
                    entries.append((uri, fields.get("suites", [])))
        elif path.suffix == ".list" or path.name == "sources.list":
            for line in text.splitlines():
                words = re.sub(r"\[[^]]*\]", "", line).split()
                if len(words) >= 3 and words[0] == "deb":
                    entries.append((words[1], [words[2]]))
    return entries


def debian_mirror() -> str:
    """The machine's Debian archive mirror: the source that serves a plain release suite."""
    for uri, suites in _sources_entries():
        if any(re.fullmatch(r"[a-z]+", suite) for suite in suites) and "security" not in uri:
            return uri.rstrip("/")
    raise SwiftToolchainError(f"no Debian archive source found in /etc/apt: {INSTALL_HINT}")


# --------------------------------------------------------------------------- setup

def _run(cmd: list[str], log, **kwargs) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise SwiftToolchainError(f"{' '.join(cmd[:4])} ... failed ({done.returncode}):\n{(done.stdout + done.stderr)[-3000:]}")
    log(f"  ok: {' '.join(cmd[:3])}")


def _apt_install_host(package: str, log) -> None:
    if os.geteuid() != 0:
        raise SwiftToolchainError(f"`{package}` is missing and installing it needs root: {INSTALL_HINT}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run(["apt-get", "update", "-qq"], log, env=env)
    _run(["apt-get", "install", "-y", "-qq", package], log, env=env)


def ensure_chroot(log=lambda message: print(message, file=sys.stderr)) -> Path:
    """The ready chroot, building it first if needed (idempotent; a half-built root is discarded)."""
    root = chroot_dir()
    if (root / READY_STAMP).exists():
        return root
    if os.geteuid() != 0:
        raise SwiftToolchainError(f"the Swift chroot is not set up and building it needs root: {INSTALL_HINT}")
    for tool, package in (("debootstrap", "debootstrap"), ("unshare", "util-linux")):
        if not shutil.which(tool):
            _apt_install_host(package, log)
    mirror = debian_mirror()
    partial = root.with_name(root.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.parent.mkdir(parents=True, exist_ok=True)
    log(f"setting up the Swift toolchain: debootstrap {SUITE} (once per machine, about 3 GB) ...")
    _run(["debootstrap", "--variant=minbase", SUITE, str(partial), mirror], log)
    (partial / "etc" / "apt" / "sources.list").write_text(f"deb {mirror} {SUITE} main\n")
    log(f"installing {' '.join(PACKAGES)} in the chroot ...")
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive", "HOME": "/root", "LANG": "C.UTF-8"}
    _run(["chroot", str(partial), "apt-get", "update", "-qq"], log, env=env)
    _run(["chroot", str(partial), "apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES], log, env=env)
    _run(["chroot", str(partial), "apt-get", "clean"], log, env=env)
    (partial / READY_STAMP).write_text(swift_version_in(partial) + "\n")
    if root.exists():
        shutil.rmtree(root)
    partial.rename(root)
    return root


def swift_version_in(root: Path) -> str:
    done = _chroot_exec(root, ["swift", "--version"], cwd="/")
    if done.returncode != 0:
        raise SwiftToolchainError(f"swift does not run in {root}: {done.stderr.strip()[-2000:]}")
    return done.stdout.strip().splitlines()[0] if done.stdout.strip() else done.stderr.strip().splitlines()[0]


def _chroot_exec(root: Path, argv: list[str], cwd: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    # Outer shell (private mount namespace): mount /proc, enter the root. Inner shell: cd, exec.
    outer = 'root="$1"; shift; mount -t proc proc "$root/proc" && exec chroot "$root" "$@"'
    inner = 'cd "$1" && shift && exec "$@"'
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", outer, "sh", str(root),
         "/bin/sh", "-c", inner, "sh", cwd, *argv],
        capture_output=True, text=True, env=env, timeout=timeout,
    )


# --------------------------------------------------------------------------- running swift

@contextmanager
def workspace(name: str = "job"):
    """A scratch directory visible to Swift: (host path, path as Swift sees it). Removed afterwards."""
    if native_swift():
        import tempfile
        with tempfile.TemporaryDirectory(prefix=f"edgepack-{name}-") as scratch:
            yield Path(scratch), scratch
        return
    root = ensure_chroot()
    inside = f"/work/{name}-{uuid.uuid4().hex[:12]}"
    host = root / inside.lstrip("/")
    host.mkdir(parents=True)
    try:
        yield host, inside
    finally:
        shutil.rmtree(host, ignore_errors=True)


def persistent_dir(name: str) -> tuple[Path, str]:
    """A directory kept between runs (a build cache): (host path, path as Swift sees it)."""
    if native_swift():
        base = chroot_dir().parent / "swift-cache" / name
        base.mkdir(parents=True, exist_ok=True)
        return base, str(base)
    root = ensure_chroot()
    inside = f"/cache/{name}"
    host = root / inside.lstrip("/")
    host.mkdir(parents=True, exist_ok=True)
    return host, inside


BUILD_CACHE = (".build", ".swiftpm")


def clear_except(destination: Path, keep: tuple[str, ...] = BUILD_CACHE) -> None:
    """Empty `destination` (creating it) but for the `keep` folders: Swift's build cache."""
    destination.mkdir(parents=True, exist_ok=True)
    for entry in destination.iterdir():
        if entry.name not in keep:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def sync_tree(source: Path, destination: Path, keep: tuple[str, ...] = BUILD_CACHE) -> None:
    """Make `destination` a copy of `source`, keeping (and never copying) the `keep` folders:
    Swift's build cache survives while every source file is replaced."""
    clear_except(destination, keep)
    for entry in source.iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir():
            shutil.copytree(entry, destination / entry.name, ignore=shutil.ignore_patterns(*keep))
        else:
            shutil.copy2(entry, destination / entry.name)


def swift(args: list[str], cwd: str, timeout: float | None = 1800) -> subprocess.CompletedProcess:
    """Run `swift <args>` in `cwd` (a path as Swift sees it), natively or in the chroot."""
    return run([native_swift() or "swift", *args], cwd=cwd, timeout=timeout)


def run(argv: list[str], cwd: str, timeout: float | None = 1800) -> subprocess.CompletedProcess:
    """Run a program `swift build` made (argv and `cwd` as Swift sees them), natively or in the
    chroot, whose Swift runtime the program links."""
    if native_swift():
        return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return _chroot_exec(ensure_chroot(), argv, cwd=cwd, timeout=timeout)


def main() -> int:
    """`python -m builder.apps.swift_toolchain`: set up the chroot and print the Swift version."""
    try:
        root = ensure_chroot(log=print) if native_swift() is None else None
    except SwiftToolchainError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(subprocess.run([native_swift(), "--version"], capture_output=True, text=True).stdout.strip()
          if root is None else (root / READY_STAMP).read_text().strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
