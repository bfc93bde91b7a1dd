"""Fill-mask end to end: tiny MLM-trained BERT, DistilBERT and MobileBERT built for both targets through the CLI,
every artifact run and compared at the mask positions, the manifest's decoding rule checked against
`transformers.pipeline("fill-mask")`, and the test vectors kept to the mask rows."""

import json
import shutil

import numpy as np
import pytest
import torch
import transformers
from click.testing import CliRunner

from builder.backends.coreml import MilReferenceRunner
from builder.bundle import sha256_file, write_json
from builder.manifest import read_manifest
from builder.checkpoint import load_checkpoint
from builder.cli import cli
from builder.errors import EdgepackError
from builder.tasks import TaskOptions
from builder.tasks.fill_mask import fill_mask
from builder.vectors import TestVector
from builder.verify import verify_bundle
from bundles import assert_complete_bundle, load_test_vectors, run_pte, smallest_top2_gap
from checkpoints import make_mlm_checkpoint

ARCHS = ["bert", "distilbert", "mobilebert"]
# fp32 on both targets and Core ML fp16 for all; BERT also Core ML int8-weights, DistilBERT enumerated Core ML shapes
# (iOS 18). One XNNPACK lowering each: they cost 30-100 s on a busy 2-core host (int8-dynamic figures: see the report).
BUILD_ARGS = {
    "bert": ["--quant", "fp32", "--quant", "fp16", "--quant", "int8-weights"],
    "distilbert": ["--quant", "fp32", "--quant", "fp16", "--deployment-target", "iOS18"],
    "mobilebert": ["--quant", "fp32", "--quant", "fp16"],
}
# Masked texts that are not among the build's samples: one mask, two masks, a mask next to punctuation.
NEW_TEXTS = [
    "please [MASK] my order, it never came",
    "my [MASK] was charged twice for the blue [MASK]",
    "the package was marked as [MASK].",
]


# Seeds whose MLM heads leave the fp16 variants a measured margin at every mask row (asserted below). Smallest top-2
# logit gap over the 18 mask rows, against the Core ML fp16 max logit error (about 0.013-0.015 for all three): seed 0
# left BERT 0.0107 (ratio 0.8: no margin) and DistilBERT 0.035 (2.4); seed 1 gives 0.083 and 0.145; MobileBERT's seed 0
# gives 0.157 (ratio 34).
SEEDS = {"bert": 1, "distilbert": 1}


@pytest.fixture(scope="module")
def mlm_checkpoints(tmp_path_factory):
    root = tmp_path_factory.mktemp("mlm")
    made = {}

    def get(arch):
        if arch not in made:
            made[arch] = make_mlm_checkpoint(root / f"mlm-{arch}", arch, seed=SEEDS.get(arch, 0))
        return made[arch]

    return get


@pytest.fixture(scope="module")
def mlm_bundles(mlm_checkpoints, tmp_path_factory):
    out = tmp_path_factory.mktemp("mlm-dist")
    built = {}

    def get(arch):
        if arch not in built:
            result = CliRunner().invoke(cli, ["build", str(mlm_checkpoints(arch)), "-o", str(out), "--target", "all", *BUILD_ARGS[arch]])
            assert result.exit_code == 0, result.output
            assert "Bundle verified" in result.output
            built[arch] = (out / f"mlm-{arch}", result.output)
        return built[arch]

    return get


