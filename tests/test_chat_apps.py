"""The chat app shells of text-generation bundles, proven as far as Linux allows, and the host-side rules the apps'
kits share with `edgepack chat` (builder/chat.py, builder/sampling.py): the Android app written by `edgepack build --app android` parses,
links and compiles against the stubs; its kit's JVM tests replay the bundle (prompt ids, greedy continuations over
the recorded logits through the kit's own loop, streamed text, a chat turn's stop rules, seeded sampling draws equal
to `edgepack chat`'s) for a byte-level BPE chat model, a SentencePiece-style one and a plain (template-less) one,
and fail when the recorded data is wrong; the Python sampler, streamer and context-window policy the kits mirror."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from tokenizers import Tokenizer

from app_checks import compile_android_app, replay_android_kit
from builder.apps.android import ASSETS, generate_android_app
from builder.chat import ChatSession, TextStreamer
from builder.sampling import Sampling, SplitMix64
from builder.cli import cli
from builder.errors import EdgepackError
from builder.prompt_format import PromptFormat
from tools import syntax

# The kit's generation replay tests (GenerationReplayTest.kt).
REPLAY_TESTS = 5


@pytest.fixture(scope="module")
def generation_bundle(built_decoder):
    """The text-generation bundle test_text_generation builds for `arch` (`--target all --quant fp32`), shared."""
    def get(arch: str, *extra: str) -> Path:
        built = built_decoder(arch, "--target", "all", "--quant", "fp32", *extra)[1]
        assert built.exit_code == 0, built.output
        return built.bundle

    return get


@pytest.fixture(scope="module")
def kit_workdir(tmp_path_factory) -> Path:
    """Where the kit's tests are compiled once for the module (every chat app's kit is the same source)."""
    return tmp_path_factory.mktemp("chat-kit")


@pytest.mark.slow
def test_build_writes_a_chat_app_that_compiles_and_replays_the_bundle(generation_bundle, kit_workdir, tmp_path):
    # What the issue asks of one command: `edgepack build <decoder> --target all --app android --app ios` writes the
    # apps (the iOS ones are proven in tests/test_chat_apps_ios.py, which shares this build).
    bundle = generation_bundle("qwen2", "--app", "android", "--app", "ios", "--app", "ios:executorch")
    assert {p.name for p in (bundle / "apps").iterdir()} == {"android", "ios", "ios-executorch"}
    app = bundle / "apps" / "android"
    assert syntax.parse_tree_errors(app) == []
    assets = app / ASSETS
    assert {"model-fp32.pte", "tokenizer.json", "manifest.json", "test_vectors.json", "task_data.json"} <= {
        p.name for p in assets.iterdir()}
    kit_tests = {p.name for p in (app / "edgepack-kit/src/test/kotlin/dev/edgepack/kit").iterdir()}
    device_tests = {p.name for p in (app / "app/src/androidTest/java/dev/edgepack/app").iterdir()}
    assert kit_tests == {"GenerationReplayTest.kt"} and device_tests == {"GenerationVectorsTest.kt"}
    compile_android_app(app, tmp_path / "compiled")
    replayed = replay_android_kit(app, kit_workdir)
    assert replayed.returncode == 0 and f"OK ({REPLAY_TESTS} tests)" in replayed.stdout, replayed.stdout[-3000:]

    # Wrong recorded data must fail the replay, naming what differs: one id of a greedy continuation, one draw.
    for name, edit, named in (
        ("test_vectors.json", _break_continuation, "greedy continuation of"),
        ("task_data.json", _break_draw, "draws with"),
    ):
        broken = tmp_path / f"broken-{name}"
        shutil.copytree(assets, broken)
        data = json.loads((broken / name).read_text(encoding="utf-8"))
        edit(data)
        (broken / name).write_text(json.dumps(data), encoding="utf-8")
        failed = replay_android_kit(app, kit_workdir, assets=broken)
        assert failed.returncode != 0 and named in failed.stdout, failed.stdout[-3000:]


def _break_continuation(vectors: dict) -> None:
    vector = vectors["vectors"][0]
    position = vector["prompt_length"] + 1
    vector["input_ids"][position] = (vector["input_ids"][position] + 1) % 50


def _break_draw(data: dict) -> None:
    draws = data["sampling_checks"][1]["draws"]
    draws[3] = draws[3] + 1


@pytest.mark.slow
@pytest.mark.parametrize("arch", ["llama", "gpt2"])
def test_the_chat_kit_replays_other_tokenizers_and_plain_models(generation_bundle, kit_workdir, tmp_path, arch):
    """Llama's SentencePiece-style tokenizer (Metaspace, byte fallback) with a template that trims and starts with
    bos; GPT-2 without a template (the conversation is continued as plain text)."""
    bundle = generation_bundle(arch)
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["task"]["postprocessing"]["prompt_format"] is None) == (arch == "gpt2")
    app = generate_android_app(bundle, tmp_path / "app").path
    replayed = replay_android_kit(app, kit_workdir)
    assert replayed.returncode == 0 and f"OK ({REPLAY_TESTS} tests)" in replayed.stdout, replayed.stdout[-3000:]


@pytest.mark.slow
def test_check_tokenizer_covers_a_decoder_tokenizer(generation_bundle, tmp_path):
    texts = tmp_path / "texts.txt"
    texts.write_text("Where is my parcel?\n  two  spaces\tand a tab\n配送先を変更したい 🙏\nnaïve café, ünïcödé\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["app", "check-tokenizer", str(generation_bundle("llama")), "--platform", "android",
                                      "--texts", str(texts)])
    assert result.exit_code == 0, result.output
    assert "4 passed, 0 failed" in result.output


# --------------------------------------------------------------------------- the host rules the kits mirror

def test_splitmix64_is_the_reference_generator():
    """The published SplitMix64 stream for seed 0 (the kits' SplitMix64 must give the same; their replay of
    task_data.json's sampling checks proves it)."""
    generator = SplitMix64(0)
    assert [generator.next() for _ in range(3)] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]
    assert 0.0 <= SplitMix64(-1).uniform() < 1.0


