"""The Android app shell generated from the demo bundle, proven as far as Linux allows: every
file parses, resources link with aapt2, all Kotlin sources compile against stubs of the
Android and ExecuTorch APIs, the kit's JVM tests replay the bundle's test vectors, values
are escaped, and sample_apps/android is exactly what the generator writes."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.apps import kotlin
from builder.apps.android import generate_android_app
from builder.apps.scaffold import MARKER
from builder.apps.escaping import android_string, kotlin_string
from builder.cli import cli
from builder.errors import EdgepackError
from app_checks import compile_android_app, replay_android_kit
from bundles import assert_same_manifest, assert_same_vectors
from tools import jvm, syntax

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_APP = ROOT / "sample_apps" / "android"
HOSTILE_NAME = 'Tom\'s "Best" \\ $price ${x} @home\nline two\t<b>&amp; 日本語 🎉'


@pytest.fixture(scope="module")
def app(demo_bundle, tmp_path_factory) -> Path:
    return generate_android_app(demo_bundle[0], tmp_path_factory.mktemp("android") / "demo-app").path


def test_every_generated_file_parses(app):
    assert syntax.parse_tree_errors(app) == []
    assert (app / "app/src/main/assets/model-int8-dynamic.pte").is_file()
    assert json.loads((app / MARKER).read_text())["variant"] == "android-xnnpack/int8-dynamic"


def test_resources_link_and_all_kotlin_compiles_against_the_stubs(app, tmp_path):
    compile_android_app(app, tmp_path)


def test_kit_jvm_tests_replay_the_bundle(app, tmp_path):
    done = replay_android_kit(app, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "OK (3 tests)" in done.stdout


def test_hostile_names_are_escaped_for_kotlin_gradle_and_android(demo_bundle, tmp_path):
    app = generate_android_app(demo_bundle[0], tmp_path / "hostile", app_name=HOSTILE_NAME).path
    assert syntax.parse_tree_errors(app) == []
    assert jvm.aapt2_link(app / "app/src/main/res", app / "app/src/main/AndroidManifest.xml", package="dev.edgepack.app") == []
    # The Kotlin literal decodes to the same text: compile and run it.
    source = tmp_path / "Echo.kt"
    source.write_text(f"fun main() {{ System.out.write({kotlin_string(HOSTILE_NAME)}.toByteArray(Charsets.UTF_8)) }}\n")
    jar = jvm.compile_kotlin([source], [], tmp_path / "echo.jar")
    echoed = subprocess.run(["java", "-cp", f"{jar}:{kotlin.kotlin_stdlib()}", "EchoKt"], capture_output=True, check=True)
    assert echoed.stdout.decode("utf-8") == HOSTILE_NAME
    assert f"rootProject.name = {kotlin_string(HOSTILE_NAME)}" in (app / "settings.gradle.kts").read_text()
    assert _android_unescape(_string_resource(app, "app_name")) == HOSTILE_NAME


def _string_resource(app: Path, name: str) -> str:
    import xml.etree.ElementTree as ET

    root = ET.parse(app / "app/src/main/res/values/strings.xml").getroot()
    return next(e.text for e in root if e.get("name") == name)


def _android_unescape(text: str) -> str:
    """Android's string-resource escapes, as aapt2 applies them (for the round-trip check)."""
    out, chars = [], iter(text)
    for char in chars:
        if char == "\\":
            nxt = next(chars)
            out.append({"n": "\n", "t": "\t"}.get(nxt, chr(int("".join(next(chars) for _ in range(4)), 16)) if nxt == "u" else nxt))
        else:
            out.append(char)
    return "".join(out)


def test_android_string_escapes_what_android_would_interpret():
    assert android_string("@x ?y it's \"q\" a\\b <&>") == "\\@x ?y it\\'s \\\"q\\\" a\\\\b &lt;&amp;&gt;"


def _copy_bundle(demo_bundle, tmp_path) -> Path:
    bundle = tmp_path / "bundle"
    shutil.copytree(demo_bundle[0], bundle)
    return bundle


