"""The parity gate and atomic writing: a wrong artifact never leaves a bundle that looks valid."""

import json

from click.testing import CliRunner

from builder.backends.executorch import ExecuTorchXnnpack
from builder.cli import cli
from builder.quant import EXECUTORCH_RECIPES
from builder.quant.base import Recipe


class TransposedWeight(Recipe):
    """fp32, except that one square weight matrix is transposed: the kind of silent
    conversion bug the gate exists to catch."""

    name = "fp32"
    description = "fp32 with a corrupted weight"

    def apply(self, model, calibration):
        graph = model.program.module()
        name, weight = next((n, p) for n, p in graph.named_parameters() if p.dim() == 2 and p.shape[0] == p.shape[1])
        weight.data = weight.data.t().contiguous()
        return model.reexport(graph)


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

    monkeypatch.setattr(ExecuTorchXnnpack, "lower", interrupted)
    result = CliRunner().invoke(cli, ["build", str(tiny_checkpoints["bert"]), "-o", str(tmp_path), "--quant", "fp32"])
    assert result.exit_code != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny-bert"]
    assert json.loads((previous / "manifest.json").read_text()) == {"previous": True}