@pytest.mark.parametrize("arch", ARCHS)
def test_fill_mask_bundle_on_both_targets(mlm_bundles, arch):
    bundle, output = mlm_bundles(arch)
    manifest = assert_complete_bundle(bundle)
    variants = {v["name"]: v for v in manifest["variants"]}
    expected = ["android-xnnpack/fp32", "ios-coreml/fp32", "ios-coreml/fp16", "ios-coreml/int8-weights"]
    assert list(variants) == (expected if arch == "bert" else expected[:3])
    for name, variant in variants.items():
        figures, thresholds = variant["parity"]["figures"], variant["parity"]["thresholds"]
        assert set(thresholds) == {"min_cosine", "max_abs_error", "min_mask_top1_agreement", "min_mask_top5_overlap"}
        assert figures["mask_top1_agreement"] >= thresholds["min_mask_top1_agreement"], name
        assert figures["mask_top5_overlap"] >= thresholds["min_mask_top5_overlap"], name
        if variant["recipe"] == "fp32":
            assert figures["mask_top1_agreement"] == figures["mask_top5_overlap"] == 1.0 and figures["max_abs_error"] < 1e-3
        assert "mask_top1_agreement" in output
    pte = variants["android-xnnpack/fp32"]
    assert pte["details"]["delegation"]["compute_delegated"] == pte["details"]["delegation"]["compute_total"]
    # fp16's top-1 gate has room: the reference's smallest top-2 gap at a mask row is more than twice the variant's
    # largest logit error, with a factor 2 to spare. (int8-weights has none: its error, about 0.16, exceeds the gaps of
    # a tiny MLM, so its 0.9 top-1 gate tolerates a flipped row; the figure is in the report.)
    gap = smallest_top2_gap(load_test_vectors(bundle)["vectors"])
    for name, variant in variants.items():
        if variant["recipe"] in ("fp32", "fp16"):
            assert gap > 4 * variant["parity"]["figures"]["max_abs_error"], (name, gap, variant["parity"]["figures"])

    task = manifest["task"]
    vocab = manifest["tokenizer"]["vocab_size"]
    assert task["name"] == "fill-mask" and task["labels"] == []
    post = task["postprocessing"]
    assert (post["read_output"], post["mask_token"], post["top_k"], post["decoder"]) == ("logits", "[MASK]", 5, "tokenizer/tokenizer.json")
    assert post["mask_token_id"] == 4 and post["vocab_size"] == vocab
    assert [o["name"] for o in manifest["outputs"]] == ["logits"] and manifest["outputs"][0]["shape"] == [1, "seq", vocab]

    # The vectors hold the logits rows at the mask positions only, one row per mask.
    data = load_test_vectors(bundle)
    vectors = data["vectors"]
    masks = 0
    for vector in vectors:
        positions = [i for i, t in enumerate(vector["input_ids"]) if t == post["mask_token_id"]]
        assert positions and vector["positions"] == positions, vector["text"]
        rows = np.asarray(vector["expected"]["logits"])
        assert rows.shape == (1, len(positions), vocab)
        assert [d["position"] for d in vector["expected_decoded"]] == positions
        assert all(len(d["candidates"]) == 5 for d in vector["expected_decoded"])
        masks += len(positions)
    tokens = sum(len(v["input_ids"]) for v in vectors)
    size = (bundle / "tokenizer" / "test_vectors.json").stat().st_size
    # Few rows are kept: the whole JSON file is smaller than a binary float32 copy of every position's row would be.
    assert masks < tokens / 10 and size < 4 * tokens * vocab
    assert any(len(v["positions"]) == 2 for v in vectors) and any(v["text"] == "[MASK]" for v in vectors)

    import coremltools as ct

    for name, variant in variants.items():
        if variant["backend"] == "coreml":
            spec = ct.models.MLModel(str(bundle / variant["file"]), skip_model_load=True).get_spec()
            assert spec.description.predictedFeatureName == "" and [o.name for o in spec.description.output] == ["logits"]
            kind = variant["details"]["sequence_shapes"]["kind"]
            assert kind == ("enumerated" if arch == "distilbert" else "range")


