"""The Android kit's Kotlin tokenizer tokenizes like Hugging Face `tokenizers`, id for id.

Compiles templates/android/edgepack-kit with kotlinc (npm `kotlin-compiler`), runs its
TokenizerCli on the JVM over a few thousand awkward texts and pairs, and compares ids,
type ids, attention masks and offsets with `tokenizers.Tokenizer.encode`. Never skipped: a
machine without java/npm fails here with the install command.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import transformers
from tokenizers import AddedToken, Tokenizer
from tokenizers.implementations import BertWordPieceTokenizer, ByteLevelBPETokenizer

from builder.apps import kotlin
from checkpoints import CORPUS, SPECIAL_TOKENS, minilm_dir
from corpus import varied_pairs, varied_texts

TEXTS = varied_texts()
PAIRS = varied_pairs(300)


@pytest.fixture(scope="module")
def kit_jar(tmp_path_factory) -> Path:
    try:
        return kotlin.compile_kit()
    except kotlin.ToolchainError as e:
        pytest.fail(f"Kotlin toolchain unavailable: {e}", pytrace=False)


def _train(directory: Path, vocab_size: int = 1500, **settings) -> Path:
    """A WordPiece tokenizer trained the way tests/checkpoints.py trains one, saved by transformers."""
    scratch = BertWordPieceTokenizer(**settings)
    scratch.train_from_iterator(CORPUS + TEXTS[:400], vocab_size=vocab_size, min_frequency=1, special_tokens=SPECIAL_TOKENS)
    wordpiece = BertWordPieceTokenizer(vocab=scratch.get_vocab(), **settings)
    fast = transformers.BertTokenizerFast(tokenizer_object=wordpiece._tokenizer, model_max_length=128)
    fast.save_pretrained(directory)
    return directory / "tokenizer.json"


def _edit(path: Path, out: Path, edit) -> Path:
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return out


def _assert_parity(tokenizer_json: Path, texts, jar: Path) -> int:
    passed, mismatches = kotlin.compare_with_hf(tokenizer_json, texts, jar)
    if mismatches:
        shown = "\n".join(
            json.dumps({k: m[k] for k in ("text", "fields", "tokens", "hf", "kotlin")}, ensure_ascii=True)[:1500]
            for m in mismatches[:3]
        )
        pytest.fail(f"{len(mismatches)} of {len(texts)} encodings differ from tokenizers ({tokenizer_json.name}):\n{shown}",
                    pytrace=False)
    return passed


def _truncated(path: Path, **params):
    def edit(data):
        data["truncation"] = {"direction": "Right", "max_length": 128, "strategy": "LongestFirst", "stride": 0, **params}
    return edit


CONFIGS = {
    # name: (BertWordPieceTokenizer settings, tokenizer.json edit or None)
    "lower-strip_none": (dict(lowercase=True, strip_accents=None, handle_chinese_chars=True), _truncated(None)),
    "cased-strip_none": (dict(lowercase=False, strip_accents=None, handle_chinese_chars=True), _truncated(None)),
    "cased-strip_true": (dict(lowercase=False, strip_accents=True, handle_chinese_chars=True), None),
    "lower-strip_false": (dict(lowercase=True, strip_accents=False, handle_chinese_chars=True), _truncated(None, max_length=32)),
    "lower-strip_true-no_cjk": (dict(lowercase=True, strip_accents=True, handle_chinese_chars=False), _truncated(None, direction="Left", max_length=24)),
    "no_clean_text": (dict(clean_text=False, lowercase=True, strip_accents=None, handle_chinese_chars=True), _truncated(None, max_length=300)),
}


def test_minilm_matches_hf(kit_jar):
    """The real all-MiniLM-L6-v2 tokenizer.json (truncation 128, fixed padding to 128)."""
    path = minilm_dir() / "tokenizer.json"
    assert _assert_parity(path, TEXTS + PAIRS, kit_jar) == len(TEXTS) + len(PAIRS)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_trained_wordpiece_matches_hf(name, kit_jar, tmp_path):
    settings, edit = CONFIGS[name]
    path = _train(tmp_path, **settings)
    if edit:
        path = _edit(path, tmp_path / "edited.json", edit)
    assert _assert_parity(path, TEXTS + PAIRS, kit_jar) == len(TEXTS) + len(PAIRS)


def test_processors_padding_and_added_tokens_match_hf(kit_jar, tmp_path):
    """BertProcessing, padding variants and added tokens with lstrip/rstrip/single_word/normalized."""
    path = _train(tmp_path, lowercase=True, strip_accents=None, handle_chinese_chars=True)
    hf = Tokenizer.from_file(str(path))
    hf.add_special_tokens([AddedToken("<mask2>", lstrip=True, rstrip=True, special=True, normalized=False)])
    hf.add_tokens([AddedToken("hello world", single_word=True, normalized=True), AddedToken("Foo", normalized=True),
                   AddedToken("café", normalized=False, rstrip=True)])
    hf.save(str(tmp_path / "added.json"))
    texts = TEXTS[:600] + PAIRS[:100] + [
        "say hello world now", "sayhello world", "hello worlds", "HELLO WORLD!", "x <mask2> y", "x<mask2>y",
        "  <mask2>  ", "FOO foo Foo", "café  latte", "Café", "foo<mask2>hello world",
    ]

    def bert_processing(data):
        data["post_processor"] = {"type": "BertProcessing", "sep": ["[SEP]", hf.token_to_id("[SEP]")],
                                  "cls": ["[CLS]", hf.token_to_id("[CLS]")]}
        data["truncation"] = {"direction": "Right", "max_length": 40, "strategy": "LongestFirst", "stride": 0}

    def padding(data):
        data["padding"] = {"strategy": "BatchLongest", "direction": "Left", "pad_to_multiple_of": 8,
                           "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"}

    def fixed(data):
        data["padding"] = {"strategy": {"Fixed": 64}, "direction": "Right", "pad_to_multiple_of": None,
                           "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"}
        data["truncation"] = {"direction": "Right", "max_length": 64, "strategy": "LongestFirst", "stride": 0}

    for i, edit in enumerate([None, bert_processing, padding, fixed]):
        variant = tmp_path / "added.json" if edit is None else _edit(tmp_path / "added.json", tmp_path / f"v{i}.json", edit)
        _assert_parity(variant, texts, kit_jar)


def test_every_code_point_matches_hf(kit_jar, tmp_path):
    """Each code point between two letters, 600 per text, without truncation: checks the
    embedded Unicode tables (control, whitespace, punctuation, accents, lowercase) end to end."""
    path = _edit(minilm_dir() / "tokenizer.json", tmp_path / "plain.json",
                 lambda d: d.update(truncation=None, padding=None))
    # Planes 0-3 and 14; planes 4-13 are unassigned and 15-16 private use (one range in the tables).
    cps = [cp for cp in [*range(0x40000), *range(0xE0000, 0xE1000), 0xF0000, 0x10FFFD] if not 0xD800 <= cp <= 0xDFFF]
    texts = ["".join("a" + chr(cp) + "B " for cp in cps[i:i + 600]) for i in range(0, len(cps), 600)]
    _assert_parity(path, texts, kit_jar)


def test_unicode_tables_are_current():
    """The tables embedded in Tokenizer.kt were measured from the installed tokenizers."""
    assert kotlin.embedded_unicode_tables() == kotlin.unicode_tables_source(), (
        "Tokenizer.kt's Unicode tables are stale: run `python -m builder.apps.kotlin`")


def test_unsupported_tokenizers_are_refused(kit_jar, tmp_path):
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(CORPUS, vocab_size=300, min_frequency=1)
    bpe.save(str(tmp_path / "bpe.json"))
    with pytest.raises(RuntimeError, match=r"exited 2: unsupported tokenizer: unsupported model BPE"):
        kotlin.run_kotlin_tokenizer(tmp_path / "bpe.json", ["hello"], kit_jar)

    def sequence_normalizer(data):
        data["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "Lowercase"}]}
    path = _edit(minilm_dir() / "tokenizer.json", tmp_path / "seq.json", sequence_normalizer)
    with pytest.raises(RuntimeError, match=r"exited 2: unsupported tokenizer: unsupported normalizer Sequence"):
        kotlin.run_kotlin_tokenizer(path, ["hello"], kit_jar)
