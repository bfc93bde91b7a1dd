"""Proofs on generated app shells that several test modules run: an Android app's resources link and
all its Kotlin compiles against the stubs; its kit's JVM tests replay the bundle it embeds; and, for a
task's bundle, both shells at once (`prove_app_shells`), with a wrong expected answer that must fail."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from builder.apps import kotlin
from builder.apps.android import ASSETS, generate_android_app
from builder.apps.ios import RESOURCES, generate_ios_app
from tools import jvm, swift_checks, syntax
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


def replay_android_kit(app: Path, workdir: Path, assets: Path | None = None) -> subprocess.CompletedProcess:
    """The kit's JUnit tests (BundleReplayTest) on the JVM, over the app's assets (or `assets`). The
    compiled tests are kept in `workdir`: a second replay over other assets does not compile again."""
    jar = workdir / "kit-tests.jar"
    if not jar.is_file():
        jvm.compile_kotlin([*kotlin_files(app, "edgepack-kit/src/main"), *kotlin_files(app, "edgepack-kit/src/test")],
                           JUNIT, jar)
    classpath = ":".join(map(str, [jar, kotlin.kotlin_stdlib(), *JUNIT]))
    # The replay tests the generator wrote for the bundle's task (BundleReplayTest, or GenerationReplayTest).
    classes = [f"dev.edgepack.kit.{path.stem}" for path in kotlin_files(app, "edgepack-kit/src/test")]
    return subprocess.run(["java", f"-Dedgepack.assets={assets or app / ASSETS}", "-cp", classpath,
                           "org.junit.runner.JUnitCore", *classes],
                          capture_output=True, text=True, timeout=300)


def prove_app_shells(bundle: Path, workdir: Path, break_answer: Callable[[dict[str, Any]], str]) -> None:
    """Both app shells generated from `bundle`, proven as far as Linux allows: every file parses; the Android
    app's resources link and its Kotlin compiles against the stubs; each kit replays the bundle's test vectors
    (JUnit on the JVM, `swift test`); the iOS app's Core ML code typechecks against the stub. Then each kit's
    replay must fail with one expected answer made wrong by `break_answer(files)`, which edits the app's JSON data
    in place (file name -> parsed test_vectors.json, task_data.json ...) and returns what the failure names."""
    android = generate_android_app(bundle, workdir / "android").path
    ios = generate_ios_app(bundle, workdir / "ios").path
    assert syntax.parse_tree_errors(android) == [] and syntax.parse_tree_errors(ios) == []
    compile_android_app(android, workdir / "compiled")
    replayed = replay_android_kit(android, workdir / "kit")
    assert replayed.returncode == 0 and "OK (3 tests)" in replayed.stdout, replayed.stdout[-3000:]
    swift = swift_checks.run_package_tests(ios)
    assert swift.ok and swift.failures == 0 and swift.tests_run >= 5, swift.summary()
    typechecked = swift_checks.typecheck_app(ios)
    assert typechecked.ok, typechecked.summary()

    files = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted((android / ASSETS).glob("*.json"))
             if path.name != "manifest.json"}
    named = break_answer(files)
    broken_assets = workdir / "broken-assets"
    shutil.copytree(android / ASSETS, broken_assets)
    broken_ios = workdir / "ios-broken"
    shutil.copytree(ios, broken_ios)
    for name, data in files.items():
        for folder in (broken_assets, broken_ios / RESOURCES):
            (folder / name).write_text(json.dumps(data), encoding="utf-8")
    failed = replay_android_kit(android, workdir / "kit", assets=broken_assets)
    assert failed.returncode != 0 and named in failed.stdout, failed.stdout[-3000:]
    swift = swift_checks.run_package_tests(broken_ios)
    assert not swift.ok and any(named in error for error in swift.errors), swift.errors
