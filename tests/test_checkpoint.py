"""Loading and detection: what is accepted, and the one-line refusals for what is not."""

import json
import pickle
import shutil

import pytest
from click.testing import CliRunner
import torch
import transformers

from builder.cli import cli
from builder.checkpoint import load_checkpoint
from builder.errors import EdgepackError
from checkpoints import make_checkpoint


@pytest.mark.parametrize("arch, display", [("bert", "BERT / MiniLM"), ("distilbert", "DistilBERT"), ("mobilebert", "MobileBERT")])
def test_detects_architecture_task_and_labels(tiny_checkpoints, arch, display):
    checkpoint = load_checkpoint(tiny_checkpoints[arch])
    assert checkpoint.architecture.display_name == display
    assert checkpoint.task.name == "sequence-classification"
    assert checkpoint.labels == ["order_status", "cancel", "refund", "address"]
    assert len(checkpoint.fingerprint) == 64


def test_tokenizer_matches_transformers(tiny_checkpoints):
    checkpoint = load_checkpoint(tiny_checkpoints["bert"])
    checkpoint.tokenizer.configure(16)
    reference = transformers.AutoTokenizer.from_pretrained(tiny_checkpoints["bert"])
    for text in ["Where is my ORDER?", "", "Café crème naïve", "我的订单 ok", "word " * 40]:
        ids, mask = checkpoint.tokenizer.encode(text)
        expected = reference(text, truncation=True, max_length=16)
        assert ids == expected["input_ids"] and mask == expected["attention_mask"]


def test_vocab_txt_only_folder_is_converted(tiny_checkpoints, tmp_path):
    folder = tmp_path / "vocab-only"
    shutil.copytree(tiny_checkpoints["bert"], folder)
    # Older BERT checkpoints ship only vocab.txt (one token per line, in id order).
    vocab = json.loads((folder / "tokenizer.json").read_text())["model"]["vocab"]
    (folder / "vocab.txt").write_text("".join(f"{token}\n" for token in sorted(vocab, key=vocab.get)))
    (folder / "tokenizer.json").unlink()
    checkpoint = load_checkpoint(folder)
    assert checkpoint.tokenizer.origin.startswith("vocab.txt")
    original = load_checkpoint(tiny_checkpoints["bert"])
    for text in ["Where is my ORDER?", "Café crème naïve", "我的订单"]:
        assert checkpoint.tokenizer.encode(text) == original.tokenizer.encode(text)


def test_pytorch_model_bin_loads_with_weights_only(tmp_path):
    folder = make_checkpoint(tmp_path / "bin", "distilbert", safetensors=False)
    assert (folder / "pytorch_model.bin").is_file() and not (folder / "model.safetensors").exists()
    model = load_checkpoint(folder).load_model()
    assert isinstance(model, transformers.DistilBertForSequenceClassification)


class _Payload:
    """Unpickling this would create a file: proof of code execution."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_malicious_pickle_is_refused_and_not_executed(tiny_checkpoints, tmp_path):
    folder = tmp_path / "evil"
    shutil.copytree(tiny_checkpoints["bert"], folder)
    (folder / "model.safetensors").unlink()
    marker = tmp_path / "pwned"
    with open(folder / "pytorch_model.bin", "wb") as handle:
        pickle.dump({"weight": _Payload(str(marker))}, handle)
    with pytest.raises(EdgepackError, match="will not be unpickled"):
        load_checkpoint(folder)
    assert not marker.exists()


def test_missing_head_weights_are_refused(tiny_checkpoints, tmp_path):
    from safetensors.torch import load_file, save_file

    folder = tmp_path / "headless"
    shutil.copytree(tiny_checkpoints["bert"], folder)
    weights = load_file(folder / "model.safetensors")
    save_file({k: v for k, v in weights.items() if not k.startswith("classifier")}, folder / "model.safetensors")
    # Missing weights are refused once the exported graph shows it reads them (the head does), before anything is written.
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp_path / "out"), "--quant", "fp32"])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "lacks weights for 2 tensors the sequence-classification model computes with" in result.output
    assert "classifier.bias" in result.output and not (tmp_path / "out").exists()


def _edit_config(folder, **changes):
    config = json.loads((folder / "config.json").read_text())
    config.update(changes)
    (folder / "config.json").write_text(json.dumps(config))


@pytest.mark.parametrize(
    "breakage, message",
    [
        (lambda f: shutil.rmtree(f), "does not exist"),
        (lambda f: (f / "config.json").unlink(), "no config.json"),
        (lambda f: (f / "config.json").write_text("{not json"), "not valid JSON"),
        (lambda f: _edit_config(f, model_type="t5"), "unsupported architecture 't5'.*supported: bert, distilbert, mobilebert"),
        (lambda f: _edit_config(f, architectures=["BertForMultipleChoice"]), "cannot tell the task.*--task"),
        (lambda f: (f / "model.safetensors").unlink(), "no weights"),
        (lambda f: [(f / n).unlink(missing_ok=True) for n in ("tokenizer.json", "vocab.txt")], "no tokenizer"),
        (lambda f: (f / "tokenizer.json").write_text("{}"), "not a readable tokenizers file"),
    ],
    ids=["missing-dir", "no-config", "bad-config", "unsupported-arch", "unknown-task", "no-weights", "no-tokenizer", "bad-tokenizer"],
)
def test_bad_checkpoints_get_one_clear_line(tiny_checkpoints, tmp_path, breakage, message):
    folder = tmp_path / "broken"
    shutil.copytree(tiny_checkpoints["bert"], folder)
    breakage(folder)
    with pytest.raises(EdgepackError, match=message) as error:
        load_checkpoint(folder)
    assert "\n" not in str(error.value)


def test_weights_only_is_what_loads_bin_files(tiny_checkpoints, tmp_path):
    """A plain state dict saved with torch.save loads; the check is not over-strict."""
    folder = tmp_path / "plain-bin"
    shutil.copytree(tiny_checkpoints["bert"], folder)
    from safetensors.torch import load_file

    torch.save(load_file(folder / "model.safetensors"), folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    assert load_checkpoint(folder).load_model() is not None
