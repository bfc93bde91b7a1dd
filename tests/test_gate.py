"""The parity gate and atomic writing: a wrong artifact never leaves a bundle that looks valid."""

import json

from click.testing import CliRunner

from builder.backends.executorch import EXECUTORCH_RECIPES, ExecuTorchBackend
from builder.backends.executorch.recipes import ExecuTorchRecipe, QuantizedProgram
from builder.cli import cli


class TransposedWeight(ExecuTorchRecipe):
    """fp32, except that one square weight matrix is transposed: the kind of silent
    conversion bug the gate exists to catch."""

    name = "fp32"
    description = "fp32 with a corrupted weight"

    def apply(self, model, job):
        graph = model.program.module()
        name, weight = next((n, p) for n, p in graph.named_parameters() if p.dim() == 2 and p.shape[0] == p.shape[1])
        weight.data = weight.data.t().contiguous()
        return QuantizedProgram(model.reexport(graph), [])


def test_corrupted_variant_fails_the_gate_and_is_marked_failed(tiny_checkpoints, tmp_path, monkeypatch):
    monkeypatch.setitem(EXECUTORCH_RECIPES._entries, "fp32", TransposedWeight())
    result = CliRunner().invoke(cli, ["build", str(tiny_checkpoints["bert"]), "-o", str(tmp_path), "--quant", "fp32"])
    assert result.exit_code == 1, result.output
    assert "parity gate failed" in result.output and "FAIL" in result.output
    assert not (tmp_path / "tiny-bert").exists()
    failed = tmp_path / "tiny-bert.failed"
    manifest = json.loads((failed / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert manifest["variants"][0]["parity"]["failures"]

    monkeypatch.undo()
    verify = CliRunner().invoke(cli, ["verify", str(failed)])
    assert verify.exit_code == 1 and "failed its parity gate" in verify.output


def test_interrupted_build_leaves_nothing_and_keeps_the_previous_bundle(tiny_checkpoints, tmp_path, monkeypatch):
    previous = tmp_path / "tiny-bert"
    previous.mkdir()
    (previous / "manifest.json").write_text('{"previous": true}')

    def interrupted(self, program):
        raise KeyboardInterrupt

    monkeypatch.setattr(ExecuTorchBackend, "lower", interrupted)
    result = CliRunner().invoke(cli, ["build", str(tiny_checkpoints["bert"]), "-o", str(tmp_path), "--quant", "fp32"])
    assert result.exit_code != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny-bert"]
    assert json.loads((previous / "manifest.json").read_text()) == {"previous": True}


def _profile(thresholds):
    from pathlib import Path

    from builder.targets import TargetProfile

    return TargetProfile(name="test", platform="android", backend="executorch", description="", default_recipes=("fp32",),
                         recipes=("fp32",), thresholds=thresholds, settings={}, source=Path("targets/test.toml"))


def test_profiles_fail_closed_on_a_missing_or_misspelt_threshold():
    import pytest

    from builder.errors import EdgepackError
    from builder.parity import threshold_keys
    from builder.targets import _check_thresholds, load_profiles

    complete = {key: 0.5 for key in threshold_keys()}
    _check_thresholds(_profile({"fp32": complete}))
    for profile in load_profiles().values():  # the shipped profiles gate every figure of every task
        _check_thresholds(profile)
    lacking = {k: v for k, v in complete.items() if k != "min_answer_span_agreement"}
    with pytest.raises(EdgepackError, match=r"\[thresholds.fp32\] lacks min_answer_span_agreement"):
        _check_thresholds(_profile({"fp32": lacking}))
    with pytest.raises(EdgepackError, match=r"unknown keys min_top1_agrement"):
        _check_thresholds(_profile({"fp32": {**complete, "min_top1_agrement": 1.0}}))
    with pytest.raises(EdgepackError, match=r"recipes without thresholds: \['fp32'\]"):
        _check_thresholds(_profile({}))


def test_a_figure_without_a_threshold_fails_the_gate():
    import numpy as np

    from builder.parity import compare
    from builder.tasks import TASKS

    task = TASKS.get("sequence-classification").bind(["a", "b"])
    reference = [[np.array([[1.0, 0.0]])], [np.array([[0.0, 1.0]])]]
    limits = {"min_cosine": 0.99, "max_abs_error": 0.1, "min_top1_agreement": 1.0}
    assert compare("v", "how", task, ["logits"], reference, reference, limits, [None, None]).failures == []
    ungated = compare("v", "how", task, ["logits"], reference, reference, {"min_cosine": 0.99, "max_abs_error": 0.1},
                      [None, None])
    assert ungated.verdict == "fail" and ungated.failures == [
        "no threshold 'min_top1_agreement' for this recipe (add it to the target profile or pass --threshold)"]
