"""The tokenizer.json configurations and texts both app tokenizers are proven on.

tests/test_kotlin_tokenizer.py (Android kit, on the JVM) and tests/test_swift_tokenizer.py
(iOS kit) compare their tokenizer with Hugging Face `tokenizers` on exactly these: BERT
WordPiece tokenizers trained here in several normalizer settings, the real all-MiniLM-L6-v2
tokenizer, post-processor / padding / added-token variants, every code point of planes 0-3
and 14, byte-level BPE tokenizers in RoBERTa and GPT-2 layouts, a probe of the GPT-2 split
regex's character classes, and configurations both must refuse.
"""

from __future__ import annotations

import json
from pathlib import Path

import transformers
from tokenizers import AddedToken, Tokenizer
from tokenizers.implementations import BertWordPieceTokenizer, ByteLevelBPETokenizer
from tokenizers.pre_tokenizers import ByteLevel

from cache import disk_cached
from checkpoints import CORPUS, SPECIAL_TOKENS, minilm_dir
from corpus import varied_pairs, varied_texts

TEXTS = varied_texts()
PAIRS = varied_pairs(300)


def train_wordpiece(directory: Path, vocab_size: int = 1500, **settings) -> Path:
    """A WordPiece tokenizer trained the way tests/checkpoints.py trains one, saved by transformers."""
    scratch = BertWordPieceTokenizer(**settings)
    scratch.train_from_iterator(CORPUS + TEXTS[:400], vocab_size=vocab_size, min_frequency=1, special_tokens=SPECIAL_TOKENS)
    wordpiece = BertWordPieceTokenizer(vocab=scratch.get_vocab(), **settings)
    fast = transformers.BertTokenizerFast(tokenizer_object=wordpiece._tokenizer, model_max_length=128)
    fast.save_pretrained(directory)
    return directory / "tokenizer.json"


def edit_json(path: Path, out: Path, edit) -> Path:
    """A copy of tokenizer.json `path` at `out`, changed in place by `edit(data)`."""
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return out


def truncated(**params):
    """An edit that sets tokenizer.json's truncation (128 tokens, longest first, unless overridden)."""
    def edit(data):
        data["truncation"] = {"direction": "Right", "max_length": 128, "strategy": "LongestFirst", "stride": 0, **params}
    return edit


WORDPIECE_CONFIGS = {
    # name: (BertWordPieceTokenizer settings, tokenizer.json edit or None)
    "lower-strip_none": (dict(lowercase=True, strip_accents=None, handle_chinese_chars=True), truncated()),
    "cased-strip_none": (dict(lowercase=False, strip_accents=None, handle_chinese_chars=True), truncated()),
    "cased-strip_true": (dict(lowercase=False, strip_accents=True, handle_chinese_chars=True), None),
    "lower-strip_false": (dict(lowercase=True, strip_accents=False, handle_chinese_chars=True), truncated(max_length=32)),
    "lower-strip_true-no_cjk": (dict(lowercase=True, strip_accents=True, handle_chinese_chars=False), truncated(direction="Left", max_length=24)),
    "no_clean_text": (dict(clean_text=False, lowercase=True, strip_accents=None, handle_chinese_chars=True), truncated(max_length=300)),
}


def trained_wordpiece(name: str, directory: Path) -> Path:
    """WORDPIECE_CONFIGS[name], trained and edited in `directory`."""
    settings, edit = WORDPIECE_CONFIGS[name]
    path = train_wordpiece(directory, **settings)
    return edit_json(path, directory / "edited.json", edit) if edit else path


# --------------------------------------------------------------------------- post-processors, padding, added tokens

ADDED_TOKEN_TEXTS = [
    "say hello world now", "sayhello world", "hello worlds", "HELLO WORLD!", "x <mask2> y", "x<mask2>y",
    "  <mask2>  ", "FOO foo Foo", "café  latte", "Café", "foo<mask2>hello world",
]


