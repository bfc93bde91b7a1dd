"""Text generation: a tiny decoder of every registered decoder family (trained briefly on the corpus, with its
family's trained tokenizer) built through the CLI into a .pte with its key/value cache as program state, run by
the ExecuTorch runtime, and into an iOS 18 Core ML package with the cache as MLState, run by the MIL reference
executor, each compared with transformers' eager model: teacher-forced logits at every position,
perplexity, and free-running greedy generation through the cache; quantized recipes gated on the teacher-forced
figures; the program loaded by ExecuTorch's own LLM runner (the one its Python wheel ships) with the bundle's
tokenizer.json; `edgepack run` and `edgepack verify` on the bundle; and what is refused up front.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil

import numpy as np
import pytest
import torch
import transformers
from click.testing import CliRunner

import compatibility
from bundles import assert_complete_bundle, load_test_vectors
from builder.architectures import ARCHITECTURES
from builder.cli import cli
from builder.errors import EdgepackError
from builder.tasks.text_generation import CHAT_VECTORS, GREEDY_TOKENS, TOP_K
from builder.prompt_format import PromptFormat, decompose
from builder.targets import load_profiles
from checkpoints import CHAT_TEMPLATES, make_causal_lm_checkpoint

DECODERS = [arch for arch, entry in ARCHITECTURES.items() if entry.family == "decoder"]
METRICS = {"next_token_agreement", "next_token_top5_overlap", "perplexity_ratio", "greedy_match"}
# Conversations outside the decomposition's own checks: a system message with a leading space, a long history.
CONVERSATIONS = [
    [("user", "Hello there")],
    [("system", " Be brief."), ("user", "Track parcel 42 please")],
    [("user", "a"), ("assistant", "b"), ("user", "c"), ("assistant", "d"), ("user", "e"), ("assistant", "f"), ("user", "g")],
]




def _eager_greedy(checkpoint, prompt: list[int], count: int) -> list[int]:
    """transformers' own generate(), greedy, with its KV cache: independent of edgepack's loop."""
    model = transformers.AutoModelForCausalLM.from_pretrained(checkpoint, dtype=torch.float32).eval()
    with torch.no_grad():
        # An explicit mask: without one, generate() masks every prompt token equal to the pad id.
        ids = torch.tensor([prompt])
        out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=count, do_sample=False,
                             eos_token_id=None, pad_token_id=0)
    return out[0, len(prompt):].tolist()


@pytest.mark.slow
@pytest.mark.parametrize("arch", DECODERS)
def test_each_decoder_family_builds_and_generates_as_transformers_does(built_decoder, arch):
    checkpoint, result = built_decoder(arch, "--target", "all", "--quant", "fp32")
    assert result.exit_code == 0, result.output
    assert "Bundle verified" in result.output
    manifest = assert_complete_bundle(result.bundle)
    assert manifest["model"]["model_type"] == arch and manifest["task"]["name"] == "text-generation"
    assert [i["name"] for i in manifest["inputs"]] == ["input_ids", "cache_position"]
    variants = {v["backend"]: v for v in manifest["variants"]}
    assert set(variants) == {"executorch", "coreml"}
    for variant in variants.values():
        figures = variant["parity"]["figures"]
        assert variant["parity"]["verdict"] == "pass" and set(figures) == {"max_abs_error", "min_cosine", *METRICS}
        # fp32 through the cache is the eager model: every next token, and every greedy continuation token for token
        # (Core ML's cache is fp16 state, the only kind it has, and still gives the same tokens).
        assert figures["next_token_agreement"] == 1.0 and figures["greedy_match"] == 1.0
        assert abs(figures["perplexity_ratio"] - 1.0) < 1e-4
    # Core ML holds the cache as state (iOS 18), one key and one value tensor per layer, and takes any length 1..max.
    coreml = variants["coreml"]
    layers = transformers.AutoConfig.from_pretrained(checkpoint).num_hidden_layers
    assert coreml["details"]["deployment_target"] == "iOS18" and coreml["details"]["sequence_shapes"]["kind"] == "range"
    assert len(coreml["details"]["states"]) == 2 * layers and all(s["dtype"] == "float16" for s in coreml["details"]["states"])
    assert any("MLState" in note for note in coreml["details"]["notes"])
    variant = variants["executorch"]
    vectors = load_test_vectors(result.bundle)["vectors"]
    vocab = manifest["task"]["postprocessing"]["vocab_size"]
    assert vocab == json.loads((checkpoint / "config.json").read_text())["vocab_size"]
    for vector in vectors:
        length = len(vector["input_ids"])
        assert length == vector["prompt_length"] + min(GREEDY_TOKENS, 128 - vector["prompt_length"])
        assert np.asarray(vector["top_ids"]).shape == (length, TOP_K) and np.asarray(vector["top_ids"]).max() < vocab
        assert np.asarray(vector["expected"]["logits"]).shape == (1, length, TOP_K + 4)
    # The stored continuation is transformers' own greedy generate() (its cache, its loop) for the first prompt.
    first = vectors[0]
    prompt = first["input_ids"][: first["prompt_length"]]
    assert _eager_greedy(checkpoint, prompt, len(first["input_ids"]) - len(prompt)) == first["input_ids"][len(prompt):]
    # The program carries the metadata ExecuTorch's LLM runners read.
    from executorch.runtime import Runtime

    program = Runtime.get().load_program(result.bundle / variant["file"])
    assert {"forward", "get_max_seq_len", "get_vocab_size", "use_kv_cache"} <= set(program.method_names)
    assert program.load_method("get_max_seq_len").execute([])[0] == 128
    # The chat template as fixed strings gives exactly transformers' own apply_chat_template text, and its end-of-turn
    # token ends a reply; a model without a template is plain text generation.
    spec = manifest["task"]["postprocessing"]
    if arch in CHAT_TEMPLATES:
        tokenizer = transformers.AutoTokenizer.from_pretrained(checkpoint)
        prompt_format = PromptFormat(**spec["prompt_format"])
        for messages in CONVERSATIONS:
            expected = tokenizer.apply_chat_template([{"role": r, "content": c} for r, c in messages], tokenize=False,
                                                     add_generation_prompt=True)
            assert prompt_format.render(messages) == expected
        assert tokenizer.convert_tokens_to_ids(CHAT_TEMPLATES[arch][1][-1]) in spec["eos_token_ids"]
        # Some vectors are chat turns, as an app sends them: their prompt is transformers' own templated ids.
        chats = [v for v in vectors if v.get("messages")]
        assert len(chats) == CHAT_VECTORS and all(v["messages"] == [["user", v["text"]]] for v in chats)
        for vector in chats:
            expected = tokenizer.apply_chat_template([{"role": "user", "content": vector["text"]}], add_generation_prompt=True,
                                                     tokenize=True, return_dict=True)["input_ids"]
            assert vector["input_ids"][: vector["prompt_length"]] == list(expected)
    else:
        assert spec["prompt_format"] is None and "plain text" in spec["prompt"]
        assert not any(v.get("messages") for v in vectors)
    # Both app shells embed it (a chat screen) and their kits' tokenizers give every vector's ids; the chat kits
    # themselves are replayed in tests/test_chat_apps*.py.
    apps = compatibility.app_support(result.bundle, manifest)
    assert set(apps.values()) == {"yes"}, apps
    if os.environ.get("EDGEPACK_UPDATE_COMPAT"):  # `make compat`
        compatibility.record(arch, "text-generation", compatibility.entry_from_manifest(manifest, manifest["tokenizer"]["model"], apps))


@pytest.mark.slow
def test_quantized_recipes_are_gated_on_the_teacher_forced_figures(built_decoder):
    # int4-weights is refused without iOS 18 before the task is known (a decoder's Core ML model needs iOS 18 anyway).
    checkpoint, result = built_decoder("llama", "--target", "all", "--deployment-target", "iOS18", "--quant", "int8-dynamic",
                               "--quant", "8da4w", "--quant", "fp16", "--quant", "int8-weights", "--quant", "int4-weights",
                               "--quant", "palettize-4bit")
    assert result.exit_code == 0, result.output
    manifest = assert_complete_bundle(result.bundle)
    variants = {v["recipe"]: v for v in manifest["variants"]}
    sizes = {recipe: v["size_bytes"] for recipe, v in variants.items()}
    fp32 = built_decoder("llama", "--target", "all", "--quant", "fp32")[1].bundle
    assert sizes["8da4w"] < sizes["int8-dynamic"] < (fp32 / "executorch/model-fp32.pte").stat().st_size
    coreml_fp32 = sum(f.stat().st_size for f in (fp32 / "coreml/model-fp32.mlpackage").rglob("*") if f.is_file())
    assert sizes["int4-weights"] < sizes["int8-weights"] < sizes["fp16"] < coreml_fp32
    assert sizes["palettize-4bit"] < sizes["int8-weights"]
    for recipe in ("int8-dynamic", "8da4w", "fp16", "int8-weights", "int4-weights", "palettize-4bit"):
        figures, limits = variants[recipe]["parity"]["figures"], variants[recipe]["parity"]["thresholds"]
        assert figures["next_token_agreement"] >= limits["min_next_token_agreement"] >= 0.8
        assert figures["perplexity_ratio"] >= limits["min_perplexity_ratio"]
        # Reported, not gated: a quantized model may leave the greedy path, and the report says where.
        assert limits["min_greedy_match"] == 0.0 and 0.0 <= figures["greedy_match"] <= 1.0
        # Language-model logits are gated by the text-generation table of the profile, not the encoders' limits.
        profile = load_profiles()[variants[recipe]["target"]]
        assert limits["max_abs_error"] == profile.thresholds_for(recipe, "text-generation")["max_abs_error"] \
            > profile.thresholds_for(recipe)["max_abs_error"]
    layers = variants["8da4w"]["details"]["quantization"]["layers"]
    assert any(layer["precision"].startswith("int4") for layer in layers)
    # fp16 stays on the eager model's greedy path on this model; the compressed Core ML weights are what they say.
    assert variants["fp16"]["parity"]["figures"]["greedy_match"] == 1.0
    for recipe, precision in (("int8-weights", "int8"), ("int4-weights", "int4"), ("palettize-4bit", "4-bit palette")):
        counts = variants[recipe]["details"]["quantization"]["counts"]
        assert any(precision in key for key in counts), (recipe, counts)


@pytest.mark.slow
def test_executorch_llm_runner_generates_what_the_eager_model_does(built_decoder):
    """ExecuTorch's own TextLLMRunner (from the executorch wheel) loads the .pte and the bundle's tokenizer.json and
    generates the eager model's greedy text: the program follows its conventions (tokens + positions in, logits
    out, the cache inside, metadata methods). Its tokenizer reads byte-level BPE tokenizer.json files, not
    SentencePiece ones (Metaspace): GPT-2's family here."""
    from executorch.extension.llm.runner import GenerationConfig, TextLLMRunner

    checkpoint, result = built_decoder("gpt2", "--target", "all", "--quant", "fp32")
    assert result.exit_code == 0, result.output
    runner = TextLLMRunner(str(result.bundle / "executorch/model-fp32.pte"), str(result.bundle / "tokenizer/tokenizer.json"))
    pieces: list[str] = []
    runner.generate("where is my", GenerationConfig(echo=False, max_new_tokens=8, temperature=0.0), token_callback=pieces.append)
    tokenizer = transformers.AutoTokenizer.from_pretrained(checkpoint)
    prompt = tokenizer("where is my")["input_ids"]
    assert "".join(pieces) == tokenizer.decode(_eager_greedy(checkpoint, prompt, len(pieces)))
    assert len(pieces) >= 4


