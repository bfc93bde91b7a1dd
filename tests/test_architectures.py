"""Every (architecture, task) pair the registry claims, built through the CLI for both targets
and verified; and, per architecture added after BERT/DistilBERT/MobileBERT, the artifacts
compared with transformers' eager model on texts that are not among the build's samples.

The matrix is driven from ARCHITECTURES and tests/checkpoints.TASK_CHECKPOINTS, so a new
architecture or task cannot be claimed without being built here. Quantization recipes are
covered by the per-task tests; the matrix builds ExecuTorch fp32 and Core ML fp32 + fp16
for sequence classification (the iOS default, where masks and large activations break first; see RECIPES).
"""

import json
import os

import numpy as np
import pytest
import torch
import transformers
from click.testing import CliRunner

from builder.apps.platforms import APP_PLATFORMS
from builder.architectures import ARCHITECTURES
from builder.backends.coreml import MilReferenceRunner
from builder.cli import cli
import compatibility
from cache import shared_root
from bundles import assert_complete_bundle, load_test_vectors, run_pte, smallest_top2_gap
from checkpoints import NER_LABELS, TASK_CHECKPOINTS

# Encoders; the decoders' one task (text generation) has its own build and checks in tests/test_text_generation.py.
PAIRS = [(arch, task) for arch, entry in ARCHITECTURES.items() if entry.family == "encoder" for task in entry.tasks]
ADDED = ["albert", "roberta", "xlm-roberta", "electra", "mpnet", "deberta-v2"]
# ExecuTorch fp32 and Core ML fp32 for every pair; Core ML fp16 (the iOS default) for sequence classification, which
# covers each encoder in fp16. The tiny random models' other heads have near-ties that fp16 rounding flips, so an fp16
# gate on them would test noise: the fitted NER head leaves a top-2 margin of 0.011 on a RoBERTa token (fp16 error
# 0.05, one flipped label, entity span agreement 0.857); embeddings put candidates of the built-in query set within
# 1e-4 cosine (ALBERT, DistilBERT, MobileBERT; ALBERT fp16 ranking agreement 0.75 at min cosine 0.999998).
# tests/test_token_classification.py and tests/test_embeddings.py cover those heads in fp16.
RECIPES = {task: ["--quant", "fp32"] for task in TASK_CHECKPOINTS}
RECIPES["sequence-classification"] = ["--quant", "fp32", "--quant", "fp16"]
# One hidden layer proves an architecture's export where nothing crosses layers; ALBERT shares one layer's
# weights across its layers and DeBERTa-v2 shares its relative-position embeddings between them, so they keep two.
LAYERS = {"albert": 2, "deberta-v2": 2}
# The build's samples: the built-in set's edge cases (empty, one word, accents, CJK, emoji, shouting, a text
# longer than --max-seq-len) in 9 texts instead of 15; with the two padded copies, 11 vectors (fill-mask with a
# Unigram tokenizer masks two of them alike, and keeps 10).
SAMPLES = ["", "hello", "Where is my order? It was supposed to arrive yesterday.", "Ça ne marche pas, je voudrais parler à quelqu'un.",
           "Café crème, naïve résumé, Ångström, façade",
           "我的订单什么时候到？", "great service 👍🎉 thanks!!!", "PLEASE HELP ME MY CARD WAS CHARGED TWICE",
           " ".join(["My package was marked as delivered but I never received it, and"] * 20)]
# Texts outside the built-in samples, with the NER words, accents, an emoji and CJK.
NEW_TEXTS = [
    "the agent sent my refund to the wrong street",
    "Café crème résumé: where is the parcel for my home address 👍",
    "我的订单 jacket card subscription",
]


def test_matrix_covers_every_registered_pair():
    assert set(TASK_CHECKPOINTS) >= {task for _, task in PAIRS}, "a registered task has no checkpoint factory"
    assert set(ADDED) <= set(ARCHITECTURES.names())


@pytest.fixture(scope="module")
def matrix_samples(tmp_path_factory):
    # One path for both xdist workers (it is part of the build's command line, which keys the shared builds);
    # .jsonl keeps the empty text (.txt skips blank lines).
    path = shared_root(tmp_path_factory) / "matrix-samples.jsonl"
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    partial.write_text("\n".join(json.dumps({"text": text}) for text in SAMPLES), encoding="utf-8")
    partial.replace(path)
    return path


