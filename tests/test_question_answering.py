"""Extractive question answering end to end: (question, context) pairs with segment ids through
export, the .pte and the .mlpackage; the best span compared with the eager model's, and the
manifest's span decoding proved equal to transformers' own."""

import json

import numpy as np
import pytest
import torch
import transformers
from click.testing import CliRunner
from transformers.pipelines.document_question_answering import select_starts_ends

from builder.backends.coreml import MilReferenceRunner
from builder.apps.tokenizer_support import unsupported
from builder.cli import cli
from builder.errors import EdgepackError
from builder.tasks.question_answering import MAX_ANSWER_TOKENS, best_span
from builder.verify import verify_bundle
from bundles import assert_complete_bundle, load_test_vectors, run_pte
from checkpoints import make_qa_checkpoint, qa_examples

# Questions about contexts the build never saw, answerable by the fitted answer words.
NEW_PAIRS = [
    ("what about the loc?", "my new home is next to the street where the parcel was left"),
    ("what about the per?", "Café crème: the agent refused the refund for my card 👍"),
    ("what about the loc?", "please ship the jacket to my address, not to the old order address"),
]


@pytest.fixture(scope="module")
def qa_checkpoints(tmp_path_factory):
    root = tmp_path_factory.mktemp("qa")
    return {arch: make_qa_checkpoint(root / f"qa-{arch}", arch) for arch in ("bert", "distilbert")}


@pytest.fixture(scope="module")
def qa_bundle(qa_checkpoints, tmp_path_factory):
    """BERT (segment ids) on both targets with every default recipe. The tiny model's wide random
    init (0.2) puts int8-dynamic's logit error at ~0.63 (above the classifier-calibrated 0.5) while
    the best span stays the same; the span gate is what this test is about."""
    out = tmp_path_factory.mktemp("qa-dist")
    result = CliRunner().invoke(cli, ["build", str(qa_checkpoints["bert"]), "-o", str(out), "--target", "all",
                                      "--threshold", "int8-dynamic:max_abs_error=1.0"])
    assert result.exit_code == 0, result.output
    return out / "qa-bert"


def test_qa_bundle_on_both_targets(qa_bundle):
    manifest = assert_complete_bundle(qa_bundle)
    assert manifest["status"] == "verified" and manifest["task"]["name"] == "question-answering"
    assert manifest["task"]["input"] == "text-pair"
    assert [i["name"] for i in manifest["inputs"]] == ["input_ids", "attention_mask", "token_type_ids"]
    assert [o["name"] for o in manifest["outputs"]] == ["start_logits", "end_logits"]
    post = manifest["task"]["postprocessing"]
    assert post["kind"] == "extractive-question-answering" and post["max_answer_tokens"] == MAX_ANSWER_TOKENS
    assert "only the context is cut" in post["truncation"]
    assert [v["name"] for v in manifest["variants"]] == ["android-xnnpack/fp32", "android-xnnpack/int8-dynamic",
                                                         "ios-coreml/fp16", "ios-coreml/int8-weights"]
    for variant in manifest["variants"]:
        figures = variant["parity"]["figures"]
        assert variant["parity"]["verdict"] == "pass" and "answer_span_agreement" in figures
        assert "min_answer_span_agreement" in variant["parity"]["thresholds"]
    fp32 = manifest["variants"][0]["parity"]["figures"]
    assert fp32["answer_span_agreement"] == 1.0 and fp32["max_abs_error"] < 1e-4

    vectors = load_test_vectors(qa_bundle)
    assert vectors["inputs"] == ["input_ids", "attention_mask", "token_type_ids"]
    answered = 0
    for vector in vectors["vectors"]:
        assert len(vector["token_type_ids"]) == len(vector["sequence_ids"]) == len(vector["offsets"]) == len(vector["input_ids"])
        # Segment ids follow the pair: 0 over the question, 1 over the context, 0 on padding.
        for type_id, sequence_id, mask in zip(vector["token_type_ids"], vector["sequence_ids"], vector["attention_mask"]):
            if sequence_id is not None or not mask:
                assert type_id == (sequence_id or 0)
        answer = vector["expected_decoded"]
        if answer:
            answered += 1
            assert vector["text_pair"][answer["start"]:answer["end"]] == answer["text"] == vector["expected_answer"]
    assert answered >= 8
    # The long built-in context was cut, its question kept whole.
    longest = max(vectors["vectors"], key=lambda v: len(v["text_pair"]))
    assert sum(longest["attention_mask"]) == 128 and longest["sequence_ids"].count(0) == len(
        transformers.AutoTokenizer.from_pretrained(qa_bundle / "tokenizer")(longest["text"])["input_ids"]) - 2
    assert verify_bundle(qa_bundle).ok


