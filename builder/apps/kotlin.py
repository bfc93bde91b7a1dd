"""The Kotlin toolchain for the Android app shell, and the JVM proof of its tokenizer.

The app tokenizes on the device with `dev.edgepack.kit.Tokenizer` (templates/android/
edgepack-kit), which must give the ids Hugging Face `tokenizers` gives, id for id and offset
for offset. This module compiles that kit with the `kotlin-compiler` npm package, runs its
`TokenizerCli` on the JVM and compares it with `tokenizers`.

It also generates the Unicode tables the Kotlin tokenizer embeds. `tokenizers` does not use
the platform's Unicode data: its control/punctuation/non-spacing-mark tables come from old
Rust crates (e.g. U+0378-style unassigned code points are kept, many marks added after
Unicode 9 are not stripped), and lowercasing follows the Rust release it was built with.
The ByteLevel (GPT-2) split regex runs on Oniguruma, whose `\p{L}`, `\p{N}` and `\s` follow
yet another Unicode version. Android's ICU and the JVM's `Character` disagree with all of
them, so the tables are measured from `tokenizers` itself, code point by code point, and
written into Tokenizer.kt.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from builder.resources import data_dir

# From the source tree or, installed, from the wheel's copy of templates/.
KIT_SOURCES = data_dir("templates") / "android" / "edgepack-kit" / "src" / "main" / "kotlin" / "dev" / "edgepack" / "kit"
KIT_FILES = ("Json.kt", "Tokenizer.kt", "TokenizerCli.kt")
KOTLIN_COMPILER_VERSION = "2.4.20"
INSTALL_HINT = "install the app toolchain with `make app-tools` (a JDK, npm, aapt2, JUnit 4)"

TABLES_BEGIN = "// <generated-unicode-tables>"
TABLES_END = "// </generated-unicode-tables>"


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
    tools_dir().mkdir(parents=True, exist_ok=True)
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
    return [KIT_SOURCES / name for name in KIT_FILES]


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
    partial = jar.with_suffix(".partial.jar")
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


def _encode_line(text: str | tuple[str, str]) -> str:
    if isinstance(text, tuple):
        return json.dumps(list(text), ensure_ascii=True)
    return json.dumps(text, ensure_ascii=True)


def run_kotlin_tokenizer(tokenizer_json: Path, texts: list[str | tuple[str, str]], jar: Path | None = None) -> list[dict]:
    """Tokenize `texts` (a tuple is a pair) with the Kotlin kit's TokenizerCli on the JVM."""
    return run_kotlin_tokenizers([(tokenizer_json, texts)], jar)[0]


def run_kotlin_tokenizers(jobs: list[tuple[Path, list[str | tuple[str, str]]]], jar: Path | None = None) -> list[list[dict]]:
    """Several (tokenizer.json, texts) jobs through one TokenizerCli run (one JVM start)."""
    jar = jar or compile_kit()
    classpath = os.pathsep.join([str(jar), str(kotlin_stdlib())])
    with tempfile.TemporaryDirectory() as scratch:
        args = []
        for i, (tokenizer_json, texts) in enumerate(jobs):
            lines = Path(scratch) / f"texts-{i}.txt"
            lines.write_text("".join(_encode_line(t) + "\n" for t in texts), encoding="utf-8")
            args += [str(tokenizer_json), str(lines)]
        done = subprocess.run(
            [java(), "-Xss16m", "-cp", classpath, "dev.edgepack.kit.TokenizerCliKt", *args],
            capture_output=True,
        )
    if done.returncode != 0:
        raise RuntimeError(f"TokenizerCli exited {done.returncode}: {done.stderr.decode('utf-8', 'replace').strip()[-3000:]}")
    out = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines() if line.strip()]
    expected = sum(len(texts) for _, texts in jobs)
    if len(out) != expected:
        raise RuntimeError(f"TokenizerCli printed {len(out)} encodings for {expected} texts")
    results, start = [], 0
    for _, texts in jobs:
        results.append(out[start:start + len(texts)])
        start += len(texts)
    return results


def compare_with_hf(tokenizer_json: Path, texts: list[str | tuple[str, str]], jar: Path | None = None) -> tuple[int, list[dict]]:
    """Run both tokenizers on every text: (number that agree, the disagreements)."""
    return compare_many_with_hf([(tokenizer_json, texts)], jar)[0]