@pytest.fixture(scope="module")
def bundles(shared_checkpoint, cli_build, matrix_samples):
    def get(arch, task):
        checkpoint = shared_checkpoint(TASK_CHECKPOINTS[task], f"{arch}-{task}-{LAYERS.get(arch, 1)}l", arch,
                                       layers=LAYERS.get(arch, 1))
        # Question answering reads (question, context) pairs: its built-in pairs are already few and short.
        samples = [] if task == "question-answering" else ["--samples", str(matrix_samples)]
        built = cli_build(checkpoint, "--target", "all", *RECIPES[task], *samples)
        return checkpoint, built.bundle, built

    return get


@pytest.mark.slow
@pytest.mark.parametrize("arch,task", PAIRS, ids=[f"{a}-{t}" for a, t in PAIRS])
def test_builds_and_verifies_on_both_targets(bundles, arch, task):
    checkpoint, bundle, result = bundles(arch, task)
    assert result.exit_code == 0, result.output
    assert "Bundle verified" in result.output
    manifest = assert_complete_bundle(bundle)
    assert manifest["model"]["model_type"] == arch and manifest["task"]["name"] == task
    recipes = RECIPES[task][1::2]
    assert [v["name"] for v in manifest["variants"]] == ["android-xnnpack/fp32"] + [f"ios-coreml/{r}" for r in recipes]
    for variant in manifest["variants"]:
        parity = variant["parity"]
        assert parity["verdict"] == "pass" and parity["samples"] >= 10
        assert set(parity["figures"]) == {"max_abs_error", "min_cosine", *_task_metrics(task)}, parity["figures"]
    if task in ("sequence-classification", "token-classification"):
        # Every gated label has room: the reference's smallest top-2 gap is more than twice any variant's largest
        # logit error (a flip needs two errors that differ by more than the gap), with a factor 2 to spare.
        gap = smallest_top2_gap(load_test_vectors(bundle)["vectors"])
        for variant in manifest["variants"]:
            assert gap > 4 * variant["parity"]["figures"]["max_abs_error"], (variant["name"], gap, variant["parity"]["figures"])
    # The pad id the vectors were padded with is the model's own (RoBERTa-style positions count from it).
    config = json.loads((checkpoint / "config.json").read_text())
    assert manifest["tokenizer"]["pad_token_id"] == config["pad_token_id"]
    # Both app shells embed it, and both kits' tokenizers reproduce every test vector's ids.
    apps = compatibility.app_support(bundle, manifest)
    assert set(apps.values()) == {"yes"}, apps
    if os.environ.get("EDGEPACK_UPDATE_COMPAT"):  # `make compat`: the README table is rendered from this record
        compatibility.record(arch, task, compatibility.entry_from_manifest(manifest, manifest["tokenizer"]["model"], apps))


def _task_metrics(task):
    from builder.tasks import TASKS

    return TASKS.get(task).metric_names


@pytest.mark.slow
@pytest.mark.parametrize("arch", ADDED)
def test_artifacts_match_transformers_on_unseen_text(bundles, arch):
    """The .pte (run by the ExecuTorch runtime directly) and the Core ML package (MIL reference
    executor) against transformers' eager token classifier, tokenized by transformers' own
    tokenizer: per-token logits, unpadded and right-padded with the pad id to 32 tokens."""
    checkpoint, bundle, result = bundles(arch, "token-classification")
    assert result.exit_code == 0, result.output
    tokenizer = transformers.AutoTokenizer.from_pretrained(checkpoint)
    model = transformers.AutoModelForTokenClassification.from_pretrained(checkpoint, attn_implementation="eager").eval()
    package = MilReferenceRunner(bundle / "coreml/model-fp32.mlpackage")
    pad = tokenizer.pad_token_id
    # The registry's min_seq_len is 1 for these: a lone first token must run too.
    for ids in [tokenizer(text)["input_ids"] for text in NEW_TEXTS] + [[tokenizer.cls_token_id]]:
        with torch.no_grad():
            expected = model(input_ids=torch.tensor([ids])).logits[0].numpy()
        assert expected.shape == (len(ids), len(NER_LABELS))
        for length in (len(ids), 32):
            padded, mask = ids + [pad] * (length - len(ids)), [1] * len(ids) + [0] * (length - len(ids))
            logits, _ = run_pte(bundle / "executorch/model-fp32.pte", padded, mask)
            np.testing.assert_allclose(logits[0, :len(ids)], expected, atol=1e-4)
            packaged = package.run([np.array([padded]), np.array([mask])])[0][0, :len(ids)]
            np.testing.assert_allclose(packaged, expected, atol=1e-4)


