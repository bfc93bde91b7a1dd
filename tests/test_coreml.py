"""Core ML end to end on Linux: convert, compress, save, load the .mlpackage back, run it
with the MIL reference executor and compare with PyTorch; and the failures it must catch."""

import json

import numpy as np
import pytest
import torch
import transformers

from builder.backends.coreml import conversion
from builder.backends.coreml import MilReferenceRunner
from builder.build import BuildOptions, build, plan
from builder.errors import EdgepackError
from builder.progress import Stages
from builder.verification import mil as mil_executor
from builder.verify import verify_bundle
from bundles import assert_complete_bundle
from checkpoints import fit_centroid_head


def build_ios(checkpoint, out, recipes=("fp16", "int8-weights"), **options):
    with Stages(enabled=False) as stages:
        return build(BuildOptions(checkpoint=checkpoint, output_dir=out, targets=("ios",), recipes=recipes, **options), stages)


@pytest.fixture(scope="module")
def ios_bundles(tiny_checkpoints, tmp_path_factory):
    out = tmp_path_factory.mktemp("ios")
    built = {}

    def get(arch):
        if arch not in built:
            built[arch] = build_ios(tiny_checkpoints[arch], out)
        return built[arch]

    return get


@pytest.mark.parametrize("arch", ["bert", "distilbert", "mobilebert"])
def test_fp16_and_int8_weights_pass_parity_on_linux(ios_bundles, arch):
    result = ios_bundles(arch)
    assert result.status == "verified", [v.failures for v in result.variants]
    manifest = assert_complete_bundle(result.bundle)
    fp16, int8 = result.variants
    for variant in result.variants:
        assert len(variant.runs) == 1 and variant.runs[0].how_run.startswith("MIL reference executor")
        assert variant.file.endswith(".mlpackage") and (result.bundle / variant.file / "Manifest.json").is_file()
    # fp16 is close but not bit-identical: the executor really rounds to fp16.
    assert 1e-5 < fp16.parity.outputs[0].max_abs_error < 0.05
    assert fp16.parity.outputs[0].min_cosine > 0.999 and fp16.parity.task_metrics[0].value == 1.0
    assert int8.parity.outputs[0].min_cosine > 0.99
    # MobileBERT's bottleneck layers hold many tensors below coremltools' 2,048-element
    # compression threshold, so less of it shrinks.
    assert int8.size_bytes < (0.85 if arch == "mobilebert" else 0.7) * fp16.size_bytes
    assert "constexpr_affine_dequantize" in int8.details["mil_ops"]
    assert "constexpr_affine_dequantize" not in fp16.details["mil_ops"]
    # Every linear and embedding weight, read back from the packages: fp16 as converted; int8 per output channel (per
    # row for a table), except the ones below coremltools' compression threshold, each named with that reason.
    q16, q8 = fp16.details["quantization"], int8.details["quantization"]
    assert {r["precision"] for r in q16["layers"]} == {"fp16"} and not q16["left_out"]
    assert sum(q16["counts"].values()) == sum(q8["counts"].values()) and q8["counts"]["linear int8"] >= 4
    for layer in q8["layers"]:
        if layer["precision"] == "int8":
            assert layer["scheme"] == ("per row" if layer["op"] == "embedding" else "per output channel")
        else:
            assert layer["precision"] == "fp16" and "not above coremltools' weight_threshold" in layer["left_out"], layer
    assert len(q8["left_out"]) == sum(r["precision"] == "fp16" for r in q8["layers"])
    for variant, weights in ((fp16, q16), (int8, q8)):
        assert weights["predicted_weight_bytes"] < variant.size_bytes < weights["predicted_weight_bytes"] + 100_000
    assert q8["predicted_weight_bytes"] < (0.85 if arch == "mobilebert" else 0.6) * q16["predicted_weight_bytes"]
    entry = manifest["variants"][0]
    assert entry["details"]["deployment_target"] == "iOS17" and entry["details"]["compute_precision"] == "fp16"
    # iOS 17 cannot enumerate shapes on several inputs: a range, and the bundle says why.
    assert entry["details"]["sequence_shapes"] == {"kind": "range", "min": manifest["sequence_length"]["min"], "max": 128}
    assert "enumerated shapes on several inputs need iOS 18" in entry["details"]["notes"][0]
    assert entry["details"]["outputs"] == ["label", "probabilities", "logits"]


