"""The Android kit's Kotlin tokenizer tokenizes like Hugging Face `tokenizers`, id for id.

Compiles templates/android/edgepack-kit with kotlinc (npm `kotlin-compiler`), runs its
TokenizerCli on the JVM over a few thousand awkward texts and pairs, and compares ids,
type ids, attention masks and offsets with `tokenizers.Tokenizer.encode`: BERT WordPiece
tokenizers, and byte-level BPE ones in RoBERTa and GPT-2 layouts. Never skipped: a machine
without java/npm fails here with the install command.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import transformers
from tokenizers import AddedToken, Tokenizer
from tokenizers.implementations import BertWordPieceTokenizer, ByteLevelBPETokenizer
from tokenizers.pre_tokenizers import ByteLevel

from builder.apps import kotlin
from builder.apps.tokenizer_support import unsupported
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
    unigram = _edit(minilm_dir() / "tokenizer.json", tmp_path / "unigram.json",
                    lambda d: d["model"].update(type="Unigram", vocab=[["<unk>", 0.0], ["a", -1.0]], unk_id=0))
    with pytest.raises(RuntimeError, match=r"exited 2: unsupported tokenizer: unsupported model Unigram"):
        kotlin.run_kotlin_tokenizer(unigram, ["hello"], kit_jar)
    assert any("model 'Unigram'" in p for p in unsupported(json.loads(unigram.read_text())))

    def sequence_normalizer(data):
        data["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "Lowercase"}]}
    path = _edit(minilm_dir() / "tokenizer.json", tmp_path / "seq.json", sequence_normalizer)
    with pytest.raises(RuntimeError, match=r"exited 2: unsupported tokenizer: unsupported normalizer Sequence"):
        kotlin.run_kotlin_tokenizer(path, ["hello"], kit_jar)
    assert any("normalizer 'Sequence'" in p for p in unsupported(json.loads(path.read_text())))

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(CORPUS, vocab_size=300, min_frequency=1)
    bpe.save(str(tmp_path / "bpe.json"))
    refusals = [
        (lambda d: d["model"].update(dropout=0.1), "unsupported BPE dropout 0.1"),
        (lambda d: d["model"].update(byte_fallback=True), "unsupported BPE byte_fallback true"),
        (lambda d: d.update(normalizer={"type": "NFC"}), "unsupported normalizer NFC"),
        (lambda d: d.update(pre_tokenizer={"type": "Metaspace", "replacement": "_", "prepend_scheme": "always", "split": True}),
         "unsupported pre_tokenizer Metaspace"),
        (lambda d: d.update(post_processor={"type": "Sequence", "processors": [
            {"type": "RobertaProcessing", "sep": ["a", 1], "cls": ["b", 2], "trim_offsets": True, "add_prefix_space": False},
            {"type": "BertProcessing", "sep": ["a", 1], "cls": ["b", 2]}]}),
         "unsupported post_processor: a Sequence with more than one special-token processor"),
    ]
    for i, (edit, message) in enumerate(refusals):
        path = _edit(tmp_path / "bpe.json", tmp_path / f"refused-{i}.json", edit)
        Tokenizer.from_file(str(path))  # tokenizers itself accepts it
        with pytest.raises(RuntimeError, match=r"exited 2: unsupported tokenizer: " + re.escape(message)):
            kotlin.run_kotlin_tokenizer(path, ["hello"], kit_jar)
        assert unsupported(json.loads(path.read_text())), message


# --------------------------------------------------------------------------- byte-level BPE

BPE_SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
BPE_EXTRA_TEXTS = [
    "x <mask> y", "x<mask>y", "  <mask>  ", "<mask>", " <mask>", "\u3000<mask>z", "\t<mask>\n", "hello <mask>.",
    "<s>hello</s>", "</s></s>", "<s> <pad> <unk>", "<pad>", "", " ", "  ", "\n", "a  b", "a \u00a0b", "a\u3000\u3000b  ",
    "it's 'twas I'LL we'd they've you're I'm 's 'S '", "x''s", "\n\nx", " leading", "trailing ", "  two  spaces  ",
    "say hello world now", "sayhello world", "hello worlds", "café  latte", "x <mask2> y", "foo<mask2>hello world",
    "12345 1,000.5 ½ ² ١٢٣ x²", "😀 😀😀  👨‍👩‍👧", "\x00\x01 \x7f\x85\u200b", "ǅemal İstanbul ΣΊΣΥΦΟΣ",
]


def _bpe_trainer(special_tokens) -> ByteLevelBPETokenizer:
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(CORPUS + TEXTS[:400], vocab_size=1500, min_frequency=1, special_tokens=special_tokens)
    return bpe


def _roberta(data, add_prefix_space: bool, trim_offsets: bool):
    data["pre_tokenizer"] = {"type": "ByteLevel", "add_prefix_space": add_prefix_space, "trim_offsets": True, "use_regex": True}
    data["post_processor"] = {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                              "trim_offsets": trim_offsets, "add_prefix_space": add_prefix_space}


def _regex_probe() -> dict:
    """A byte-level BPE whose merges make the GPT-2 split visible: each of a, 1, ! and Ġ merges
    with every byte, so `a`, `1`, `!` and ` ` join the next character's first byte exactly
    when the regex keeps them in one piece (the character is \\p{L}, \\p{N}, neither, not \\s)."""
    alphabet = sorted(ByteLevel.alphabet())
    vocab = {c: i for i, c in enumerate(alphabet)}
    merges = []
    for left in ["a", "1", "!", "\u0120"]:
        for right in alphabet:
            merges.append([left, right])
            vocab.setdefault(left + right, len(vocab))
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": None, "decoder": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": False, "vocab": vocab, "merges": merges},
    }


@pytest.fixture(scope="module")
def bpe_configs(tmp_path_factory) -> dict[str, tuple[Path, list]]:
    """name: (tokenizer.json, texts). RoBERTa layouts from a ByteLevelBPETokenizer saved by
    transformers.RobertaTokenizerFast, GPT-2 layouts saved by tokenizers, and edits of both."""
    root = tmp_path_factory.mktemp("bpe")
    texts = TEXTS + PAIRS + BPE_EXTRA_TEXTS

    roberta = _bpe_trainer(BPE_SPECIAL_TOKENS)
    transformers.RobertaTokenizerFast(tokenizer_object=roberta._tokenizer, model_max_length=128).save_pretrained(root / "roberta")
    base = root / "roberta" / "tokenizer.json"
    saved = json.loads(base.read_text(encoding="utf-8"))
    assert saved["post_processor"]["type"] == "RobertaProcessing" and saved["model"]["type"] == "BPE"
    assert isinstance(saved["model"]["merges"][0], list)

    with_added = Tokenizer.from_file(str(base))
    with_added.add_special_tokens([AddedToken("<mask2>", lstrip=True, rstrip=True, special=True, normalized=False)])
    with_added.add_tokens([AddedToken("hello world", single_word=True, normalized=True), AddedToken("café", normalized=False, rstrip=True)])
    with_added.save(str(root / "roberta-added.json"))

    gpt2 = _bpe_trainer([])
    gpt2.save(str(root / "gpt2.json"))
    gpt2_eot = Tokenizer.from_file(str(root / "gpt2.json"))
    gpt2_eot.add_special_tokens(["<|endoftext|>"])
    gpt2_eot.save(str(root / "gpt2-eot.json"))
    eot = gpt2_eot.token_to_id("<|endoftext|>")

    def mask_lstrip(data):  # as roberta-base ships it
        for token in data["added_tokens"]:
            if token["content"] == "<mask>":
                token["lstrip"] = True

    def truncation(data, **params):
        data["truncation"] = {"direction": "Right", "max_length": 128, "strategy": "LongestFirst", "stride": 0, **params}

    def legacy_merges(data):
        data["model"]["merges"] = [" ".join(pair) for pair in data["model"]["merges"]]

    def roberta_base(d):
        mask_lstrip(d)
        truncation(d)

    def roberta_prefix_space(d):
        _roberta(d, True, True)
        mask_lstrip(d)
        truncation(d, max_length=32)
        legacy_merges(d)

    def roberta_prefix_space_no_trim(d):
        _roberta(d, True, False)
        mask_lstrip(d)
        d["padding"] = {"strategy": "BatchLongest", "direction": "Right", "pad_to_multiple_of": 8,
                        "pad_id": 1, "pad_type_id": 0, "pad_token": "<pad>"}

    def roberta_no_trim(d):
        _roberta(d, False, False)
        mask_lstrip(d)
        truncation(d, max_length=24)

    def gpt2_trim_lowercase(d):
        d["pre_tokenizer"]["add_prefix_space"] = True
        d["post_processor"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}
        d["normalizer"] = {"type": "Lowercase"}
        truncation(d, max_length=40)

    def gpt2_sequence(d):  # Llama-3 style: ByteLevel offsets trimming, then a BOS template
        d["pre_tokenizer"]["use_regex"] = False
        d["model"]["ignore_merges"] = True
        d["post_processor"] = {"type": "Sequence", "processors": [
            {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                      {"SpecialToken": {"id": "<|endoftext|>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
             "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [eot], "tokens": ["<|endoftext|>"]}}}]}
        d["padding"] = {"strategy": {"Fixed": 96}, "direction": "Right", "pad_to_multiple_of": None,
                        "pad_id": eot, "pad_type_id": 0, "pad_token": "<|endoftext|>"}
        truncation(d, max_length=96)

    configs = {
        "roberta": _edit(base, root / "roberta.json", roberta_base),
        "roberta-prefix_space": _edit(base, root / "roberta-ps.json", roberta_prefix_space),
        "roberta-prefix_space-no_trim": _edit(base, root / "roberta-ps-nt.json", roberta_prefix_space_no_trim),
        "roberta-no_trim": _edit(base, root / "roberta-nt.json", roberta_no_trim),
        "roberta-added_tokens": _edit(root / "roberta-added.json", root / "roberta-added-ps.json",
                                      lambda d: (_roberta(d, True, True), mask_lstrip(d))),
        "gpt2": root / "gpt2.json",
        "gpt2-trim_offsets-lowercase": _edit(root / "gpt2.json", root / "gpt2-trim.json", gpt2_trim_lowercase),
        "gpt2-sequence-no_regex": _edit(root / "gpt2-eot.json", root / "gpt2-seq.json", gpt2_sequence),
    }
    out = {name: (path, texts) for name, path in configs.items()}
    assert json.loads(configs["gpt2"].read_text())["post_processor"]["type"] == "ByteLevel"

    # Every code point (planes 0-3 and 14, as test_every_code_point_matches_hf, and a sample of the
    # rest) after a, 1 and a space: checks the embedded \p{L} / \p{N} / \s tables of the split
    # regex (`!` + the character would join exactly when none of the three does).
    probe = root / "regex-probe.json"
    probe.write_text(json.dumps(_regex_probe(), ensure_ascii=False), encoding="utf-8")
    cps = [cp for cp in [*range(0x40000), *range(0xE0000, 0xE1000), *range(0x40000, 0x110000, 0x1001)]
           if not 0xD800 <= cp <= 0xDFFF]
    every = ["".join(f"a{chr(cp)}\n1{chr(cp)}\n {chr(cp)}\n" for cp in cps[i:i + 600]) for i in range(0, len(cps), 600)]
    out["regex-classes"] = (probe, every)
    return out


@pytest.fixture(scope="module")
def bpe_results(bpe_configs, kit_jar) -> dict[str, tuple[int, list[dict]]]:
    """Every byte-level BPE config through one JVM run."""
    names = sorted(bpe_configs)
    results = kotlin.compare_many_with_hf([bpe_configs[name] for name in names], kit_jar)
    return dict(zip(names, results))


BPE_CONFIGS = ["roberta", "roberta-prefix_space", "roberta-prefix_space-no_trim", "roberta-no_trim", "roberta-added_tokens",
               "gpt2", "gpt2-trim_offsets-lowercase", "gpt2-sequence-no_regex", "regex-classes"]


@pytest.mark.parametrize("name", BPE_CONFIGS)
def test_byte_level_bpe_matches_hf(name, bpe_configs, bpe_results):
    path, texts = bpe_configs[name]
    assert not unsupported(json.loads(path.read_text(encoding="utf-8")))
    passed, mismatches = bpe_results[name]
    if mismatches:
        shown = "\n".join(
            json.dumps({k: m[k] for k in ("text", "fields", "tokens", "hf", "kotlin")}, ensure_ascii=True)[:1500]
            for m in mismatches[:3]
        )
        pytest.fail(f"{len(mismatches)} of {len(texts)} encodings differ from tokenizers ({name}):\n{shown}", pytrace=False)
    assert passed == len(texts)


def test_regex_probe_sees_the_split():
    """The regex-classes probe joins a, 1, ! and ' ' to a following letter, digit, symbol, letter."""
    probe = Tokenizer.from_str(json.dumps(_regex_probe()))
    assert [len(probe.encode(text).ids) for text in ["ab", "a1", "12", "1b", "!?", "!b", " b", " \nb"]] == [1, 2, 1, 2, 1, 2, 1, 3]