@pytest.mark.parametrize("arch", ARCHS)
def test_artifacts_give_the_pipelines_top5_on_new_text(mlm_bundles, mlm_checkpoints, arch):
    """New masked texts through transformers' tokenizer, the .pte and the Core ML fp32 package run directly,
    decoded with the manifest's rule, against the eager model in `pipeline("fill-mask")`."""
    bundle, _ = mlm_bundles(arch)
    checkpoint = mlm_checkpoints(arch)
    tokenizer = transformers.AutoTokenizer.from_pretrained(checkpoint)
    model = transformers.AutoModelForMaskedLM.from_pretrained(checkpoint).eval()
    pipeline = transformers.pipeline("fill-mask", model=model, tokenizer=tokenizer)
    decoder = load_checkpoint(checkpoint).tokenizer.tokenizer
    runner = MilReferenceRunner(bundle / "coreml" / "model-fp32.mlpackage")
    sample_texts = {v["text"] for v in load_test_vectors(bundle)["vectors"]}
    for text in NEW_TEXTS:
        assert text not in sample_texts
        ids = tokenizer(text)["input_ids"]
        mask = [1] * len(ids)
        positions = [i for i, t in enumerate(ids) if t == tokenizer.mask_token_id]
        with torch.no_grad():
            eager = model(torch.tensor([ids]), attention_mask=torch.tensor([mask])).logits[0].numpy()
        (pte,) = run_pte(bundle / "executorch" / "model-fp32.pte", ids, mask)
        np.testing.assert_allclose(pte[0], eager, atol=1e-4)
        (packaged,) = runner.run([np.array([ids]), np.array([mask])])
        expected = pipeline(text)
        expected = expected if len(positions) > 1 else [expected]
        for logits in (pte[0], packaged[0]):
            ours = fill_mask(decoder, ids, logits[positions], tokenizer.mask_token_id, tokenizer.pad_token_id)
            assert len(ours) == len(expected) == len(positions)
            for mine, theirs in zip(ours, expected):
                assert [c["token"] for c in mine] == [c["token"] for c in theirs], text
                assert [c["token_str"] for c in mine] == [c["token_str"] for c in theirs]
                assert [c["sequence"] for c in mine] == [c["sequence"] for c in theirs]
                np.testing.assert_allclose([c["score"] for c in mine], [c["score"] for c in theirs], atol=1e-3)


def test_verify_and_inspect_show_the_mask_metrics(mlm_bundles):
    bundle, _ = mlm_bundles("distilbert")
    outcome = verify_bundle(bundle)
    assert outcome.ok and len(outcome.results) == 3
    assert all({m.name for m in r.task_metrics} == {"mask_top1_agreement", "mask_top5_overlap"} for r in outcome.results)
    result = CliRunner().invoke(cli, ["verify", str(bundle)])
    assert result.exit_code == 0 and "mask_top1_agreement 1.000" in result.output and "mask_top5_overlap" in result.output
    inspect = CliRunner().invoke(cli, ["inspect", str(bundle)])
    assert inspect.exit_code == 0 and "mask_top5_overlap" in inspect.output and "mask_token [MASK]" in inspect.output


def test_verify_fails_when_a_stored_mask_row_is_tampered_with(mlm_bundles, tmp_path):
    source, _ = mlm_bundles("distilbert")
    bundle = tmp_path / source.name
    shutil.copytree(source, bundle)
    path = bundle / "tokenizer" / "test_vectors.json"
    data = json.loads(path.read_text())
    row = data["vectors"][1]["expected"]["logits"][0][0]
    row[int(np.argmin(row))] = max(row) + 3.0  # the least likely token becomes the top-1 candidate
    write_json(path, data)
    # Re-seal the checksum, so that only the replayed comparison can notice.
    manifest = read_manifest(bundle)
    manifest["files"]["tokenizer/test_vectors.json"]["sha256"] = sha256_file(path)
    manifest["files"]["tokenizer/test_vectors.json"]["size_bytes"] = path.stat().st_size
    write_json(bundle / "manifest.json", manifest)
    outcome = verify_bundle(bundle)
    assert not outcome.checksum_problems and not outcome.ok
    failing = [r for r in outcome.results if r.failures]
    assert len(failing) == 3 and all(any("mask_top1_agreement" in f for f in r.failures) for r in failing)
    result = CliRunner().invoke(cli, ["verify", str(bundle)])
    assert result.exit_code == 1 and "mask_top1_agreement" in result.output and "Traceback" not in result.output


