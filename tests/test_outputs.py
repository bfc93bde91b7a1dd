"""edgepack never replaces or writes into what it did not write: a folder at the destination without
its bundle marker, the checkpoint, an adapter's base, the samples file; and two builds of one bundle
at the same time do not mix. Every refusal is one line, exit 2, before any work, with every input
byte-identical afterwards."""

import fcntl
import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.bundle import BUNDLE_MARKER
from builder.cli import cli


def tree_digest(root: Path) -> str:
    """sha256 over every path and file content under `root` (or of `root` itself, a file)."""
    digest = hashlib.sha256()
    for path in sorted([root, *root.rglob("*")] if root.is_dir() else [root]):
        digest.update(path.relative_to(root.parent).as_posix().encode() + b"\0")
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def workspace(tiny_checkpoints, tmp_path):
    """tmp/models/mine (a checkpoint), tmp/models/base (another), tmp/texts.txt (samples)."""
    shutil.copytree(tiny_checkpoints["bert"], tmp_path / "models" / "mine")
    shutil.copytree(tiny_checkpoints["distilbert"], tmp_path / "models" / "base")
    (tmp_path / "texts.txt").write_text("where is my order\nrefund please\n")
    return tmp_path


# (command line, words the one error line must hold, setup of the destination); {w} is the workspace.
CASES = {
    "checkpoint-is-the-bundle": (["build", "{w}/models/mine", "-o", "{w}/models"], "bundle {w}/models/mine is the checkpoint", None),
    "output-dir-is-the-checkpoint": (["build", "{w}/models/mine", "-o", "{w}/models/mine"],
                                     "bundle {w}/models/mine/mine is inside the checkpoint", None),
    "output-dir-inside-the-checkpoint": (["build", "{w}/models/mine", "-o", "{w}/models/mine/dist"],
                                         "bundle {w}/models/mine/dist/mine is inside the checkpoint", None),
    "bundle-contains-the-checkpoint": (["build", "{w}/models/mine", "-o", "{w}", "--name", "models"],
                                       "bundle {w}/models contains the checkpoint", None),
    "bundle-is-the-base": (["build", "{w}/models/mine", "--base", "{w}/models/base", "-o", "{w}/models", "--name", "base"],
                           "bundle {w}/models/base is the base checkpoint", None),
    "bundle-is-the-samples-file": (["build", "{w}/models/mine", "--samples", "{w}/texts.txt", "-o", "{w}", "--name", "texts.txt"],
                                   "bundle {w}/texts.txt is the samples file", None),
    "bundle-contains-the-samples": (["build", "{w}/models/mine", "--samples", "{w}/out/mine/texts.txt", "-o", "{w}/out"],
                                    "bundle {w}/out/mine contains the samples file", "samples-inside"),
    "user-folder-at-the-destination": (["build", "{w}/models/mine", "-o", "{w}/out"],
                                       "{w}/out/mine already exists and is not a bundle edgepack wrote", "user-folder"),
    "user-folder-at-the-failed-destination": (["build", "{w}/models/mine", "-o", "{w}/out"],
                                              "{w}/out/mine.failed already exists and is not a bundle edgepack wrote",
                                              "user-failed-folder"),
    "a-file-at-the-destination": (["build", "{w}/models/mine", "-o", "{w}/out"], "{w}/out/mine already exists", "file"),
    "bundle-being-built": (["build", "{w}/models/mine", "-o", "{w}/out"], "another edgepack build is writing {w}/out/mine", "locked"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_outputs_never_replace_or_enter_what_edgepack_did_not_write(workspace, case):
    args, message, setup = CASES[case]
    out = workspace / "out"
    if setup == "user-folder":
        (out / "mine").mkdir(parents=True)
        (out / "mine" / "notes.txt").write_text("mine, not edgepack's")
    elif setup == "user-failed-folder":
        (out / "mine.failed").mkdir(parents=True)
        (out / "mine.failed" / "notes.txt").write_text("mine, not edgepack's")
    elif setup == "samples-inside":  # an older bundle of edgepack's, holding the samples
        (out / "mine").mkdir(parents=True)
        (out / "mine" / BUNDLE_MARKER).write_text("{}")
        shutil.copyfile(workspace / "texts.txt", out / "mine" / "texts.txt")
    elif setup == "file":
        out.mkdir()
        (out / "mine").write_text("a file of mine")
    elif setup == "locked":
        out.mkdir()
    before = {path: tree_digest(path) for path in sorted(workspace.iterdir())}
    argv = [a.format(w=workspace) for a in args]
    if setup == "locked":
        with open(out / ".mine.lock", "w") as held:  # what a build in progress holds
            fcntl.flock(held, fcntl.LOCK_EX)
            result = CliRunner().invoke(cli, argv)
        (out / ".mine.lock").unlink()
    else:
        result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert message.format(w=workspace) in line, line
    assert {path: tree_digest(path) for path in sorted(workspace.iterdir())} == before, "an input or a folder changed"


def test_app_folder_may_not_be_or_sit_inside_its_bundle(demo_bundle, tmp_path):
    bundle = tmp_path / "demo"
    shutil.copytree(demo_bundle[0], bundle)
    before = tree_digest(bundle)
    for output in (bundle, bundle / "my-app", tmp_path):
        result = CliRunner().invoke(cli, ["app", str(bundle), "--platform", "android", "-o", str(output)])
        assert result.exit_code == 2, result.output
        (line,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
        assert f"app folder {output}" in line and "the bundle" in line and "Traceback" not in result.output
    assert tree_digest(bundle) == before


def test_a_bundle_edgepack_wrote_is_replaced_and_carries_the_marker(demo_bundle, tmp_path):
    """The marker, not the folder's name, is what makes a folder replaceable."""
    bundle = shutil.copytree(demo_bundle[0], tmp_path / "out" / "demo-intent-classifier")
    assert (bundle / BUNDLE_MARKER).is_file()
    (bundle / BUNDLE_MARKER).unlink()
    result = CliRunner().invoke(cli, ["build", "-o", str(tmp_path / "out"), "--quant", "fp32"])
    assert result.exit_code == 2 and "is not a bundle edgepack wrote" in result.output