@pytest.mark.slow
def test_run_and_verify_on_a_generation_bundle(built_decoder, tmp_path):
    checkpoint, result = built_decoder("gpt2", "--target", "all", "--quant", "fp32")
    run = CliRunner().invoke(cli, ["run", str(result.bundle), "where is my", "--checkpoint", str(checkpoint)])
    assert run.exit_code == 0, run.output
    assert "same answer as the eager model" in run.output and "greedy" in run.output
    assert CliRunner().invoke(cli, ["verify", str(result.bundle)]).exit_code == 0
    # A stored continuation that is not the model's: free-running generation no longer matches, verify fails.
    copy = tmp_path / "bundle"
    shutil.copytree(result.bundle, copy)
    vectors_file = copy / "tokenizer/test_vectors.json"
    data = json.loads(vectors_file.read_text())
    vector = data["vectors"][0]
    vector["input_ids"][vector["prompt_length"] + 1] = (vector["input_ids"][vector["prompt_length"] + 1] + 1) % 100
    vectors_file.write_text(json.dumps(data))
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["tokenizer/test_vectors.json"]["sha256"] = hashlib.sha256(vectors_file.read_bytes()).hexdigest()
    (copy / "manifest.json").write_text(json.dumps(manifest))
    verify = CliRunner().invoke(cli, ["verify", str(copy)])
    assert verify.exit_code == 1 and "greedy_match" in verify.output, verify.output


