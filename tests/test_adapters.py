"""PEFT LoRA adapters: trained here for a few steps, merged into their base, exported, run, and
compared with the adapter model; and the one-line refusals for adapters that cannot be merged
safely."""

import json
import pickle
import shutil
from types import SimpleNamespace

import numpy as np
import peft
import pytest
import torch
import transformers
from click.testing import CliRunner
from safetensors.torch import load_file, save_file

from builder.adapters import MERGE_TOLERANCE
from builder.checkpoint import load_checkpoint
from builder.cli import cli
from builder.tasks import TaskOptions
from bundles import assert_complete_bundle, run_pte
from checkpoints import LABELS, NER_LABELS, PROTOTYPES, make_causal_lm_checkpoint, make_embedding_checkpoint, make_token_checkpoint

# Not among the build's samples: the .pte must give the adapter model's answer on new text too.
PROBE = "my parcel went to the wrong street, please ship it to my new home"
SAMPLES = ["", "where is my order", "cancel the purchase please", "Café crème résumé 👍 我的订单",
           " ".join(["i want my money back and"] * 30)]


def _train(peft_model, loss_fn, steps: int) -> None:
    optimizer = torch.optim.AdamW([p for p in peft_model.parameters() if p.requires_grad], lr=3e-2)
    peft_model.train()
    for _ in range(steps):
        loss = loss_fn()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    peft_model.eval()


def _prototype_batch(tokenizer):
    texts = [text for label in LABELS for text in PROTOTYPES[label]]
    targets = torch.tensor([i for i, label in enumerate(LABELS) for _ in PROTOTYPES[label]])
    return tokenizer(texts, padding=True, return_tensors="pt"), targets


@pytest.fixture(scope="module")
def lora(tmp_path_factory):
    """A plain base model (no head, no labels) and a sequence-classification LoRA trained on it
    for a few steps, saved with save_pretrained next to its labels and tokenizer."""
    root = tmp_path_factory.mktemp("lora")
    base = make_embedding_checkpoint(root / "base", pooling=None)
    config = json.loads((base / "config.json").read_text())
    for key in ("id2label", "label2id"):
        config.pop(key)
    (base / "config.json").write_text(json.dumps(config))

    tokenizer = transformers.AutoTokenizer.from_pretrained(base)
    torch.manual_seed(0)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id={l: i for i, l in enumerate(LABELS)})
    lora_config = peft.LoraConfig(task_type="SEQ_CLS", r=4, lora_alpha=8, target_modules=["query", "value"],
                                  modules_to_save=["classifier"], lora_dropout=0.0)
    peft_model = peft.get_peft_model(model, lora_config)
    batch, targets = _prototype_batch(tokenizer)
    _train(peft_model, lambda: peft_model(**batch, labels=targets).loss, steps=30)

    adapter = root / "intent-lora"
    peft_model.save_pretrained(adapter)
    model.config.save_pretrained(adapter)  # the labels the head was trained with
    tokenizer.save_pretrained(adapter)

    probe = tokenizer(PROBE, return_tensors="pt")
    with torch.no_grad():
        adapted = peft_model(**probe).logits
        hidden = peft_model.base_model.model.bert(**probe).last_hidden_state
        with peft_model.disable_adapter():
            plain = peft_model(**probe).logits
            plain_hidden = peft_model.base_model.model.bert(**probe).last_hidden_state
        fit = peft_model(**batch).logits.argmax(-1)
    return SimpleNamespace(base=base, adapter=adapter, probe=probe, adapted=adapted.numpy(), plain=plain.numpy(),
                           lora_effect=float((hidden - plain_hidden).abs().max()), accuracy=float((fit == targets).float().mean()))