def test_samples_get_masks_by_a_fixed_rule(mlm_checkpoints):
    checkpoint = load_checkpoint(mlm_checkpoints("bert"))
    checkpoint.tokenizer.configure(16)
    task = checkpoint.bind_task(TaskOptions(max_seq_len=16))
    texts = ["", "where is my order", "keep [MASK] as it is", "我的订单", "Is it M, or L?",
             " ".join(["parcel"] * 40), "where is my order"]
    assert task.parity_texts(texts, checkpoint.tokenizer) == [
        "[MASK]", "where is [MASK] order", "keep [MASK] as it is", "我的[MASK]单", "Is it M[MASK] or L?",
        " ".join(["parcel"] * 7 + ["[MASK]"] + ["parcel"] * 32),  # the middle of the 14 words left after truncation
    ]
    assert [t.count("[MASK]") for t in task.extra_samples()] == [1, 2]


def test_positions_select_rows_of_the_sequence_axis():
    vector = TestVector("x", [2, 4, 9, 4, 3], [1] * 5, positions=[1, 3])
    logits = np.arange(2 * 5 * 3, dtype=np.float32).reshape(2, 5, 3)[:1]
    (rows,) = vector.at_positions([logits])
    np.testing.assert_array_equal(rows, logits[:, [1, 3]])
    assert TestVector("x", [2, 3], [1, 1]).at_positions([logits])[0] is logits


def _edit_json(path, change):
    path.write_text(json.dumps(change(json.loads(path.read_text()))))


def test_tokenizer_without_mask_token_is_refused(mlm_checkpoints, tmp_path):
    folder = tmp_path / "no-mask"
    shutil.copytree(mlm_checkpoints("bert"), folder)
    _edit_json(folder / "tokenizer_config.json", lambda c: {k: v for k, v in c.items() if k != "mask_token"})
    raw = (folder / "tokenizer.json").read_text().replace('"[MASK]"', '"[UNUSED0]"')
    (folder / "tokenizer.json").write_text(raw)
    with pytest.raises(EdgepackError, match=r"has no mask token.*neither \[MASK\] nor <mask>") as error:
        load_checkpoint(folder)
    assert "\n" not in str(error.value)
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "has no mask token" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    # A declared mask token the vocabulary lacks is refused too.
    _edit_json(folder / "tokenizer_config.json", lambda c: {**c, "mask_token": "<mask>"})
    with pytest.raises(EdgepackError, match=r"declares mask token '<mask>' \(mask_token in tokenizer_config.json\)"):
        load_checkpoint(folder)


def test_app_shells_list_the_candidates_python_decodes(mlm_bundles, tmp_path):
    """Both app shells for a fill-mask bundle: each kit's top 5 per mask (probabilities, token ids, the tokens and
    completed sentences decoded with tokenizer.json's decoder) equal the Python reference's for every test vector,
    several masks, CJK and emoji included; a wrong recorded candidate fails both replays."""
    from app_checks import prove_app_shells

    bundle = mlm_bundles("bert")[0]
    vectors = load_test_vectors(bundle)["vectors"]
    assert any(len(v["positions"]) > 1 for v in vectors) and any(any(ord(c) > 0xFFFF for c in v["text"]) for v in vectors)

    def wrong_candidate(files):
        files["test_vectors.json"]["vectors"][1]["expected_decoded"][0]["candidates"][0]["token_str"] += "x"
        return "candidates of"

    prove_app_shells(bundle, tmp_path, wrong_candidate)


def test_app_shells_are_refused_for_a_decoder_the_kits_lack(mlm_bundles, tmp_path):
    from builder.apps.android import generate_android_app
    from builder.apps.ios import generate_ios_app

    bundle = shutil.copytree(mlm_bundles("bert")[0], tmp_path / "bundle")
    _edit_json(bundle / "tokenizer/tokenizer.json", lambda t: {**t, "decoder": {"type": "CTC", "pad_token": "<pad>",
                                                                                 "word_delimiter_token": "|", "cleanup": True}})
    for generate, who in ((generate_android_app, "Android"), (generate_ios_app, "iOS")):
        with pytest.raises(EdgepackError, match=f"the {who} tokenizer does not implement this tokenizer.json: decoder 'CTC'"):
            generate(bundle, tmp_path / who)
        assert not (tmp_path / who).exists()