def test_what_text_generation_refuses_up_front(shared_checkpoint, tmp_path):
    checkpoint = shared_checkpoint(make_causal_lm_checkpoint, "llama-lm", "llama")
    for args, message in (
        (["--target", "ios", "--deployment-target", "iOS17"], "keeps its key/value cache as Core ML state, which needs iOS 18"),
        (["--target", "ios", "--seq-shapes", "enumerated", "--deployment-target", "iOS18"], "drop --seq-shapes enumerated"),
        (["--target", "android", "--max-seq-len", "4096"], "max-seq-len"),
    ):
        result = CliRunner().invoke(cli, ["build", str(checkpoint), "-o", str(tmp_path / "out"), *args])
        assert result.exit_code == 2 and message in result.output, (args, result.output)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_chat_templates_that_do_not_decompose_are_refused_with_the_reason():
    numbered = ("{%- for m in messages %}{{ 'Turn ' + loop.index|string + ' ' + m.role + ': ' + m.content + '\\n' }}{%- endfor %}"
                "{%- if add_generation_prompt %}{{ 'assistant: ' }}{%- endif %}")
    with pytest.raises(EdgepackError, match="does not decompose into fixed strings per role.*Turn 3 assistant"):
        decompose(numbered, {}, "test")
    no_system = "{%- for m in messages %}{%- if m.role == 'system' %}{{ raise_exception('no system role') }}{%- endif %}{{ m.content }}{%- endfor %}"
    with pytest.raises(EdgepackError, match="cannot render a system/user/assistant/user/assistant conversation.*no system role"):
        decompose(no_system, {}, "test")
    rewritten = "{%- for m in messages %}{{ m.content | lower }}{%- endfor %}"
    with pytest.raises(EdgepackError, match="drops or rewrites a message's content"):
        decompose(rewritten, {}, "test")


