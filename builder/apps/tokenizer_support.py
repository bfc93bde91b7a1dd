"""Which tokenizer.json configurations the app shells' tokenizers implement.

Checked when an app is generated: an app that would tokenize differently from Hugging Face
is refused with the component that is not supported, never generated.
"""

from __future__ import annotations

from typing import Any

SUPPORTED = {
    "normalizer": {None, "BertNormalizer"},
    "pre_tokenizer": {None, "BertPreTokenizer"},
    "model": {"WordPiece"},
    "post_processor": {None, "TemplateProcessing", "BertProcessing"},
}


def unsupported(tokenizer: dict[str, Any]) -> list[str]:
    """One line per component the app tokenizers do not implement (empty: supported)."""
    problems = []
    for component, types in SUPPORTED.items():
        config = tokenizer.get(component)
        kind = config.get("type") if isinstance(config, dict) else None
        if kind not in types:
            problems.append(f"{component} {kind!r} (supported: {', '.join(sorted(t for t in types if t))})")
    truncation = tokenizer.get("truncation")
    if truncation and (truncation.get("direction", "Right") != "Right" or truncation.get("stride", 0)
                       or truncation.get("strategy", "LongestFirst") != "LongestFirst"):
        problems.append(f"truncation {truncation} (supported: Right, LongestFirst, stride 0)")
    padding = tokenizer.get("padding")
    if padding and padding.get("direction", "Right") != "Right":
        problems.append(f"padding direction {padding.get('direction')!r} (supported: Right)")
    return problems