def compare_many_with_hf(jobs: list[tuple[Path, list[str | tuple[str, str]]]], jar: Path | None = None) -> list[tuple[int, list[dict]]]:
    """compare_with_hf for several (tokenizer.json, texts) jobs, with one JVM run."""
    from tokenizers import Tokenizer

    results = []
    for (tokenizer_json, texts), kotlin in zip(jobs, run_kotlin_tokenizers(jobs, jar)):
        hf = Tokenizer.from_file(str(tokenizer_json))
        passed, mismatches = 0, []
        for text, got in zip(texts, kotlin):
            enc = hf.encode(*text) if isinstance(text, tuple) else hf.encode(text)
            want = {
                "ids": list(enc.ids),
                "type_ids": list(enc.type_ids),
                "offsets": [list(o) for o in enc.offsets],
                "attention_mask": list(enc.attention_mask),
            }
            got = {key: got.get(key) for key in want}
            if got == want:
                passed += 1
            else:
                diff = [key for key in want if got[key] != want[key]]
                mismatches.append({"text": text, "fields": diff, "hf": want, "kotlin": got, "tokens": list(enc.tokens)})
        results.append((passed, mismatches))
    return results


# --------------------------------------------------------------------------- Unicode tables

def _ranges(code_points: list[int]) -> str:
    spans: list[list[int]] = []
    for cp in sorted(code_points):
        if spans and spans[-1][1] == cp - 1:
            spans[-1][1] = cp
        else:
            spans.append([cp, cp])
    return ",".join(f"{a:x}" if a == b else f"{a:x}-{b:x}" for a, b in spans)


def _mapping(table: dict[int, str]) -> str:
    return ";".join(f"{cp:x}=" + ".".join(f"{ord(c):x}" for c in value) for cp, value in sorted(table.items()))


def _class_spans(classes: dict[int, int]) -> list[tuple[int, int, int]]:
    spans: list[list[int]] = []
    for cp in sorted(classes):
        if spans and spans[-1][1] == cp - 1 and spans[-1][2] == classes[cp]:
            spans[-1][1] = cp
        else:
            spans.append([cp, cp, classes[cp]])
    return [tuple(s) for s in spans]


def _chunks(value: str, size: int = 16000) -> str:
    # JVM class-file string constants are limited to 65535 bytes: concatenate literals.
    parts = [value[i:i + size] for i in range(0, len(value), size)] or [""]
    return " +\n        ".join(f'"{p}"' for p in parts)


def _regex_class(pattern: str, code_points: list[int], text: str) -> list[int]:
    """Code points an Oniguruma class matches, measured with `tokenizers.Regex` (the SysRegex the
    ByteLevel pre-tokenizer uses): split every code point off with the class removed."""
    from tokenizers import Regex
    from tokenizers.pre_tokenizers import Split

    members = set(code_points)
    for _, (start, end) in Split(Regex(pattern), "removed").pre_tokenize_str(text):
        for k in range(start, end):
            members.discard(code_points[k])
    return sorted(members)