def test_the_trained_adapter_is_not_a_no_op(lora):
    weights = load_file(lora.adapter / "adapter_model.safetensors")
    lora_b = [value for key, value in weights.items() if ".lora_B." in key]
    assert len(lora_b) == 4 and all(float(value.abs().max()) > 1e-3 for value in lora_b)
    assert {"base_model.model.classifier.weight", "base_model.model.classifier.bias"} <= set(weights)
    assert lora.lora_effect > 1e-2  # the LoRA layers themselves change the encoder, not only the head
    assert np.abs(lora.adapted - lora.plain).max() > 0.1
    assert lora.accuracy >= 0.75


def test_build_merges_exports_and_matches_the_adapter_model(lora, tmp_path):
    samples = tmp_path / "samples.jsonl"
    samples.write_text("\n".join(json.dumps({"text": text}) for text in SAMPLES))
    out = tmp_path / "dist"
    # Both targets; ExecuTorch fp32 + int8-dynamic and Core ML fp32 (three lowerings keep the test short).
    result = CliRunner().invoke(cli, ["build", str(lora.adapter), "--base", str(lora.base), "--target", "all", "--quant", "fp32",
                                      "--quant", "int8-dynamic", "--samples", str(samples), "-o", str(out)])
    assert result.exit_code == 0, result.output
    line = " ".join(result.output.split())  # rich wraps the stderr line at the terminal width
    assert "Merged LORA adapter (r=4, alpha=8, targets query, value; full weights of classifier) into" in line
    assert "merged vs adapter max abs err" in line
    bundle = out / "intent-lora"
    manifest = assert_complete_bundle(bundle)
    assert [v["name"] for v in manifest["variants"]] == ["android-xnnpack/fp32", "android-xnnpack/int8-dynamic", "ios-coreml/fp32"]
    assert manifest["task"]["name"] == "sequence-classification"
    assert manifest["task"]["labels"] == LABELS  # from the adapter folder's config.json; the base has none

    adapter = manifest["model"]["adapter"]
    assert (adapter["peft_type"], adapter["task_type"], adapter["r"], adapter["lora_alpha"]) == ("LORA", "SEQ_CLS", 4, 8)
    assert adapter["target_modules"] == ["query", "value"] and adapter["modules_to_save"] == ["classifier"]
    assert adapter["base"] == str(lora.base.resolve()) and len(adapter["base_sha256"]) == 64 and len(adapter["sha256"]) == 64
    check = adapter["merge_check"]
    assert check["max_abs_error"] <= MERGE_TOLERANCE == check["tolerance"]
    assert check["adapter_effect_max_abs"] > 0.1 and check["samples"] == len(SAMPLES)
    assert manifest["model"]["source_sha256"] not in (adapter["sha256"], adapter["base_sha256"])

    logits = run_pte(bundle / "executorch/model-fp32.pte", lora.probe["input_ids"][0].tolist(),
                     lora.probe["attention_mask"][0].tolist())[0]
    assert np.abs(logits - lora.adapted).max() < 1e-4  # the adapter model's answer ...
    assert np.abs(logits - lora.plain).max() > 0.1  # ... not the base's

    verify = CliRunner().invoke(cli, ["verify", str(bundle)])
    assert verify.exit_code == 0, verify.output
    inspect = CliRunner().invoke(cli, ["inspect", str(bundle)])
    assert "merged LORA adapter r=4 alpha=8 on query, value into base" in " ".join(inspect.output.split())


def test_merged_model_and_its_graph_hold_no_adapter_parts(lora):
    checkpoint = load_checkpoint(lora.adapter, base=lora.base)
    model = checkpoint.load_model(SAMPLES)
    assert type(model) is transformers.BertForSequenceClassification
    plain = transformers.BertForSequenceClassification(checkpoint.config)
    assert set(model.state_dict()) == set(plain.state_dict())
    assert not any(t.is_meta for t in [*model.parameters(), *model.buffers()])
    wrapper = checkpoint.bind_task(TaskOptions()).wrap(model)
    ids = torch.ones(1, 8, dtype=torch.long)
    program = torch.export.export(wrapper, (ids, ids), strict=False)
    names = [*program.state_dict, *program.graph_signature.parameters, *program.graph_signature.buffers]
    assert names and not [n for n in names if "lora" in n or "modules_to_save" in n or "original_module" in n]