def test_8da4w_quantizes_a_decoder_tied_to_the_embeddings_as_its_own_copy(mlm_checkpoints):
    """BERT's MLM decoder shares its weight with the word embeddings; torchao's int4 linear tensor cannot serve
    aten.embedding, so the decoder gets its own copy of the table and both are quantized (two int4 copies are far
    smaller than one fp32 table), and the records say so."""
    from builder.backends.base import LoweringJob
    from builder.backends.executorch import EXECUTORCH_RECIPES, ExecuTorchBackend
    from builder.backends.executorch.weights import UNTIED
    from builder.export import export_model

    checkpoint = load_checkpoint(mlm_checkpoints("bert"))
    checkpoint.tokenizer.configure(32)
    sample = tuple(torch.tensor([x]) for x in checkpoint.tokenizer.encode("where is my [MASK]"))
    task = checkpoint.bind_task(TaskOptions(max_seq_len=32))
    exported = export_model(task.wrap(checkpoint.load_model()), task.inputs(), 1, 32, [sample])
    (eager,) = exported.program.module()(*sample)
    settings = ExecuTorchBackend().resolve_settings({}, {})
    quantized = EXECUTORCH_RECIPES.get("8da4w").apply(exported, LoweringJob(exported, [sample], facts=None, settings=settings))
    program = quantized.program
    assert not [r for r in quantized.layers if r.left_out]
    (copy,) = [r for r in quantized.layers if r.weight.endswith(UNTIED)]
    assert copy.op == "linear" and copy.precision in ("int4", "int8") and "tied to the embedding table" in copy.note
    (table,) = [r for r in quantized.layers if r.op == "embedding" and copy.note.endswith("copy") and r.weight in copy.note]
    assert table.precision in ("int4", "int8")
    kinds = {name: type(value).__name__ for name, value in program.state_dict.items() if name.endswith(("weight", UNTIED))}
    assert kinds[copy.weight] != "Parameter" and kinds[table.weight] != "Parameter"
    (logits,) = program.module()(*sample)
    assert logits.shape == (1, sample[0].shape[1], checkpoint.task_settings.vocab_size)
    assert torch.nn.functional.cosine_similarity(logits.flatten(), eager.flatten(), dim=0) > 0.97


def test_run_lists_the_pipelines_candidates_for_each_mask(mlm_bundles, mlm_checkpoints):
    """`edgepack run` on a text with two masks: per mask, the 5 candidates with their probabilities and the
    completed sentence, as transformers' fill-mask pipeline gives them, from every variant."""
    from bundles import run_views

    bundle, _ = mlm_bundles("bert")
    checkpoint = mlm_checkpoints("bert")
    text = NEW_TEXTS[1]
    tokenizer = transformers.AutoTokenizer.from_pretrained(checkpoint)
    model = transformers.AutoModelForMaskedLM.from_pretrained(checkpoint).eval()
    expected = transformers.pipeline("fill-mask", model=model, tokenizer=tokenizer)(text)
    ids = tokenizer(text)["input_ids"]
    positions = [i for i, t in enumerate(ids) if t == tokenizer.mask_token_id]
    listed = []
    for number, (position, candidates) in enumerate(zip(positions, expected), start=1):
        listed.append(f"[MASK] {number} (token {position}):")
        listed += [f"  {c['score']:.3f}  {c['token_str']!r}  {c['sequence']}" for c in candidates]

    run = CliRunner().invoke(cli, ["run", str(bundle), text, "--checkpoint", str(checkpoint)])
    assert run.exit_code == 0, run.output
    views = run_views(run.output)
    assert list(views) == ["eager PyTorch", "android-xnnpack/fp32", "ios-coreml/fp32", "ios-coreml/fp16", "ios-coreml/int8-weights"]
    assert views["eager PyTorch"] == listed and views["android-xnnpack/fp32"] == listed + ["same answer as the eager model"]
    for name in ("ios-coreml/fp32", "ios-coreml/fp16"):
        assert views[name][-1] == "same answer as the eager model", name
    unmasked = CliRunner().invoke(cli, ["run", str(bundle), "a text without a mask"])
    assert unmasked.exit_code == 2 and "the text has no [MASK]; write [MASK] where the word to predict goes" in unmasked.output
