"""Which tokenizer.json configurations the app shells' tokenizers implement.

Checked when an app is generated: an app that would tokenize differently from Hugging Face
is refused with the component that is not supported, never generated.
"""

from __future__ import annotations

from typing import Any

from builder.errors import EdgepackError

SUPPORTED = {
    "normalizer": {None, "BertNormalizer", "Lowercase"},
    "pre_tokenizer": {None, "BertPreTokenizer", "ByteLevel"},
    "model": {"WordPiece", "BPE"},
    "post_processor": {None, "TemplateProcessing", "BertProcessing", "RobertaProcessing", "ByteLevel", "Sequence"},
}
# Post-processors a Sequence may chain (at most one of them adds special tokens).
SEQUENCE_POST_PROCESSORS = {"TemplateProcessing", "BertProcessing", "RobertaProcessing", "ByteLevel"}


def unsupported(tokenizer: dict[str, Any]) -> list[str]:
    """One line per component the app tokenizers do not implement (empty: supported)."""
    problems = []
    for component, types in SUPPORTED.items():
        config = tokenizer.get(component)
        kind = config.get("type") if isinstance(config, dict) else None
        if kind not in types:
            problems.append(f"{component} {kind!r} (supported: {', '.join(sorted(t for t in types if t))})")
    model = tokenizer.get("model")
    if isinstance(model, dict) and model.get("type") == "BPE":
        if model.get("dropout") not in (None, 0, 0.0):
            problems.append(f"BPE dropout {model.get('dropout')!r} (supported: null)")
        if model.get("byte_fallback"):
            problems.append("BPE byte_fallback true (supported: false)")
    post = tokenizer.get("post_processor")
    if isinstance(post, dict) and post.get("type") == "Sequence":
        kinds = [p.get("type") if isinstance(p, dict) else None for p in post.get("processors") or []]
        if any(k not in SEQUENCE_POST_PROCESSORS for k in kinds) or sum(k != "ByteLevel" for k in kinds) > 1:
            problems.append(f"post_processor Sequence of {kinds} (supported: ByteLevel steps and at most one of "
                            "TemplateProcessing, BertProcessing, RobertaProcessing)")
    truncation = tokenizer.get("truncation")
    if truncation and (truncation.get("direction", "Right") != "Right" or truncation.get("stride", 0)
                       or truncation.get("strategy", "LongestFirst") != "LongestFirst"):
        problems.append(f"truncation {truncation} (supported: Right, LongestFirst, stride 0)")
    padding = tokenizer.get("padding")
    if padding and padding.get("direction", "Right") != "Right":
        problems.append(f"padding direction {padding.get('direction')!r} (supported: Right)")
    return problems


def require_supported(tokenizer: dict[str, Any], subject: str = "this tokenizer.json", platform: str = "android") -> None:
    """Refuse, naming every unsupported component, a tokenizer the app would reproduce wrongly.

    The Kotlin (Android) and Swift (iOS) tokenizers implement the same components."""
    problems = unsupported(tokenizer)
    if problems:
        from builder.apps.platforms import APP_PLATFORMS

        who = APP_PLATFORMS.get(platform).display_name
        model = tokenizer.get("model")
        advice = ""
        if isinstance(model, dict) and model.get("type") == "Unigram":
            # The usual case (XLM-RoBERTa, ALBERT, DeBERTa-v3): say what it is and what to do.
            advice = (". It is a SentencePiece/Unigram tokenizer, and the app tokenizers implement WordPiece and byte-level BPE "
                      "only: build without --app and tokenize in the app with a SentencePiece library (the bundle's "
                      "tokenizer/test_vectors.json give the ids it must produce)")
        raise EdgepackError(f"the {who} tokenizer does not implement {subject}: " + "; ".join(problems) + advice)
