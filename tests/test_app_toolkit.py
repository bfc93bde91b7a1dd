"""The host-side app verification toolkit: stub jars, kotlinc against them, aapt2, parsers.

Nothing here is skipped for a missing tool: a missing JDK/aapt2/framework-res/junit4 fails with
the `make app-tools` hint, so a CI machine without them is red, not silently green."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from tools import jvm, stubs, syntax

EXECUTORCH_STUBS = jvm.STUBS / "executorch"
SIGNATURES = EXECUTORCH_STUBS / "SIGNATURES.txt"

ACTIVITY = """
package dev.edgepack.check

import android.app.Activity
import android.os.Bundle
import android.os.SystemClock
import android.util.Log
import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import org.pytorch.executorch.EValue
import org.pytorch.executorch.Module
import org.pytorch.executorch.Tensor
import java.io.File

class MainActivity : Activity() {
    private var module: Module? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(1)
        val input = findViewById<EditText>(2)
        val output = findViewById<TextView>(3)
        findViewById<Button>(4).setOnClickListener {
            val path = File(filesDir, "model.pte").absolutePath
            assets.open("model.pte").use { stream -> File(path).outputStream().use { stream.copyTo(it) } }
            val m = module ?: Module.load(path, Module.LOAD_MODE_MMAP).also { module = it }
            val ids = input.text.toString().split(" ").map { it.toLong() }.toLongArray()
            val started = SystemClock.elapsedRealtimeNanos()
            val outputs = m.forward(EValue.from(Tensor.fromBlob(ids, longArrayOf(1, ids.size.toLong()))))
            val first = outputs[0]
            val scores = if (first.isTensor) first.toTensor().dataAsFloatArray else FloatArray(0)
            val shape = first.toTensor().shape()
            val ms = (SystemClock.elapsedRealtimeNanos() - started) / 1e6
            runOnUiThread { output.text = "shape=${shape.contentToString()} first=${scores.firstOrNull()} ${ms}ms" }
            Log.i("edgepack", "ran forward")
        }
    }

    override fun onDestroy() {
        module?.destroy()
        super.onDestroy()
    }
}
"""

INSTRUMENTED_TEST = """
package dev.edgepack.check

import androidx.test.ext.junit.runners.AndroidJUnit4
import androidx.test.platform.app.InstrumentationRegistry
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith

@RunWith(AndroidJUnit4::class)
class ModelAssetTest {
    @Test
    fun modelIsPackaged() {
        val context = InstrumentationRegistry.getInstrumentation().targetContext
        assertTrue(context.assets.list("")!!.contains("model.pte"))
    }
}
"""


def _require_tools() -> None:
    missing = jvm.ensure_system_tools()
    if missing:
        pytest.fail("\n".join(missing))


@pytest.fixture(scope="module")
def kotlinc() -> Path:
    _require_tools()
    from builder.apps.kotlin import ToolchainError, kotlinc as find_kotlinc

    try:
        return find_kotlinc()
    except ToolchainError as exc:  # fail, never skip
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def classpath(tmp_path_factory) -> list[Path]:
    _require_tools()
    return jvm.compile_classpath(tmp_path_factory.mktemp("stub-jars"))


def test_system_tools_present():
    assert jvm.ensure_system_tools() == []


def test_stub_jars_are_built_and_cached(tmp_path):
    _require_tools()
    first = jvm.build_stub_jars(tmp_path)
    assert [p.name.split("-stubs-")[0] for p in first] == ["android", "executorch"]
    stamps = [p.stat().st_mtime_ns for p in first]
    again = jvm.build_stub_jars(tmp_path)
    assert again == first and [p.stat().st_mtime_ns for p in again] == stamps


def test_kotlin_activity_compiles_against_stubs(tmp_path, kotlinc, classpath):
    main = tmp_path / "MainActivity.kt"
    main.write_text(ACTIVITY)
    test = tmp_path / "ModelAssetTest.kt"
    test.write_text(INSTRUMENTED_TEST)
    jar = jvm.compile_kotlin([main, test], classpath, tmp_path / "app.jar", kotlinc)
    assert jar.exists() and jar.stat().st_size > 0
    assert stubs.kotlin_property_misuse(ACTIVITY, SIGNATURES) == []


def test_stubs_reject_unknown_api(tmp_path, kotlinc, classpath):
    bad = tmp_path / "Bad.kt"
    bad.write_text(textwrap.dedent("""
        import org.pytorch.executorch.Module
        import org.pytorch.executorch.Tensor
        fun run(m: Module) {
            m.forwardAsync()                               // no such method
            Tensor.fromBlob(longArrayOf(1), intArrayOf(1)) // shape is LongArray upstream
        }
    """))
    with pytest.raises(jvm.CompileError) as err:
        jvm.compile_kotlin([bad], classpath, tmp_path / "bad.jar", kotlinc)
    text = "\n".join(err.value.errors)
    assert "forwardAsync" in text
    assert "Bad.kt:5" in text and "Bad.kt:6" in text


def test_stub_signatures_match_upstream():
    assert stubs.check_stub_signatures(EXECUTORCH_STUBS, SIGNATURES) == []
    # the list really covers the API an app uses
    upstream = stubs.parse_signature_lines(SIGNATURES.read_text())
    assert ("org.pytorch.executorch.Tensor", "static org.pytorch.executorch.Tensor fromBlob(long[], long[])") in upstream
    assert ("org.pytorch.executorch.Module", "static org.pytorch.executorch.Module load(java.lang.String, int)") in upstream


def test_stub_signature_checker_catches_drift(tmp_path):
    copy = tmp_path / "executorch"
    shutil.copytree(EXECUTORCH_STUBS, copy)
    tensor = copy / "org" / "pytorch" / "executorch" / "Tensor.java"
    text = tensor.read_text()
    assert "public static Tensor fromBlob(long[] data, long[] shape)" in text
    tensor.write_text(text.replace("public static Tensor fromBlob(long[] data, long[] shape)",
                                   "public static Tensor fromBlob(long[] data, int[] shape)"))
    problems = stubs.check_stub_signatures(copy, SIGNATURES)
    assert any("fromBlob(long[], int[])" in p and "upstream does not have" in p for p in problems)
    assert any("fromBlob(long[], long[])" in p and "missing from the stubs" in p for p in problems)
    assert len(problems) == 2


def test_kotlin_property_misuse_is_flagged():
    src = "val a = t.getDataAsFloatArray()\nval b = t.dataAsFloatArray\nif (e.isTensor()) {}\n"
    problems = stubs.kotlin_property_misuse(src, SIGNATURES)
    assert len(problems) == 2 and problems[0].startswith("line 1") and problems[1].startswith("line 3")


def _tiny_app(tmp_path: Path, layout_text: str) -> tuple[Path, Path]:
    res = tmp_path / "res"
    (res / "values").mkdir(parents=True)
    (res / "layout").mkdir()
    (res / "values" / "strings.xml").write_text(
        '<resources><string name="app_name">Edge \\"pack\\"</string><string name="run">Run</string></resources>')
    (res / "layout" / "activity_main.xml").write_text(layout_text)
    manifest = tmp_path / "AndroidManifest.xml"
    manifest.write_text(textwrap.dedent("""\
        <?xml version="1.0" encoding="utf-8"?>
        <manifest xmlns:android="http://schemas.android.com/apk/res/android">
            <application android:label="@string/app_name">
                <activity android:name=".MainActivity" android:exported="true">
                    <intent-filter>
                        <action android:name="android.intent.action.MAIN" />
                        <category android:name="android.intent.category.LAUNCHER" />
                    </intent-filter>
                </activity>
            </application>
        </manifest>
    """))
    return res, manifest


LAYOUT = """<?xml version="1.0" encoding="utf-8"?>
<LinearLayout xmlns:android="http://schemas.android.com/apk/res/android"
    android:layout_width="match_parent" android:layout_height="match_parent" android:orientation="vertical">
    <Button android:id="@+id/run" android:layout_width="wrap_content" android:layout_height="wrap_content"
        android:text="@string/{name}" />
