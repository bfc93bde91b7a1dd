"""`edgepack chat`: a text-generation bundle's artifact generating on this machine the way an app runs it.

The conversation becomes a prompt with the bundle's prompt format (the chat template as fixed strings,
builder/prompt_format.py), or stays plain text for a model without one; the prompt is prefilled in one
call and each new token decoded through the program's cache; tokens are chosen greedily or sampled
(temperature, top-k, top-p, seeded) with the defaults the checkpoint's generation_config.json gave; a reply
ends at an end-of-turn id, at the format's end-of-turn text, at --max-new-tokens, or when the cache is full.
Text is streamed as it is decoded, never splitting a multi-byte character. When a conversation leaves less
than a quarter of the cache (at most --max-new-tokens) for the reply, its oldest turns are dropped (the system
message is kept) and the session says so. The app kits (ChatSession.kt / ChatSession.swift) follow the same rules
and draw samples from the same generator, so a seed gives the same reply here and in the apps.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from builder.errors import EdgepackError
from builder.manifest import Manifest, read_manifest
from builder.prompt_format import PromptFormat
from builder.sampling import Sampling
from builder.tasks.text_generation import program_step

# What a reply may take when --max-new-tokens is not given and generation_config.json sets no max_new_tokens.
DEFAULT_NEW_TOKENS = 256


class TextStreamer:
    """A reply's text as its tokens arrive, in pieces safe to show (the kits' TextStreamer.kt / .swift): the whole
    reply is decoded again at each token, so the text is always decode(ids); the new end is held back while it ends
    in U+FFFD (a byte token stopped inside a multi-byte character) or could be the start of a stop string; a stop
    string ends the text before it."""

    def __init__(self, tokenizer, stop_strings: list[str]):
        self.tokenizer = tokenizer
        self.stops = [stop for stop in stop_strings if stop]
        self.ids: list[int] = []
        self.text = self.shown = ""
        self.stopped = False

    def add(self, token: int) -> str:
        """Adds a generated token; the text that became safe to show ("" when none did)."""
        self.ids.append(token)
        decoded = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        found = [decoded.index(stop) for stop in self.stops if stop in decoded]
        if found:
            self.text, self.stopped = decoded[: min(found)], True
            return self.flush()
        self.text = decoded
        safe = len(decoded.rstrip("\ufffd"))
        safe -= max((_held_prefix(decoded[:safe], stop) for stop in self.stops), default=0)
        return self._emit(safe)

    def flush(self) -> str:
        """The rest of the text, once the reply has ended."""
        return self._emit(len(self.text))

    def _emit(self, end: int) -> str:
        # Decoding more tokens can rewrite the end of what was shown (a decoder that strips): never shown twice.
        if end <= len(self.shown) or not self.text.startswith(self.shown):
            return ""
        piece, self.shown = self.text[len(self.shown):end], self.text[:end]
        return piece


def _held_prefix(text: str, stop: str) -> int:
    """The length of the longest end of `text` that is a proper start of `stop`."""
    return next((n for n in range(min(len(stop) - 1, len(text)), 0, -1) if text.endswith(stop[:n])), 0)


@dataclass
class Reply:
    text: str
    tokens: int
    prompt_tokens: int
    first_token_seconds: float
    decode_tokens_per_second: float
    stopped_by: str
    dropped_turns: int = 0


@dataclass
class ChatSession:
    """One conversation with one artifact: `say(text)` streams the reply's text through `on_text`."""

    program: Callable[[tuple[np.ndarray, ...]], list[np.ndarray]]
    tokenizer: "tokenizers.Tokenizer"  # noqa: F821
    max_seq_len: int
    stop_ids: frozenset[int]
    prompt_format: PromptFormat | None
    sampling: Sampling
    max_new_tokens: int
    system: str | None = None
    messages: list[tuple[str, str]] = field(default_factory=list)
    # How the program runs here (the runner's sentence), for the header.
    how: str = ""

    def say(self, text: str, on_text: Callable[[str], None] = lambda piece: None) -> Reply:
        """Adds the user's `text`, generates the reply (streamed through `on_text`) and adds it to the conversation.
        When the message is refused or the program fails, the conversation is left as it was."""
        before = list(self.messages)
        self.messages.append(("user", text))
        try:
            return self._reply(on_text)
        except BaseException:
            self.messages = before
            raise

    def _reply(self, on_text: Callable[[str], None]) -> Reply:
        ids, dropped = self._prompt_ids()
        stop_text = self.prompt_format.assistant_end.strip() if self.prompt_format else ""
        streamer = TextStreamer(self.tokenizer, [stop_text] if stop_text else [])
        start = time.perf_counter()
        first = decode_start = None
        stopped = "max-new-tokens"
        sequence, new = list(ids), len(ids)
        for _ in range(min(self.max_new_tokens, self.max_seq_len - len(ids))):
            logits = np.asarray(self.program(program_step(sequence, new))[0])[0, -1]
            token = self.sampling.choose(logits)
            if first is None:
                first = time.perf_counter() - start
                decode_start = time.perf_counter()
            if token in self.stop_ids:
                stopped = "end-of-turn id"
                break
            sequence.append(token)
            new = 1
            on_text(streamer.add(token))
            if streamer.stopped:
                stopped = "end-of-turn text"
                break
        else:
            if len(sequence) >= self.max_seq_len:
                stopped = "cache full"
        elapsed = time.perf_counter() - decode_start if decode_start else 0.0
        on_text(streamer.flush())
        self.messages.append(("assistant", streamer.text))
        decoded = max(len(streamer.ids) - 1, 0)
        return Reply(streamer.text, len(streamer.ids), len(ids), first or 0.0,
                     decoded / elapsed if elapsed > 0 and decoded else 0.0, stopped, dropped)

    @property
    def reply_room(self) -> int:
        """Cache positions kept free for the reply when old turns are dropped: a quarter of the cache, at most
        max_new_tokens (the apps' ChatSession.replyRoom)."""
        return max(1, min(self.max_new_tokens, self.max_seq_len // 4))

    def _prompt_ids(self) -> tuple[list[int], int]:
        """The conversation's prompt ids, dropping the oldest turns (a user message and its reply; the system message
        stays) until the prompt leaves `reply_room` positions of the cache for the reply. A new message that does not
        fit even alone is refused, and the conversation is left as it was."""
        limit = self.max_seq_len - self.reply_room
        alone = len(self._encode(self.messages[-1:]))
        if alone > limit:
            raise EdgepackError(f"the message takes {alone} tokens and at most {limit} fit in the model's cache "
                                f"({self.max_seq_len}) with room for a reply; write a shorter one (or build with a "
                                "larger --max-seq-len)")
        dropped = 0
        while True:
            ids = self._encode(self.messages)
            if len(ids) <= limit:
                return ids, dropped
            self.messages = self.messages[2:]
            dropped += 1

    def _encode(self, messages: list[tuple[str, str]]) -> list[int]:
        if self.prompt_format is None:
            # A plain language model continues the text: the conversation is the text so far.
            return list(self.tokenizer.encode("".join(content for _, content in messages)).ids)
        system = [("system", self.system)] if self.system else []
        prompt = self.prompt_format.render(system + messages)
        return list(self.tokenizer.encode(prompt, add_special_tokens=False).ids)


def open_session(bundle: Path, variant: str | None, system: str | None, max_new_tokens: int | None,
                 sampling: dict[str, float | int | bool | None]) -> tuple[ChatSession, dict]:
    """A session with the bundle's `variant` (see _variant), run the way `edgepack verify` runs it on this machine."""
    from tokenizers import Tokenizer

    from builder.backends import BACKENDS

    bundle = Path(bundle)
    manifest = read_manifest(bundle)
    spec = manifest["task"]["postprocessing"]
    if manifest["task"]["name"] != "text-generation":
        raise EdgepackError(f"{bundle} is a {manifest['task']['name']} bundle; edgepack chat runs text-generation bundles "
                            "(use edgepack run for the others)")
    chosen = _variant(manifest, variant)
    runner = BACKENDS.get(chosen["backend"]).runners(bundle / chosen["file"], manifest.contract())[0]
    tokenizer = Tokenizer.from_file(str(bundle / "tokenizer" / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    defaults = spec["generation"]
    chosen_sampling = Sampling(**{key: value if value is not None else defaults.get(key, Sampling.__dataclass_fields__[key].default)
                                  for key, value in sampling.items()})
    format_ = PromptFormat(**spec["prompt_format"]) if spec.get("prompt_format") else None
    if system and format_ is None:
        raise EdgepackError("this model has no chat template, so it has no system message; leave out --system")
    limit = max_new_tokens or defaults.get("max_new_tokens") or DEFAULT_NEW_TOKENS
    session = ChatSession(runner.run, tokenizer, int(spec["max_seq_len"]), frozenset(spec["eos_token_ids"]), format_,
                          chosen_sampling, int(limit), system, how=runner.how.split(" (")[0])
    return session, chosen


def _variant(manifest: Manifest, name: str | None) -> dict:
    """`name`'s variant (the first target's, for a recipe name), else the one an Android app embeds: ExecuTorch
    int8-dynamic, else the first ExecuTorch variant, else the first variant."""
    if name:
        return manifest.named_variants(name)[0]
    executorch = manifest.variants_of("executorch")
    return executorch.get("int8-dynamic") or next(iter(executorch.values()), None) or manifest["variants"][0]