def _edit_json(path: Path, edit) -> None:
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize("case, message", [
    ("failed", "status 'failed'; an app shell only embeds a verified bundle"),
    ("unsupported-normalizer", "the Android tokenizer does not implement this tokenizer.json: normalizer 'ByteLevel'"),
    ("app-id", "is not a valid Android application id"),
    ("no-pte", "has no ExecuTorch variant"),
    ("occupied", "exists and is not an app edgepack generated"),
])
def test_refusals(demo_bundle, tmp_path, case, message):
    bundle, output, options = _copy_bundle(demo_bundle, tmp_path), tmp_path / "app", {}
    if case == "failed":
        _edit_json(bundle / "manifest.json", lambda m: m.update(status="failed"))
    elif case == "unsupported-normalizer":
        _edit_json(bundle / "tokenizer/tokenizer.json", lambda t: t.update(normalizer={"type": "ByteLevel"}))
    elif case == "app-id":
        options["app_id"] = "1bad..id"
    elif case == "no-pte":
        _edit_json(bundle / "manifest.json", lambda m: m.update(variants=[v for v in m["variants"] if v["backend"] != "executorch"]))
    else:
        output.mkdir()
        (output / "notes.txt").write_text("mine")
    with pytest.raises(EdgepackError, match=message.replace("(", r"\(").replace(")", r"\)")):
        generate_android_app(bundle, output, **options)
    assert case == "occupied" or not output.exists()
    if case == "occupied":
        assert (output / "notes.txt").read_text() == "mine"


def test_regenerating_replaces_a_generated_app(demo_bundle, tmp_path):
    first = generate_android_app(demo_bundle[0], tmp_path / "app").path
    (first / "stale.txt").write_text("from an older generation")
    generate_android_app(demo_bundle[0], tmp_path / "app", recipe="fp32")
    assert not (first / "stale.txt").exists() and (first / "app/src/main/assets/model-fp32.pte").is_file()


def test_sample_app_is_what_the_generator_writes(app):
    """sample_apps/android is committed; regenerate it with `python -m tools.sample_apps`."""
    generated = {p.relative_to(app).as_posix() for p in app.rglob("*") if p.is_file()}
    committed = {p.relative_to(SAMPLE_APP).as_posix() for p in SAMPLE_APP.rglob("*") if p.is_file()}
    assert generated == committed
    for name in sorted(generated):
        if name.endswith("assets/manifest.json"):
            assert_same_manifest(app / name, SAMPLE_APP / name)
        elif name.endswith("assets/test_vectors.json"):
            assert_same_vectors(app / name, SAMPLE_APP / name)
        else:
            assert (app / name).read_bytes() == (SAMPLE_APP / name).read_bytes(), f"{name} drifted"


def test_cli_app_and_check_tokenizer(demo_bundle, tmp_path):
    out = tmp_path / "cli-app"
    result = CliRunner().invoke(cli, ["app", str(demo_bundle[0]), "--platform", "android", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "settings.gradle.kts").is_file()
    texts = tmp_path / "texts.txt"
    texts.write_text("Where is my parcel?\nJe voudrais annuler ma commande, s'il vous plaît.\n配送先を変更したい 🙏\n", encoding="utf-8")
    check = CliRunner().invoke(cli, ["app", "check-tokenizer", str(demo_bundle[0]), "--platform", "android", "--texts", str(texts)])
    assert check.exit_code == 0, check.output
    assert "3 passed, 0 failed" in check.output


def test_check_tokenizer_reports_mismatches_and_exits_1(demo_bundle, tmp_path, monkeypatch):
    """The command's reporting when the two tokenizers disagree (the disagreement is simulated)."""
    texts = tmp_path / "texts.txt"
    texts.write_text("a\nb\n")
    monkeypatch.setattr(kotlin, "compare_with_hf", lambda tokenizer, lines: (1, [{"text": "b", "fields": ["ids"]}]))
    result = CliRunner().invoke(cli, ["app", "check-tokenizer", str(demo_bundle[0]), "--platform", "android", "--texts", str(texts)])
    assert result.exit_code == 1
    assert "MISMATCH {'text': 'b', 'fields': ['ids']}" in result.output and "1 passed, 1 failed" in result.output