def test_embedding_adapter_found_through_its_recorded_base(lora, tmp_path):
    """A FEATURE_EXTRACTION LoRA with no labels and no tokenizer of its own, built without --base:
    the base path recorded in adapter_config.json is local, so it is used."""
    tokenizer = transformers.AutoTokenizer.from_pretrained(lora.base)
    torch.manual_seed(1)
    model = transformers.AutoModel.from_pretrained(lora.base)
    peft_model = peft.get_peft_model(model, peft.LoraConfig(task_type="FEATURE_EXTRACTION", r=4, lora_alpha=8,
                                                            target_modules=["query", "value"], lora_dropout=0.0))
    batch, targets = _prototype_batch(tokenizer)

    def contrastive_loss():
        hidden = peft_model(**batch).last_hidden_state
        mask = batch["attention_mask"][..., None].float()
        embeddings = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
        same = (targets[:, None] == targets[None, :]).float()
        return torch.nn.functional.binary_cross_entropy_with_logits(embeddings @ embeddings.T * 5, same)

    _train(peft_model, contrastive_loss, steps=10)
    adapter = tmp_path / "embed-lora"
    peft_model.save_pretrained(adapter)
    probe = tokenizer(PROBE, return_tensors="pt")
    with torch.no_grad():
        hidden = peft_model(**probe).last_hidden_state
        with peft_model.disable_adapter():
            plain = peft_model(**probe).last_hidden_state
    expected, before = hidden.mean(1).numpy(), plain.mean(1).numpy()  # mean pooling, as the plain base model gets
    assert np.abs(expected - before).max() > 1e-2

    result = CliRunner().invoke(cli, ["build", str(adapter), "--quant", "fp32", "--samples", str(_samples(tmp_path)),
                                      "-o", str(tmp_path / "dist")])
    assert result.exit_code == 0, result.output
    manifest = assert_complete_bundle(tmp_path / "dist" / "embed-lora")
    assert manifest["task"]["name"] == "feature-extraction"
    assert manifest["model"]["adapter"]["base"] == str(lora.base.resolve())
    assert manifest["model"]["adapter"]["modules_to_save"] == []
    embedding = run_pte(tmp_path / "dist/embed-lora/executorch/model-fp32.pte", probe["input_ids"][0].tolist(),
                        probe["attention_mask"][0].tolist())[0]
    assert np.abs(embedding - expected).max() < 1e-4 and np.abs(embedding - before).max() > 1e-2


def test_token_classification_adapter_takes_labels_and_tokenizer_from_its_base(tmp_path):
    """A TOKEN_CLS LoRA saved bare (adapter_config.json and weights only): the NER base gives labels
    and tokenizer, peft's automatic modules_to_save gives the retrained head."""
    base = make_token_checkpoint(tmp_path / "ner-base")
    tokenizer = transformers.AutoTokenizer.from_pretrained(base)
    torch.manual_seed(2)
    model = transformers.AutoModelForTokenClassification.from_pretrained(base)
    peft_model = peft.get_peft_model(model, peft.LoraConfig(task_type="TOKEN_CLS", r=4, lora_alpha=8,
                                                            target_modules=["query", "value"], lora_dropout=0.0))
    batch = tokenizer(SAMPLES[1:4], padding=True, return_tensors="pt")
    with torch.no_grad():
        shifted = (peft_model(**batch).logits.argmax(-1) + 1) % len(NER_LABELS)  # a new tagging to learn
    _train(peft_model, lambda: torch.nn.functional.cross_entropy(peft_model(**batch).logits.flatten(0, 1), shifted.flatten()), 10)
    adapter = tmp_path / "ner-lora"
    peft_model.save_pretrained(adapter)
    assert sorted(p.name for p in adapter.iterdir()) == ["README.md", "adapter_config.json", "adapter_model.safetensors"]
    probe = tokenizer(PROBE, return_tensors="pt")
    with torch.no_grad():
        expected = peft_model(**probe).logits
        with peft_model.disable_adapter():
            before = peft_model(**probe).logits

    checkpoint = load_checkpoint(adapter)
    assert checkpoint.task.name == "token-classification" and checkpoint.labels == NER_LABELS
    assert checkpoint.tokenizer.source_dir == base and checkpoint.adapter.modules_to_save == ["classifier"]
    merged = checkpoint.load_model(SAMPLES)
    with torch.no_grad():
        logits = merged(**probe).logits
    assert (logits - expected).abs().max() < 1e-4 and (logits - before).abs().max() > 0.1
    assert checkpoint.adapter.merge_check.max_abs_error <= MERGE_TOLERANCE