# (architecture, tokenizer.json model, pre-tokenizer, lower-cases, pad token): the families the checkpoints train.
TOKENIZER_FAMILIES = [
    ("electra", "WordPiece", "BertPreTokenizer", True, "[PAD]"),
    ("mpnet", "WordPiece", "BertPreTokenizer", True, "<pad>"),
    ("roberta", "BPE", "ByteLevel", False, "<pad>"),
    ("xlm-roberta", "Unigram", "Sequence(WhitespaceSplit, Metaspace)", False, "<pad>"),
    ("albert", "Unigram", "Sequence(WhitespaceSplit, Metaspace)", True, "<pad>"),
    ("deberta-v2", "Unigram", "Sequence(Metaspace)", False, "[PAD]"),
]


@pytest.mark.parametrize("family", TOKENIZER_FAMILIES, ids=[f[0] for f in TOKENIZER_FAMILIES])
def test_tokenizer_asset_describes_each_family(tmp_path, family):
    from builder.tokenizer_asset import load_tokenizer
    from checkpoints import train_tokenizer

    arch, model, pre_tokenizer, lowercase, pad = family
    reference = train_tokenizer(tmp_path, arch)
    asset = load_tokenizer(tmp_path)
    described = asset.describe()
    assert (described["model"], described["pre_tokenizer"], described["lowercase"]) == (model, pre_tokenizer, lowercase)
    assert asset.pad_token_id == reference.pad_token_id == reference.convert_tokens_to_ids(pad)
    for text in NEW_TEXTS + [""]:
        assert asset.encode(text)[0] == reference(text)["input_ids"]


def test_pad_token_comes_from_tokenizer_config_first(tmp_path):
    """A vocabulary that holds both "[PAD]" and "<pad>": the one tokenizer_config.json names wins."""
    from builder.tokenizer_asset import load_tokenizer
    from checkpoints import train_tokenizer

    tokenizer = train_tokenizer(tmp_path, "roberta")
    tokenizer.add_tokens(["[PAD]"])
    tokenizer.save_pretrained(tmp_path)
    asset = load_tokenizer(tmp_path)
    assert asset.pad_token_id == tokenizer.pad_token_id == 1 and asset.tokenizer.token_to_id("[PAD]") != 1


def _wrong_first_id(files):
    files["test_vectors.json"]["vectors"][0]["input_ids"][1] += 1
    return "ids of"


def test_app_shells_run_albert_built_with_them(tmp_path):
    """An ALBERT classifier (SentencePiece Unigram with ALBERT's normalizers: Replace, NFKD, StripAccents,
    Lowercase; WhitespaceSplit, Metaspace) built with both app shells and the default recipes (int8-dynamic
    among them: one layer's weights shared by every layer); each kit reproduces the build-time ids of every
    test vector, and one wrong id fails both replays."""
    from app_checks import prove_app_shells

    checkpoint = TASK_CHECKPOINTS["sequence-classification"](tmp_path / "albert", "albert")
    tokenizer = json.loads((checkpoint / "tokenizer.json").read_text())
    assert tokenizer["model"]["type"] == "Unigram" and tokenizer["normalizer"]["type"] == "Sequence"
    out = tmp_path / "dist"
    result = CliRunner().invoke(cli, ["build", str(checkpoint), "-o", str(out), "--target", "all", "--app", "android", "--app", "ios"])
    assert result.exit_code == 0, result.output
    assert "android-xnnpack/int8-dynamic" in result.output
    prove_app_shells(out / checkpoint.name, tmp_path / "apps", _wrong_first_id)


def test_app_shells_run_deberta_v3(bundles, tmp_path):
    """The matrix's DeBERTa-v3 classifier (its tokenizer.json as transformers 5 writes it: a Replace regex with
    a class, NFC, Strip, Metaspace) in both app shells: each kit reproduces every test vector's ids."""
    from app_checks import prove_app_shells

    _, bundle, result = bundles("deberta-v2", "sequence-classification")
    assert result.exit_code == 0, result.output
    normalizers = [n["type"] for n in json.loads((bundle / "tokenizer/tokenizer.json").read_text())["normalizer"]["normalizers"]]
    assert normalizers == ["Replace", "NFC", "Strip"], normalizers
    prove_app_shells(bundle, tmp_path / "apps", _wrong_first_id)


