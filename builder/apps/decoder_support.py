"""Which tokenizer.json decoders the app kits implement (TokenDecoder.kt / TokenDecoder.swift).

Only a task whose answer is decoded from token ids needs one (its manifest's post-processing names a
`decoder`, as fill-mask does); for it, an app whose kit would decode differently from Hugging Face is
refused, never generated.
"""

from __future__ import annotations

from typing import Any

from builder.errors import EdgepackError

SUPPORTED_DECODERS = {None, "WordPiece", "ByteLevel"}


def require_decoder(postprocessing: dict[str, Any], tokenizer: dict[str, Any], subject: str, who: str) -> None:
    if not postprocessing.get("decoder"):
        return
    decoder = tokenizer.get("decoder")
    kind = decoder.get("type") if isinstance(decoder, dict) else None
    if kind not in SUPPORTED_DECODERS:
        raise EdgepackError(f"the {who} kit cannot decode token ids with {subject}'s decoder {kind!r} (it implements "
                            f"{', '.join(sorted(k for k in SUPPORTED_DECODERS if k))}); build without --app and decode "
                            "the candidates in your app with the bundle's tokenizer/tokenizer.json")