def test_package_carries_metadata_and_class_labels(ios_bundles):
    import coremltools as ct

    result = ios_bundles("bert")
    model = ct.models.MLModel(str(result.bundle / result.variants[0].file), skip_model_load=True)
    spec = model.get_spec()
    labels = json.loads(model.user_defined_metadata["edgepack.labels"])
    assert spec.description.predictedFeatureName == "label" and spec.description.predictedProbabilitiesName == "probabilities"
    assert labels == ["order_status", "cancel", "refund", "address"]
    assert "sequence-classification" in model.user_defined_metadata["edgepack.task"]
    assert "one label per text" in model.short_description and model.version.startswith("checkpoint sha256 ")
    assert model.input_description["input_ids"].endswith("(int32)")
    assert json.loads(model.user_defined_metadata["edgepack.tokenizer"])["model"] == "WordPiece"


@pytest.mark.parametrize("arch", ["distilbert", "mobilebert"])
def test_package_matches_transformers_on_text_it_never_saw(ios_bundles, tiny_checkpoints, arch):
    """Independent of the stored vectors: tokenize with transformers, run the saved package
    with the executor directly, compare with the transformers model."""
    result = ios_bundles(arch)
    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny_checkpoints[arch])
    model = transformers.AutoModelForSequenceClassification.from_pretrained(tiny_checkpoints[arch]).eval()
    encoded = tokenizer("please cancel the refund for my address", return_tensors="pt")
    with torch.no_grad():
        expected = model(**encoded).logits.numpy()
    for variant in result.variants:
        runner = MilReferenceRunner(result.bundle / variant.file)
        logits, probabilities = runner.run([encoded["input_ids"].numpy(), encoded["attention_mask"].numpy()])
        assert np.abs(logits - expected).max() < (0.02 if variant.recipe == "fp16" else 0.1)
        np.testing.assert_allclose(probabilities.sum(), 1.0, atol=1e-3)


def test_ios18_enumerated_shapes_fused_attention_and_int4(tiny_checkpoints, tmp_path):
    result = build_ios(tiny_checkpoints["bert"], tmp_path, recipes=("fp16", "int4-weights"),
                       backend_settings={"deployment_target": "iOS18"},
                       threshold_overrides={"int4-weights": {"min_cosine": 0.8, "max_abs_error": 2.0, "min_top1_agreement": 0.5}})
    fp16, int4 = result.variants
    assert fp16.parity.verdict == "pass" and fp16.parity.outputs[0].min_cosine > 0.999
    assert fp16.details["sequence_shapes"]["kind"] == "enumerated" and fp16.details["sequence_shapes"]["lengths"] == [16, 32, 64, 128]
    assert fp16.details["mil_ops"]["scaled_dot_product_attention"] == 2
    assert "constexpr_blockwise_shift_scale" in int4.details["mil_ops"]
    int4_linears = [r for r in int4.details["quantization"]["layers"] if r["op"] == "linear" and r["precision"] == "int4"]
    assert int4_linears and all(r["scheme"] == "per block of 32" for r in int4_linears)
    assert int4.size_bytes < 0.5 * fp16.size_bytes
    assert int4.parity.outputs[0].min_cosine > 0.8  # recorded whether or not it passes the loosened gate
    # The package refuses a length it was not built for, as Core ML does; the runner pads.
    runner = MilReferenceRunner(result.bundle / fp16.file)
    assert runner.accepted_length(5) == 16 and runner.accepted_length(129) is None
    with pytest.raises(ValueError, match="16"):
        runner.executor.run({"input_ids": np.ones((1, 5), np.int32), "attention_mask": np.ones((1, 5), np.int32)})


