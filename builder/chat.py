"""`edgepack chat`: a text-generation bundle's artifact generating on this machine the way an app runs it.

The conversation becomes a prompt with the bundle's prompt format (the chat template as fixed strings,
builder/prompt_format.py), or stays plain text for a model without one; the prompt is prefilled in one
call and each new token decoded through the program's cache; tokens are chosen greedily or sampled
(temperature, top-k, top-p, seeded) with the defaults the checkpoint's generation_config.json gave; a reply
ends at an end-of-turn id, at the format's end-of-turn text, at --max-new-tokens, or when the cache is full.
Text is streamed as it is decoded, never splitting a multi-byte character. When a conversation outgrows the
cache, its oldest turns are dropped (the system message is kept) and the session says so.
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
from builder.tasks.text_generation import program_step

# What a reply may take when --max-new-tokens is not given and generation_config.json sets no max_new_tokens.
DEFAULT_NEW_TOKENS = 256


@dataclass
class Sampling:
    do_sample: bool = False
    temperature: float = 1.0
    top_k: int = 50
    top_p: float = 1.0
    seed: int = 0

    def __post_init__(self):
        self.rng = np.random.default_rng(self.seed)

    def choose(self, logits: np.ndarray) -> int:
        """Greedy (ties: the lowest id), or one draw from the temperature-scaled distribution cut to the top_k ids
        and then to the smallest set whose probability reaches top_p."""
        row = np.asarray(logits, dtype=np.float64).ravel()
        if not self.do_sample or self.temperature <= 0:
            return int(np.argmax(row))
        order = np.argsort(-row, kind="stable")
        if self.top_k > 0:
            order = order[: self.top_k]
        scaled = row[order] / self.temperature
        probabilities = np.exp(scaled - scaled.max())
        probabilities /= probabilities.sum()
        if self.top_p < 1.0:
            keep = int(np.searchsorted(np.cumsum(probabilities), self.top_p) + 1)
            order, probabilities = order[:keep], probabilities[:keep] / probabilities[:keep].sum()
        return int(order[self.rng.choice(len(order), p=probabilities)])


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
        self.messages.append(("user", text))
        ids, dropped = self._prompt_ids()
        reply_ids: list[int] = []
        shown = ""
        start = time.perf_counter()
        first = decode_start = None
        stopped = "max-new-tokens"
        sequence, new = list(ids), len(ids)
        stop_text = self.prompt_format.assistant_end.strip() if self.prompt_format else ""
        for _ in range(min(self.max_new_tokens, self.max_seq_len - len(ids))):
            logits = np.asarray(self.program(program_step(sequence, new))[0])[0, -1]
            token = self.sampling.choose(logits)
            if first is None:
                first = time.perf_counter() - start
                decode_start = time.perf_counter()
            if token in self.stop_ids:
                stopped = "end-of-turn id"
                break
            reply_ids.append(token)
            sequence.append(token)
            new = 1
            text_so_far = self.tokenizer.decode(reply_ids, skip_special_tokens=True)
            if stop_text and stop_text in text_so_far:
                text_so_far = text_so_far[: text_so_far.index(stop_text)]
                stopped = "end-of-turn text"
            # A byte-fallback or byte-level token may end inside a character: wait for the rest.
            if not text_so_far.endswith("\ufffd") and len(text_so_far) > len(shown) and text_so_far.startswith(shown):
                on_text(text_so_far[len(shown):])
                shown = text_so_far
            if stopped != "max-new-tokens":
                break
        else:
            if len(sequence) >= self.max_seq_len:
                stopped = "cache full"
        elapsed = time.perf_counter() - decode_start if decode_start else 0.0
        reply = self.tokenizer.decode(reply_ids, skip_special_tokens=True)
        if stop_text and stop_text in reply:
            reply = reply[: reply.index(stop_text)]
        if reply != shown and reply.startswith(shown):
            on_text(reply[len(shown):])
        self.messages.append(("assistant", reply))
        decoded = max(len(reply_ids) - 1, 0)
        return Reply(reply, len(reply_ids), len(ids), first or 0.0, decoded / elapsed if elapsed > 0 and decoded else 0.0,
                     stopped, dropped)

    def _prompt_ids(self) -> tuple[list[int], int]:
        """The conversation's prompt ids, dropping the oldest turns (a user message and its reply) until it leaves room
        for a reply in the cache."""
        dropped = 0
        while True:
            ids = self._encode(self.messages)
            if len(ids) < self.max_seq_len or len(self.messages) <= 1:
                break
            self.messages = self.messages[2:]
            dropped += 1
        if len(ids) >= self.max_seq_len:
            raise EdgepackError(f"the message takes {len(ids)} tokens and the model's cache holds {self.max_seq_len}; "
                                "write a shorter one (or build with a larger --max-seq-len)")
        return ids, dropped

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
