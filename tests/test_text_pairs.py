"""Sequence-pair classification (NLI, paraphrase, cross-encoders): the classifier task with pair
inputs, token_type_ids through export, both backends, padding and the test vectors."""

import csv
import json

import numpy as np
import pytest
import torch
import transformers
from click.testing import CliRunner

from builder.backends.coreml import MilReferenceRunner
from builder.cli import cli
from builder.errors import EdgepackError
from builder.samples import load_samples
from builder.verify import verify_bundle
from bundles import assert_complete_bundle, load_test_vectors, run_pte
from checkpoints import PROTOTYPES, make_checkpoint

# Pairs of messages with the same intent, as a paraphrase model's users would send them.
PAIRS = [(first, second) for texts in PROTOTYPES.values() for first, second in zip(texts, texts[1:] + texts[:1])]
NEW_PAIRS = [("where has my parcel gone", "tracking shows nothing"), ("refund me please", "i want my money back now"),
             ("Café crème 👍", "")]


@pytest.fixture(scope="module")
def pair_checkpoint(tmp_path_factory):
    return make_checkpoint(tmp_path_factory.mktemp("pairs") / "pair-bert", "bert", pairs=True)


@pytest.fixture(scope="module")
def pair_bundle(pair_checkpoint, tmp_path_factory):
    out = tmp_path_factory.mktemp("pairs-dist")
    samples = out / "pairs.csv"
    with samples.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["premise", "hypothesis"])
        writer.writerows(PAIRS)
    result = CliRunner().invoke(cli, ["build", str(pair_checkpoint), "-o", str(out), "--target", "all", "--samples", str(samples),
                                      "--text-column", "premise", "--text-pair-column", "hypothesis"])
    assert result.exit_code == 0, result.output
    return out / "pair-bert"


def test_pair_classifier_on_both_targets(pair_bundle):
    manifest = assert_complete_bundle(pair_bundle)
    assert manifest["status"] == "verified" and manifest["task"]["name"] == "sequence-classification"
    assert manifest["task"]["input"] == "text-pair"
    assert "encodes (the first text, the second text) as one pair" in manifest["task"]["postprocessing"]["input"]
    assert [i["name"] for i in manifest["inputs"]] == ["input_ids", "attention_mask", "token_type_ids"]
    assert all(v["parity"]["verdict"] == "pass" for v in manifest["variants"]) and len(manifest["variants"]) == 4
    assert manifest["variants"][0]["parity"]["figures"]["top1_agreement"] == 1.0
    vectors = load_test_vectors(pair_bundle)
    assert vectors["inputs"] == ["input_ids", "attention_mask", "token_type_ids"]
    assert [(v["text"], v["text_pair"]) for v in vectors["vectors"][:len(PAIRS)]] == PAIRS
    padded = [v for v in vectors["vectors"] if v["padded_to"]]
    assert padded and all(v["token_type_ids"][-1] == 0 and v["attention_mask"][-1] == 0 for v in padded)
    assert all(1 in v["token_type_ids"] for v in vectors["vectors"])
    assert verify_bundle(pair_bundle).ok


def test_artifacts_match_eager_on_new_pairs(pair_bundle, pair_checkpoint):
    tokenizer = transformers.AutoTokenizer.from_pretrained(pair_checkpoint)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(pair_checkpoint).eval()
    runner = MilReferenceRunner(pair_bundle / "coreml/model-fp16.mlpackage")
    for first, second in NEW_PAIRS:
        encoding = tokenizer(first, second)
        with torch.no_grad():
            logits = model(**{k: torch.tensor([v]) for k, v in encoding.items()}).logits.numpy()
        ids, mask, types = encoding["input_ids"], encoding["attention_mask"], encoding["token_type_ids"]
        pte_logits, _ = run_pte(pair_bundle / "executorch/model-fp32.pte", ids, mask, types)
        np.testing.assert_allclose(pte_logits, logits, atol=1e-4)
        coreml_logits = runner.run([np.array([ids]), np.array([mask]), np.array([types])])[1]
        assert np.argmax(coreml_logits) == np.argmax(logits)
        # The same tokens read as one segment give other logits: segment ids reach the graph.
        if second:  # (an empty second text has no tokens, so no segment 1)
            flat = run_pte(pair_bundle / "executorch/model-fp32.pte", ids, mask, [0] * len(ids))[0]
            assert np.abs(flat - logits).max() > 1e-3