def unicode_tables_source() -> str:
    """The Kotlin `UnicodeTables` object, measured from the installed `tokenizers`."""
    import tokenizers
    from tokenizers.normalizers import BertNormalizer, Lowercase
    from tokenizers.pre_tokenizers import BertPreTokenizer

    import unicodedata

    from tokenizers.normalizers import NFD

    clean = BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
    strip = BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False)
    nfd = NFD()
    lower = Lowercase()
    pre = BertPreTokenizer()
    control, space, whitespace, punctuation, nonspacing = [], [], [], [], []
    lowercase: dict[int, str] = {}
    decomposition: dict[int, str] = {}
    combining: dict[int, int] = {}
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        cleaned = clean.normalize_str(c)
        if cleaned == "":
            control.append(cp)
        elif cleaned == " ":
            space.append(cp)
        elif cleaned != c:
            raise AssertionError(f"clean_text maps U+{cp:04X} to {cleaned!r}")
        decomposed = nfd.normalize_str(c)
        if decomposed != c and not 0xAC00 <= cp <= 0xD7A3:  # Hangul syllables decompose algorithmically
            decomposition[cp] = decomposed
        if decomposed == c and strip.normalize_str(c) == "":
            nonspacing.append(cp)
        ccc = unicodedata.combining(c)
        if ccc and decomposed == c:
            # The crate's Unicode is older than Python's: a mark it does not know has class 0
            # and is never reordered. Probe against U+0334 (class 1) / U+0301 (class 230).
            probe = nfd.normalize_str("a" + c + "\u0334") if ccc > 1 else nfd.normalize_str("a\u0301" + c)
            reordered = probe[1] != c if ccc > 1 else probe[1] == c
            if reordered:
                combining[cp] = ccc
        value = lower.normalize_str(c)
        if value != c:
            lowercase[cp] = value
        pieces = pre.pre_tokenize_str("a" + c + "b")
        if len(pieces) == 3:
            punctuation.append(cp)
        elif len(pieces) == 2:
            whitespace.append(cp)
    classes = ",".join(f"{a:x}-{b:x}:{k:x}" for a, b, k in _class_spans(combining))
    every = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]
    every_text = "".join(map(chr, every))
    letters, numbers, spaces = (_regex_class(p, every, every_text) for p in (r"\p{L}", r"\p{N}", r"\s"))
    return "\n".join([
        TABLES_BEGIN,
        f"// Measured from Hugging Face tokenizers {tokenizers.__version__} by builder/apps/kotlin.py",
        "// (update_unicode_tables()); do not edit by hand.",
        "internal object UnicodeTables {",
        f"    /** clean_text removes these (NUL, U+FFFD, control/format/private-use). */\n    val CONTROL: String = {_chunks(_ranges(control))}",
        f"    /** clean_text maps these to ' '. */\n    val CLEAN_SPACE: String = {_chunks(_ranges(space))}",
        f"    /** BertPreTokenizer splits on these (Rust char::is_whitespace). */\n    val WHITESPACE: String = {_chunks(_ranges(whitespace))}",
        f"    /** BertPreTokenizer isolates these. */\n    val PUNCTUATION: String = {_chunks(_ranges(punctuation))}",
        f"    /** Canonical decompositions (Hangul syllables are computed). */\n    val DECOMPOSITION: String = {_chunks(_mapping(decomposition))}",
        f"    /** Canonical combining classes (start-end:class, hex) of the marks NFD reorders. */\n    val COMBINING_CLASS: String = {_chunks(classes)}",
        f"    /** strip_accents removes these after NFD (non-spacing marks). */\n    val NONSPACING_MARK: String = {_chunks(_ranges(nonspacing))}",
        f"    /** Per-character Rust char::to_lowercase where it changes the character. */\n    val LOWERCASE: String = {_chunks(_mapping(lowercase))}",
        f"    /** ByteLevel split regex `\\p{{L}}` (Oniguruma). */\n    val REGEX_LETTER: String = {_chunks(_ranges(letters))}",
        f"    /** ByteLevel split regex `\\p{{N}}` (Oniguruma). */\n    val REGEX_NUMBER: String = {_chunks(_ranges(numbers))}",
        f"    /** ByteLevel split regex `\\s` (Oniguruma). */\n    val REGEX_SPACE: String = {_chunks(_ranges(spaces))}",
        "}",
        TABLES_END,
    ])


def update_unicode_tables(path: Path | None = None) -> bool:
    """Rewrite the generated block of Tokenizer.kt; True when it changed."""
    path = path or KIT_SOURCES / "Tokenizer.kt"
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(TABLES_BEGIN) + r".*?" + re.escape(TABLES_END), re.S)
    fresh = unicode_tables_source()
    if pattern.search(text):
        updated = pattern.sub(lambda _: fresh, text)
    else:
        updated = text.rstrip("\n") + "\n\n" + fresh + "\n"
    if updated != text:
        path.write_text(updated, encoding="utf-8")
        return True
    return False


def embedded_unicode_tables(path: Path | None = None) -> str:
    text = (path or KIT_SOURCES / "Tokenizer.kt").read_text(encoding="utf-8")
    match = re.search(re.escape(TABLES_BEGIN) + r".*?" + re.escape(TABLES_END), text, re.S)
    return match.group(0) if match else ""


if __name__ == "__main__":
    print("updated" if update_unicode_tables() else "up to date")