def test_sampling_is_greedy_at_temperature_zero_and_follows_top_k_and_top_p():
    logits = np.array([1.0, 3.0, 3.0, 2.0, -np.inf], dtype=np.float32)
    assert Sampling().choose(logits) == 1  # greedy: ties go to the lowest id
    assert Sampling(do_sample=True, temperature=0.0).choose(logits) == 1
    assert {Sampling(do_sample=True, top_k=2, seed=s).choose(logits) for s in range(40)} == {1, 2}
    # top_p 0.5: ids 1 and 2 hold 0.42 each, so the first alone does not reach it and both are kept.
    assert {Sampling(do_sample=True, top_k=0, top_p=0.5, seed=s).choose(logits) for s in range(40)} == {1, 2}
    draws = [Sampling(do_sample=True, top_k=0, seed=s).choose(logits) for s in range(400)]
    assert 4 not in draws and 0 in draws and 3 in draws
    same = Sampling(do_sample=True, temperature=2.0, seed=9)
    again = Sampling(do_sample=True, temperature=2.0, seed=9)
    assert [same.choose(logits) for _ in range(20)] == [again.choose(logits) for _ in range(20)]


def test_text_streamer_never_splits_a_character_nor_shows_a_stop_string(generation_bundle):
    tokenizer = Tokenizer.from_file(str(generation_bundle("qwen2") / "tokenizer" / "tokenizer.json"))
    text = "Bonjour 🎉 ça va? STOP and more"
    ids = tokenizer.encode(text, add_special_tokens=False).ids
    streamer = TextStreamer(tokenizer, ["STOP"])
    pieces = []
    for token in ids:
        pieces.append(streamer.add(token))
        if streamer.stopped:
            break
    pieces.append(streamer.flush())
    assert streamer.stopped and streamer.text == "Bonjour 🎉 ça va? "
    assert "".join(pieces) == streamer.text
    assert not any("\ufffd" in piece or "S" in piece for piece in pieces)
    # The byte-level tokenizer splits the emoji into byte tokens: some token added nothing to show.
    assert "" in pieces[:-1]


def test_chat_drops_the_oldest_turns_keeping_the_system_message_and_refuses_a_message_too_long(generation_bundle):
    bundle = generation_bundle("qwen2")
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    tokenizer = Tokenizer.from_file(str(bundle / "tokenizer" / "tokenizer.json"))
    end = manifest["task"]["postprocessing"]["eos_token_ids"][-1]
    seen = []

    def program(inputs):
        """Replies "ok" then the end-of-turn id; records each prompt it prefills."""
        ids, positions = inputs
        if positions[0] == 0:
            seen.append(ids[0].tolist())
        token = tokenizer.token_to_id("ok") if positions[0] == 0 else end
        row = np.zeros((1, ids.shape[1], manifest["task"]["postprocessing"]["vocab_size"]), dtype=np.float32)
        row[0, -1, token if token is not None else 1] = 10.0
        return [row]

    format_ = PromptFormat(**manifest["task"]["postprocessing"]["prompt_format"])
    session = ChatSession(program, tokenizer, 64, frozenset([end]), format_, Sampling(), max_new_tokens=8,
                          system="Be brief.")
    assert session.reply_room == 8
    drops = [session.say(f"message number {i} about my order").dropped_turns for i in range(6)]
    assert drops[0] == 0 and sum(drops) > 0
    assert all(len(prompt) <= 64 - 8 for prompt in seen)
    assert tokenizer.decode(seen[-1], skip_special_tokens=False).startswith("<|im_start|>system\nBe brief.")
    assert session.messages[-2] == ("user", "message number 5 about my order")
    before = list(session.messages)
    with pytest.raises(EdgepackError, match="at most 56 fit"):
        session.say("order " * 80)
    assert session.messages == before
