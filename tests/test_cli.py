"""The command line: the demo build, verify, inspect, tampering, and bad input."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from builder.cli import cli
from bundles import assert_complete_bundle


def test_demo_build_prints_summary_and_verifies(demo_bundle):
    bundle, output = demo_bundle
    manifest = assert_complete_bundle(bundle)
    assert [v["name"] for v in manifest["variants"]] == [
        "android-xnnpack/fp32", "android-xnnpack/int8-dynamic", "ios-coreml/fp16", "ios-coreml/int8-weights"]
    for column in ("variant", "size", "parity", "backend", "run by", "MIL reference executor"):
        assert column in output
    assert len(manifest["task"]["labels"]) >= 6
    # Each backend's section of the report lists what its recipes made of every weight.
    html = (bundle / "parity/report.html").read_text()
    assert html.count("What each recipe did to every weight") == 2 and "not above coremltools&#39; weight_threshold" in html


def test_demo_predictions_are_the_intents_the_model_was_trained_for(demo_bundle):
    bundle, _ = demo_bundle
    vectors = json.loads((bundle / "tokenizer/test_vectors.json").read_text())["vectors"]
    answers = {v["text"]: v["expected_answer"] for v in vectors}
    assert answers["Where is my order? It was supposed to arrive yesterday."] == "check_order_status"


def test_verify_and_inspect(demo_bundle):
    bundle, _ = demo_bundle
    verify = CliRunner().invoke(cli, ["verify", str(bundle)])
    assert verify.exit_code == 0, verify.output
    assert "OK:" in verify.output and verify.output.count("PASS") == 4
    assert "MIL reference executor" in verify.output and "Core ML not run" in verify.output
    inspect = CliRunner().invoke(cli, ["inspect", str(bundle)])
    assert inspect.exit_code == 0 and "check_order_status" in inspect.output and "int8-dynamic" in inspect.output
    assert "iOS17 fp16" in inspect.output and "int8-weights" in inspect.output
    as_json = json.loads(CliRunner().invoke(cli, ["inspect", str(bundle), "--json"]).output)
    assert as_json["task"]["name"] == "sequence-classification"


@pytest.mark.parametrize("victim", ["executorch/model-int8-dynamic.pte", "tokenizer/tokenizer.json",
                                    "coreml/model-int8-weights.mlpackage/Data/com.apple.CoreML/weights/weight.bin"])
def test_verify_names_a_tampered_file(demo_bundle, tmp_path, victim):
    bundle = tmp_path / "copy"
    shutil.copytree(demo_bundle[0], bundle)
    path = bundle / victim
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    result = CliRunner().invoke(cli, ["verify", str(bundle)])
    assert result.exit_code == 1
    assert f"{victim}: sha256 differs" in result.output
    if ".mlpackage/" in victim:  # the package as a whole is named too
        assert f"{victim.split('.mlpackage/')[0]}.mlpackage: artifact sha256 differs" in result.output


def test_verify_catches_changed_reference_outputs(demo_bundle, tmp_path):
    """Checksums aside, the numbers themselves are re-checked against the artifacts."""
    bundle = tmp_path / "copy"
    shutil.copytree(demo_bundle[0], bundle)
    vectors_file = bundle / "tokenizer/test_vectors.json"
    vectors = json.loads(vectors_file.read_text())
    vectors["vectors"][2]["expected"]["logits"][0][0] += 3.0
    vectors_file.write_text(json.dumps(vectors))
    result = CliRunner().invoke(cli, ["verify", str(bundle)])
    assert result.exit_code == 1 and "FAIL" in result.output and "max abs error" in result.output


def test_cli_as_a_subprocess(tiny_checkpoints, tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    build = subprocess.run([sys.executable, "-m", "builder", "build", str(tiny_checkpoints["bert"]), "-o", str(tmp_path),
                            "--quant", "fp32"], capture_output=True, text=True, env=env, timeout=900)
    assert build.returncode == 0, build.stderr[-2000:]
    assert "PASS" in build.stdout
    # The terminal shows edgepack's own lines; what the toolchain printed (the runtime's C++ cpuinfo lines, Python
    # warnings) is in the bundle's build.log, which the manifest lists like any other file.
    for chatter in ("cpuinfo", "LOAD REPORT", "Traceback", "Running MIL"):
        assert chatter not in build.stdout + build.stderr, chatter
    # A warning reaches the terminal only as edgepack's one-line summary of it.
    assert all(line.startswith("toolchain warning: ") for line in (build.stdout + build.stderr).splitlines() if "Warning" in line)
    assert "The toolchain's own output is in" in build.stdout
    assert "build.log" in json.loads((tmp_path / "tiny-bert" / "manifest.json").read_text())["files"]
    verify = subprocess.run([sys.executable, "-m", "builder", "verify", str(tmp_path / "tiny-bert")],
                            capture_output=True, text=True, env=env, timeout=300)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_help_explains_every_option():
    result = CliRunner().invoke(cli, ["build", "-h"])
    assert result.exit_code == 0
    for option in ("--target", "--quant", "--samples", "--max-seq-len", "--threshold", "--output", "--deployment-target", "--base",
                   "--seq-shapes", "--compute-units", "--allow-unverified"):
        assert option in result.output


def test_every_choice_comes_from_a_registry_and_every_entry_is_reachable():
    """The registries are the only lists of names: what the CLI offers is exactly what they hold."""
    import click

    from builder.apps.platforms import APP_PLATFORMS, app_shells
    from builder.backends import BACKENDS, backend_settings
    from builder.commands.app import check_tokenizer_command, generate_command
    from builder.commands.build import build_command
    from builder.targets import load_profiles
    from builder.tasks import TASKS

    options = {param.name: param for param in build_command.params}
    assert list(options["apps"].type.choices) == app_shells()
    assert set(APP_PLATFORMS.names()) < set(app_shells())
    for command in (generate_command, check_tokenizer_command):
        assert list(next(p for p in command.params if p.name == "platform").type.choices) == APP_PLATFORMS.names()
    runtimes = {r.name for _, p in APP_PLATFORMS.items() for r in p.runtimes}
    assert set(next(p for p in generate_command.params if p.name == "runtime").type.choices) == runtimes
    # Each backend setting is one option with its own flag and values; no other build option is a fixed list.
    for key, (_, setting) in backend_settings().items():
        assert options[key].opts == [setting.flag] and tuple(options[key].type.choices) == setting.choices
    assert {name for name, p in options.items() if isinstance(p.type, click.Choice)} == {"apps", *backend_settings()}
    # Click wraps lines at hyphens too (token-\nclassification).
    help_text = " ".join(CliRunner().invoke(cli, ["build", "-h"]).output.split()).replace("- ", "-")
    profiles = load_profiles().values()
    for _, backend in BACKENDS.items():
        # Every backend is built by some target, and every one of its recipes by some target profile.
        assert any(p.backend == backend.name for p in profiles), backend.name
        for recipe in backend.recipes.names():
            assert recipe in help_text and any(recipe in p.recipes for p in profiles if p.backend == backend.name), recipe
    for name in [*TASKS.names(), *(p.name for p in profiles), *(p.platform for p in profiles)]:
        assert name in help_text, name
    for _, shell in APP_PLATFORMS.items():
        for runtime in shell.runtimes:
            assert runtime.backend in BACKENDS and any(p.name == runtime.target or p.platform == runtime.target for p in profiles)
        assert set(shell.tasks) <= set(TASKS.names())


def test_targets_lists_both_profiles():
    result = CliRunner().invoke(cli, ["targets"])
    assert result.exit_code == 0 and "android-xnnpack" in result.output and "8da4w" in result.output
    assert "ios-coreml" in result.output and "palettize-4bit" in result.output and "deployment_target: iOS17" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["build", "{missing}"], "does not exist"),
        (["build", "{ckpt}", "--quant", "int3"], "none of the requested recipes (int3) is available for target android-xnnpack"),
        (["build", "{ckpt}", "--target", "watchos"], "no target profile for 'watchos'"),
        (["build", "{ckpt}", "--target", "ios", "--quant", "w8a8"], "recipe w8a8 cannot be built on Linux"),
        (["build", "{ckpt}", "--target", "ios", "--quant", "int4-weights"], "needs Core ML iOS18 or later; add --deployment-target iOS18"),
        (["build", "{ckpt}", "--target", "ios", "--seq-shapes", "enumerated"], "--seq-shapes enumerated needs --deployment-target iOS18"),
        (["build", "{ckpt}", "--deployment-target", "iOS18"], "--deployment-target is a Core ML setting and no chosen target builds Core ML"),
        (["build", "{ckpt}", "--target", "all", "--quant", "fp32", "--quant", "int9"], "recipe 'int9' is not available for the chosen targets"),
        (["build", "{ckpt}", "-o", "{file}/dist"], "is inside a file"),
        (["build", "{ckpt}", "--samples", "{missing}.txt"], "samples file"),
        (["build", "{ckpt}", "--samples", "{empty}"], "holds no texts"),
        (["build", "{ckpt}", "--max-seq-len", "4096"], "exceeds the model's 128 position embeddings"),
        (["build", "{ckpt}", "--threshold", "min_speed=3"], "expected [RECIPE:]KEY=VALUE"),
        (["build", "{ckpt}", "--name", "../elsewhere"], "must be a plain folder name"),
        (["build", "{ckpt}", "--task", "translation"], "unknown task 'translation'; valid: sequence-classification"),
        (["verify", "{ckpt}"], "is not an edgepack bundle"),
        (["inspect", "{missing}"], "does not exist"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tiny_checkpoints, tmp_path, args, message):
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "empty.txt").write_text("\n\n")
    out = tmp_path / "out"
    fill = {"missing": str(tmp_path / "nope"), "ckpt": str(tiny_checkpoints["bert"]), "file": str(tmp_path / "a-file"),
            "empty": str(tmp_path / "empty.txt")}
    argv = [a.format(**fill) for a in args]
    if argv[0] == "build" and "-o" not in argv:
        argv += ["-o", str(out)]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_run_shows_what_the_app_shows_next_to_the_eager_model(demo_bundle):
    """`edgepack run`: every variant on a text outside the samples, the labels with probabilities the app lists,
    checked against transformers computing the same text on its own."""
    import torch
    import transformers

    from builder.demo import CHECKPOINT_DIR
    from bundles import run_views

    bundle, _ = demo_bundle
    text = "my parcel still has not arrived, where is it?"
    # In a process of its own, as a user runs it. (In the suite's worker, after other modules, the MIL executor once
    # read a gather_along_axis axis as a list; not reproduced alone, see the session note.)
    result = subprocess.run([sys.executable, "-m", "builder", "run", str(bundle), text, "--checkpoint", str(CHECKPOINT_DIR)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    views = run_views(result.stdout)
    assert list(views) == ["eager PyTorch", "android-xnnpack/fp32", "android-xnnpack/int8-dynamic", "ios-coreml/fp16",
                           "ios-coreml/int8-weights"]
    model = transformers.AutoModelForSequenceClassification.from_pretrained(CHECKPOINT_DIR).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(CHECKPOINT_DIR)
    with torch.no_grad():
        probabilities = torch.softmax(model(**tokenizer(text, return_tensors="pt")).logits[0].double(), -1)
    best = probabilities.argsort(descending=True)[:5]
    listed = [f"{float(probabilities[i]):.3f}  {model.config.id2label[int(i)]}" for i in best]
    assert views["eager PyTorch"] == listed
    assert views["android-xnnpack/fp32"] == listed + ["same answer as the eager model"]
    for name in ("android-xnnpack/int8-dynamic", "ios-coreml/fp16", "ios-coreml/int8-weights"):
        assert views[name][0].endswith(model.config.id2label[int(best[0])]) and views[name][-1] == "same answer as the eager model"
    assert "MIL reference executor on Linux, Core ML not run" in result.stdout

    one = CliRunner().invoke(cli, ["run", str(bundle), text, "--variant", "int8-dynamic"])
    assert one.exit_code == 0 and list(run_views(one.output)) == ["android-xnnpack/int8-dynamic"]


@pytest.mark.parametrize("args, message", [
    (["--variant", "fp64"], "the bundle has no variant 'fp64'; choose from android-xnnpack/fp32"),
    (["--pair", "a second text"], "reads one text, not a pair; leave out --pair"),
])
def test_run_refuses_what_the_bundle_cannot_do(demo_bundle, args, message):
    bundle, _ = demo_bundle
    result = CliRunner().invoke(cli, ["run", str(bundle), "where is my parcel", *args])
    assert result.exit_code == 2 and message in result.output and len(result.output.strip().splitlines()) == 1
