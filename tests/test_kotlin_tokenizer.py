"""The Android kit's Kotlin tokenizer tokenizes like Hugging Face `tokenizers`, id for id.

Compiles templates/android/edgepack-kit with kotlinc (npm `kotlin-compiler`), runs its
TokenizerCli on the JVM over a few thousand awkward texts and pairs, and compares ids,
type ids, attention masks and offsets with `tokenizers.Tokenizer.encode`: BERT WordPiece
tokenizers, and byte-level BPE ones in RoBERTa and GPT-2 layouts (tests/tokenizer_configs.py,
shared with the Swift kit's proof). Never skipped: a machine without java/npm fails here with
the install command.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from tokenizers import Tokenizer

from builder.apps import kotlin
from builder.apps.tokenizer_support import unsupported
from checkpoints import minilm_dir
from tokenizer_configs import (BPE_CONFIGS, PAIRS, REGEX_CASES, SENTENCEPIECE_CONFIGS, TEXTS, WORDPIECE_CONFIGS,
                               added_token_variants, bpe_configs as make_bpe_configs, every_code_point,
                               every_code_point_after_a_key, refusals, regex_probe, regex_probe_tokenizer,
                               sentencepiece_configs, single_word_every_code_point, trained_wordpiece)
from tools import unicode_tables


@pytest.fixture(scope="module")
def kit_jar(tmp_path_factory) -> Path:
    try:
        return kotlin.compile_kit()
    except kotlin.ToolchainError as e:
        pytest.fail(f"Kotlin toolchain unavailable: {e}", pytrace=False)


def _fail_on(mismatches: list[dict], total: int, name: str) -> None:
    if mismatches:
        shown = "\n".join(
            json.dumps({k: m[k] for k in ("text", "fields", "tokens", "hf", "kotlin")}, ensure_ascii=True)[:1500]
            for m in mismatches[:3]
        )
        pytest.fail(f"{len(mismatches)} of {total} encodings differ from tokenizers ({name}):\n{shown}", pytrace=False)


def _assert_parity(tokenizer_json: Path, texts, jar: Path) -> int:
    passed, mismatches = kotlin.compare_with_hf(tokenizer_json, texts, jar)
    _fail_on(mismatches, len(texts), tokenizer_json.name)
    return passed


def test_minilm_matches_hf(kit_jar):
    """The real all-MiniLM-L6-v2 tokenizer.json (truncation 128, fixed padding to 128)."""
    path = minilm_dir() / "tokenizer.json"
    assert _assert_parity(path, TEXTS + PAIRS, kit_jar) == len(TEXTS) + len(PAIRS)


@pytest.mark.parametrize("name", sorted(WORDPIECE_CONFIGS))
def test_trained_wordpiece_matches_hf(name, kit_jar, tmp_path):
    path = trained_wordpiece(name, tmp_path)
    assert _assert_parity(path, TEXTS + PAIRS, kit_jar) == len(TEXTS) + len(PAIRS)


def test_processors_padding_and_added_tokens_match_hf(kit_jar, tmp_path):
    """BertProcessing, padding variants and added tokens with lstrip/rstrip/single_word/normalized."""
    variants, texts = added_token_variants(tmp_path)
    for variant in variants:
        _assert_parity(variant, texts, kit_jar)


def test_every_code_point_matches_hf(kit_jar, tmp_path):
    """Each code point between two letters, 600 per text, without truncation: checks the
    embedded Unicode tables (control, whitespace, punctuation, accents, lowercase) end to end."""
    path, texts = every_code_point(tmp_path)
    _assert_parity(path, texts, kit_jar)


def test_single_word_every_code_point_matches_hf(kit_jar, tmp_path):
    """A single_word added token after each code point of planes 0-3 and 14: checks the embedded
    word-character table (`\\w` of the Rust regex crate) end to end."""
    path, texts = single_word_every_code_point(tmp_path)
    _assert_parity(path, texts, kit_jar)


def test_unicode_tables_are_current():
    """The tables in UnicodeTables.kt were measured from the installed tokenizers."""
    assert unicode_tables.embedded(unicode_tables.KOTLIN_FILE) == unicode_tables.kotlin_source(), (
        "UnicodeTables.kt is stale: run `python -m tools.unicode_tables`")


def test_unsupported_tokenizers_are_refused(kit_jar, tmp_path):
    for path, message in refusals(tmp_path):
        Tokenizer.from_file(str(path))  # tokenizers itself accepts it
        with pytest.raises(RuntimeError, match=r"exited 2: unsupported tokenizer: " + re.escape(message)):
            kotlin.run_kotlin_tokenizer(path, ["hello"], kit_jar)
        assert unsupported(json.loads(path.read_text())), message


# --------------------------------------------------------------------------- byte-level BPE

@pytest.fixture(scope="module")
def bpe_configs(tmp_path_factory) -> dict[str, tuple[Path, list]]:
    return make_bpe_configs(tmp_path_factory.mktemp("bpe"))


@pytest.fixture(scope="module")
def bpe_results(bpe_configs, kit_jar) -> dict[str, tuple[int, list[dict]]]:
    """Every byte-level BPE config through one JVM run."""
    names = sorted(bpe_configs)
    results = kotlin.compare_many_with_hf([bpe_configs[name] for name in names], kit_jar)
    return dict(zip(names, results))


@pytest.mark.parametrize("name", BPE_CONFIGS)
def test_byte_level_bpe_matches_hf(name, bpe_configs, bpe_results):
    path, texts = bpe_configs[name]
    assert not unsupported(json.loads(path.read_text(encoding="utf-8")))
    passed, mismatches = bpe_results[name]
    _fail_on(mismatches, len(texts), name)
    assert passed == len(texts)


def test_regex_probe_sees_the_split():
    """The regex-classes probe joins a, 1, ! and ' ' to a following letter, digit, symbol, letter."""
    probe = Tokenizer.from_str(json.dumps(regex_probe()))
    assert [len(probe.encode(text).ids) for text in ["ab", "a1", "12", "1b", "!?", "!b", " b", " \nb"]] == [1, 2, 1, 2, 1, 2, 1, 3]


# --------------------------------------------------------------------------- SentencePiece

@pytest.fixture(scope="module")
def spm_configs(tmp_path_factory) -> dict[str, tuple[Path, list]]:
    return sentencepiece_configs(tmp_path_factory.mktemp("spm"))


@pytest.fixture(scope="module")
def sentencepiece_results(spm_configs, kit_jar) -> dict[str, tuple[int, list[dict]]]:
    """Every SentencePiece config through one JVM run."""
    names = sorted(spm_configs)
    return dict(zip(names, kotlin.compare_many_with_hf([spm_configs[name] for name in names], kit_jar)))


@pytest.mark.parametrize("name", SENTENCEPIECE_CONFIGS)
def test_sentencepiece_matches_hf(name, spm_configs, sentencepiece_results):
    """Unigram (Precompiled charsmap, Metaspace, ALBERT's normalizers, byte_fallback) and byte_fallback
    BPE (Llama, legacy Llama, Gemma layouts) from SentencePiece models trained here and converted by
    transformers: ids, offsets, masks and word ids equal Hugging Face's."""
    path, texts = spm_configs[name]
    assert not unsupported(json.loads(path.read_text(encoding="utf-8")))
    passed, mismatches = sentencepiece_results[name]
    _fail_on(mismatches, len(texts), name)
    assert passed == len(texts)


@pytest.mark.parametrize("name", ["xlmr", "unigram-nfkc", "deberta-v3"])
def test_every_code_point_after_a_key_matches_hf(name, spm_configs, kit_jar, tmp_path):
    """Each code point of planes 0-3 and 14 after `a` and after a charsmap key, through the real nmt_nfkc
    charsmap (xlmr), NFKC (unigram-nfkc) and NFC (deberta-v3): the trie reader, the replacements, the
    grapheme clusters and the composition tables end to end."""
    path, texts = every_code_point_after_a_key(spm_configs[name][0], tmp_path)
    assert _assert_parity(path, texts, kit_jar) == len(texts)


@pytest.mark.parametrize("regex", REGEX_CASES)
def test_regex_grammar_is_the_builders(regex, kit_jar, tmp_path):
    """The kit accepts a Replace / Split regex exactly when the builder's check does (so an app is refused up
    front, never generated with a pattern its tokenizer would then refuse on the phone)."""
    from builder.apps.tokenizer_support import regex_problem

    path = regex_probe_tokenizer(regex, tmp_path)
    why = regex_problem(regex)
    if why is None:
        kotlin.run_kotlin_tokenizer(path, ["a  b"], kit_jar)
    else:
        with pytest.raises(RuntimeError, match="exited 2: unsupported tokenizer: unsupported Replace normalizer regex"):
            kotlin.run_kotlin_tokenizer(path, ["a  b"], kit_jar)
