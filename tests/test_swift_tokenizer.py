"""The iOS kit's Swift tokenizer tokenizes like Hugging Face `tokenizers`, id for id.

Builds templates/ios/EdgepackKit's `edgepack-tokenize` (release; Swift natively on macOS, in
the Debian chroot on Linux), runs it over the configurations and texts the Kotlin kit is
proven on (tests/tokenizer_configs.py) and compares ids, type ids, attention masks and offsets
with `tokenizers.Tokenizer.encode`. Every configuration goes through one process run; only
the refusals need one run each. Never skipped: a machine without the Swift toolchain fails
here with the command that installs it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from tokenizers import Tokenizer

from builder.apps import swift, swift_toolchain
from builder.apps.tokenizer_support import unsupported
from checkpoints import minilm_dir
from tokenizer_configs import (BPE_CONFIGS, PAIRS, REGEX_CASES, SENTENCEPIECE_CONFIGS, TEXTS, WORDPIECE_CONFIGS,
                               added_token_variants, bpe_configs, canonical_equivalents, every_code_point,
                               every_code_point_after_a_key, refusals, regex_probe_tokenizer, sentencepiece_configs,
                               single_word_every_code_point, trained_wordpiece)
from tools import unicode_tables

CONFIGS = [
    "minilm",
    *(f"wordpiece-{name}" for name in sorted(WORDPIECE_CONFIGS)),
    *(f"added_tokens-{i}" for i in range(4)),
    "every-code-point",
    "single_word-every-code-point",
    "canonical-equivalents",
    *(f"bpe-{name}" for name in BPE_CONFIGS),
    *(f"spm-{name}" for name in SENTENCEPIECE_CONFIGS),
    *(f"every-code-point-after-a-key-{name}" for name in ("xlmr", "unigram-nfkc", "deberta-v3")),
]


@pytest.fixture(scope="module")
def tokenize_bin() -> str:
    try:
        return swift.build_tokenizer()
    except swift_toolchain.SwiftToolchainError as e:
        pytest.fail(f"Swift toolchain unavailable: {e}", pytrace=False)
    except swift.SwiftBuildError as e:
        pytest.fail(f"EdgepackKit does not build: {e}", pytrace=False)


@pytest.fixture(scope="module")
def configs(tmp_path_factory) -> dict[str, tuple[Path, list]]:
    """name: (tokenizer.json, texts) for every configuration of CONFIGS."""
    root = tmp_path_factory.mktemp("swift-tokenizers")
    out = {"minilm": (minilm_dir() / "tokenizer.json", TEXTS + PAIRS)}
    for name in sorted(WORDPIECE_CONFIGS):
        (root / name).mkdir()
        out[f"wordpiece-{name}"] = (trained_wordpiece(name, root / name), TEXTS + PAIRS)
    (root / "added").mkdir()
    variants, texts = added_token_variants(root / "added")
    out.update({f"added_tokens-{i}": (path, texts) for i, path in enumerate(variants)})
    out["every-code-point"] = every_code_point(root)
    out["single_word-every-code-point"] = single_word_every_code_point(root)
    (root / "canonical").mkdir()
    out["canonical-equivalents"] = canonical_equivalents(root / "canonical")
    (root / "bpe").mkdir()
    out.update({f"bpe-{name}": job for name, job in bpe_configs(root / "bpe").items()})
    out.update({f"spm-{name}": job for name, job in sentencepiece_configs(root / "spm").items()})
    for name in ("xlmr", "unigram-nfkc", "deberta-v3"):
        out[f"every-code-point-after-a-key-{name}"] = every_code_point_after_a_key(out[f"spm-{name}"][0], root)
    assert sorted(out) == sorted(CONFIGS)
    return out


@pytest.fixture(scope="module")
def results(configs, tokenize_bin) -> dict[str, tuple[int, list[dict]]]:
    """Every configuration through one edgepack-tokenize run."""
    return dict(zip(CONFIGS, swift.compare_many_with_hf([configs[name] for name in CONFIGS], tokenize_bin)))


@pytest.mark.parametrize("name", CONFIGS)
def test_matches_hf(name, configs, results):
    path, texts = configs[name]
    if name.startswith(("bpe-", "spm-")):  # the builder accepts these (some WordPiece edits go beyond what it lets through)
        assert not unsupported(json.loads(path.read_text(encoding="utf-8")))
    passed, mismatches = results[name]
    if mismatches:
        shown = "\n".join(
            json.dumps({k: m[k] for k in ("text", "fields", "tokens", "hf", "swift")}, ensure_ascii=True)[:1500]
            for m in mismatches[:3]
        )
        pytest.fail(f"{len(mismatches)} of {len(texts)} encodings differ from tokenizers ({name}):\n{shown}", pytrace=False)
    assert passed == len(texts)


def test_corpus_is_large_enough(configs):
    """At least 2,000 varied texts and the pairs go through every trained and shipped tokenizer."""
    assert len(TEXTS) >= 2000 and len(PAIRS) >= 300
    for name in ["minilm", *(f"wordpiece-{n}" for n in WORDPIECE_CONFIGS), *(f"bpe-{n}" for n in BPE_CONFIGS[:-1])]:
        assert len(configs[name][1]) >= len(TEXTS) + len(PAIRS), name


def test_unicode_tables_are_current():
    """The tables in UnicodeTables.swift were measured from the installed tokenizers."""
    assert unicode_tables.embedded(unicode_tables.SWIFT_FILE) == unicode_tables.swift_source(), (
        "UnicodeTables.swift is stale: run `python -m tools.unicode_tables`")


def test_unsupported_tokenizers_are_refused(tokenize_bin, tmp_path):
    for path, message in refusals(tmp_path):
        Tokenizer.from_file(str(path))  # tokenizers itself accepts it
        with pytest.raises(RuntimeError, match=r"exited 2: unsupported tokenizer: " + re.escape(message)):
            swift.run_swift_tokenizer(path, ["hello"], tokenize_bin)
        assert unsupported(json.loads(path.read_text())), message


def test_invalid_json_is_refused(tokenize_bin, tmp_path):
    """tokenizer.json is read strictly: a trailing comma is an error, not a guess."""
    path = tmp_path / "broken.json"
    path.write_text(minilm_dir().joinpath("tokenizer.json").read_text(encoding="utf-8").rstrip()[:-1] + ",}", encoding="utf-8")
    with pytest.raises(RuntimeError, match=r"exited 2: unsupported tokenizer: tokenizer.json is not valid JSON"):
        swift.run_swift_tokenizer(path, ["hello"], tokenize_bin)


@pytest.mark.parametrize("regex", REGEX_CASES)
def test_regex_grammar_is_the_builders(regex, tokenize_bin, tmp_path):
    """The kit accepts a Replace / Split regex exactly when the builder's check does (so an app is refused up
    front, never generated with a pattern its tokenizer would then refuse on the phone)."""
    from builder.apps.tokenizer_support import regex_problem

    path = regex_probe_tokenizer(regex, tmp_path)
    why = regex_problem(regex)
    if why is None:
        swift.run_swift_tokenizer(path, ["a  b"], tokenize_bin)
    else:
        with pytest.raises(RuntimeError, match="exited 2: unsupported tokenizer: unsupported Replace normalizer regex"):
            swift.run_swift_tokenizer(path, ["a  b"], tokenize_bin)