def added_token_variants(directory: Path) -> tuple[list[Path], list]:
    """BertProcessing, padding variants and added tokens with lstrip/rstrip/single_word/normalized:
    four tokenizer.json files, and the texts to run them on."""
    path = train_wordpiece(directory, lowercase=True, strip_accents=None, handle_chinese_chars=True)
    hf = Tokenizer.from_file(str(path))
    hf.add_special_tokens([AddedToken("<mask2>", lstrip=True, rstrip=True, special=True, normalized=False)])
    hf.add_tokens([AddedToken("hello world", single_word=True, normalized=True), AddedToken("Foo", normalized=True),
                   AddedToken("café", normalized=False, rstrip=True)])
    hf.save(str(directory / "added.json"))
    texts = TEXTS[:600] + PAIRS[:100] + ADDED_TOKEN_TEXTS

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

    variants = [directory / "added.json"]
    for i, edit in enumerate([bert_processing, padding, fixed], start=1):
        variants.append(edit_json(directory / "added.json", directory / f"v{i}.json", edit))
    return variants, texts


# --------------------------------------------------------------------------- every code point

def every_code_point(directory: Path) -> tuple[Path, list[str]]:
    """MiniLM without truncation or padding, and each code point of planes 0-3 and 14 between two
    letters, 600 per text: checks the embedded Unicode tables (control, whitespace, punctuation,
    accents, lowercase) end to end."""
    path = edit_json(minilm_dir() / "tokenizer.json", directory / "plain.json", lambda d: d.update(truncation=None, padding=None))
    # Planes 4-13 are unassigned and 15-16 private use (one range in the tables).
    cps = [cp for cp in [*range(0x40000), *range(0xE0000, 0xE1000), 0xF0000, 0x10FFFD] if not 0xD800 <= cp <= 0xDFFF]
    return path, ["".join("a" + chr(cp) + "B " for cp in cps[i:i + 600]) for i in range(0, len(cps), 600)]


# --------------------------------------------------------------------------- refusals