@pytest.mark.slow
def test_chat_streams_the_greedy_reply_the_eager_model_gives(built_decoder):
    """`edgepack chat` with a chat model: the prompt is the template's text (transformers renders it here, independently),
    the reply is transformers' greedy continuation up to the end-of-turn token, streamed, with its speed."""
    checkpoint, result = built_decoder("qwen2", "--target", "all", "--quant", "fp32")
    assert result.exit_code == 0, result.output
    tokenizer = transformers.AutoTokenizer.from_pretrained(checkpoint)
    end_of_turn = tokenizer.convert_tokens_to_ids("<|im_end|>")
    messages, replies = [], []
    for text in ("where is my order", "and my refund"):
        messages.append({"role": "user", "content": text})
        prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=True)["input_ids"]
        ids = _eager_greedy(checkpoint, list(prompt), 12)
        ids = ids[: ids.index(end_of_turn)] if end_of_turn in ids else ids
        replies.append(tokenizer.decode(ids, skip_special_tokens=True))
        messages.append({"role": "assistant", "content": replies[-1]})
    # The .pte, and the Core ML package with its cache as state (run by the MIL executor here), say the same.
    for variant, how in (("android-xnnpack/fp32", "ExecuTorch runtime"), ("ios-coreml/fp32", "MIL reference executor")):
        chat = CliRunner().invoke(cli, ["chat", str(result.bundle), "--prompt", "where is my order", "--prompt", "and my refund",
                                        "--max-new-tokens", "12", "--variant", variant])
        assert chat.exit_code == 0, chat.output
        lines = chat.output.splitlines()
        assert lines[0].startswith(variant) and how in lines[0]
        for text, reply in zip(("where is my order", "and my refund"), replies):
            assert lines[lines.index(f"> {text}") + 1] == reply
        assert chat.output.count("tokens/s") == 2 and "chat template" in chat.output


