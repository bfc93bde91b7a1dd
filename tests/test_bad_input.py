"""Bad input, table-driven, across build, verify, inspect and app: each case is one line on stderr naming
the problem, exit code 2, no traceback, nothing written, and every input byte-identical afterwards.
Valid but unusual checkpoints (sharded, bf16/fp16, tensors-only pickles, an encoder saved without its
pooler) still build and verify.

The refusals of tests/test_cli.py, tests/test_checkpoint.py and tests/test_outputs.py hold the same
properties for the options, the folder layout and the destinations; these are the broken contents."""

import json
import os
import shutil
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from builder.cli import cli
from bundles import assert_complete_bundle
from checkpoints import make_embedding_checkpoint
from test_outputs import tree_digest

WEIGHTS = "model.safetensors"


def _edit_json(path: Path, **changes):
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def _edit_tensors(folder: Path, edit):
    tensors = load_file(folder / WEIGHTS)
    edit(tensors)
    save_file(tensors, folder / WEIGHTS, metadata={"format": "pt"})


def _truncate(folder: Path):
    data = (folder / WEIGHTS).read_bytes()
    (folder / WEIGHTS).write_bytes(data[: len(data) // 2])


def _shard_with_missing_second(folder: Path):
    (folder / WEIGHTS).rename(folder / "model-00001-of-00002.safetensors")
    with safe_open(folder / "model-00001-of-00002.safetensors", "pt") as handle:
        names = list(handle.keys())
    weight_map = {name: "model-00001-of-00002.safetensors" for name in names}
    weight_map[names[0]] = "model-00002-of-00002.safetensors"
    (folder / "model.safetensors.index.json").write_text(json.dumps({"metadata": {}, "weight_map": weight_map}))


def _shard_index_lies(folder: Path):
    (folder / WEIGHTS).rename(folder / "model-00001-of-00001.safetensors")
    (folder / "model.safetensors.index.json").write_text(json.dumps(
        {"weight_map": {"bert.pooler.dense.weight": "model-00001-of-00001.safetensors", "not.a.tensor": "model-00001-of-00001.safetensors"}}))


def _small_embedding_table(folder: Path):
    _edit_json(folder / "config.json", vocab_size=100)
    _edit_tensors(folder, lambda t: t.update({"bert.embeddings.word_embeddings.weight": t["bert.embeddings.word_embeddings.weight"][:100].clone()}))


def _wrong_shape(folder: Path):
    _edit_tensors(folder, lambda t: t.update({"bert.encoder.layer.0.attention.self.query.weight": torch.zeros(64, 32)}))


def _three_labels(folder: Path):
    _edit_json(folder / "config.json", id2label={"0": "a", "1": "b", "2": "c"}, label2id={"a": 0, "b": 1, "c": 2})


def _no_hidden_size(folder: Path):
    config = json.loads((folder / "config.json").read_text())
    del config["hidden_size"]
    (folder / "config.json").write_text(json.dumps(config))


def _pickle_with_code(folder: Path):
    import pickle

    class Exploit:
        def __reduce__(self):
            return (os.system, ("touch /tmp/edgepack-pwned",))

    (folder / WEIGHTS).unlink()
    with open(folder / "pytorch_model.bin", "wb") as handle:
        pickle.dump({"weight": Exploit()}, handle)


# (id, how the checkpoint is broken, words of the one stderr line)
CHECKPOINT_CASES = [
    ("truncated-safetensors", _truncate, "is not a readable safetensors file"),
    ("garbage-safetensors", lambda f: (f / WEIGHTS).write_bytes(b"\x00not a safetensors file" * 8), "truncated or corrupt"),
    ("empty-safetensors", lambda f: (f / WEIGHTS).write_bytes(b""), "is not a readable safetensors file"),
    ("config-is-a-list", lambda f: (f / "config.json").write_text("[1, 2]"), "holds a JSON list, not an object"),
    ("config-is-a-string", lambda f: (f / "config.json").write_text('"bert"'), "holds a JSON str, not an object"),
    ("config-not-utf8", lambda f: (f / "config.json").write_bytes(b"\xff\xfe{"), "is not valid JSON"),
    ("shape-mismatch", _wrong_shape, "tensor bert.encoder.layer.0.attention.self.query.weight has shape [64, 32]"),
    ("config-lacks-hidden-size", _no_hidden_size, "the weights and config.json are not from the same model"),
    ("tokenizer-past-embeddings", _small_embedding_table, "has token ids up to"),
    ("heads-do-not-divide-the-width", lambda f: _edit_json(f / "config.json", num_attention_heads=7),
     "transformers cannot build a model from"),
    ("labels-vs-head", _three_labels, "names 3 labels (id2label), but the head tensor"),
    ("missing-shard", _shard_with_missing_second, "names the shard 'model-00002-of-00002.safetensors', which is not in"),
    ("index-names-absent-tensors", _shard_index_lies, "does not hold them"),
    ("index-not-json", lambda f: (_shard_with_missing_second(f), (f / "model.safetensors.index.json").write_text("{")),
     "is not a shard index"),
    ("pickle-with-code", _pickle_with_code, "is not a plain tensor file and will not be unpickled"),
    ("head-weights-missing", lambda f: _edit_tensors(f, lambda t: [t.pop(k) for k in list(t) if k.startswith("classifier")]),
     "lacks weights for 2 tensors the sequence-classification model computes with"),
    ("tokenizer-json-not-json", lambda f: (f / "tokenizer.json").write_text("{not json"), "is not a readable tokenizers file"),
]


def _run(argv):
    result = CliRunner().invoke(cli, argv)
    lines = result.stderr.strip().splitlines()
    return result, lines[-1] if lines else ""


@pytest.mark.parametrize("breakage, message", [c[1:] for c in CHECKPOINT_CASES], ids=[c[0] for c in CHECKPOINT_CASES])
def test_broken_checkpoints_are_one_line_exit_2(tiny_checkpoints, tmp_path, breakage, message):
    folder = shutil.copytree(tiny_checkpoints["bert"], tmp_path / "ckpt")
    breakage(folder)
    before = tree_digest(folder)
    result, last = _run(["build", str(folder), "-o", str(tmp_path / "out"), "--quant", "fp32"])
    assert result.exit_code == 2, result.output
    assert last.startswith("Error:") and message in last, last
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()
    assert tree_digest(folder) == before
    assert not Path("/tmp/edgepack-pwned").exists()


def _manifest(bundle: Path) -> dict:
    return json.loads((bundle / "manifest.json").read_text())


def _write_manifest(bundle: Path, manifest) -> None:
    (bundle / "manifest.json").write_text(json.dumps(manifest))


def _set_variant_file(bundle: Path, value):
    manifest = _manifest(bundle)
    manifest["variants"][0]["file"] = value
    _write_manifest(bundle, manifest)


def _outside_link(bundle: Path):
    (bundle / "tokenizer" / "tokenizer.json").unlink()
    (bundle / "tokenizer" / "tokenizer.json").symlink_to(bundle.parent / "outside.json")


def _linked_folder(bundle: Path):
    (bundle / "linked").symlink_to(bundle.parent, target_is_directory=True)


def _drop(key):
    def edit(bundle: Path):
        manifest = _manifest(bundle)
        del manifest[key]
        _write_manifest(bundle, manifest)
    return edit


def _files_entry(bundle: Path):
    manifest = _manifest(bundle)
    manifest["files"]["../outside.json"] = {"size_bytes": 2, "sha256": "0" * 64}
    _write_manifest(bundle, manifest)


def _vectors_path(bundle: Path):
    manifest = _manifest(bundle)
    manifest["test_vectors"] = str(bundle.parent / "outside.json")
    _write_manifest(bundle, manifest)


def _labels_not_a_list(bundle: Path):
    manifest = _manifest(bundle)
    manifest["task"]["labels"] = "order_status"
    _write_manifest(bundle, manifest)


# (id, how the bundle is made hostile or broken, words of the one stderr line)
BUNDLE_CASES = [
    ("variant-file-traversal", lambda b: _set_variant_file(b, "../outside.json"), "a path outside the bundle"),
    ("variant-file-absolute", lambda b: _set_variant_file(b, "/etc/hostname"), "a path outside the bundle"),
    ("variant-file-not-a-string", lambda b: _set_variant_file(b, 7), "variants[0].file must be a string, not int"),
    ("files-entry-traversal", _files_entry, "names the file '../outside.json', a path outside the bundle"),
    ("test-vectors-absolute", _vectors_path, "names test vectors"),
    ("symlink-out-of-the-bundle", _outside_link, "is a symbolic link"),
    ("symlinked-folder", _linked_folder, "is a symbolic link"),
    ("manifest-is-a-list", lambda b: (b / "manifest.json").write_text("[]"), "holds a JSON list, not an object"),
    ("manifest-not-json", lambda b: (b / "manifest.json").write_text("{"), "is not valid JSON"),
    ("manifest-without-variants", _drop("variants"), "variants is missing"),
    ("manifest-without-task", _drop("task"), "task is missing"),
    ("labels-not-a-list", _labels_not_a_list, "task.labels must be a list"),
    ("schema-from-the-future", lambda b: _write_manifest(b, {**_manifest(b), "schema_version": 99}), "has schema version 99"),
]
COMMANDS = {
    "verify": lambda bundle, out: ["verify", str(bundle)],
    "inspect": lambda bundle, out: ["inspect", str(bundle)],
    "app": lambda bundle, out: ["app", str(bundle), "--platform", "android", "-o", str(out)],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("breakage, message", [c[1:] for c in BUNDLE_CASES], ids=[c[0] for c in BUNDLE_CASES])
def test_hostile_or_broken_bundles_are_one_line_exit_2(demo_bundle, tmp_path, command, breakage, message):
    bundle = shutil.copytree(demo_bundle[0], tmp_path / "bundle" / "demo", symlinks=True)
    (tmp_path / "bundle" / "outside.json").write_text("{}")
    breakage(bundle)
    before = tree_digest(tmp_path / "bundle")
    result, last = _run(COMMANDS[command](bundle, tmp_path / "app"))
    assert result.exit_code == 2, result.output
    assert last.startswith("Error:") and message in last, last
    assert "Traceback" not in result.output and not (tmp_path / "app").exists()
    assert tree_digest(tmp_path / "bundle") == before


def _sharded(folder: Path):
    """Two shards and their index, as save_pretrained(max_shard_size=...) writes them."""
    tensors = load_file(folder / WEIGHTS)
    names = sorted(tensors)
    halves = {"model-00001-of-00002.safetensors": names[: len(names) // 2], "model-00002-of-00002.safetensors": names[len(names) // 2:]}
    for file, part in halves.items():
        save_file({n: tensors[n] for n in part}, folder / file, metadata={"format": "pt"})
    (folder / WEIGHTS).unlink()
    (folder / "model.safetensors.index.json").write_text(json.dumps({"metadata": {}, "weight_map": {n: f for f, part in halves.items() for n in part}}))


def _in_dtype(dtype):
    def convert(folder: Path):
        _edit_tensors(folder, lambda t: t.update({k: v.to(dtype) for k, v in t.items() if v.is_floating_point()}))
    return convert


def _tensors_only_pickle(folder: Path):
    torch.save(load_file(folder / WEIGHTS), folder / "pytorch_model.bin")
    (folder / WEIGHTS).unlink()


UNUSUAL = {"sharded-safetensors": _sharded, "bf16-weights": _in_dtype(torch.bfloat16), "fp16-weights": _in_dtype(torch.float16),
           "tensors-only-pickle": _tensors_only_pickle}


@pytest.mark.parametrize("case", list(UNUSUAL))
def test_unusual_but_valid_checkpoints_build_and_verify(tiny_checkpoints, tmp_path, case):
    folder = shutil.copytree(tiny_checkpoints["bert"], tmp_path / "ckpt")
    UNUSUAL[case](folder)
    before = tree_digest(folder)
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp_path / "out"), "--quant", "fp32"])
    assert result.exit_code == 0, result.output
    assert_complete_bundle(tmp_path / "out" / "ckpt")
    assert tree_digest(folder) == before


def test_encoder_saved_without_its_pooler_is_a_sentence_embedder(tmp_path):
    """BertModel(add_pooling_layer=False): the pooler's weights are absent, and mean pooling never reads them."""
    import transformers

    folder = make_embedding_checkpoint(tmp_path / "no-pooler", "bert", "mean", True)
    model = transformers.BertModel.from_pretrained(folder)
    bare = transformers.BertModel(model.config, add_pooling_layer=False)
    bare.load_state_dict({k: v for k, v in model.state_dict().items() if not k.startswith("pooler.")})
    bare.save_pretrained(folder)
    with safe_open(folder / WEIGHTS, "pt") as handle:
        assert not [name for name in handle.keys() if "pooler" in name]
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp_path / "out"), "--quant", "fp32"])
    assert result.exit_code == 0, result.output
    manifest = assert_complete_bundle(tmp_path / "out" / "no-pooler")
    assert manifest["task"]["name"] == "feature-extraction"