def refusals(directory: Path) -> list[tuple[Path, str]]:
    """(tokenizer.json, the refusal message the app tokenizers must give): configurations that
    `tokenizers` accepts and the app tokenizers do not implement."""
    cases = []
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(CORPUS, vocab_size=300, min_frequency=1)
    bpe.save(str(directory / "bpe.json"))
    edits = [
        (lambda d: d["model"].update(dropout=0.1), "unsupported BPE dropout 0.1"),
        (lambda d: d.update(normalizer={"type": "ByteLevel"}), "unsupported normalizer ByteLevel"),
        (lambda d: d.update(normalizer={"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "ByteLevel"}]}),
         "unsupported normalizer ByteLevel"),
        (lambda d: d.update(normalizer={"type": "Replace", "pattern": {"Regex": "(a|b)+"}, "content": " "}),
         'unsupported Replace normalizer regex "(a|b)+"'),
        (lambda d: d.update(pre_tokenizer={"type": "Digits", "individual_digits": True}), "unsupported pre_tokenizer Digits"),
        (lambda d: d.update(post_processor={"type": "Sequence", "processors": [
            {"type": "RobertaProcessing", "sep": ["a", 1], "cls": ["b", 2], "trim_offsets": True, "add_prefix_space": False},
            {"type": "BertProcessing", "sep": ["a", 1], "cls": ["b", 2]}]}),
         "unsupported post_processor: a Sequence with more than one special-token processor"),
    ]
    for i, (edit, message) in enumerate(edits):
        cases.append((edit_json(directory / "bpe.json", directory / f"refused-{i}.json", edit), message))
    return cases


# --------------------------------------------------------------------------- byte-level BPE

BPE_SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
BPE_EXTRA_TEXTS = [
    "x <mask> y", "x<mask>y", "  <mask>  ", "<mask>", " <mask>", "\u3000<mask>z", "\t<mask>\n", "hello <mask>.",
    "<s>hello</s>", "</s></s>", "<s> <pad> <unk>", "<pad>", "", " ", "  ", "\n", "a  b", "a \u00a0b", "a\u3000\u3000b  ",
    "it's 'twas I'LL we'd they've you're I'm 's 'S '", "x''s", "\n\nx", " leading", "trailing ", "  two  spaces  ",
    "say hello world now", "sayhello world", "hello worlds", "café  latte", "x <mask2> y", "foo<mask2>hello world",
    "12345 1,000.5 ½ ² ١٢٣ x²", "😀 😀😀  👨‍👩‍👧", "\x00\x01 \x7f\x85\u200b", "ǅemal İstanbul ΣΊΣΥΦΟΣ",
]
BPE_CONFIGS = ["roberta", "roberta-prefix_space", "roberta-prefix_space-no_trim", "roberta-no_trim", "roberta-added_tokens",
               "gpt2", "gpt2-trim_offsets-lowercase", "gpt2-sequence-no_regex", "regex-classes"]


def _bpe_trainer(special_tokens) -> ByteLevelBPETokenizer:
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(CORPUS + TEXTS[:400], vocab_size=1500, min_frequency=1, special_tokens=special_tokens)
    return bpe


def _roberta(data, add_prefix_space: bool, trim_offsets: bool):
    data["pre_tokenizer"] = {"type": "ByteLevel", "add_prefix_space": add_prefix_space, "trim_offsets": True, "use_regex": True}
    data["post_processor"] = {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                              "trim_offsets": trim_offsets, "add_prefix_space": add_prefix_space}


def regex_probe() -> dict:
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


def bpe_configs(root: Path) -> dict[str, tuple[Path, list]]:
    """BPE_CONFIGS, name: (tokenizer.json, texts). RoBERTa layouts from a ByteLevelBPETokenizer saved
    by transformers.RobertaTokenizerFast, GPT-2 layouts saved by tokenizers, and edits of both."""
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

    def legacy_merges(data):
        data["model"]["merges"] = [" ".join(pair) for pair in data["model"]["merges"]]

    def roberta_base(d):
        mask_lstrip(d)
        truncated()(d)

    def roberta_prefix_space(d):
        _roberta(d, True, True)
        mask_lstrip(d)
        truncated(max_length=32)(d)
        legacy_merges(d)

    def roberta_prefix_space_no_trim(d):
        _roberta(d, True, False)
        mask_lstrip(d)
        d["padding"] = {"strategy": "BatchLongest", "direction": "Right", "pad_to_multiple_of": 8,
                        "pad_id": 1, "pad_type_id": 0, "pad_token": "<pad>"}

    def roberta_no_trim(d):
        _roberta(d, False, False)
        mask_lstrip(d)
        truncated(max_length=24)(d)

    def gpt2_trim_lowercase(d):
        d["pre_tokenizer"]["add_prefix_space"] = True
        d["post_processor"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}
        d["normalizer"] = {"type": "Lowercase"}
        truncated(max_length=40)(d)

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
        truncated(max_length=96)(d)

    configs = {
        "roberta": edit_json(base, root / "roberta.json", roberta_base),
        "roberta-prefix_space": edit_json(base, root / "roberta-ps.json", roberta_prefix_space),
        "roberta-prefix_space-no_trim": edit_json(base, root / "roberta-ps-nt.json", roberta_prefix_space_no_trim),
        "roberta-no_trim": edit_json(base, root / "roberta-nt.json", roberta_no_trim),
        "roberta-added_tokens": edit_json(root / "roberta-added.json", root / "roberta-added-ps.json",
                                          lambda d: (_roberta(d, True, True), mask_lstrip(d))),
        "gpt2": root / "gpt2.json",
        "gpt2-trim_offsets-lowercase": edit_json(root / "gpt2.json", root / "gpt2-trim.json", gpt2_trim_lowercase),
        "gpt2-sequence-no_regex": edit_json(root / "gpt2-eot.json", root / "gpt2-seq.json", gpt2_sequence),
    }
    out = {name: (path, texts) for name, path in configs.items()}
    assert json.loads(configs["gpt2"].read_text())["post_processor"]["type"] == "ByteLevel"

    # Every code point (planes 0-3 and 14, as every_code_point(), and a sample of the rest) after
    # a, 1 and a space: checks the embedded \p{L} / \p{N} / \s tables of the split regex (`!` +
    # the character would join exactly when none of the three does).
    probe = root / "regex-probe.json"
    probe.write_text(json.dumps(regex_probe(), ensure_ascii=False), encoding="utf-8")
    cps = [cp for cp in [*range(0x40000), *range(0xE0000, 0xE1000), *range(0x40000, 0x110000, 0x1001)]
           if not 0xD800 <= cp <= 0xDFFF]
    every = ["".join(f"a{chr(cp)}\n1{chr(cp)}\n {chr(cp)}\n" for cp in cps[i:i + 600]) for i in range(0, len(cps), 600)]
    out["regex-classes"] = (probe, every)
    assert sorted(out) == sorted(BPE_CONFIGS)
    return out


# --------------------------------------------------------------------------- Swift-specific pitfalls

def single_word_every_code_point(directory: Path) -> tuple[Path, list[str]]:
    """MiniLM without truncation or padding plus a single_word added token `x`, found after each
    code point of planes 0-3 and 14 exactly when that code point is not `\\w` of the Rust regex
    crate: checks the kit's word-character table end to end."""
    hf = Tokenizer.from_file(str(minilm_dir() / "tokenizer.json"))
    hf.no_truncation()
    hf.no_padding()
    hf.add_tokens([AddedToken("x", single_word=True, normalized=False)])
    path = directory / "single-word.json"
    hf.save(str(path))
    cps = [cp for cp in [*range(0x40000), *range(0xE0000, 0xE1000)] if not 0xD800 <= cp <= 0xDFFF]
    return path, ["".join(chr(cp) + "x\x01" for cp in cps[i:i + 600]) for i in range(0, len(cps), 600)]


def canonical_equivalents(directory: Path) -> tuple[Path, list]:
    """A cased WordPiece vocabulary holding canonically equivalent but distinct tokens (é and
    e + U+0301, Å as U+00C5 and as U+212B ANGSTROM SIGN) with different ids, and added tokens
    likewise: Swift's String == and [String: Int] would merge them, `tokenizers` does not."""
    path = train_wordpiece(directory, lowercase=False, strip_accents=None, handle_chinese_chars=True)
    data = json.loads(path.read_text(encoding="utf-8"))
    vocab = data["model"]["vocab"]
    for token in ["caf\u00e9", "cafe\u0301", "\u00c5", "\u212b", "A\u030a", "##\u00e9", "##e\u0301"]:
        vocab.setdefault(token, len(vocab))
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    hf = Tokenizer.from_file(str(path))
    hf.add_tokens([AddedToken("n\u00e9", normalized=False), AddedToken("\u212bx", normalized=True)])
    hf.save(str(directory / "canonical.json"))
    texts = ["caf\u00e9 cafe\u0301", "\u00c5 \u212b A\u030a", "xcaf\u00e9 xcafe\u0301", "n\u00e9 ne\u0301 \u212bx \u00c5x",
             "ne\u0301n\u00e9", ("caf\u00e9", "cafe\u0301")] + TEXTS[:300]
    return directory / "canonical.json", texts


# --------------------------------------------------------------------------- SentencePiece (Unigram, BPE with byte_fallback)

SENTENCEPIECE_EXTRA_TEXTS = [
    "", " ", "  x  ", "a  b   c", "\u2581x \u2581 y\u2581", "x\r\ny\rz\n", "\t\ttab", "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３", "½ ⅓ ² ㎏ ﬁ ℡ ㍻",
    "e\u0301 Ａ\u0301 Ａ\u0301\u0301 a\u0301\u0301\u0301", "\u0600a \u06ddb \U000110bdc", "\u200d\u200b\u00ad\ufeff", "``quoted'' text",
    "Käse ÄÖÜ ß İstanbul ΣΊΣΥΦΟΣ", "한국어 텍스트 각", "日本語のテキスト。", "😀 👨‍👩‍👧 🇫🇷 ©\u200d©", "\x00\x01 \x7f\x85",
    "<s> x </s> <unk> <pad> <mask>", "abc\ufffd", "  leading", "trailing  ", "multiple   inner    spaces",
]
SENTENCEPIECE_CONFIGS = ["xlmr", "t5", "albert-normalizers", "deberta-v3", "unigram-nfkc", "unigram-byte_fallback", "llama",
                         "llama-legacy", "gemma", "released-ai21-j2"]


def train_sentencepiece(folder: Path, kind: str) -> Path:
    """A SentencePiece model (SentencePiece's own trainer, default nmt_nfkc normalization) on the
    test corpus; 98% character coverage leaves rare characters unknown, byte_fallback for BPE."""
    import os

    import sentencepiece

    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "corpus.txt"
    corpus.write_text("\n".join(t.replace("\n", " ") for t in CORPUS + TEXTS[:400]), encoding="utf-8")
    with open(os.devnull, "w") as quiet:
        sentencepiece.SentencePieceTrainer.train(
            input=str(corpus), model_prefix=str(folder / kind), vocab_size=2500, hard_vocab_limit=False, model_type=kind,
            character_coverage=0.98, byte_fallback=kind == "bpe", logstream=quiet)
    return folder / f"{kind}.model"


def converted(model: Path, tokenizer_class, folder: Path) -> Path:
    """tokenizer.json as transformers converts a SentencePiece model for `tokenizer_class`."""
    import shutil

    source = folder / "source"
    source.mkdir(parents=True)
    shutil.copy(model, source / tokenizer_class.vocab_files_names["vocab_file"])
    tokenizer_class.from_pretrained(str(source)).save_pretrained(folder)
    return folder / "tokenizer.json"


@disk_cached
def released_ai21_j2(directory: Path) -> Path:
    """A released SentencePiece model from PyPI (the `ai21-tokenizer` wheel, Apache-2.0): AI21's Jurassic-2
    Unigram, 262,144 pieces, nmt_nfkc charsmap, byte_fallback, punctuation as user-defined pieces (a Split
    regex), converted by transformers offline (about 35 s, once per machine)."""
    import importlib.resources
    import shutil

    from transformers import TokenizersBackend

    source = directory / "source"
    source.mkdir(parents=True)
    model = importlib.resources.files("ai21_tokenizer") / "resources" / "j2-tokenizer" / "j2-tokenizer.model"
    shutil.copy(model, source / "tokenizer.model")
    TokenizersBackend.from_pretrained(str(source)).save_pretrained(directory)
    return directory


def sentencepiece_configs(root: Path) -> dict[str, tuple[Path, list]]:
    """SENTENCEPIECE_CONFIGS, name: (tokenizer.json, texts): Unigram models as transformers converts
    them for XLM-RoBERTa and T5 (Precompiled charsmap, WhitespaceSplit + Metaspace) and DeBERTa-v3
    (Replace with a regex, NFC, Strip), and with ALBERT's normalizer chain and with tokenizers' own
    SentencePiece chain (Nmt, NFKC); a Unigram with byte_fallback; byte_fallback BPE as Llama
    (Metaspace `first`, no split), legacy Llama (Prepend + Replace normalizers) and Gemma (Replace +
    Split) ship it; and a released model, AI21's Jurassic-2 Unigram."""
    unigram = train_sentencepiece(root / "spm", "unigram")
    bpe = train_sentencepiece(root / "spm", "bpe")
    xlmr = converted(unigram, transformers.XLMRobertaTokenizer, root / "xlmr")
    llama = converted(bpe, transformers.LlamaTokenizer, root / "llama")
    data = json.loads(xlmr.read_text(encoding="utf-8"))
    assert data["normalizer"]["type"] == "Precompiled" and data["model"]["type"] == "Unigram"
    assert json.loads(llama.read_text(encoding="utf-8"))["model"]["byte_fallback"] is True
    charsmap = data["normalizer"]

    def albert_normalizers(d):  # transformers' AlbertConverter chain (its Albert class cannot load a bare .model here)
        d["normalizer"] = {"type": "Sequence", "normalizers": [
            {"type": "Replace", "pattern": {"String": "``"}, "content": '"'},
            {"type": "Replace", "pattern": {"String": "''"}, "content": '"'},
            {"type": "NFKD"}, {"type": "StripAccents"}, {"type": "Lowercase"}, charsmap,
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
            {"type": "Replace", "pattern": {"Regex": "\\A +| +\\z"}, "content": ""}]}
        truncated(max_length=48)(d)

    def nfkc(d):  # as tokenizers' SentencePieceUnigramTokenizer builds it
        d["normalizer"] = {"type": "Sequence", "normalizers": [
            {"type": "Nmt"}, {"type": "NFKC"}, {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]}

    def byte_fallback(d):
        d["model"]["byte_fallback"] = True
        d["padding"] = {"strategy": {"Fixed": 96}, "direction": "Right", "pad_to_multiple_of": None,
                        "pad_id": 1, "pad_type_id": 0, "pad_token": "<pad>"}

    def llama_legacy(d):  # tokenizer.json as Llama 2 checkpoints shipped it
        d["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
                                                               {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]}
        d["pre_tokenizer"] = None

    def gemma(d):
        d["normalizer"] = {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}
        d["pre_tokenizer"] = {"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithPrevious", "invert": False}

    configs = {
        "xlmr": xlmr,
        "t5": converted(unigram, transformers.T5Tokenizer, root / "t5"),
        "albert-normalizers": edit_json(xlmr, root / "albert.json", albert_normalizers),
        "deberta-v3": converted(unigram, transformers.DebertaV2Tokenizer, root / "deberta"),
        "unigram-nfkc": edit_json(xlmr, root / "unigram-nfkc.json", nfkc),
        "unigram-byte_fallback": edit_json(xlmr, root / "unigram-bf.json", byte_fallback),
        "llama": llama,
        "llama-legacy": edit_json(llama, root / "llama-legacy.json", llama_legacy),
        "gemma": edit_json(llama, root / "gemma.json", gemma),
        "released-ai21-j2": released_ai21_j2(root / "ai21-j2") / "tokenizer.json",
    }
    texts = TEXTS + PAIRS + SENTENCEPIECE_EXTRA_TEXTS
    assert sorted(configs) == sorted(SENTENCEPIECE_CONFIGS)
    return {name: (path, texts) for name, path in configs.items()}


def every_code_point_after_a_key(tokenizer: Path, directory: Path) -> tuple[Path, list[str]]:
    """`tokenizer` (a sentencepiece_configs one) without truncation, and each code point of planes 0-3 and
    14 after `a` and after a fullwidth `Ａ` (a charsmap key, so a short cluster it starts is replaced whole;
    and a compatibility character NFKC decomposes): the charsmap reader, the grapheme clusters and the
    (de)composition tables end to end."""
    plain = edit_json(tokenizer, directory / f"plain-{tokenizer.stem}.json", lambda d: d.update(truncation=None, padding=None))
    cps = [cp for cp in [*range(0x40000), *range(0xE0000, 0xE1000)] if not 0xD800 <= cp <= 0xDFFF]
    return plain, ["".join(f"a{chr(cp)}B \uff21{chr(cp)} " for cp in cps[i:i + 400]) for i in range(0, len(cps), 400)]


# --------------------------------------------------------------------------- the regex grammar

# Patterns on both sides of the kits' regex grammar (Pattern.kt / Pattern.swift): the builder's
# tokenizer_support.regex_problem must accept exactly the ones the kits accept.
REGEX_CASES = [
    " {2,}", "\\A +| +\\z", "\\A\u2581", "\\s{2,}|[\\n\\r\\t]", ",|\\(|\\)", "\\s+", "a?b*c{2}d{1,3}", "[a-c\\-x]+",
    "(a|b)+", "a*", "\\A", "[^a]", "a+?", "x{2", "a|", "\\d", ".", "[a[b]]", "\\w+", "a{x}",
]


def regex_probe_tokenizer(regex: str, directory: Path) -> Path:
    """MiniLM's tokenizer.json whose normalizer is a Replace with `regex`."""
    return edit_json(minilm_dir() / "tokenizer.json", directory / f"regex-{REGEX_CASES.index(regex)}.json",
                     lambda d: d.update(normalizer={"type": "Replace", "pattern": {"Regex": regex}, "content": " "}))