</LinearLayout>
"""


def test_aapt2_links_resources(tmp_path):
    _require_tools()
    res, manifest = _tiny_app(tmp_path, LAYOUT.replace("{name}", "run"))
    r_java = tmp_path / "gen"
    assert jvm.aapt2_link(res, manifest, package="dev.edgepack.check", r_java_dir=r_java) == []
    generated = (r_java / "dev" / "edgepack" / "check" / "R.java").read_text()
    assert "activity_main" in generated and "app_name" in generated


def test_aapt2_reports_missing_string(tmp_path):
    _require_tools()
    res, manifest = _tiny_app(tmp_path, LAYOUT.replace("{name}", "does_not_exist"))
    errors = jvm.aapt2_link(res, manifest, package="dev.edgepack.check")
    assert errors and any("does_not_exist" in e for e in errors), errors


def test_parse_errors(tmp_path):
    good = tmp_path / "Good.kt"
    good.write_text(ACTIVITY)
    assert syntax.parse_errors(good) == []
    broken = tmp_path / "Broken.kt"
    broken.write_text("package x\n\nfun main() {\n    val a = listOf(1, 2\n    println(a)\n}\nclass {\n")
    problems = syntax.parse_errors(broken)
    assert problems and all(p.startswith(str(broken)) for p in problems)
    kts = tmp_path / "build.gradle.kts"
    kts.write_text('plugins { id("com.android.application") }\nandroid { namespace = "dev.edgepack.check"\n')
    assert syntax.parse_errors(kts)
    kts.write_text('plugins { id("com.android.application") }\nandroid { namespace = "dev.edgepack.check" }\n')
    assert syntax.parse_errors(kts) == []
    java = tmp_path / "A.java"
    java.write_text("class A { void f() { int x = ; } }")
    assert syntax.parse_errors(java)
    assert syntax.parse_errors(EXECUTORCH_STUBS / "org" / "pytorch" / "executorch" / "Module.java") == []
    xml = tmp_path / "a.xml"
    xml.write_text("<a><b></a>")
    assert syntax.parse_errors(xml)[0].startswith(f"{xml}:1:")
    js = tmp_path / "a.json"
    js.write_text('{"a": 1,\n "b": }')
    assert syntax.parse_errors(js)[0].startswith(f"{js}:2:")
    js.write_text('{"a": 1}')
    assert syntax.parse_errors(js) == []