def test_artifacts_give_the_eager_models_answer_on_new_pairs(qa_bundle, qa_checkpoints):
    """Encode new pairs with transformers, run the .pte and the .mlpackage directly, decode with the
    manifest's rule, and compare with the eager model decoded by transformers' own span selection."""
    tokenizer = transformers.AutoTokenizer.from_pretrained(qa_checkpoints["bert"])
    model = transformers.AutoModelForQuestionAnswering.from_pretrained(qa_checkpoints["bert"]).eval()
    runner = MilReferenceRunner(qa_bundle / "coreml/model-fp16.mlpackage")
    for question, context in NEW_PAIRS:
        encoding = tokenizer(question, context, return_offsets_mapping=True)
        ids, mask, types = encoding["input_ids"], encoding["attention_mask"], encoding["token_type_ids"]
        with torch.no_grad():
            eager = model(**{k: torch.tensor([v]) for k, v in encoding.items() if k != "offset_mapping"})
        start, end = eager.start_logits.numpy(), eager.end_logits.numpy()
        expected = _transformers_span(tokenizer, encoding, start, end)
        pte_start, pte_end = run_pte(qa_bundle / "executorch/model-fp32.pte", ids, mask, types)
        np.testing.assert_allclose(pte_start, start, atol=1e-4)
        coreml_start, coreml_end = runner.run([np.array([ids]), np.array([mask]), np.array([types])])
        for outputs in ((pte_start, pte_end), (coreml_start, coreml_end)):
            answer = best_span(outputs[0], outputs[1], mask, encoding.sequence_ids(), encoding["offset_mapping"], context)
            assert (answer.token_start, answer.token_end) == expected, (question, context)
        # Without segment ids the model reads something else: the input is not decorative.
        no_types = run_pte(qa_bundle / "executorch/model-fp32.pte", ids, mask, [0] * len(ids))[0]
        assert np.abs(no_types - start).max() > 1e-2


def _transformers_span(tokenizer, encoding, start, end) -> tuple[int, int]:
    """The span transformers' extractive QA decoding picks, with its p_mask (question and special
    tokens masked, [CLS] kept) built as its question-answering pipeline built it."""
    p_mask = np.array([[0 if s == 1 else 1 for s in encoding.sequence_ids()]])
    p_mask[0, np.array(encoding["input_ids"]) == tokenizer.cls_token_id] = 0
    starts, ends, _, _ = select_starts_ends(start, end, p_mask, np.array([encoding["attention_mask"]]),
                                            max_answer_len=MAX_ANSWER_TOKENS)
    return int(starts[0]), int(ends[0])


def test_span_decoding_matches_transformers_on_random_scores(qa_checkpoints):
    """The manifest's rule against transformers' select_starts_ends on 300 random score vectors
    over real pair encodings (padded ones included)."""
    tokenizer = transformers.AutoTokenizer.from_pretrained(qa_checkpoints["bert"])
    rng = np.random.default_rng(0)
    for trial in range(300):
        question, context, _ = qa_examples()[trial % len(qa_examples())]
        encoding = tokenizer(question, context, return_offsets_mapping=True, padding="max_length", max_length=48)
        length = len(encoding["input_ids"])
        start, end = (rng.normal(scale=rng.choice([0.5, 3.0, 10.0]), size=(1, length)) for _ in range(2))
        answer = best_span(start, end, encoding["attention_mask"], encoding.sequence_ids(), encoding["offset_mapping"], context)
        assert (answer.token_start, answer.token_end) == _transformers_span(tokenizer, encoding, start, end)
        assert 0 <= answer.token_end - answer.token_start < MAX_ANSWER_TOKENS
        assert answer.text == context[answer.start:answer.end]


