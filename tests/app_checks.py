"""Proofs on a generated Android app shell that several test modules run: its resources link and
all its Kotlin compiles against the stubs; its kit's JVM tests replay the bundle it embeds."""

from __future__ import annotations

import subprocess
from pathlib import Path

from builder.apps import kotlin
from tools import jvm
from tools.stubs import kotlin_property_misuse

SIGNATURES = jvm.STUBS / "executorch" / "SIGNATURES.txt"
JUNIT = [Path("/usr/share/java/junit4.jar"), Path("/usr/share/java/hamcrest-core.jar")]


def kotlin_files(root: Path, *parts: str) -> list[Path]:
    return sorted((root / Path(*parts)).rglob("*.kt"))


def compile_android_app(app: Path, workdir: Path) -> None:
    """aapt2 links the resources, then the kit, the app and its device tests compile against the stubs."""
    r_java = workdir / "r"
    assert jvm.aapt2_link(app / "app/src/main/res", app / "app/src/main/AndroidManifest.xml",
                          package="dev.edgepack.app", r_java_dir=r_java) == []
    r_classes = workdir / "r-classes"
    subprocess.run(["javac", "--release", "17", "-d", str(r_classes), *map(str, r_java.rglob("R.java"))], check=True)
    sources = [*kotlin_files(app, "edgepack-kit/src/main"), *kotlin_files(app, "app/src/main"),
               *kotlin_files(app, "app/src/androidTest")]
    jvm.compile_kotlin(sources, [*jvm.compile_classpath(), r_classes], workdir / "app.jar")
    # The stubs are Java; the real library declares Kotlin properties (t.dataAsFloatArray), so
    # getter calls that compile against the stubs would not compile against the real AAR.
    for source in kotlin_files(app, "app/src"):
        assert kotlin_property_misuse(source.read_text(), SIGNATURES) == [], source


def replay_android_kit(app: Path, workdir: Path) -> subprocess.CompletedProcess:
    """The kit's JUnit tests (BundleReplayTest) on the JVM, over the app's assets."""
    jar = jvm.compile_kotlin([*kotlin_files(app, "edgepack-kit/src/main"), *kotlin_files(app, "edgepack-kit/src/test")],
                             JUNIT, workdir / "kit-tests.jar")
    classpath = ":".join(map(str, [jar, kotlin.kotlin_stdlib(), *JUNIT]))
    return subprocess.run(["java", f"-Dedgepack.assets={app / 'app/src/main/assets'}", "-cp", classpath,
                           "org.junit.runner.JUnitCore", "dev.edgepack.kit.BundleReplayTest"],
                          capture_output=True, text=True, timeout=300)