def test_causal_lm_adapter_merges_into_its_base_language_model(tmp_path):
    """A CAUSAL_LM LoRA on a tiny Llama (attention and MLP projections) loads as a text-generation checkpoint whose
    tokenizer is its base's, and the merged model gives the adapter model's next-token logits."""
    base = make_causal_lm_checkpoint(tmp_path / "lm-base", "llama")
    tokenizer = transformers.AutoTokenizer.from_pretrained(base)
    tokenizer.pad_token = tokenizer.eos_token  # for the training batch only
    model = transformers.AutoModelForCausalLM.from_pretrained(base)
    torch.manual_seed(3)
    peft_model = peft.get_peft_model(model, peft.LoraConfig(task_type="CAUSAL_LM", r=4, lora_alpha=8, lora_dropout=0.0,
                                                            target_modules=["q_proj", "v_proj", "down_proj"]))
    batch = tokenizer(SAMPLES[1:4], padding=True, return_tensors="pt")
    _train(peft_model, lambda: peft_model(**batch, labels=batch["input_ids"].flip(-1)).loss, 10)  # a new text to learn
    adapter = tmp_path / "lm-lora"
    peft_model.save_pretrained(adapter)
    probe = tokenizer(PROBE, return_tensors="pt")
    with torch.no_grad():
        expected = peft_model(**probe).logits
        with peft_model.disable_adapter():
            before = peft_model(**probe).logits

    checkpoint = load_checkpoint(adapter)
    assert checkpoint.task.name == "text-generation" and checkpoint.tokenizer.source_dir == base
    merged = checkpoint.load_model(SAMPLES)
    with torch.no_grad():
        logits = merged(**probe).logits
    assert (logits - expected).abs().max() < 1e-4 and (logits - before).abs().max() > 0.1
    assert checkpoint.adapter.merge_check.max_abs_error <= MERGE_TOLERANCE


def _samples(tmp_path):
    path = tmp_path / "samples.jsonl"
    path.write_text("\n".join(json.dumps({"text": text}) for text in SAMPLES))
    return path


class _Payload:
    """Unpickling this would create a file: proof of code execution."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _edit_adapter_config(folder, **changes):
    config = json.loads((folder / "adapter_config.json").read_text())
    config.update(changes)
    (folder / "adapter_config.json").write_text(json.dumps(config))


def _pickled_weights(folder):
    (folder / "adapter_model.safetensors").unlink()
    with open(folder / "adapter_model.bin", "wb") as handle:
        pickle.dump({"weight": _Payload(str(folder.parent / "pwned"))}, handle)


def _one_layer_base(lora, folder):
    """The same base with its second layer cut: the adapter's layer-1 tensors have nowhere to go."""
    model = transformers.AutoModel.from_pretrained(lora.base)
    model.encoder.layer = model.encoder.layer[:1]
    model.config.num_hidden_layers = 1
    model.save_pretrained(folder)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(lora.base / name, folder / name)