def test_model_without_segment_ids_takes_two_inputs(qa_checkpoints, tmp_path):
    samples = tmp_path / "questions.jsonl"
    samples.write_text("\n".join(json.dumps({"q": q, "c": c}) for q, c, _ in qa_examples()[:6]))
    result = CliRunner().invoke(cli, ["build", str(qa_checkpoints["distilbert"]), "-o", str(tmp_path / "out"), "--quant", "fp32",
                                      "--samples", str(samples), "--text-column", "q", "--text-pair-column", "c"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out/qa-distilbert/manifest.json").read_text())
    assert [i["name"] for i in manifest["inputs"]] == ["input_ids", "attention_mask"]
    assert "takes no token_type_ids" in manifest["task"]["postprocessing"]["input"]
    vectors = load_test_vectors(tmp_path / "out/qa-distilbert")["vectors"]
    assert all("token_type_ids" not in v and v["sequence_ids"] for v in vectors)
    assert {v["text"] for v in vectors} == {q for q, _, _ in qa_examples()[:6]}
    figures = manifest["variants"][0]["parity"]["figures"]
    assert figures["answer_span_agreement"] == 1.0
    assert all(v["expected_answer"] and v["expected_answer"] in v["text_pair"] for v in vectors)


@pytest.mark.parametrize("args, message", [
    (["--samples", "{tmp}/plain.txt"], "has no tab"),
    (["--samples", "{tmp}/pairs.csv"], "has no column 'context'"),
])
def test_qa_refusals(qa_checkpoints, tmp_path, args, message):
    (tmp_path / "plain.txt").write_text("where is my order\n")
    (tmp_path / "pairs.csv").write_text("question,answer\nwhere?,here\n")
    args = [a.format(tmp=tmp_path) for a in args]
    result = CliRunner().invoke(cli, ["build", str(qa_checkpoints["bert"]), "-o", str(tmp_path / "out"), *args])
    assert result.exit_code == 2 and message in result.output, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0] and not (tmp_path / "out").exists()


# tokenizer_support refuses OnlySecond truncation although both kit tokenizers implement it (Truncation.kt/.swift): until
# the tokenizer side accepts it, no app is generated for a QA bundle. The condition clears itself once it does.
_ONLY_SECOND_REFUSED = any("OnlySecond" in problem for problem in unsupported({
    "normalizer": None, "pre_tokenizer": {"type": "BertPreTokenizer"}, "model": {"type": "WordPiece"}, "post_processor": None,
    "truncation": {"direction": "Right", "max_length": 128, "strategy": "OnlySecond", "stride": 0}}))


@pytest.mark.xfail(_ONLY_SECOND_REFUSED, raises=EdgepackError, strict=True,
                   reason="builder/apps/tokenizer_support.py refuses OnlySecond truncation, which QA bundles use")
def test_app_shells_highlight_the_answer_python_decodes(qa_bundle, tmp_path):
    """Both app shells for the QA bundle: each kit's answer span (context tokens told apart by its own tokenizer's
    word ids) equals the Python reference's for every test vector; a wrong recorded answer fails both replays."""
    from app_checks import prove_app_shells

    def wrong_answer(files):
        vector = next(v for v in files["test_vectors.json"]["vectors"] if v["expected_decoded"])
        vector["expected_decoded"]["text"] += " and more"
        return "answer of"

    prove_app_shells(qa_bundle, tmp_path, wrong_answer)


def test_run_highlights_the_answer_transformers_selects(qa_bundle, qa_checkpoints):
    """`edgepack run QUESTION --pair CONTEXT`: every variant's answer, highlighted in the context, is the span
    transformers' own decoding selects from the eager model's scores."""
    from bundles import run_views

    question, context = NEW_PAIRS[0]
    tokenizer = transformers.AutoTokenizer.from_pretrained(qa_checkpoints["bert"])
    model = transformers.AutoModelForQuestionAnswering.from_pretrained(qa_checkpoints["bert"]).eval()
    encoding = tokenizer(question, context, return_offsets_mapping=True)
    with torch.no_grad():
        eager = model(**{k: torch.tensor([v]) for k, v in encoding.items() if k != "offset_mapping"})
    first, last = _transformers_span(tokenizer, encoding, eager.start_logits.numpy(), eager.end_logits.numpy())
    start, end = encoding["offset_mapping"][first][0], encoding["offset_mapping"][last][1]
    highlighted = f"{context[:start]}[{context[start:end]}]{context[end:]}"

    run = CliRunner().invoke(cli, ["run", str(qa_bundle), question, "--pair", context, "--checkpoint", str(qa_checkpoints["bert"])])
    assert run.exit_code == 0, run.output
    views = run_views(run.output)
    assert len(views) == 5
    for name, lines in views.items():
        assert lines[0].startswith(f"answer: {context[start:end]!r} (score ") and lines[1] == highlighted, name
        assert name == "eager PyTorch" or lines[2] == "same answer as the eager model"
    missing = CliRunner().invoke(cli, ["run", str(qa_bundle), question])
    assert missing.exit_code == 2 and "reads a pair of texts; pass the second one with --pair" in missing.output