@pytest.mark.parametrize("platform", ["android", "ios"])
def test_app_shells_refuse_a_tokenizer_they_would_reproduce_wrongly_up_front(tmp_path, platform):
    """A tokenizer.json with a component the kits do not implement (here a ByteLevel normalizer) is refused
    before any work, naming the component and what to do."""
    checkpoint = TASK_CHECKPOINTS["sequence-classification"](tmp_path / "xlmr", "xlm-roberta")
    tokenizer = json.loads((checkpoint / "tokenizer.json").read_text())
    tokenizer["normalizer"] = {"type": "ByteLevel"}
    (checkpoint / "tokenizer.json").write_text(json.dumps(tokenizer))
    out = tmp_path / "dist"
    result = CliRunner().invoke(cli, ["build", str(checkpoint), "-o", str(out), "--target", "all", "--app", platform])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    (message,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert message.startswith(f"Error: the {'Android' if platform == 'android' else 'iOS'} tokenizer does not implement")
    assert "normalizer 'ByteLevel'" in message and "Build without --app" in message
    assert not out.exists() or not any(out.iterdir())


def test_max_seq_len_leaves_out_the_positions_before_padding_idx(tmp_path):
    checkpoint = TASK_CHECKPOINTS["sequence-classification"](tmp_path / "roberta", "roberta")
    table = json.loads((checkpoint / "config.json").read_text())["max_position_embeddings"]
    out = tmp_path / "dist"
    result = CliRunner().invoke(cli, ["build", str(checkpoint), "-o", str(out), "--max-seq-len", str(table)])
    assert result.exit_code == 2, result.output
    assert f"use at most {table - 2}" in result.output and "2 of them never a token position" in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error:")]) == 1
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.slow
def test_deberta_v2_with_a_conv_layer_builds_and_verifies(tmp_path):
    """DeBERTa-v2's optional 1-d convolution over the sequence (conv_kernel_size > 0, the v2-xlarge
    and xxlarge layout) exports, and the MIL reference executor runs its `conv`."""
    from checkpoints import _config, fit_centroid_head, train_tokenizer

    checkpoint = tmp_path / "deberta-conv"
    tokenizer = train_tokenizer(checkpoint, "deberta-v2")
    config = _config(tokenizer, "deberta-v2")
    config.conv_kernel_size, config.conv_act = 3, "gelu"
    torch.manual_seed(0)
    model = transformers.AutoModelForSequenceClassification.from_config(config).eval()
    fit_centroid_head(model, tokenizer)
    model.save_pretrained(checkpoint)
    result = CliRunner().invoke(cli, ["build", str(checkpoint), "-o", str(tmp_path / "dist"), "--target", "all", "--quant", "fp32"])
    assert result.exit_code == 0, result.output
    manifest = assert_complete_bundle(tmp_path / "dist" / "deberta-conv")
    package = next(v for v in manifest["variants"] if v["backend"] == "coreml")
    assert "conv" in package["details"]["mil_ops"], package["details"]


def test_readme_compatibility_table_is_generated_from_the_matrix():
    """The README table shows exactly what `make compat` recorded, and the record holds exactly the
    pairs the registries claim, each verified on both backends (the matrix above rebuilds them all; the
    decoders come from tests/test_text_generation.py)."""
    results = compatibility.load_results()
    # Decoders are recorded by tests/test_text_generation.py.
    decoders = {compatibility.key(arch, task) for arch, entry in ARCHITECTURES.items() if entry.family == "decoder"
                for task in entry.tasks}
    assert set(results) == {compatibility.key(arch, task) for arch, task in PAIRS} | decoders, "registry and record differ: run make compat"
    for name, entry in results.items():
        assert {v["backend"] for v in entry["variants"].values()} == {"executorch", "coreml"}, name
        assert all(v["verdict"] == "pass" for v in entry["variants"].values()), name
        assert set(entry.get("apps", {})) == set(APP_PLATFORMS.names()), f"{name}: no app record: run make compat"
    if os.environ.get("EDGEPACK_UPDATE_COMPAT"):  # `make compat`, after the matrix above has recorded every pair
        compatibility.write_readme()
    readme = compatibility.README.read_text(encoding="utf-8")
    assert compatibility.readme_section(readme) == compatibility.render(results), "README.md's table is stale: run make compat"