def _export_again(job, edit):
    """Re-export the fused model after `edit(module)`: a wrong conversion, made on purpose."""
    module = job.exported.program.module()
    edit(module)
    return torch.export.export(module, job.exported.example_inputs, dynamic_shapes=job.exported.dynamic_shapes,
                               strict=False).run_decompositions({})


def _transpose_a_square_weight(module):
    for name, param in module.named_parameters():
        if param.ndim == 2 and param.shape[0] == param.shape[1] and "attention" in name:
            param.data = param.data.t().contiguous()
            return


class _DropMask(torch.nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, input_ids, attention_mask):
        return self.inner(input_ids, torch.ones_like(attention_mask))


@pytest.mark.parametrize("fault", ["transposed-weight", "dropped-mask"])
def test_a_wrong_conversion_fails_the_gate(tiny_checkpoints, tmp_path, monkeypatch, fault):
    if fault == "transposed-weight":
        monkeypatch.setattr(conversion, "aten_program", lambda job: _export_again(job, _transpose_a_square_weight))
    else:
        def dropped(job):
            wrapped = _DropMask(job.exported.program.module())
            return torch.export.export(wrapped, job.exported.example_inputs, dynamic_shapes=job.exported.dynamic_shapes,
                                       strict=False).run_decompositions({})
        monkeypatch.setattr(conversion, "aten_program", dropped)
    result = build_ios(tiny_checkpoints["bert"], tmp_path, recipes=("fp32",))
    assert result.status == "failed" and result.bundle.name.endswith(".failed")
    assert result.variants[0].failures
    assert not (tmp_path / "tiny-bert").exists()


def _fp16_hostile_checkpoint(source, directory):
    """A classifier that is fine in fp32 but overflows fp16: layer 0's feed-forward block
    computes 1e6 x its activations and scales them back down afterwards (BERT-style
    activation outliers, made extreme)."""
    model = transformers.AutoModelForSequenceClassification.from_pretrained(source)
    tokenizer = transformers.AutoTokenizer.from_pretrained(source)
    layer = model.bert.encoder.layer[0]
    with torch.no_grad():
        layer.intermediate.dense.weight *= 1e6
        layer.intermediate.dense.bias *= 1e6
        layer.output.dense.weight /= 1e6
    fit_centroid_head(model, tokenizer)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def test_fp16_overflow_is_found_and_those_ops_kept_in_fp32(tiny_checkpoints, tmp_path, monkeypatch):
    checkpoint = _fp16_hostile_checkpoint(tiny_checkpoints["bert"], tmp_path / "hostile")
    result = build_ios(checkpoint, tmp_path / "out", recipes=("fp16",))
    assert result.status == "verified", result.variants[0].failures
    kept = result.variants[0].details["ops_kept_in_fp32"]
    assert kept and all(k["in_fp32"] for k in kept)
    assert {k["type"] for k in kept} == {"linear", "gelu"}
    # The op after an overflowing one reads values fp16 cannot hold (its fp16 input would be inf).
    assert any("beyond fp16's 65504" in k["reason"] for k in kept)
    assert len(kept) < 10  # exactly the offending ops, not the whole network
    # Without the check the same model ships broken: the gate must catch that too.
    monkeypatch.setattr(conversion, "find_fp16_unsafe_ops", lambda runner, samples: {})
    unchecked = build_ios(checkpoint, tmp_path / "unchecked", recipes=("fp16",))
    assert unchecked.status == "failed" and unchecked.variants[0].failures


