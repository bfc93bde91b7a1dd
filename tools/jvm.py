"""Host-side proof of a generated Android app shell, without the Android SDK.

On a Linux host with no SDK (and no Maven Central) an APK cannot be built, so this proves the
parts that can be proved: every generated file parses (`parse_errors`), the Kotlin sources
compile against compile-time stubs of `android.*`/`androidx.*` and `org.pytorch.executorch.*`
(`build_stub_jars`, `compile_kotlin`), and the resources link with aapt2 against the real
framework-res.apk (`aapt2_link`).

System tools (Debian packages): a JDK 17+ (`javac`), `aapt` (brings aapt2),
`android-framework-res`, `junit4`; `make app-tools` installs them. kotlinc comes from
`builder.apps.kotlin.kotlinc()` (the npm package `kotlin-compiler`).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path


STUBS = Path(__file__).resolve().parent / "android-stubs"
STUB_SETS = ("android", "executorch")  # each becomes <name>-stubs-<hash>.jar
INSTALL_HINT = "install the app toolchain with `make app-tools`"
JUNIT4_JAR = Path("/usr/share/java/junit4.jar")
FRAMEWORK_RES = Path("/usr/share/android-framework-res/framework-res.apk")
AAPT2_CANDIDATES = (Path("/usr/bin/aapt2"), Path("/usr/lib/android-sdk/build-tools/debian/aapt2"))


class JvmToolError(RuntimeError):
    """A tool is missing or failed for a reason other than the input."""


class CompileError(RuntimeError):
    """The compiler rejected the sources; `errors` holds its error lines."""

    def __init__(self, tool: str, errors: list[str], output: str):
        self.errors = errors
        self.output = output
        super().__init__(f"{tool} failed with {len(errors)} error(s):\n" + "\n".join(errors or [output[-4000:]]))


# --------------------------------------------------------------------------- system tools

def aapt2() -> Path | None:
    found = shutil.which("aapt2")
    if found:
        return Path(found)
    return next((p for p in AAPT2_CANDIDATES if p.exists()), None)


def _missing() -> dict[str, str]:
    missing = {}
    for tool in ("java", "javac", "jar"):
        if not shutil.which(tool):
            missing[tool] = f"`{tool}` (a JDK 17+, Debian: openjdk-17-jdk-headless) is not on PATH: {INSTALL_HINT}"
    if aapt2() is None:
        missing["aapt2"] = f"aapt2 (Debian package `aapt`) not found: {INSTALL_HINT}"
    if not FRAMEWORK_RES.exists():
        missing["framework-res"] = f"{FRAMEWORK_RES} (Debian package `android-framework-res`) not found: {INSTALL_HINT}"
    if not JUNIT4_JAR.exists():
        missing["junit4"] = f"{JUNIT4_JAR} (Debian package `junit4`) not found: {INSTALL_HINT}"
    return missing


def ensure_system_tools() -> list[str]:
    """What is missing for the app checks, each with the install hint ([] = all present)."""
    return list(_missing().values())


def _require(*keys: str) -> None:
    missing = _missing()
    wanted = [missing[k] for k in keys if k in missing]
    if wanted:
        raise JvmToolError("\n".join(wanted))


def cache_root() -> Path:
    root = os.environ.get("EDGEPACK_TOOLS")
    return (Path(root) if root else Path.home() / ".cache" / "edgepack" / "tools").parent


# --------------------------------------------------------------------------- stub jars

def _hash_tree(root: Path, extra: str = "") -> str:
    digest = hashlib.sha256(extra.encode())
    for path in sorted(root.rglob("*.java")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _javac_version() -> str:
    done = subprocess.run(["javac", "-version"], capture_output=True, text=True)
    return (done.stdout + done.stderr).strip()


def build_stub_jars(cache_dir: Path | None = None) -> list[Path]:
    """Compile tools/android-stubs/{android,executorch} with `javac --release 17` into jars,
    cached by a hash of the sources (and the javac version). Returns [android jar, executorch jar]."""
    _require("javac", "jar", "junit4")
    cache_dir = Path(cache_dir) if cache_dir is not None else cache_root() / "stub-jars"
    cache_dir.mkdir(parents=True, exist_ok=True)
    version = _javac_version()
    jars = []
    for name in STUB_SETS:
        src = STUBS / name
        jar = cache_dir / f"{name}-stubs-{_hash_tree(src, version)}.jar"
        if not jar.exists():
            with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
                classes = Path(tmp) / "classes"
                done = subprocess.run(
                    ["javac", "--release", "17", "-nowarn", "-encoding", "UTF-8", "-cp", str(JUNIT4_JAR),
                     "-d", str(classes), *map(str, sorted(src.rglob("*.java")))],
                    capture_output=True, text=True)
                if done.returncode != 0:
                    raise CompileError("javac", _error_lines(done.stderr, "javac"), done.stderr)
                partial = Path(tmp) / jar.name
                subprocess.run(["jar", "--create", "--file", str(partial), "-C", str(classes), "."],
                               check=True, capture_output=True, text=True)
                partial.replace(jar)
        jars.append(jar)
    return jars


def compile_classpath(cache_dir: Path | None = None) -> list[Path]:
    """Stub jars plus JUnit 4: what app (and androidTest) sources compile against."""
    return [*build_stub_jars(cache_dir), JUNIT4_JAR]


# --------------------------------------------------------------------------- kotlinc

_ERROR_LINE = re.compile(r"^(?:(?P<file>\S.*?):(?P<line>\d+):(?P<col>\d+): )?error: ")


def _error_lines(output: str, tool: str) -> list[str]:
    lines = []
    for line in output.splitlines():
        if _ERROR_LINE.match(line) or line.startswith("error:") or re.match(r"^\S+\.java:\d+: error:", line):
            lines.append(line.strip())
    return lines


def compile_kotlin(sources: list[Path], classpath: list[Path], out_jar: Path, kotlinc: Path | None = None) -> Path:
    """`kotlinc -jvm-target 17 -no-reflect -cp ... -d out.jar sources`; raise CompileError with the
    compiler's error lines on failure. kotlinc defaults to builder.apps.kotlin.kotlinc()."""
    if kotlinc is None:
        from builder.apps.kotlin import kotlinc as _kotlinc  # lazy: installs the npm package on first use

        kotlinc = _kotlinc()
    _require("java")
    out_jar = Path(out_jar)
    out_jar.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(kotlinc), "-jvm-target", "17", "-no-reflect", "-nowarn",
           "-cp", os.pathsep.join(map(str, classpath)), "-d", str(out_jar), *map(str, sources)]
    done = subprocess.run(cmd, capture_output=True, text=True,
                          env={**os.environ, "JAVA_OPTS": os.environ.get("JAVA_OPTS", "-Xss8m")})
    if done.returncode != 0 or not out_jar.exists():
        raise CompileError("kotlinc", _error_lines(done.stderr + done.stdout, "kotlinc"), done.stderr + done.stdout)
    return out_jar


