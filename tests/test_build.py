"""End to end through the library API: export, lower, run the .pte, compare, package."""

import json

import numpy as np
import pytest
import torch
import transformers

from builder.build import BuildOptions, build
from builder.progress import Stages
from builder.verify import verify_bundle
from bundles import assert_complete_bundle, load_test_vectors, run_pte, smallest_top2_gap


def build_quietly(**options):
    with Stages(enabled=False) as stages:
        return build(BuildOptions(**options), stages)


@pytest.fixture(scope="module")
def bundles(tiny_checkpoints, tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    built = {}

    def get(arch):
        if arch not in built:
            built[arch] = build_quietly(checkpoint=tiny_checkpoints[arch], output_dir=out, recipes=("fp32", "int8-dynamic"))
        return built[arch]

    return get


@pytest.mark.parametrize("arch", ["distilbert", "mobilebert"])
def test_fp32_and_int8_dynamic_pass_parity(bundles, arch):
    result = bundles(arch)
    assert result.status == "verified", [v.parity.failures for v in result.variants]
    manifest = assert_complete_bundle(result.bundle)
    fp32, int8 = (v.parity for v in result.variants)
    assert fp32.outputs[0].max_abs_error < 1e-4 and fp32.outputs[0].min_cosine > 0.99999
    assert fp32.task_metrics[0].value == 1.0
    assert 0.99 < int8.outputs[0].min_cosine < 1.0  # quantized: close, and not bit-identical
    # A label flips only where two logits' errors differ by more than the gap: more than 2x the largest error cannot.
    assert smallest_top2_gap(load_test_vectors(result.bundle)["vectors"]) > 2 * int8.outputs[0].max_abs_error
    assert result.variants[1].size_bytes < 0.75 * result.variants[0].size_bytes
    for variant in result.variants:
        # Every linear, matmul and softmax runs in XNNPACK.
        assert variant.details["delegation"]["compute_total"] > 0
        assert variant.details["delegation"]["compute_delegated"] == variant.details["delegation"]["compute_total"]
        # Reshapes around attention no longer leave the delegate (they split every layer before they were legalized).
        assert "aten_view_copy_default" not in {op["op"] for op in variant.details["delegation"]["cpu_ops"]}
        assert variant.details["delegation"]["rewrites"]["reshape with one symbolic size -> inferred -1"] > 0
    # In the float program LayerNorm is rewritten too: the encoder is one XNNPACK subgraph, and taking the first
    # token's row for the head makes a second.
    fp32_delegation = result.variants[0].details["delegation"]
    # (MobileBERT's NoNorm has no mean to rewrite; DistilBERT's LayerNorms do.)
    assert fp32_delegation["subgraphs"] <= 2, fp32_delegation
    assert (fp32_delegation["rewrites"]["last-axis mean/sum -> linear"] > 0) == (arch == "distilbert"), fp32_delegation
    assert manifest["inputs"][0]["dynamic_dims"]["seq"]["max"] == 128
    # An android-only build: fuse-qkv is Core ML's pass, and XNNPACK lowers from the unfused program.
    assert {p["name"]: (p["kept"], p["backends"]) for p in manifest["fusion"]["passes"]} == {
        "remove-dropout": (True, "all"), "convert-attention-to-sdpa": (True, "all")}
    assert manifest["fusion"]["op_counts_after"]["scaled_dot_product_attention.default"] == 2


def test_every_weight_is_accounted_for(bundles):
    """The manifest says what each recipe made of every linear and embedding weight, and the file
    shrinks by what those records predict."""
    fp32, int8 = (v.details["quantization"] for v in bundles("distilbert").variants)
    linears = 2 * 6 + 2  # per layer: q, k, v, the attention output and the two feed-forward linears; pre-classifier, classifier
    assert fp32["counts"] == {"embedding fp32": 2, "linear fp32": linears} and not fp32["left_out"]
    assert int8["counts"] == {"embedding int8": 2, "linear int8": linears} and not int8["left_out"]
    assert all(layer["scheme"] for layer in int8["layers"])
    assert all(w["predicted_weight_bytes"] <= w["pte_bytes"] for w in (fp32, int8))
    assert int8["predicted_weight_bytes"] < 0.3 * int8["fp32_weight_bytes"]
    # Predicted against actual: the file shrinks by (nearly) what the weight records say it should.
    predicted_saving = fp32["predicted_weight_bytes"] - int8["predicted_weight_bytes"]
    assert 0.9 * predicted_saving <= fp32["pte_bytes"] - int8["pte_bytes"] <= 1.1 * predicted_saving


@pytest.mark.parametrize("arch", ["distilbert", "mobilebert"])
def test_pte_matches_transformers_on_text_it_never_saw(bundles, tiny_checkpoints, arch):
    """Independent of the stored vectors: tokenize a new text with transformers, run the .pte
    with the ExecuTorch runtime directly, and compare with the transformers model."""
    result = bundles(arch)
    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny_checkpoints[arch])
    model = transformers.AutoModelForSequenceClassification.from_pretrained(tiny_checkpoints[arch]).eval()
    encoded = tokenizer("my parcel never arrived, please refund the order", truncation=True, max_length=128)
    with torch.no_grad():
        expected = model(torch.tensor([encoded["input_ids"]]), attention_mask=torch.tensor([encoded["attention_mask"]])).logits.numpy()
    logits, probabilities = run_pte(result.bundle / "executorch/model-fp32.pte", encoded["input_ids"], encoded["attention_mask"])
    np.testing.assert_allclose(logits, expected, atol=1e-4)
    np.testing.assert_allclose(probabilities, torch.softmax(torch.from_numpy(expected), -1).numpy(), atol=1e-5)