@pytest.mark.parametrize(
    "case, message",
    [
        ("hub-base", "names base model 'bert-base-uncased', which is not a local folder; pass --base"),
        ("ia3", "has peft_type 'IA3'; only LoRA adapters (peft_type LORA)"),
        ("dora", "uses DoRA (use_dora): not supported yet"),
        ("newer-peft", "sets lora_future_mode, unknown to peft 0.21.2"),
        ("other-architecture", "does not fit base"),
        ("fewer-layers", "of its tensors name modules the base lacks"),
        ("missing-tensors", "2 adapter tensors the base expects are absent"),
        ("pickle", "is not a plain tensor file and will not be unpickled"),
        ("base-for-plain", "--base is for PEFT adapter folders"),
        ("label-count", "the adapter's saved head has 4 outputs but"),
    ],
)
def test_bad_adapters_get_one_line_exit_2_and_nothing_written(lora, tiny_checkpoints, tmp_path, case, message):
    adapter = tmp_path / "adapter"
    shutil.copytree(lora.adapter, adapter)
    base = lora.base
    if case == "hub-base":
        _edit_adapter_config(adapter, base_model_name_or_path="bert-base-uncased")
        base = None
    elif case == "ia3":
        _edit_adapter_config(adapter, peft_type="IA3")
    elif case == "dora":
        _edit_adapter_config(adapter, use_dora=True)
    elif case == "newer-peft":
        _edit_adapter_config(adapter, lora_future_mode="on", peft_version="9.0.0")
    elif case == "other-architecture":
        base = tiny_checkpoints["distilbert"]
    elif case == "fewer-layers":
        base = tmp_path / "short-base"
        _one_layer_base(lora, base)
    elif case == "missing-tensors":  # peft would keep those LoRA layers at their initial values, silently
        weights = load_file(adapter / "adapter_model.safetensors")
        save_file({k: v for k, v in weights.items() if "layer.1.attention.self.value" not in k}, adapter / "adapter_model.safetensors")
    elif case == "pickle":
        _pickled_weights(adapter)
    elif case == "base-for-plain":
        adapter = tiny_checkpoints["bert"]
    elif case == "label-count":
        config = json.loads((adapter / "config.json").read_text())
        config["id2label"] = {"0": "yes", "1": "no"}
        (adapter / "config.json").write_text(json.dumps(config))
    out = tmp_path / "out"
    argv = ["build", str(adapter), "-o", str(out), "--quant", "fp32"] + (["--base", str(base)] if base else [])
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0], result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert not (tmp_path / "pwned").exists()


def test_plain_tensor_bin_adapter_loads(lora, tmp_path):
    adapter = tmp_path / "bin-adapter"
    shutil.copytree(lora.adapter, adapter)
    torch.save(load_file(adapter / "adapter_model.safetensors"), adapter / "adapter_model.bin")
    (adapter / "adapter_model.safetensors").unlink()
    checkpoint = load_checkpoint(adapter, base=lora.base)
    checkpoint.load_model(SAMPLES)
    assert checkpoint.adapter.weights_file.name == "adapter_model.bin"
    assert checkpoint.adapter.merge_check.max_abs_error <= MERGE_TOLERANCE


def test_recorded_base_may_be_relative_to_the_adapter_folder(lora, tmp_path):
    shutil.copytree(lora.base, tmp_path / "base")
    shutil.copytree(lora.adapter, tmp_path / "runs" / "adapter")
    _edit_adapter_config(tmp_path / "runs" / "adapter", base_model_name_or_path="../../base")
    checkpoint = load_checkpoint(tmp_path / "runs" / "adapter")
    assert checkpoint.adapter.base_path.resolve() == (tmp_path / "base").resolve()
    assert checkpoint.labels == LABELS and checkpoint.tokenizer.source_dir == tmp_path / "runs" / "adapter"