# --------------------------------------------------------------------------- aapt2

_ANDROID_NS = "http://schemas.android.com/apk/res/android"


def _manifest_with_package(manifest: Path, package: str | None, dest: Path) -> str:
    """Copy the manifest, adding `package` when it has none (AGP puts the namespace in
    build.gradle.kts; aapt2 link needs it in the manifest). Returns the package used."""
    text = manifest.read_text(encoding="utf-8")
    root = ET.fromstring(text)
    existing = root.get("package")
    if existing:
        dest.write_text(text, encoding="utf-8")
        return existing
    package = package or "dev.edgepack.placeholder"
    text = re.sub(r"<manifest\b", f'<manifest package="{package}"', text, count=1)
    dest.write_text(text, encoding="utf-8")
    return package


def aapt2_link(res_dir: Path, manifest: Path, *, package: str | None = None, r_java_dir: Path | None = None,
               min_sdk: int = 24, target_sdk: int = 34) -> list[str]:
    """Compile res_dir and link it with the manifest against framework-res.apk. Returns aapt2's
    error lines ([] = linked). `package` is the Gradle `namespace`, used when the manifest has no
    package attribute; with `r_java_dir`, R.java is written there (to compile app code against)."""
    _require("aapt2", "framework-res")
    tool = str(aapt2())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        compiled = tmp / "compiled.zip"
        cmd = [tool, "compile", "-o", str(compiled)]
        if Path(res_dir).is_dir() and any(Path(res_dir).rglob("*.*")):
            cmd[2:2] = ["--dir", str(res_dir)]
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode != 0:
                return _aapt_errors(done.stderr or done.stdout)
        manifest_copy = tmp / "AndroidManifest.xml"
        try:
            _manifest_with_package(Path(manifest), package, manifest_copy)
        except ET.ParseError as exc:
            return [f"{manifest}: {exc}"]
        cmd = [tool, "link", "-I", str(FRAMEWORK_RES), "--manifest", str(manifest_copy), "-o", str(tmp / "out.apk"),
               "--min-sdk-version", str(min_sdk), "--target-sdk-version", str(target_sdk), "--auto-add-overlay"]
        if r_java_dir is not None:
            Path(r_java_dir).mkdir(parents=True, exist_ok=True)
            cmd += ["--java", str(r_java_dir)]
        if compiled.exists():
            cmd.append(str(compiled))
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            return _aapt_errors((done.stderr or done.stdout).replace(str(manifest_copy), str(manifest)))
    return []


def _aapt_errors(output: str) -> list[str]:
    lines = [l.strip() for l in output.splitlines() if "error" in l.lower()]
    return lines or [output.strip() or "aapt2 failed without output"]