def test_an_op_reading_values_beyond_fp16_is_kept_in_fp32_even_when_its_fp16_result_is_finite(tmp_path):
    """RMSNorm on a token with massive activations (SmolLM2's first token: 2.5e4 in two channels): the mean of squares
    overflows fp16 and is kept in fp32, but rsqrt of its fp16 cast (inf) is 0, a finite result only 0.4% of its
    output's range away, which zeroed the token. An op whose inputs exceed fp16's range is unsafe; a mask's stand-in
    for -inf is not such a value (the softmax after it stays fp16)."""
    import coremltools as ct
    from coremltools.converters.mil import Builder as mb

    from builder.backends.coreml.fp16_safety import find_fp16_unsafe_ops

    @mb.program(input_specs=[mb.TensorSpec(shape=(2, 4)), mb.TensorSpec(shape=(2, 4))], opset_version=ct.target.iOS17)
    def rms_norm_then_masked_softmax(x, mask):
        mean = mb.reduce_mean(x=mb.mul(x=x, y=x, name="squares"), axes=[-1], keep_dims=True, name="mean")
        normed = mb.mul(x=x, y=mb.rsqrt(x=mean, epsilon=1e-6, name="scale"), name="normed")
        return mb.softmax(x=mb.add(x=normed, y=mask, name="masked"), axis=-1, name="probabilities")

    path = tmp_path / "norm.mlpackage"
    ct.convert(rms_norm_then_masked_softmax, convert_to="mlprogram", compute_precision=ct.precision.FLOAT32,
               minimum_deployment_target=ct.target.iOS17).save(str(path))
    executor = mil_executor.MilExecutor.load(path)

    class Runner:
        def run_observed(self, sample, on_op):
            executor.run(dict(zip(["x", "mask"], sample)), on_op=on_op)

    x = np.array([[1000.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]], np.float32)
    mask = np.array([[0, 0, 0, -3.4e38], [0, 0, -3.4e38, -3.4e38]], np.float32)
    unsafe = find_fp16_unsafe_ops(Runner(), [(x, mask)])
    assert "overflows fp16" in unsafe["squares"]["reason"]
    assert "beyond fp16's 65504" in unsafe["scale"]["reason"] and "beyond fp16's 65504" in unsafe["mean"]["reason"]
    assert "normed" not in unsafe and "probabilities" not in unsafe
    # Ordinary values: nothing to keep.
    assert find_fp16_unsafe_ops(Runner(), [(x / 1000, np.zeros_like(mask))]) == {}


def test_an_op_the_executor_lacks_is_never_a_pass(tiny_checkpoints, tmp_path, monkeypatch):
    monkeypatch.delitem(mil_executor.OPS, "gelu")
    failed = build_ios(tiny_checkpoints["bert"], tmp_path / "strict", recipes=("fp32",))
    assert failed.status == "failed"
    assert failed.variants[0].failures == ["cannot verify on Linux: op gelu is not implemented by the MIL reference executor"]
    shipped = build_ios(tiny_checkpoints["bert"], tmp_path / "shipped", recipes=("fp32",), allow_unverified=True)
    assert shipped.status == "unverified" and shipped.variants[0].parity.verdict == "unverified"
    manifest = json.loads((shipped.bundle / "manifest.json").read_text())
    assert manifest["status"] == "unverified" and manifest["variants"][0]["parity"]["not_run"].startswith("cannot verify")
    assert not verify_bundle(shipped.bundle).ok


@pytest.mark.parametrize(
    "options, message",
    [
        ({"recipes": ("w8a8",)}, "cannot be built on Linux"),
        ({"recipes": ("int4-weights",)}, "add --deployment-target iOS18"),
        ({"backend_settings": {"shapes": "enumerated"}}, "needs --deployment-target iOS18"),
        ({"backend_settings": {"deployment_target": "iOS16"}}, "deployment target 'iOS16' is not supported"),
    ],
)
def test_refused_up_front(tiny_checkpoints, tmp_path, options, message):
    with pytest.raises(EdgepackError, match=message):
        plan(BuildOptions(checkpoint=tiny_checkpoints["bert"], output_dir=tmp_path, targets=("ios",), **options))


def test_an_artifact_that_crashes_its_runtime_fails_the_gate(tiny_checkpoints, tmp_path, monkeypatch):
    def crash(self, feeds):
        raise RuntimeError("simulated runtime crash")

    monkeypatch.setattr(MilReferenceRunner, "predict", crash)
    result = build_ios(tiny_checkpoints["bert"], tmp_path, recipes=("fp32",), allow_unverified=True)
    assert result.status == "failed"
    assert result.variants[0].failures == ["failed to run (MIL reference executor on Linux, Core ML not run): "
                                           "RuntimeError: simulated runtime crash"]