def test_chat_refuses_what_it_cannot_do(demo_bundle, built_decoder):
    result = CliRunner().invoke(cli, ["chat", str(demo_bundle[0]), "--prompt", "hi"])
    assert result.exit_code == 2 and "edgepack chat runs text-generation bundles" in result.output
    _, generation = built_decoder("qwen2", "--target", "all", "--quant", "fp32")
    result = CliRunner().invoke(cli, ["chat", str(generation.bundle), "--prompt", "hi", "--variant", "8da4w"])
    assert result.exit_code == 2 and "no variant '8da4w'; choose from android-xnnpack/fp32, ios-coreml/fp32" in result.output


def test_8da4w_group_size_and_hqq_scales_are_applied_and_recorded(shared_checkpoint, tmp_path):
    """--group-size and --int4-scales reach torchao's int4 tensors (their block size, their scales), and every layer's
    record says which scheme it got; the settings belong to ExecuTorch and are refused for a Core ML-only build."""
    from builder.backends.base import LoweringJob
    from builder.backends.executorch import EXECUTORCH_RECIPES, ExecuTorchBackend
    from builder.checkpoint import load_checkpoint
    from builder.export import export_model
    from builder.tasks.specs import TaskOptions

    checkpoint = load_checkpoint(shared_checkpoint(make_causal_lm_checkpoint, "llama-lm", "llama"))
    task = checkpoint.bind_task(TaskOptions(max_seq_len=32))
    ids = checkpoint.tokenizer.encode_full("where is my order").ids
    sample = (torch.tensor([ids]), torch.arange(len(ids)))
    exported = export_model(task.wrap(checkpoint.load_model()), task.inputs(), 1, 32, [sample], passes=(), strict=True)
    scales = {}
    for algorithm in ("minmax", "hqq"):
        settings = ExecuTorchBackend().resolve_settings({}, {"group_size": "64", "int4_scales": algorithm})
        quantized = EXECUTORCH_RECIPES.get("8da4w").apply(exported, LoweringJob(exported, [sample], facts=None, settings=settings))
        int4 = [r for r in quantized.layers if r.precision == "int4"]
        assert int4 and all(r.scheme == "per group of 64" + (", HQQ scales" if algorithm == "hqq" else "") for r in int4)
        name = int4[0].weight
        weight = quantized.program.state_dict[name] if name in quantized.program.state_dict else \
            dict(quantized.program.named_parameters())[name]
        assert tuple(weight.block_size) == (1, 64)
        scales[algorithm] = weight.scale.detach().clone()
    # HQQ fits other scales than the groups' min/max.
    assert not torch.equal(scales["minmax"], scales["hqq"])
    with pytest.raises(EdgepackError, match="group size 48"):
        ExecuTorchBackend().resolve_settings({"group_size": 48}, {})
    result = CliRunner().invoke(cli, ["build", str(checkpoint.path), "-o", str(tmp_path), "--target", "ios", "--group-size", "64"])
    assert result.exit_code == 2 and "--group-size is a ExecuTorch setting and no chosen target builds ExecuTorch" in result.output
