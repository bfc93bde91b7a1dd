"""Which tokenizer.json configurations the app shells' tokenizers implement.

Checked when an app is generated: an app that would tokenize differently from Hugging Face
is refused with the component that is not supported, never generated.
"""

from __future__ import annotations

from typing import Any

from builder.errors import EdgepackError

SUPPORTED = {
    "normalizer": {None, "BertNormalizer", "Lowercase", "NFD", "NFKD", "NFC", "NFKC", "StripAccents", "Nmt", "Strip", "Prepend",
                   "Replace", "Precompiled", "Sequence"},
    "pre_tokenizer": {None, "BertPreTokenizer", "ByteLevel", "WhitespaceSplit", "Metaspace", "Split", "Sequence"},
    "model": {"WordPiece", "BPE", "Unigram"},
    "post_processor": {None, "TemplateProcessing", "BertProcessing", "RobertaProcessing", "ByteLevel", "Sequence"},
    # Needed only by a task that turns ids back into text (its post-processing names a decoder).
    "decoder": {None, "WordPiece", "ByteLevel", "Metaspace", "BPEDecoder", "Replace", "ByteFallback", "Fuse", "Strip", "Sequence"},
}
# Post-processors a Sequence may chain (at most one of them adds special tokens).
SEQUENCE_POST_PROCESSORS = {"TemplateProcessing", "BertProcessing", "RobertaProcessing", "ByteLevel"}
SPLIT_BEHAVIORS = {"Removed", "Isolated", "Contiguous", "MergedWithPrevious", "MergedWithNext",
                   "removed", "isolated", "contiguous", "merged_with_previous", "merged_with_next"}


def _kind(config: Any) -> str | None:
    return config.get("type") if isinstance(config, dict) else None


def _unknown_kind(component: str, config: Any) -> list[str]:
    """The problem when `config`'s type is not one the kits implement for `component` (else none)."""
    kind, types = _kind(config), SUPPORTED[component]
    return [] if kind in types else [f"{component} {kind!r} (supported: {', '.join(sorted(t for t in types if t))})"]


def regex_problem(regex: str) -> str | None:
    """Why the kits' Pattern (Pattern.kt / Pattern.swift) refuses `regex`, or None: the same grammar
    (literals and escapes, classes of them, \\s, \\A, \\z, greedy + * ? {n,m}, | between branches)."""
    i, branch_can_be_empty, quantifiable = 0, True, False
    while i < len(regex):
        c = regex[i]
        i += 1
        if c == "|":
            if branch_can_be_empty:
                return "a branch that can match nothing"
            branch_can_be_empty, quantifiable = True, False
            continue
        if c in "+*?{" and quantifiable:
            if c == "{":
                close = regex.find("}", i)
                if close < 0:
                    return "an unclosed {"
                body = regex[i:close]
                lo, _, hi = body.partition(",")
                if not lo.isdigit() or (hi and not hi.isdigit()) or body.count(",") > 1:
                    return f"the quantifier {{{body}}}"
                minimum, i = int(lo), close + 1
            else:
                minimum = 1 if c == "+" else 0
            if i < len(regex) and regex[i] in "?+":
                return "a lazy or possessive quantifier"
            if minimum == 0 and last_matches:
                branch_can_be_empty = branch_can_be_empty_before
            quantifiable = False
            continue
        if c in "()].^$+*?{":
            return f"'{c}' here"
        branch_can_be_empty_before, last_matches = branch_can_be_empty, True
        if c == "[":
            if regex[i:i + 1] == "^":
                return "a negated class"
            while True:
                if i >= len(regex):
                    return "an unclosed ["
                m = regex[i]
                i += 1
                if m == "]":
                    break
                if m == "[":
                    return "a nested class"
                if m == "\\":
                    if i >= len(regex):
                        return "a trailing backslash"
                    if regex[i] not in "ntr" and regex[i].isascii() and regex[i].isalnum():
                        return f"the escape \\{regex[i]}"
                    i += 1
        elif c == "\\":
            if i >= len(regex):
                return "a trailing backslash"
            e = regex[i]
            i += 1
            if e in "Az":
                last_matches = False
            elif e not in "sntr" and e.isascii() and e.isalnum():
                return f"the escape \\{e}"
        if last_matches:
            branch_can_be_empty = False
        quantifiable = last_matches
    return "a branch that can match nothing" if branch_can_be_empty else None


def _pattern_problems(pattern: Any, where: str) -> list[str]:
    if isinstance(pattern, dict) and isinstance(pattern.get("String"), str):
        return [] if pattern["String"] else [f"{where} pattern: an empty string"]
    if isinstance(pattern, dict) and isinstance(pattern.get("Regex"), str):
        why = regex_problem(pattern["Regex"])
        return [f"{where} regex {pattern['Regex']!r}: {why}"] if why else []
    return [f"{where} pattern {pattern!r}"]


