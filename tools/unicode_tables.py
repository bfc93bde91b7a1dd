"""Unicode tables for the app shells' tokenizers, measured from the installed `tokenizers`.

`tokenizers` does not use the platform's Unicode data: its control/punctuation/non-spacing-mark
tables come from old Rust crates (e.g. U+0378-style unassigned code points are kept, many marks
added after Unicode 9 are not stripped), and lowercasing follows the Rust release it was built
with. The ByteLevel (GPT-2) split regex runs on Oniguruma, whose `\\p{L}`, `\\p{N}` and `\\s`
follow yet another Unicode version, and single-word added tokens test `\\w` of the Rust `regex`
crate. Android's ICU, the JVM's `Character`, Apple's Foundation and the Swift standard library
disagree with all of them, so the tables are measured from `tokenizers` itself, code point by
code point (`measure()`, once per process), and emitted into each kit:

- Kotlin: UnicodeTables.kt of edgepack-kit, the `UnicodeTables` object (`kotlin_source()`);
- Swift: UnicodeTables.swift of EdgepackKit (`swift_source()`).

`python -m tools.unicode_tables` rewrites both (development tooling: the kits ship the tables it
wrote, not this module).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path


BEGIN = "// <generated-unicode-tables>"
END = "// </generated-unicode-tables>"

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
KOTLIN_FILE = TEMPLATES / "android" / "edgepack-kit" / "src" / "main" / "kotlin" / "dev" / "edgepack" / "kit" / "UnicodeTables.kt"
SWIFT_FILE = TEMPLATES / "ios" / "EdgepackKit" / "Sources" / "EdgepackKit" / "UnicodeTables.swift"

_BLOCK = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)


@dataclass(frozen=True)
class Tables:
    """Code point sets and mappings, as `tokenizers` (the wheel installed here) behaves."""

    version: str
    control: list[int]            # clean_text removes these
    clean_space: list[int]        # clean_text maps these to ' '
    whitespace: list[int]         # BertPreTokenizer splits on these (Rust char::is_whitespace)
    punctuation: list[int]        # BertPreTokenizer isolates these
    decomposition: dict[int, str]  # canonical decompositions (not Hangul syllables)
    combining: dict[int, int]     # canonical combining classes of the marks NFD reorders
    nonspacing: list[int]         # strip_accents removes these after NFD
    lowercase: dict[int, str]     # Rust char::to_lowercase where it changes the character
    regex_letter: list[int]       # Oniguruma \p{L} (ByteLevel split regex)
    regex_number: list[int]       # Oniguruma \p{N}
    regex_space: list[int]        # Oniguruma \s
    word: list[int]               # Rust regex crate \w (single_word added tokens)
    compatibility: dict[int, str]  # NFKD where it differs from NFD
    combining_mark: list[int]     # the StripAccents normalizer removes these (all combining marks)
    composition: dict[int, str]   # primary composite = the pair NFC composes into it (Hangul is computed)
    grapheme_control: list[int]   # grapheme break classes Control, CR, LF (Precompiled's clusters)
    grapheme_extend: list[int]    # Extend, ZWJ, SpacingMark: join the character before them
    grapheme_prepend: list[int]   # Prepend: joins the character after it


# --------------------------------------------------------------------------- measuring

def _probe_charsmap(rules: dict[str, str]) -> bytes:
    """A SentencePiece `precompiled_charsmap` that rewrites each key of `rules` to its value and
    nothing else, compiled by the installed sentencepiece trainer."""
    import os
    import tempfile

    import sentencepiece
    from sentencepiece import sentencepiece_model_pb2

    def hexes(text: str) -> str:
        return " ".join(f"{ord(c):x}" for c in text)

    with tempfile.TemporaryDirectory() as scratch, open(os.devnull, "w") as quiet:
        folder = Path(scratch)
        (folder / "rules.tsv").write_text("".join(f"{hexes(k)}\t{hexes(v)}\n" for k, v in rules.items()))
        (folder / "corpus.txt").write_text("hello world\nabc def\n" * 50)
        sentencepiece.SentencePieceTrainer.train(
            input=str(folder / "corpus.txt"), model_prefix=str(folder / "probe"), vocab_size=40, hard_vocab_limit=False,
            model_type="unigram", normalization_rule_tsv=str(folder / "rules.tsv"), logstream=quiet)
        proto = sentencepiece_model_pb2.ModelProto()
        proto.ParseFromString((folder / "probe.model").read_bytes())
        return proto.normalizer_spec.precompiled_charsmap


def _compositions(decomposition: dict[int, str], nfc) -> dict[int, str]:
    """The primary composites NFC makes (a character with a canonical decomposition that NFC leaves as it
    is), each with the pair it composes from: the character's one-level decomposition in Python's Unicode
    data, confirmed by `tokenizers` composing exactly that pair into it."""
    import unicodedata

    out: dict[int, str] = {}
    for cp in decomposition:
        c = chr(cp)
        if nfc.normalize_str(c) != c:
            continue  # a singleton or an exclusion: NFC never makes it
        pair = [chr(int(h, 16)) for h in unicodedata.decomposition(c).split()]
        if len(pair) != 2 or nfc.normalize_str("".join(pair)) != c:
            raise AssertionError(f"no confirmed composition pair for U+{cp:04X} ({unicodedata.decomposition(c)!r})")
        out[cp] = "".join(pair)
    return out


def _grapheme_classes(code_points: list[int]) -> tuple[list[int], list[int], list[int]]:
    """(control, extend, prepend) as the Precompiled normalizer's grapheme segmentation sees them.

    A charsmap rewriting `a` to `x` replaces a whole cluster shorter than 6 bytes that starts
    with `a`, so `a` + c + LF normalizes to `x` + LF exactly when c extends the cluster. Prepend
    and Control come from the `regex` module's Unicode data, each confirmed the same way (a
    Prepend character joins what follows; nothing joins a control character)."""
    import regex
    from tokenizers.normalizers import Precompiled

    def normalized_lines(rules: dict[str, str], texts: list[str]) -> list[str]:
        lines = Precompiled(_probe_charsmap(rules)).normalize_str("".join(t + "\n" for t in texts)).split("\n")
        assert len(lines) == len(texts) + 1, "a probe text lost its line break"
        return lines[:-1]

    probed = [cp for cp in code_points if cp and chr(cp) not in "\r\n"]
    extend = [cp for cp, line in zip(probed, normalized_lines({"a": "x"}, ["a" + chr(cp) for cp in probed])) if line == "x"]

    def members(pattern: str) -> list[int]:
        compiled = regex.compile(pattern)
        return [cp for cp in code_points if compiled.match(chr(cp))]

    prepend = members(r"\p{Grapheme_Cluster_Break=Prepend}")
    lines = normalized_lines({chr(cp): "y" for cp in prepend}, [chr(cp) + "b" for cp in prepend])
    prepend = [cp for cp, line in zip(prepend, lines) if line == "y"]

    control = members(r"[\p{Grapheme_Cluster_Break=Control}\p{Grapheme_Cluster_Break=CR}\p{Grapheme_Cluster_Break=LF}]")
    # + U+0301 stays under 6 bytes; NUL cannot be a SentencePiece rule.
    short = [cp for cp in control if 0 < cp < 0x800 and chr(cp) not in "\r\n"]
    lines = normalized_lines({chr(cp): "y" for cp in short}, [chr(cp) + "\u0301" for cp in short])
    joined = {cp for cp, line in zip(short, lines) if line == "y"}
    return [cp for cp in control if cp not in joined], extend, prepend


def _every_code_point() -> list[int]:
    return [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]


def _regex_class(pattern: str, code_points: list[int], text: str) -> list[int]:
    """Code points an Oniguruma class matches, measured with `tokenizers.Regex` (the SysRegex the
    ByteLevel pre-tokenizer uses): split every code point off with the class removed."""
    from tokenizers import Regex
    from tokenizers.pre_tokenizers import Split

    members = set(code_points)
    for _, (start, end) in Split(Regex(pattern), "removed").pre_tokenize_str(text):
        for k in range(start, end):
            members.discard(code_points[k])
    return sorted(members)


def _word_chars(code_points: list[int]) -> list[int]:
    """`\\w` of the regex crate, as AddedVocabulary's single_word check sees it: an added token
    `x` (single_word) after each code point and before U+0001 (never a word character) is found
    exactly when the code point is not a word character."""
    from tokenizers import AddedToken, Tokenizer
    from tokenizers.models import WordLevel

    probe = Tokenizer(WordLevel({"<unk>": 0}, unk_token="<unk>"))
    probe.add_tokens([AddedToken("x", single_word=True, normalized=False)])
    x = probe.token_to_id("x")
    chunks = [code_points[i:i + 600] for i in range(0, len(code_points), 600)]
    encodings = probe.encode_batch(["".join(chr(cp) + "x\x01" for cp in chunk) for chunk in chunks])
    word = []
    for chunk, encoding in zip(chunks, encodings):
        found = {start // 3 for (start, _), i in zip(encoding.offsets, encoding.ids) if i == x}
        word += [cp for k, cp in enumerate(chunk) if k not in found]
    return word


@cache
def measure() -> Tables:
    """Every table, measured once per process (about 15 s)."""
    import unicodedata

    import tokenizers
    from tokenizers.normalizers import NFC, NFD, NFKD, BertNormalizer, Lowercase, StripAccents
    from tokenizers.pre_tokenizers import BertPreTokenizer

    clean = BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
    strip = BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False)
    nfd = NFD()
    nfkd = NFKD()
    strip_marks = StripAccents()
    combining_mark: list[int] = []
    lower = Lowercase()
    pre = BertPreTokenizer()
    control, space, whitespace, punctuation, nonspacing = [], [], [], [], []
    lowercase: dict[int, str] = {}
    decomposition: dict[int, str] = {}
    compatibility: dict[int, str] = {}
    combining: dict[int, int] = {}
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        cleaned = clean.normalize_str(c)
        if cleaned == "":
            control.append(cp)
        elif cleaned == " ":
            space.append(cp)
        elif cleaned != c:
            raise AssertionError(f"clean_text maps U+{cp:04X} to {cleaned!r}")
        decomposed = nfd.normalize_str(c)
        if decomposed != c and not 0xAC00 <= cp <= 0xD7A3:  # Hangul syllables decompose algorithmically
            decomposition[cp] = decomposed
        if strip_marks.normalize_str(c) == "":
            combining_mark.append(cp)
        compatible = nfkd.normalize_str(c)
        if compatible != decomposed:
            compatibility[cp] = compatible
        if decomposed == c and strip.normalize_str(c) == "":
            nonspacing.append(cp)
        ccc = unicodedata.combining(c)
        if ccc and decomposed == c:
            # The crate's Unicode is older than Python's: a mark it does not know has class 0
            # and is never reordered. Probe against U+0334 (class 1) / U+0301 (class 230).
            probe = nfd.normalize_str("a" + c + "\u0334") if ccc > 1 else nfd.normalize_str("a\u0301" + c)
            reordered = probe[1] != c if ccc > 1 else probe[1] == c
            if reordered:
                combining[cp] = ccc
        value = lower.normalize_str(c)
        if value != c:
            lowercase[cp] = value
        pieces = pre.pre_tokenize_str("a" + c + "b")
        if len(pieces) == 3:
            punctuation.append(cp)
        elif len(pieces) == 2:
            whitespace.append(cp)
    every = _every_code_point()
    every_text = "".join(map(chr, every))
    letters, numbers, spaces = (_regex_class(p, every, every_text) for p in (r"\p{L}", r"\p{N}", r"\s"))
    composition = _compositions(decomposition, NFC())
    grapheme_control, grapheme_extend, grapheme_prepend = _grapheme_classes(every)
    return Tables(
        version=tokenizers.__version__, control=control, clean_space=space, whitespace=whitespace,
        punctuation=punctuation, decomposition=decomposition, combining=combining, nonspacing=nonspacing,
        lowercase=lowercase, regex_letter=letters, regex_number=numbers, regex_space=spaces,
        word=_word_chars(every), compatibility=compatibility, combining_mark=combining_mark, composition=composition, grapheme_control=grapheme_control,
        grapheme_extend=grapheme_extend, grapheme_prepend=grapheme_prepend,
    )


# --------------------------------------------------------------------------- compact text forms

def ranges(code_points: list[int]) -> str:
    """`41-5a,61-7a,aa`: sorted hex ranges."""
    spans: list[list[int]] = []
    for cp in sorted(code_points):
        if spans and spans[-1][1] == cp - 1:
            spans[-1][1] = cp
        else:
            spans.append([cp, cp])
    return ",".join(f"{a:x}" if a == b else f"{a:x}-{b:x}" for a, b in spans)


def mapping(table: dict[int, str]) -> str:
    """`c0=41.300;c1=41.301`: code point = the code points it maps to."""
    return ";".join(f"{cp:x}=" + ".".join(f"{ord(c):x}" for c in value) for cp, value in sorted(table.items()))


def class_ranges(classes: dict[int, int]) -> str:
    """`300-314:e6,315:e8`: runs of code points with the same combining class."""
    spans: list[list[int]] = []
    for cp in sorted(classes):
        if spans and spans[-1][1] == cp - 1 and spans[-1][2] == classes[cp]:
            spans[-1][1] = cp
        else:
            spans.append([cp, cp, classes[cp]])
    return ",".join(f"{a:x}-{b:x}:{k:x}" for a, b, k in spans)


# --------------------------------------------------------------------------- Kotlin

def _kotlin_chunks(value: str, size: int = 16000) -> str:
    # JVM class-file string constants are limited to 65535 bytes: concatenate literals.
    parts = [value[i:i + size] for i in range(0, len(value), size)] or [""]
    return " +\n        ".join(f'"{p}"' for p in parts)


def kotlin_source(tables: Tables | None = None) -> str:
    """UnicodeTables.kt: the Kotlin `UnicodeTables` object (the file's generated block)."""
    t = tables or measure()
    k = _kotlin_chunks
    return "\n".join([
        BEGIN,
        f"// Measured from Hugging Face tokenizers {t.version} by tools/unicode_tables.py",
        "// (`python -m tools.unicode_tables`); do not edit by hand.",
        "internal object UnicodeTables {",
        f"    /** clean_text removes these (NUL, U+FFFD, control/format/private-use). */\n    val CONTROL: String = {k(ranges(t.control))}",
        f"    /** clean_text maps these to ' '. */\n    val CLEAN_SPACE: String = {k(ranges(t.clean_space))}",
        f"    /** BertPreTokenizer splits on these (Rust char::is_whitespace). */\n    val WHITESPACE: String = {k(ranges(t.whitespace))}",
        f"    /** BertPreTokenizer isolates these. */\n    val PUNCTUATION: String = {k(ranges(t.punctuation))}",
        f"    /** Canonical decompositions (Hangul syllables are computed). */\n    val DECOMPOSITION: String = {k(mapping(t.decomposition))}",
        f"    /** Canonical combining classes (start-end:class, hex) of the marks NFD reorders. */\n    val COMBINING_CLASS: String = {k(class_ranges(t.combining))}",
        f"    /** strip_accents removes these after NFD (non-spacing marks). */\n    val NONSPACING_MARK: String = {k(ranges(t.nonspacing))}",
        f"    /** Per-character Rust char::to_lowercase where it changes the character. */\n    val LOWERCASE: String = {k(mapping(t.lowercase))}",
        f"    /** ByteLevel split regex `\\p{{L}}` (Oniguruma). */\n    val REGEX_LETTER: String = {k(ranges(t.regex_letter))}",
        f"    /** ByteLevel split regex `\\p{{N}}` (Oniguruma). */\n    val REGEX_NUMBER: String = {k(ranges(t.regex_number))}",
        f"    /** ByteLevel split regex `\\s` (Oniguruma). */\n    val REGEX_SPACE: String = {k(ranges(t.regex_space))}",
        f"    /** `\\w` of the Rust regex crate (single_word added tokens). */\n    val WORD: String = {k(ranges(t.word))}",
        f"    /** NFKD where it differs from NFD. */\n    val COMPATIBILITY_DECOMPOSITION: String = {k(mapping(t.compatibility))}",
        f"    /** NFC's primary composites = the pair each is composed from (Hangul syllables are computed). */\n    val COMPOSITION: String = {k(mapping(t.composition))}",
        f"    /** The StripAccents normalizer removes these (every combining mark). */\n    val COMBINING_MARK: String = {k(ranges(t.combining_mark))}",
        f"    /** Grapheme break classes Control, CR, LF (Precompiled's clusters). */\n    val GRAPHEME_CONTROL: String = {k(ranges(t.grapheme_control))}",
        f"    /** Grapheme break classes Extend, ZWJ, SpacingMark: they join the character before. */\n    val GRAPHEME_EXTEND: String = {k(ranges(t.grapheme_extend))}",
        f"    /** Grapheme break class Prepend: joins the character after. */\n    val GRAPHEME_PREPEND: String = {k(ranges(t.grapheme_prepend))}",
        "}",
        END,
    ])


# --------------------------------------------------------------------------- Swift

def _swift_literal(value: str, width: int = 110) -> str:
    """A multi-line string literal whose lines are joined by trailing backslashes (no newline
    in the value): short lines for diffs and editors, one literal for the type checker."""
    lines, line = [], ""
    for piece in re.findall(r"[^,;]*[,;]?", value):
        if line and len(line) + len(piece) > width:
            lines.append(line)
            line = ""
        line += piece
    lines.append(line)
    body = "\\\n".join("        " + l for l in lines)
    return f'"""\n{body}\n        """'


def swift_source(tables: Tables | None = None) -> str:
    """UnicodeTables.swift: the same tables."""
    t = tables or measure()
    entries = [
        ("clean_text removes these (NUL, U+FFFD, control/format/private-use).", "control", ranges(t.control)),
        ("clean_text maps these to ' '.", "cleanSpace", ranges(t.clean_space)),
        ("BertPreTokenizer splits on these (Rust char::is_whitespace).", "whitespace", ranges(t.whitespace)),
        ("BertPreTokenizer isolates these.", "punctuation", ranges(t.punctuation)),
        ("Canonical decompositions (Hangul syllables are computed).", "decomposition", mapping(t.decomposition)),
        ("Canonical combining classes (start-end:class, hex) of the marks NFD reorders.", "combiningClass",
         class_ranges(t.combining)),
        ("strip_accents removes these after NFD (non-spacing marks).", "nonspacingMark", ranges(t.nonspacing)),
        ("Per-character Rust char::to_lowercase where it changes the character.", "lowercase", mapping(t.lowercase)),
        ("ByteLevel split regex `\\p{L}` (Oniguruma).", "regexLetter", ranges(t.regex_letter)),
        ("ByteLevel split regex `\\p{N}` (Oniguruma).", "regexNumber", ranges(t.regex_number)),
        ("ByteLevel split regex `\\s` (Oniguruma).", "regexSpace", ranges(t.regex_space)),
        ("`\\w` of the Rust regex crate (single_word added tokens).", "word", ranges(t.word)),
        ("NFKD where it differs from NFD.", "compatibilityDecomposition", mapping(t.compatibility)),
        ("NFC's primary composites = the pair each is composed from (Hangul syllables are computed).", "composition",
         mapping(t.composition)),
        ("The StripAccents normalizer removes these (every combining mark).", "combiningMark", ranges(t.combining_mark)),
        ("Grapheme break classes Control, CR, LF (Precompiled's clusters).", "graphemeControl", ranges(t.grapheme_control)),
        ("Grapheme break classes Extend, ZWJ, SpacingMark: they join the character before.", "graphemeExtend",
         ranges(t.grapheme_extend)),
        ("Grapheme break class Prepend: joins the character after.", "graphemePrepend", ranges(t.grapheme_prepend)),
    ]
    lines = [
        BEGIN,
        f"// Measured from Hugging Face tokenizers {t.version} by tools/unicode_tables.py",
        "// (`python -m tools.unicode_tables`); do not edit by hand.",
        "",
        "/// Character classes of `tokenizers` as hex ranges (`a-b,c`) and mappings (`a=b.c;d=e`),",
        "/// parsed once by `UnicodeData`; plain strings keep the Swift type checker fast.",
        "enum UnicodeTables {",
    ]
    for doc, name, value in entries:
        lines += [f"    /// {doc}", f"    static let {name}: String = {_swift_literal(value)}"]
    lines += ["}", END]
    return "\n".join(lines)


# --------------------------------------------------------------------------- files

def embedded(path: Path) -> str:
    """The generated block of a source file ('' if it has none)."""
    match = _BLOCK.search(path.read_text(encoding="utf-8")) if path.exists() else None
    return match.group(0) if match else ""


def update(path: Path, fresh: str) -> bool:
    """Replace (or append) the generated block of `path`; True when the file changed."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if _BLOCK.search(text):
        updated = _BLOCK.sub(lambda _: fresh, text)
    else:
        updated = (text.rstrip("\n") + "\n\n" if text.strip() else "") + fresh + "\n"
    if updated != text:
        path.write_text(updated, encoding="utf-8")
        return True
    return False


def update_all() -> dict[Path, bool]:
    """Regenerate the Kotlin and the Swift tables from one measurement."""
    tables = measure()
    return {KOTLIN_FILE: update(KOTLIN_FILE, kotlin_source(tables)), SWIFT_FILE: update(SWIFT_FILE, swift_source(tables))}


if __name__ == "__main__":
    for path, changed in update_all().items():
        print(f"{path}: {'updated' if changed else 'up to date'}")
