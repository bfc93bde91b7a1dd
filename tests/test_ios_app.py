"""The iOS app shell: generated from the demo bundle, its Swift package built and tested with
Swift (natively on macOS, in the Debian chroot on Linux), its Core ML code typechecked against
the Core ML stub, its Xcode project checked structurally, every file parsed, names escaped.

What cannot run here (SwiftUI, Core ML predictions, the app on a device) is not claimed:
the SwiftUI files are only parsed, and the app-level XCTest only typechecked.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.apps import swift_toolchain, xcode
from builder.apps.platforms import APP_PLATFORMS
from builder.apps.escaping import pbxproj_string, swift_string
from builder.apps.ios import generate_ios_app
from builder.apps.scaffold import MARKER
from builder.cli import cli
from builder.errors import EdgepackError
from bundles import assert_same_manifest, assert_same_vectors
from tools import pbxproj_checks, swift_checks, swift_signatures, syntax

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_APP = ROOT / "sample_apps" / "ios"
STUB = ROOT / "tools" / "ios-stubs" / "CoreML"
EXECUTORCH_STUB = ROOT / "tools" / "ios-stubs" / "ExecuTorch"
HOSTILE_NAME = 'Tom\'s "Best" \\(x) \\ $(HOME) ${x} @home\nline two\t<b>&amp; 日本語 🎉\u2028end'


@pytest.fixture(scope="module")
def app(demo_bundle, tmp_path_factory) -> Path:
    return generate_ios_app(demo_bundle[0], tmp_path_factory.mktemp("ios") / "demo-app").path


def _swift_or_fail() -> None:
    try:
        swift_toolchain.ensure_chroot() if swift_toolchain.native_swift() is None else None
    except swift_toolchain.SwiftToolchainError as error:
        pytest.fail(f"Swift toolchain unavailable: {error}", pytrace=False)


def test_layout_and_every_file_parses(app):
    assert syntax.parse_tree_errors(app) == []
    assert json.loads((app / MARKER).read_text())["variant"] == "ios-coreml/fp16"
    assert (app / "App/Resources/model-fp16.mlpackage/Manifest.json").is_file()
    for name in ("tokenizer.json", "manifest.json", "test_vectors.json"):
        assert (app / "App/Resources" / name).is_file()
    # Every Swift file is checked by tree-sitter-swift; prove the parser finds real errors.
    broken = app.parent / "Broken.swift"
    broken.write_text("struct A { func f( { }\n")
    assert syntax.parse_errors(broken)


def test_xcode_project_is_structurally_sound(app, demo_bundle, tmp_path):
    assert pbxproj_checks.check_project(app) == []
    text = (app / xcode.PROJECT_FILE / "project.pbxproj").read_text()
    assert "model-fp16.mlpackage" in text and "XCLocalSwiftPackageReference" in text
    # Regenerating gives the same project file: ids are derived from roles and paths, not random.
    again = generate_ios_app(demo_bundle[0], tmp_path / "again").path
    assert (again / xcode.PROJECT_FILE / "project.pbxproj").read_text() == text


@pytest.mark.parametrize("damage, finding", [
    (lambda t: re.sub(r"(\t\t[0-9A-F]{24} = \{\n\t\t\tisa = PBXBuildFile;\n\t\t\tfileRef = )[0-9A-F]{24}", r"\g<1>0123456789ABCDEF01234567", t, count=1),
     "missing object"),
    (lambda t: t.replace("path = model-fp16.mlpackage;", "path = model-fp32.mlpackage;"), "does not exist"),
    (lambda t: t.replace("lastKnownFileType = folder.mlpackage;", "lastKnownFileType = folder.mlpackage;\n\t\t\tbroken = ;"),
     "does not parse"),
    (lambda t: t.replace("TEST_HOST", "TEST_HOSTX"), "TEST_HOST"),
    (lambda t: t.replace("relativePath = EdgepackKit;", "relativePath = Elsewhere;"), "no Package.swift"),
], ids=["dangling-reference", "missing-file", "syntax", "test-host", "package-path"])
def test_project_check_finds_damage(app, tmp_path, damage, finding):
    copy = tmp_path / "app"
    shutil.copytree(app, copy)
    pbxproj = copy / xcode.PROJECT_FILE / "project.pbxproj"
    pbxproj.write_text(damage(pbxproj.read_text()))
    problems = pbxproj_checks.check_project(copy)
    assert any(finding in p for p in problems), problems


def test_project_check_requires_the_model_in_the_app_target(app, tmp_path):
    copy = tmp_path / "app"
    shutil.copytree(app, copy)
    model = copy / "App/Resources/model-fp16.mlpackage"
    shutil.rmtree(model)
    # Without the model on disk the generator leaves it out, and the check says so.
    xcode.write_project(copy, bundle_id="dev.edgepack.demo", deployment_target="17.0")
    assert any("no model in the app target" in p for p in pbxproj_checks.check_project(copy))


def test_swift_package_builds_and_replays_the_bundle(app):
    _swift_or_fail()
    result = swift_checks.run_package_tests(app)
    assert result.ok, result.summary()
    assert result.tests_run >= 5 and result.failures == 0


def test_swift_package_tests_catch_a_wrong_answer(app, tmp_path):
    _swift_or_fail()
    copy = tmp_path / "app"
    shutil.copytree(app, copy)
    vectors_file = copy / "App/Resources/test_vectors.json"
    vectors = json.loads(vectors_file.read_text())
    vectors["vectors"][1]["expected_answer"] = "not-a-label"
    vectors["vectors"][2]["input_ids"][1] += 1
    vectors_file.write_text(json.dumps(vectors))
    result = swift_checks.run_package_tests(copy)
    assert not result.ok
    assert any("answer for" in e for e in result.errors) and any("ids of" in e for e in result.errors), result.errors


def test_core_ml_code_typechecks_against_the_stub(app):
    _swift_or_fail()
    result = swift_checks.typecheck_app(app)
    assert result.ok, result.summary()
    assert sorted(result.parse_only) == ["App/ContentView.swift", "App/EdgepackApp.swift"]


def test_typecheck_catches_core_ml_misuse(app, tmp_path):
    _swift_or_fail()
    copy = tmp_path / "app"
    shutil.copytree(app, copy)
    runner = copy / "App/CoreMLRunner.swift"
    runner.write_text(runner.read_text().replace("model.prediction(from: features)", "model.predictions(from: features)")
                      .replace("dataType: .int32", "dataType: .int64"))
    # The ExecuTorch stub, in the same build: a member upstream does not have is an error too.
    (copy / "App/Misuse.swift").write_text("import ExecuTorch\n\nfunc misuse(_ module: Module) throws {\n"
                                           "    try module.loadMethod(\"forward\")\n}\n")
    result = swift_checks.typecheck_app(copy)
    assert not result.ok
    assert any("CoreMLRunner.swift" in e and "predictions" in e for e in result.errors), result.errors
    assert any("int64" in e for e in result.errors), result.errors
    assert any("Misuse.swift" in e and "loadMethod" in e for e in result.errors), result.errors


@pytest.fixture(scope="module")
def executorch_app(demo_bundle) -> Path:
    """`build --app ios:executorch` wrote it (the same generator as `edgepack app --runtime executorch`)."""
    return demo_bundle[0] / "apps" / "ios-executorch"


def test_executorch_app_embeds_the_pte_and_pins_the_verified_runtime(executorch_app, demo_bundle):
    """`--runtime executorch`: the Android app's .pte, ExecuTorch's Swift package at the version the bundle was
    verified with, its products and linker flag in the app target, the ExecuTorch runner and tests, no Core ML."""
    app = executorch_app
    manifest = json.loads((demo_bundle[0] / "manifest.json").read_text())
    marker = json.loads((app / MARKER).read_text())
    assert (marker["runtime"], marker["variant"]) == ("executorch", "android-xnnpack/int8-dynamic")
    assert (app / "App/Resources/model-int8-dynamic.pte").read_bytes() == \
        (demo_bundle[0] / "executorch/model-int8-dynamic.pte").read_bytes()
    assert not list((app / "App/Resources").glob("*.mlpackage"))
    assert {p.name for p in (app / "App").glob("*Runner.swift")} == {"ExecuTorchRunner.swift"}
    assert [p.name for p in (app / "AppTests").glob("*.swift")] == ["ExecuTorchParityTests.swift"]
    assert syntax.parse_tree_errors(app) == []
    assert pbxproj_checks.check_project(app) == []
    objects = pbxproj_checks.load(app / xcode.PROJECT_FILE / "project.pbxproj")["objects"]
    (remote,) = [o for o in objects.values() if o["isa"] == "XCRemoteSwiftPackageReference"]
    version = manifest["toolchain"]["executorch"]
    assert remote["repositoryURL"] == "https://github.com/pytorch/executorch"
    assert remote["requirement"] == {"kind": "branch", "branch": f"swiftpm-{version}"}
    products = {o["productName"] for o in objects.values() if o["isa"] == "XCSwiftPackageProductDependency"}
    assert products == {"EdgepackKit", "executorch", "backend_xnnpack", "kernels_optimized", "kernels_quantized"}
    app_configs = [o["buildSettings"] for o in objects.values()
                   if o["isa"] == "XCBuildConfiguration" and o["buildSettings"].get("PRODUCT_BUNDLE_IDENTIFIER") == "dev.edgepack.demo-intent-classifier"]
    assert len(app_configs) == 2 and all(c["OTHER_LDFLAGS"] == ["$(inherited)", "-all_load"] for c in app_configs)
    assert "IPHONEOS_DEPLOYMENT_TARGET = 17.0;" in (app / xcode.PROJECT_FILE / "project.pbxproj").read_text()
    readme = (app / "README.md").read_text()
    assert f"ExecuTorch {version}" in readme and f"swiftpm-{version}" in readme and "Core ML" not in readme


def test_executorch_app_typechecks_against_the_stub(executorch_app):
    _swift_or_fail()
    result = swift_checks.typecheck_app(executorch_app, cache_name="ios-app-typecheck-executorch")
    assert result.ok, result.summary()
    assert sorted(result.parse_only) == ["App/ContentView.swift", "App/EdgepackApp.swift"]


def test_executorch_app_project_check_finds_a_missing_runtime_setting(executorch_app, tmp_path):
    copy = tmp_path / "app"
    shutil.copytree(executorch_app, copy)
    pbxproj = copy / xcode.PROJECT_FILE / "project.pbxproj"
    text = pbxproj.read_text()
    pbxproj.write_text(text.replace("-all_load", "-ObjC").replace("productName = kernels_quantized;", "productName = kernels_llm;"))
    problems = pbxproj_checks.check_project(copy)
    assert any("OTHER_LDFLAGS" in p and "-all_load" in p for p in problems), problems
    assert any("kernels_quantized" in p for p in problems), problems


def test_executorch_stub_declares_exactly_what_signatures_lists(tmp_path):
    """SIGNATURES.txt holds the upstream form of each declaration (checked against pytorch/executorch's sources with
    `python -m tools.swift_signatures`); the stub must declare exactly those."""
    assert swift_signatures.stub_problems(EXECUTORCH_STUB) == []
    copy = tmp_path / "ExecuTorch"
    shutil.copytree(EXECUTORCH_STUB, copy)
    stub = copy / "ExecuTorch.swift"
    text = stub.read_text()
    assert "func load(_ methodName: String) throws" in text
    stub.write_text(text.replace("func load(_ methodName: String) throws", "func load(method methodName: String) throws"))
    problems = swift_signatures.stub_problems(copy)
    assert len(problems) == 2 and any("load(method" in p for p in problems), problems


def test_ios_runtimes_are_refused_where_they_cannot_run(demo_bundle, tmp_path):
    with pytest.raises(EdgepackError, match="the bundle has no ExecuTorch variant 'fp16'; it has fp32, int8-dynamic"):
        APP_PLATFORMS.get("ios").generate(demo_bundle[0], tmp_path / "a", runtime="executorch", recipe="fp16")
    with pytest.raises(EdgepackError, match="the Android app shell runs executorch, not 'coreml'"):
        APP_PLATFORMS.get("android").generate(demo_bundle[0], tmp_path / "b", runtime="coreml")
    manifest = json.loads((demo_bundle[0] / "manifest.json").read_text())
    manifest["variants"] = [v for v in manifest["variants"] if v["backend"] != "executorch"]
    with pytest.raises(EdgepackError, match="no ExecuTorch variant for the iOS app; build it with --target android"):
        APP_PLATFORMS.get("ios").generate(demo_bundle[0], tmp_path / "c", runtime="executorch", manifest=manifest)
    assert not any(tmp_path.iterdir())


def _declaration(text: str) -> str:
    """A Swift member declaration without access modifiers, body, default value or accessors."""
    text = re.sub(r"^(public|open|override|final)\s+", "", text.strip())
    text = re.sub(r"^(public|open|override|final)\s+", "", text)
    text = re.sub(r"\s*(\{.*|=.*)$", "", text)
    return re.sub(r"\s*:\s*", ": ", re.sub(r"\s+", " ", text))


def test_stub_declares_exactly_what_signatures_lists():
    """The Core ML stub and SIGNATURES.txt (Apple's documented forms) hold the same members."""
    listed_lines = [line.split(": ", 1) for line in (STUB / "SIGNATURES.txt").read_text().splitlines()
                    if line.strip() and not line.startswith("#")]
    stub = (STUB / "CoreML.swift").read_text()
    for owner, cases in (entry for entry in listed_lines if entry[0].startswith("enum ")):
        for case in cases.split(", "):
            assert re.search(rf"(case|static var) {case}\b", stub), (owner, case)
    listed = {_declaration(declaration) for owner, declaration in listed_lines if not owner.startswith("enum ")}
    declared = {_declaration(line) for line in stub.splitlines()
                if re.match(r"\s+(public |open |override |convenience )*(init|func|var|subscript)\b", line)
                and "static var" not in line}
    assert declared == listed


def test_hostile_names_are_escaped_for_swift_plist_and_pbxproj(demo_bundle, tmp_path):
    _swift_or_fail()
    app = generate_ios_app(demo_bundle[0], tmp_path / "hostile", app_name=HOSTILE_NAME).path
    assert syntax.parse_tree_errors(app) == []
    assert pbxproj_checks.check_project(app) == []
    import plistlib
    assert plistlib.loads((app / "App/Info.plist").read_bytes())["CFBundleDisplayName"] == HOSTILE_NAME
    # The Swift literal decodes to the same text: compile and run it.
    host, inside = swift_toolchain.persistent_dir("escaping-check")
    (host / "Sources" / "Echo").mkdir(parents=True, exist_ok=True)
    (host / "Package.swift").write_text('// swift-tools-version:5.9\nimport PackageDescription\n'
                                        'let package = Package(name: "Echo", targets: [.executableTarget(name: "Echo")])\n')
    # Swift literals hold what a plist cannot: control characters and NUL too.
    literal_text = HOSTILE_NAME + "\x01\x00\x7f"
    (host / "Sources/Echo/main.swift").write_text(
        f"import Foundation\nFileHandle.standardOutput.write({swift_string(literal_text)}.data(using: .utf8)!)\n")
    done = swift_toolchain.swift(["run", "-q", "Echo"], cwd=inside)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == literal_text
    assert f"static let appName = {swift_string(HOSTILE_NAME)}" in (app / "App/AppConfig.swift").read_text()


def test_pbxproj_strings_round_trip():
    from openstep_parser import OpenStepDecoder

    values = ["plain", "with space", 'quote " and \\ backslash', "a//b", "$(inherited)", "tab\tnew\nline", "日本語 🎉", ""]
    text = "{ " + " ".join(f"k{i} = {pbxproj_string(v)};" for i, v in enumerate(values)) + " }"
    for parsed in (OpenStepDecoder.ParseFromString(text), pbxproj_checks.parse_pbxproj("// !$*UTF8*$!\n" + text)):
        assert [parsed[f"k{i}"] for i in range(len(values))] == values


def test_refusals(demo_bundle, tmp_path):
    bundle = demo_bundle[0]
    with pytest.raises(EdgepackError, match="not a valid iOS bundle identifier"):
        generate_ios_app(bundle, tmp_path / "a", app_id="no spaces allowed")
    with pytest.raises(EdgepackError, match="control character U\\+0001, which an Info.plist cannot store"):
        generate_ios_app(bundle, tmp_path / "a", app_name="bell\x01")
    with pytest.raises(EdgepackError, match="no Core ML variant 'palettize-4bit'"):
        generate_ios_app(bundle, tmp_path / "b", recipe="palettize-4bit")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    with pytest.raises(EdgepackError, match="not an app edgepack generated"):
        generate_ios_app(bundle, foreign)
    assert (foreign / "keep.txt").read_text() == "mine"
    android_only = tmp_path / "android-only"
    shutil.copytree(bundle, android_only)
    manifest = json.loads((android_only / "manifest.json").read_text())
    manifest["variants"] = [v for v in manifest["variants"] if v["backend"] != "coreml"]
    with pytest.raises(EdgepackError, match="no Core ML variant for the iOS app; build it with --target ios"):
        generate_ios_app(android_only, tmp_path / "c", manifest=manifest)
    other_task = json.loads(json.dumps(manifest))
    other_task["task"]["name"] = "summarization"
    with pytest.raises(EdgepackError, match="does not handle task 'summarization' yet"):
        generate_ios_app(android_only, tmp_path / "d", manifest=other_task)
    tokenizer_file = android_only / "tokenizer/tokenizer.json"
    tokenizer = json.loads(tokenizer_file.read_text())
    tokenizer["normalizer"] = {"type": "ByteLevel"}
    tokenizer_file.write_text(json.dumps(tokenizer))
    with pytest.raises(EdgepackError, match="the iOS tokenizer does not implement this tokenizer.json: normalizer 'ByteLevel'"):
        generate_ios_app(android_only, tmp_path / "d")
    unverified = {**manifest, "status": "unverified"}
    with pytest.raises(EdgepackError, match="only embeds a verified bundle"):
        generate_ios_app(android_only, tmp_path / "d", manifest=unverified)
    assert not any((tmp_path / n).exists() for n in "abcd")


def test_build_writes_both_app_shells_into_the_bundle(demo_bundle):
    """`make demo` (like the fixture) builds with --app android --app ios --app ios:executorch."""
    apps = demo_bundle[0] / "apps"
    assert sorted(p.name for p in apps.iterdir()) == ["android", "ios", "ios-executorch"]
    assert pbxproj_checks.check_project(apps / "ios") == []
    assert (apps / "ios/App/Resources/model-fp16.mlpackage").is_dir()
    assert (apps / "android/app/src/main/assets/model-int8-dynamic.pte").is_file()
    manifest = json.loads((demo_bundle[0] / "manifest.json").read_text())
    assert any(path.startswith("apps/ios/") for path in manifest["files"])


def test_build_refuses_an_app_without_its_target(tmp_path):
    result = CliRunner().invoke(cli, ["build", "-o", str(tmp_path), "--target", "android", "--app", "ios"])
    assert result.exit_code == 2
    assert "--app ios embeds a coreml variant; add --target ios (or --target all)" in result.output
    assert not any(tmp_path.iterdir())


def test_cli_generates_and_replaces_its_own_app(demo_bundle, tmp_path):
    out = tmp_path / "my-app"
    for _ in range(2):  # the second run replaces the app the first one wrote
        result = CliRunner().invoke(cli, ["app", str(demo_bundle[0]), "--platform", "ios", "-o", str(out),
                                          "--bundle-id", "com.example.demo", "--quant", "int8-weights"])
        assert result.exit_code == 0, result.output
    assert "Xcode project written" in result.output and "ios-coreml/int8-weights" in result.output
    assert (out / "App/Resources/model-int8-weights.mlpackage").is_dir()
    assert "PRODUCT_BUNDLE_IDENTIFIER = com.example.demo;" in (out / xcode.PROJECT_FILE / "project.pbxproj").read_text()
    assert pbxproj_checks.check_project(out) == []


def test_sample_app_is_the_demo_app_regenerated(app):
    """sample_apps/ios is what `python -m tools.sample_apps` writes from the demo bundle;
    regenerate it after changing templates/ios or the demo."""
    committed = {p.relative_to(SAMPLE_APP).as_posix() for p in SAMPLE_APP.rglob("*") if p.is_file()}
    fresh = {p.relative_to(app).as_posix() for p in app.rglob("*") if p.is_file()}
    assert committed == fresh
    for relative in sorted(fresh):
        if relative.endswith("manifest.json") and relative.startswith("App/Resources/"):
            assert_same_manifest(app / relative, SAMPLE_APP / relative)
        elif relative == "App/Resources/test_vectors.json":
            assert_same_vectors(app / relative, SAMPLE_APP / relative)
        elif ".mlpackage/" in relative and relative.endswith("Manifest.json"):
            continue  # fresh identifiers on every save (not byte-reproducible)
        elif relative.endswith(".mlmodel"):
            # Protobuf serialises the metadata map in no fixed order: compare the messages.
            from coremltools.proto import Model_pb2

            committed, fresh_spec = Model_pb2.Model(), Model_pb2.Model()
            committed.ParseFromString((SAMPLE_APP / relative).read_bytes())
            fresh_spec.ParseFromString((app / relative).read_bytes())
            for spec in (committed, fresh_spec):  # the day it was converted, not a decision
                spec.description.metadata.userDefined.pop("com.github.apple.coremltools.conversion_date", None)
            assert committed == fresh_spec, relative
        else:
            assert (SAMPLE_APP / relative).read_bytes() == (app / relative).read_bytes(), relative


def test_check_tokenizer_ios_runs_the_swift_tokenizer_on_user_texts(demo_bundle, tmp_path):
    _swift_or_fail()
    texts = tmp_path / "texts.txt"
    lines = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line.strip()]
    texts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    check = CliRunner().invoke(cli, ["app", "check-tokenizer", str(demo_bundle[0]), "--platform", "ios", "--texts", str(texts)])
    assert check.exit_code == 0, check.output
    assert f"{len(lines)} passed, 0 failed" in check.output


def test_check_tokenizer_ios_reports_mismatches_and_exits_1(demo_bundle, tmp_path, monkeypatch):
    """The command's reporting when the two tokenizers disagree (the disagreement is simulated)."""
    from builder.apps import swift

    texts = tmp_path / "texts.txt"
    texts.write_text("a\nb\n")
    monkeypatch.setattr(swift, "compare_with_hf", lambda tokenizer, lines: (1, [{"text": "b", "fields": ["ids"]}]))
    result = CliRunner().invoke(cli, ["app", "check-tokenizer", str(demo_bundle[0]), "--platform", "ios", "--texts", str(texts)])
    assert result.exit_code == 1
    assert "MISMATCH {'text': 'b', 'fields': ['ids']}" in result.output and "1 passed, 1 failed" in result.output
