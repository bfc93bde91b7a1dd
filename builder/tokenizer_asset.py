"""The checkpoint's tokenizer as the builder uses it and as the bundle ships it.

The builder tokenizes with exactly the `tokenizers` object it writes to
tokenizer/tokenizer.json (truncation included), so the ids in the test vectors are the
ids an app reproducing that file will get.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tokenizers import Tokenizer
from tokenizers.implementations import BertWordPieceTokenizer

from builder.errors import EdgepackError

# Files copied next to tokenizer.json so apps that prefer them (vocab.txt for WordPiece) have them.
_AUXILIARY_FILES = ("vocab.txt", "tokenizer_config.json", "special_tokens_map.json")


@dataclass
class TokenizerAsset:
    tokenizer: Tokenizer
    source_dir: Path
    origin: str  # "tokenizer.json" or "vocab.txt (converted)"

    def configure(self, max_seq_len: int, pair_truncation: str = "longest_first", truncate: bool = True) -> None:
        """`pair_truncation`: which text of a pair gives way when it is too long (e.g.
        "only_second" keeps a question whole and cuts its context); `truncate` False: none (Task.truncates_input)."""
        if truncate:
            self.tokenizer.enable_truncation(max_length=max_seq_len, strategy=pair_truncation)
        else:
            self.tokenizer.no_truncation()
        self.tokenizer.no_padding()

    def encode(self, text: str) -> tuple[list[int], list[int]]:
        encoding = self.tokenizer.encode(text)
        return list(encoding.ids), list(encoding.attention_mask)

    def encode_full(self, text: str, pair: str | None = None) -> "tokenizers.Encoding":  # noqa: F821
        """The `tokenizers` Encoding (ids, mask, segment ids, offsets into each text, word and
        sequence ids) exactly as tokenizer.json computes it."""
        return self.tokenizer.encode(text, pair)

    @property
    def pad_token_id(self) -> int:
        """The id apps pad with: tokenizer.json's own padding settings, else the pad token that
        tokenizer_config.json / special_tokens_map.json name, else "[PAD]" (BERT family) or
        "<pad>" (RoBERTa, XLM-R, ALBERT, MPNet). The model must see the id it was trained with:
        RoBERTa-style position ids are counted from it."""
        padding = self.tokenizer.padding
        if padding and padding.get("pad_token") and self.tokenizer.token_to_id(padding["pad_token"]) is not None:
            return self.tokenizer.token_to_id(padding["pad_token"])
        for token in (*self._configured_pad_tokens(), "[PAD]", "<pad>"):
            token_id = self.tokenizer.token_to_id(token)
            if token_id is not None:
                return token_id
        return 0

    def _configured_pad_tokens(self) -> list[str]:
        tokens = []
        for name in ("tokenizer_config.json", "special_tokens_map.json"):
            try:
                value = json.loads((self.source_dir / name).read_text(encoding="utf-8")).get("pad_token")
            except (OSError, ValueError, AttributeError):
                continue
            value = value.get("content") if isinstance(value, dict) else value
            if isinstance(value, str):
                tokens.append(value)
        return tokens

    def describe(self) -> dict[str, Any]:
        spec = json.loads(self.tokenizer.to_str())
        special = sorted(t["content"] for t in spec.get("added_tokens", []) if t.get("special"))
        return {
            "file": "tokenizer/tokenizer.json",
            "origin": self.origin,
            "model": spec["model"]["type"],
            "normalizer": _component_type(spec.get("normalizer")),
            "lowercase": _lowercases(spec.get("normalizer")),
            "pre_tokenizer": _component_type(spec.get("pre_tokenizer")),
            "post_processor": _component_type(spec.get("post_processor")),
            "vocab_size": self.tokenizer.get_vocab_size(with_added_tokens=True),
            "special_tokens": special,
            "pad_token_id": self.pad_token_id,
            "truncation": spec.get("truncation"),
        }

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.tokenizer.save(str(directory / "tokenizer.json"))
        for name in _AUXILIARY_FILES:
            if (self.source_dir / name).is_file():
                shutil.copyfile(self.source_dir / name, directory / name)


def _component_type(component: dict | None) -> str | None:
    """"BertNormalizer"; a Sequence with its steps: "Sequence(WhitespaceSplit, Metaspace)"."""
    if not component:
        return None
    steps = _steps(component)
    if steps is not None:
        return f"{component['type']}({', '.join(str(_component_type(step)) for step in steps)})"
    return component.get("type")


def _steps(component: dict) -> list[dict] | None:
    for key in ("normalizers", "pretokenizers", "processors", "decoders"):
        if isinstance(component.get(key), list):
            return component[key]
    return None


def _lowercases(normalizer: dict | None) -> bool:
    """Whether the normalizer lower-cases: BertNormalizer's flag, a Lowercase step, or one in a Sequence."""
    if not normalizer:
        return False
    if normalizer.get("type") == "Lowercase":
        return True
    steps = _steps(normalizer)
    if steps is not None:
        return any(_lowercases(step) for step in steps)
    return bool(normalizer.get("lowercase", False))


def load_tokenizer(checkpoint_dir: Path) -> TokenizerAsset:
    tokenizer_json = checkpoint_dir / "tokenizer.json"
    if tokenizer_json.is_file():
        try:
            tokenizer = Tokenizer.from_file(str(tokenizer_json))
        except Exception as exc:  # the tokenizers library raises bare Exceptions
            raise EdgepackError(f"{tokenizer_json} is not a readable tokenizers file ({exc}); re-save the tokenizer with save_pretrained") from exc
        return TokenizerAsset(tokenizer, checkpoint_dir, "tokenizer.json")

    vocab = checkpoint_dir / "vocab.txt"
    if vocab.is_file():
        settings = _read_json(checkpoint_dir / "tokenizer_config.json")
        lowercase = settings.get("do_lower_case", True)
        wordpiece = BertWordPieceTokenizer(
            str(vocab),
            lowercase=lowercase,
            # BertTokenizer strips accents exactly when it lower-cases unless told otherwise.
            strip_accents=settings.get("strip_accents", None),
            handle_chinese_chars=settings.get("tokenize_chinese_chars", True),
        )
        return TokenizerAsset(Tokenizer.from_str(wordpiece.to_str()), checkpoint_dir, "vocab.txt (converted to tokenizer.json)")

    raise EdgepackError(
        f"no tokenizer in {checkpoint_dir}: expected tokenizer.json or a WordPiece vocab.txt; "
        "save the tokenizer next to the model with tokenizer.save_pretrained(DIR)"
    )


def _read_json(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise EdgepackError(f"{path} is not valid JSON ({exc})") from exc