def test_android_app_shell_for_a_pair_classifier(pair_bundle, tmp_path):
    """The Android shell asks for both texts and feeds the segment ids: it compiles against the stubs, and the kit's
    JVM tests replay the pair bundle's vectors (ids, segment ids, the labels the reference outputs give)."""
    from app_checks import compile_android_app, replay_android_kit

    result = CliRunner().invoke(cli, ["app", str(pair_bundle), "--platform", "android", "-o", str(tmp_path / "app")])
    assert result.exit_code == 0, result.output
    app = tmp_path / "app"
    assert "Type the second text" in (app / "app/src/main/res/values/strings.xml").read_text()
    compile_android_app(app, tmp_path)
    done = replay_android_kit(app, tmp_path)
    assert done.returncode == 0 and "OK (3 tests)" in done.stdout, done.stdout[-3000:]


def test_ios_app_shell_for_a_pair_classifier(pair_bundle, tmp_path):
    """The iOS shell: the Swift package's tests replay the pair vectors, and the app typechecks against Core ML's stub."""
    from builder.apps.ios import generate_ios_app
    from tools import swift_checks

    app = generate_ios_app(pair_bundle, tmp_path / "app").path
    assert "Type the second text" in (app / "App/AppConfig.swift").read_text()
    replayed = swift_checks.run_package_tests(app)
    assert replayed.ok and replayed.failures == 0, replayed.summary()
    typechecked = swift_checks.typecheck_app(app)
    assert typechecked.ok, typechecked.summary()


def test_pairs_are_refused_for_single_text_tasks(tmp_path, tiny_checkpoints):
    import shutil

    folder = shutil.copytree(tiny_checkpoints["bert"], tmp_path / "ner")
    config = json.loads((folder / "config.json").read_text())
    config["architectures"] = ["BertForTokenClassification"]
    (folder / "config.json").write_text(json.dumps(config))
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp_path / "out"), "--pairs"])
    assert result.exit_code == 2 and "reads one text per input, not pairs" in result.output
    assert not (tmp_path / "out").exists()


def test_pair_samples_from_each_format(tmp_path):
    (tmp_path / "p.txt").write_text("a man plays\tsomeone performs\n\nok\t\n")
    assert load_samples(tmp_path / "p.txt", "text", "text_pair") == [("a man plays", "someone performs"), ("ok", "")]
    (tmp_path / "p.jsonl").write_text(json.dumps({"q": "where?", "c": "in Lyon"}) + "\n")
    assert load_samples(tmp_path / "p.jsonl", "q", "c") == [("where?", "in Lyon")]
    (tmp_path / "p.csv").write_text("text,text_pair\nx,y\n")
    assert load_samples(tmp_path / "p.csv", "text", "text_pair") == [("x", "y")]
    assert load_samples(None, "text", "text_pair", default_pairs=[("a", "b")]) == [("a", "b")]
    with pytest.raises(EdgepackError, match=r"p.jsonl:1 has no string field 'context'; pass --text-pair-column"):
        load_samples(tmp_path / "p.jsonl", "q", "context")
    (tmp_path / "bad.txt").write_text("no tab here\n")
    with pytest.raises(EdgepackError, match=r"bad.txt:1 has no tab"):
        load_samples(tmp_path / "bad.txt", "text", "text_pair")


def test_run_classifies_a_pair(pair_bundle, pair_checkpoint):
    """`edgepack run FIRST --pair SECOND`: the pair's labels with probabilities, as transformers gives them."""
    from bundles import run_views

    first, second = NEW_PAIRS[0]
    tokenizer = transformers.AutoTokenizer.from_pretrained(pair_checkpoint)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(pair_checkpoint).eval()
    with torch.no_grad():
        probabilities = torch.softmax(model(**tokenizer(first, second, return_tensors="pt")).logits[0].double(), -1)
    best = int(probabilities.argmax())
    run = CliRunner().invoke(cli, ["run", str(pair_bundle), first, "--pair", second, "--variant", "fp32"])
    assert run.exit_code == 0, run.output
    views = run_views(run.output)
    assert list(views) == ["android-xnnpack/fp32"]
    assert views["android-xnnpack/fp32"][0] == f"{float(probabilities[best]):.3f}  {model.config.id2label[best]}"
    missing = CliRunner().invoke(cli, ["run", str(pair_bundle), first])
    assert missing.exit_code == 2 and "pass the second one with --pair" in missing.output