def _normalizer_problems(config: Any) -> list[str]:
    kind = _kind(config)
    if unknown := _unknown_kind("normalizer", config):
        return unknown
    if kind == "Sequence":
        return [p for step in config.get("normalizers") or [] for p in _normalizer_problems(step)]
    if kind == "Replace":
        return _pattern_problems(config.get("pattern"), "Replace normalizer")
    if kind == "Precompiled" and not config.get("precompiled_charsmap"):
        return ["Precompiled normalizer without precompiled_charsmap"]
    return []


def _pre_tokenizer_problems(config: Any) -> list[str]:
    kind = _kind(config)
    if unknown := _unknown_kind("pre_tokenizer", config):
        return unknown
    if kind == "Sequence":
        return [p for step in config.get("pretokenizers") or [] for p in _pre_tokenizer_problems(step)]
    if kind == "Split":
        problems = _pattern_problems(config.get("pattern"), "Split pre-tokenizer")
        if config.get("behavior", "Removed") not in SPLIT_BEHAVIORS:
            problems.append(f"Split behavior {config.get('behavior')!r}")
        return problems
    if kind == "Metaspace":
        problems = []
        if len(config.get("replacement", "\u2581")) != 1:
            problems.append(f"Metaspace replacement {config.get('replacement')!r} (supported: one character)")
        if config.get("prepend_scheme", "always") not in ("always", "first", "never"):
            problems.append(f"Metaspace prepend_scheme {config.get('prepend_scheme')!r}")
        return problems
    return []


def decoder_problems(config: Any) -> list[str]:
    """Why the kits' Decoder would turn ids into other text than tokenizers' decode (empty: it would not)."""
    kind = _kind(config)
    if unknown := _unknown_kind("decoder", config):
        return unknown
    if kind == "Sequence":
        return [p for step in config.get("decoders") or [] for p in decoder_problems(step)]
    if kind == "Replace":
        return _pattern_problems(config.get("pattern"), "Replace decoder")
    if kind == "Strip" and len(config.get("content", " ")) != 1:
        return [f"Strip decoder content {config.get('content')!r} (supported: one character)"]
    return []


def unsupported(tokenizer: dict[str, Any], decodes: bool = False) -> list[str]:
    """One line per component the app tokenizers do not implement (empty: supported); the decoder too
    when the task `decodes` ids back into text."""
    problems = _normalizer_problems(tokenizer.get("normalizer")) + _pre_tokenizer_problems(tokenizer.get("pre_tokenizer"))
    if decodes:
        problems += decoder_problems(tokenizer.get("decoder"))
    for component in ("model", "post_processor"):
        problems += _unknown_kind(component, tokenizer.get(component))
    model = tokenizer.get("model")
    if isinstance(model, dict) and model.get("type") == "BPE":
        if model.get("dropout") not in (None, 0, 0.0):
            problems.append(f"BPE dropout {model.get('dropout')!r} (supported: null)")
    post = tokenizer.get("post_processor")
    if isinstance(post, dict) and post.get("type") == "Sequence":
        kinds = [p.get("type") if isinstance(p, dict) else None for p in post.get("processors") or []]
        if any(k not in SEQUENCE_POST_PROCESSORS for k in kinds) or sum(k != "ByteLevel" for k in kinds) > 1:
            problems.append(f"post_processor Sequence of {kinds} (supported: ByteLevel steps and at most one of "
                            "TemplateProcessing, BertProcessing, RobertaProcessing)")
    truncation = tokenizer.get("truncation")
    if truncation and (truncation.get("stride", 0)
                       or truncation.get("strategy", "LongestFirst") not in ("LongestFirst", "OnlyFirst", "OnlySecond")):
        problems.append(f"truncation {truncation} (supported: LongestFirst, OnlyFirst, OnlySecond; stride 0)")
    padding = tokenizer.get("padding")
    if padding and padding.get("direction", "Right") != "Right":
        problems.append(f"padding direction {padding.get('direction')!r} (supported: Right)")
    return problems


def require_supported(tokenizer: dict[str, Any], subject: str = "this tokenizer.json", platform: str = "android",
                      decodes: bool = False) -> None:
    """Refuse, naming every unsupported component, a tokenizer the app would reproduce wrongly.

    The Kotlin (Android) and Swift (iOS) tokenizers implement the same components."""
    problems = unsupported(tokenizer, decodes)
    if problems:
        from builder.apps.platforms import APP_PLATFORMS

        who = APP_PLATFORMS.get(platform).display_name
        raise EdgepackError(f"the {who} tokenizer does not implement {subject}: " + "; ".join(problems) +
                            ". Build without --app and tokenize in the app with a library that reproduces this tokenizer.json "
                            "(the bundle's tokenizer/test_vectors.json give the ids it must produce)")