def test_test_vectors_cover_edge_cases_and_lengths(bundles, tiny_checkpoints):
    result = bundles("distilbert")
    vectors = load_test_vectors(result.bundle)["vectors"]
    lengths = {len(v["input_ids"]) for v in vectors}
    assert min(lengths) == 2 and max(lengths) == 128  # empty text, and truncation / padding to max
    assert any(v["padded_to"] == 32 and 0 in v["attention_mask"] for v in vectors)
    texts = {v["text"] for v in vectors}
    assert "" in texts and any("订单" in t for t in texts) and any("👍" in t for t in texts)
    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny_checkpoints["distilbert"])
    for vector in vectors:
        if vector["padded_to"] is None:
            assert vector["input_ids"] == tokenizer(vector["text"], truncation=True, max_length=128)["input_ids"]
    assert set(vectors[0]["expected"]) == {"logits", "probabilities"}


def test_mobilebert_pads_short_inputs_to_its_minimum_length(bundles):
    result = bundles("mobilebert")
    manifest = json.loads((result.bundle / "manifest.json").read_text())
    assert manifest["sequence_length"]["min"] == 3
    empty = next(v for v in load_test_vectors(result.bundle)["vectors"] if v["text"] == "")
    assert empty["attention_mask"] == [1, 1, 0] and empty["padded_to"] == 3


def test_verify_reruns_every_artifact(bundles):
    outcome = verify_bundle(bundles("distilbert").bundle)
    assert outcome.ok and not outcome.checksum_problems and not outcome.not_run
    assert [r.variant for r in outcome.results] == ["android-xnnpack/fp32", "android-xnnpack/int8-dynamic"]


def test_report_renders_every_variant(bundles):
    html = (bundles("distilbert").bundle / "parity/report.html").read_text()
    assert html.count("<svg") == 2 and "android-xnnpack/int8-dynamic" in html and "convert-attention-to-sdpa" in html


@pytest.mark.slow
def test_int8_static_and_8da4w_on_the_trained_demo_model(tmp_path):
    """4-bit weights only make sense on trained weights: random ones have no structure to keep."""
    from builder.demo import CHECKPOINT_DIR

    result = build_quietly(checkpoint=CHECKPOINT_DIR, output_dir=tmp_path, recipes=("int8-static", "8da4w"))
    assert result.status == "verified", [v.parity.failures for v in result.variants]
    weights_bytes = (CHECKPOINT_DIR / "model.safetensors").stat().st_size
    for variant in result.variants:
        assert variant.size_bytes < weights_bytes
        assert variant.parity.outputs[0].min_cosine < 1.0
        assert variant.details["delegation"]["compute_delegated"] == variant.details["delegation"]["compute_total"]
    assert_complete_bundle(result.bundle)
