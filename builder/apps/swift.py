"""The proof of the iOS app shell's tokenizer: EdgepackKit's Swift `Tokenizer` against Hugging Face.

The app tokenizes on the device with `Tokenizer` of templates/ios/EdgepackKit, which must give
the ids Hugging Face `tokenizers` gives, id for id and offset for offset. This module builds
the package's `edgepack-tokenize` product (release: a debug build is many times slower on
the test corpus), cached by a hash of the package sources and the Swift version, runs it over
(tokenizer.json, texts) jobs and compares it with `tokenizers` (builder/apps/tokenizer_parity.py,
shared with the Kotlin kit). Swift runs natively on macOS and in a Debian chroot on Linux
(builder/apps/swift_toolchain.py), where the built program also has to run.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from builder.apps import swift_toolchain, tokenizer_parity
from builder.apps.locking import exclusive
from builder.apps.tokenizer_parity import Job, Text, split_output, write_texts
from builder.resources import data_dir

PACKAGE_DIR = data_dir("templates") / "ios" / "EdgepackKit"
PRODUCT = "edgepack-tokenize"
CACHE_NAME = "edgepack-tokenize"
KEEP_BUILDS = 5


class SwiftBuildError(RuntimeError):
    pass


def package_sources() -> list[Path]:
    """What the `edgepack-tokenize` product is built from: the manifest and every Sources/ file."""
    return [PACKAGE_DIR / "Package.swift", *sorted(p for p in (PACKAGE_DIR / "Sources").rglob("*") if p.is_file())]


def swift_version() -> str:
    native = swift_toolchain.native_swift()
    if native:
        done = swift_toolchain.swift(["--version"], cwd="/")
        return (done.stdout or done.stderr).strip().splitlines()[0]
    return (swift_toolchain.ensure_chroot() / swift_toolchain.READY_STAMP).read_text().strip()


def source_digest() -> str:
    digest = hashlib.sha256(swift_version().encode() + b"\0")
    for path in package_sources():
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def build_tokenizer() -> str:
    """The `edgepack-tokenize` executable (its path as Swift sees it), built on first use.

    The package is copied into a persistent directory whose `.build` survives between builds,
    and every build's executable is kept under the hash of what it was built from.
    """
    digest = source_digest()
    host, inside = swift_toolchain.persistent_dir(CACHE_NAME)
    name = f"bin/{PRODUCT}-{digest}"
    if (host / name).exists():
        return f"{inside}/{name}"
    with exclusive(host / ".lock"):
        if (host / name).exists():
            return f"{inside}/{name}"
        package = host / "package"
        swift_toolchain.sync_tree(PACKAGE_DIR, package)
        done = swift_toolchain.swift(["build", "-c", "release", "--product", PRODUCT], cwd=f"{inside}/package")
        built = package / ".build" / "release" / PRODUCT
        if done.returncode != 0 or not built.exists():
            raise SwiftBuildError(f"swift build -c release --product {PRODUCT} failed ({done.returncode}):\n"
                                  f"{(done.stdout + done.stderr).strip()[-4000:]}")
        (host / "bin").mkdir(exist_ok=True)
        partial = host / f"{name}.partial"
        shutil.copy2(built, partial)
        partial.replace(host / name)
        # One executable per source version: keep the few newest.
        for stale in sorted((host / "bin").glob(f"{PRODUCT}-*"), key=lambda p: p.stat().st_mtime)[:-KEEP_BUILDS]:
            stale.unlink(missing_ok=True)
    return f"{inside}/{name}"


def run_swift_tokenizer(tokenizer_json: Path, texts: list[Text], binary: str | None = None) -> list[dict]:
    """Tokenize `texts` (a tuple is a pair) with EdgepackKit's Tokenizer."""
    return run_swift_tokenizers([(tokenizer_json, texts)], binary)[0]


def run_swift_tokenizers(jobs: list[Job], binary: str | None = None) -> list[list[dict]]:
    """Several (tokenizer.json, texts) jobs through one `edgepack-tokenize` run."""
    binary = binary or build_tokenizer()
    with swift_toolchain.workspace("tokenize") as (host, inside):
        args, copied = [], {}
        for i, (tokenizer_json, texts) in enumerate(jobs):
            source = Path(tokenizer_json).resolve()
            if source not in copied:
                copied[source] = f"tokenizer-{len(copied)}.json"
                shutil.copyfile(source, host / copied[source])
            write_texts(host / f"texts-{i}.txt", texts)
            args += [f"{inside}/{copied[source]}", f"{inside}/texts-{i}.txt"]
        done = swift_toolchain.run([binary, *args], cwd=inside)
    if done.returncode != 0:
        raise RuntimeError(f"{PRODUCT} exited {done.returncode}: {done.stderr.strip()[-3000:]}")
    return split_output(done.stdout, jobs, PRODUCT)


def compare_with_hf(tokenizer_json: Path, texts: list[Text], binary: str | None = None) -> tuple[int, list[dict]]:
    """Run both tokenizers on every text: (number that agree, the disagreements)."""
    return compare_many_with_hf([(tokenizer_json, texts)], binary)[0]


def compare_many_with_hf(jobs: list[Job], binary: str | None = None) -> list[tuple[int, list[dict]]]:
    """compare_with_hf for several (tokenizer.json, texts) jobs, with one `edgepack-tokenize` run."""
    return tokenizer_parity.compare_many_with_hf(jobs, lambda batch: run_swift_tokenizers(batch, binary), label="swift")
