"""The Kotlin toolchain for the Android app shell, and the JVM proof of its tokenizer.

The app tokenizes on the device with `dev.edgepack.kit.Tokenizer` (templates/android/
edgepack-kit), which must give the ids Hugging Face `tokenizers` gives, id for id and offset
for offset. This module compiles that kit with the `kotlin-compiler` npm package, runs its
`TokenizerCli` on the JVM and compares it with `tokenizers`.

The comparison itself is builder/apps/tokenizer_parity.py (shared with the Swift kit). The
kits' Unicode tables are measured from `tokenizers` by tools/unicode_tables.py (development
tooling, not in the wheel; why they are measured: see there).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from builder.apps import tokenizer_parity
from builder.apps.locking import exclusive
from builder.apps.tokenizer_parity import Job, Text, split_output, write_texts
from builder.resources import data_dir

# From the source tree or, installed, from the wheel's copy of templates/.
KIT_SOURCES = data_dir("templates") / "android" / "edgepack-kit" / "src" / "main" / "kotlin" / "dev" / "edgepack" / "kit"
KOTLIN_COMPILER_VERSION = "2.4.20"
INSTALL_HINT = "install the app toolchain with `make app-tools` (a JDK, npm, aapt2, JUnit 4)"


class ToolchainError(RuntimeError):
    pass


# --------------------------------------------------------------------------- toolchain

def tools_dir() -> Path:
    root = os.environ.get("EDGEPACK_TOOLS")
    base = Path(root) if root else Path.home() / ".cache" / "edgepack" / "tools"
    return base / f"kotlin-compiler-{KOTLIN_COMPILER_VERSION}"


def _package_dir() -> Path:
    return tools_dir() / "node_modules" / "kotlin-compiler"


def java() -> str:
    found = shutil.which("java")
    if not found:
        raise ToolchainError(f"`java` (a JDK 17+) is not on PATH: {INSTALL_HINT}")
    return found


def kotlinc() -> Path:
    """Path of the kotlinc launcher, installing the npm package `kotlin-compiler` on first use."""
    java()
    launcher = _package_dir() / "bin" / "kotlinc"
    if launcher.exists():
        return launcher
    npm = shutil.which("npm")
    if not npm:
        raise ToolchainError(f"`npm` is not on PATH, so kotlin-compiler cannot be installed: {INSTALL_HINT}")
    with exclusive(tools_dir().with_name(f"{tools_dir().name}.lock")):
        if launcher.exists():
            return launcher
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(tools_dir()), f"kotlin-compiler@{KOTLIN_COMPILER_VERSION}"],
            capture_output=True, text=True,
        )
    if done.returncode != 0 or not launcher.exists():
        raise ToolchainError(f"npm install kotlin-compiler@{KOTLIN_COMPILER_VERSION} failed: {done.stderr.strip()[-2000:]}\n{INSTALL_HINT}")
    return launcher


def kotlin_stdlib() -> Path:
    jar = _package_dir() / "lib" / "kotlin-stdlib.jar"
    if not jar.exists():
        kotlinc()
    if not jar.exists():
        raise ToolchainError(f"kotlin-stdlib.jar missing from {_package_dir() / 'lib'}: {INSTALL_HINT}")
    return jar


def kit_sources() -> list[Path]:
    """Every source of the kit (plain Kotlin): the tokenizer's stages, one file each, TokenizerCli, and
    the rest of the kit, so that a new stage file needs no list here."""
    return sorted(KIT_SOURCES.glob("*.kt"))


def compile_kit(out_dir: Path | None = None) -> Path:
    """Compile the kit sources into a jar, cached by a hash of the sources and the compiler version."""
    digest = hashlib.sha256(KOTLIN_COMPILER_VERSION.encode())
    for source in kit_sources():
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    out_dir = Path(out_dir) if out_dir is not None else tools_dir().parent / "kit-jars"
    jar = out_dir / f"edgepack-kit-{digest.hexdigest()[:16]}.jar"
    if jar.exists():
        return jar
    compiler = kotlinc()
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = jar.with_name(f"{jar.stem}.partial-{os.getpid()}.jar")  # two processes may compile the same kit at once
    done = subprocess.run(
        [str(compiler), *map(str, kit_sources()), "-jvm-target", "17", "-nowarn", "-d", str(partial)],
        # C1-only JIT halves a one-shot kotlinc run (~35 s -> ~20 s on two cores).
        capture_output=True, text=True,
        env={**os.environ, "JAVA_OPTS": os.environ.get("JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseParallelGC")},
    )
    if done.returncode != 0 or not partial.exists():
        raise ToolchainError(f"kotlinc failed:\n{done.stderr.strip()[-4000:]}")
    partial.replace(jar)
    return jar


def run_kotlin_tokenizer(tokenizer_json: Path, texts: list[Text], jar: Path | None = None) -> list[dict]:
    """Tokenize `texts` (a tuple is a pair) with the Kotlin kit's TokenizerCli on the JVM."""
    return run_kotlin_tokenizers([(tokenizer_json, texts)], jar)[0]


def run_kotlin_tokenizers(jobs: list[Job], jar: Path | None = None) -> list[list[dict]]:
    """Several (tokenizer.json, texts) jobs through one TokenizerCli run (one JVM start)."""
    jar = jar or compile_kit()
    classpath = os.pathsep.join([str(jar), str(kotlin_stdlib())])
    with tempfile.TemporaryDirectory() as scratch:
        args = []
        for i, (tokenizer_json, texts) in enumerate(jobs):
            lines = Path(scratch) / f"texts-{i}.txt"
            write_texts(lines, texts)
            args += [str(tokenizer_json), str(lines)]
        done = subprocess.run(
            [java(), "-Xss16m", "-cp", classpath, "dev.edgepack.kit.TokenizerCliKt", *args],
            capture_output=True,
        )
    if done.returncode != 0:
        raise RuntimeError(f"TokenizerCli exited {done.returncode}: {done.stderr.decode('utf-8', 'replace').strip()[-3000:]}")
    return split_output(done.stdout, jobs, "TokenizerCli")


def compare_with_hf(tokenizer_json: Path, texts: list[Text], jar: Path | None = None) -> tuple[int, list[dict]]:
    """Run both tokenizers on every text: (number that agree, the disagreements)."""
    return compare_many_with_hf([(tokenizer_json, texts)], jar)[0]


def compare_many_with_hf(jobs: list[Job], jar: Path | None = None) -> list[tuple[int, list[dict]]]:
    """compare_with_hf for several (tokenizer.json, texts) jobs, with one JVM run."""
    return tokenizer_parity.compare_many_with_hf(jobs, lambda batch: run_kotlin_tokenizers(batch, jar), label="kotlin")

