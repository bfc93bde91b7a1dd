"""Text generation with a decoder-only language model (`*ForCausalLM`, GPT-2's `*LMHeadModel`).

Decisions, and why:

- The program: one method, `forward(input_ids [1, seq], cache_position [seq]) -> logits [1, seq, vocab]`,
  with a static key/value cache of --max-seq-len positions kept inside it as state (mutable buffers,
  written in place at `cache_position`), not passed in and out on every token. The same method
  prefills a prompt (seq tokens at positions 0..seq-1) and decodes (one token at its position). The
  export wrapper is transformers' own (`TorchExportableModuleForDecoderOnlyLM`: a `StaticCache`, or a
  hybrid one for sliding-window layers), exported in strict mode: the non-strict export of its cache
  writes fails ExecuTorch's decompositions (measured on torch 2.13). This is ExecuTorch's LLM runner
  signature (tokens, positions), and the program carries the runner's metadata methods
  (`program_metadata`), so `TextLLMRunner` / Android's `LlmModule` can load it.
- Test vectors: each sample text is a prompt; the eager model's greedy continuation of
  GREEDY_TOKENS tokens is appended (past an end-of-sequence token too, where an app would stop: the
  parity measures the model, and a tiny test model ends most texts at once), and the whole sequence is
  what the artifact is run on, teacher-forced: one call with every position. A real vocabulary times every
  position would make the vectors file hundreds of megabytes, so what is stored and compared per position
  is a summary of the logits row (`view`): its maximum, its 5th largest value, its logsumexp, the logits of
  the reference's TOP_K best ids at that position (`top_ids`), and the logit of the token that comes next.
  From those, exactly: whether the candidate's best token is the reference's, how many of the reference's
  top 5 are in the candidate's top 5, and the log-probability of the next token (perplexity). The artifact's
  full rows are summarised the same way, at the reference's ids.
- Metrics (gated as min_<name> in the target profiles):
  `next_token_agreement`: share of positions (every position of every vector) whose best token is the reference's;
  `next_token_top5_overlap`: mean over positions of |reference top 5 & candidate top 5| / 5;
  `perplexity_ratio`: the reference's perplexity on the prompts (natural text, not the greedy continuation)
  over the candidate's; below 1 when the candidate predicts the text worse;
  `greedy_match`: share of vectors whose free-running greedy continuation (prefill, then one token at a time
  through the cache, as an app runs it) is the reference's token for token; the first divergence is recorded.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from builder.errors import EdgepackError
from builder.tasks.base import Presentation, Task, TaskMetric
from builder.tasks.specs import POSITIONS, TensorSpec

if TYPE_CHECKING:
    import torch

    from builder.backends.base import Runner
    from builder.tokenizer_asset import TokenizerAsset
    from builder.vectors import TestVector

# New tokens the eager model generates after each prompt (fewer when the cache is shorter).
GREEDY_TOKENS = 32
# Reference ids whose logits each position's summary keeps.
TOP_K = 8
# Samples also recorded as a chat turn (models with a chat template).
CHAT_VECTORS = 3
# Sampler settings whose seeded draws the app data records for the kits' tests (app_data). High temperatures: the
# tests' small models are sure of their best token (a logit 5 above the next), and draws that all agree with greedy
# would check nothing.
SAMPLING_CHECKS = ({"temperature": 4.0, "top_k": 0, "top_p": 1.0, "seed": 0},
                   {"temperature": 6.0, "top_k": 5, "top_p": 0.8, "seed": 7},
                   {"temperature": 10.0, "top_k": 3, "top_p": 1.0, "seed": 12345678901})
# Columns of a summary row before the TOP_K logits, and the last one after them.
_MAX, _FIFTH, _LOGSUMEXP = 0, 1, 2
_TOP = 3
_NEXT = _TOP + TOP_K
# generation_config.json fields the app's sampler reads, with transformers' defaults.
_GENERATION_DEFAULTS = {"do_sample": False, "temperature": 1.0, "top_k": 50, "top_p": 1.0, "repetition_penalty": 1.0,
                        "max_new_tokens": None}


@dataclass(frozen=True)
class GenerationSettings:
    vocab_size: int
    bos_token_id: int | None
    # Ids that end a reply: generation_config.json's eos ids, and the chat format's end-of-turn token.
    eos_token_ids: tuple[int, ...]
    # generation_config.json's sampling defaults (the app's defaults).
    generation: dict[str, Any]
    # The chat template as fixed strings (builder.prompt_format), as JSON; None: a plain text model.
    prompt_format: dict[str, Any] | None = None
    # Generates and decodes the test vectors' continuations; a task rebuilt from a manifest has none.
    tokenizer: "TokenizerAsset | None" = None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError) as exc:
        raise EdgepackError(f"{path} is not valid JSON ({exc}); save it again with save_pretrained") from None
    return data if isinstance(data, dict) else {}


def _special_token_texts(checkpoint_dir: Path, tokenizer: "TokenizerAsset", bos: tuple[int, ...],
                         eos: tuple[int, ...]) -> dict[str, str]:
    """bos_token / eos_token as the chat template reads them: tokenizer_config.json's, else the ids' tokens."""
    config = _read_json(checkpoint_dir / "tokenizer_config.json")
    texts = {}
    for name, ids in (("bos_token", bos), ("eos_token", eos)):
        value = config.get(name)
        value = value.get("content") if isinstance(value, dict) else value
        if not isinstance(value, str) and ids:
            value = tokenizer.tokenizer.id_to_token(ids[0])
        if isinstance(value, str):
            texts[name] = value
    return texts


def _ids(value: Any) -> tuple[int, ...]:
    if value is None:
        return ()
    return tuple(int(v) for v in (value if isinstance(value, list) else [value]))


def summarize(logits: np.ndarray, top_ids: Sequence[Sequence[int]], next_ids: Sequence[int]) -> np.ndarray:
    """[seq, vocab] logits -> [seq, _NEXT + 1] summary rows (see the module docstring)."""
    rows = np.asarray(logits, dtype=np.float64).reshape(len(next_ids), -1)
    fifth = -np.partition(-rows, 4, axis=1)[:, 4]
    peak = rows.max(axis=1)
    logsumexp = peak + np.log(np.exp(rows - peak[:, None]).sum(axis=1))
    top = np.take_along_axis(rows, np.asarray(top_ids, dtype=np.int64), axis=1)
    following = rows[np.arange(len(next_ids)), np.asarray(next_ids, dtype=np.int64)]
    return np.column_stack([peak, fifth, logsumexp, top, following])


class TextGeneration(Task):
    name = "text-generation"
    description = "next-token logits of a decoder-only language model, with a key/value cache (chat, generation)"
    head_suffixes = ("ForCausalLM", "LMHeadModel")
    auto_model_class = "AutoModelForCausalLM"
    peft_task_type = "CAUSAL_LM"
    family = "decoder"
    export_strict = True
    program_state = "its key/value cache"
    truncates_input = False
    metric_names = ("next_token_agreement", "next_token_top5_overlap", "perplexity_ratio", "greedy_match")

    settings: GenerationSettings

    @classmethod
    def read_settings(cls, checkpoint_dir: Path, raw_config: dict[str, Any]) -> GenerationSettings:
        from builder.prompt_format import decompose, read_chat_template
        from builder.tokenizer_asset import load_tokenizer

        generation = _read_json(checkpoint_dir / "generation_config.json")
        text_config = raw_config.get("text_config") or raw_config
        eos = _ids(generation.get("eos_token_id", text_config.get("eos_token_id")))
        bos = _ids(generation.get("bos_token_id", text_config.get("bos_token_id")))
        defaults = {key: generation.get(key, default) for key, default in _GENERATION_DEFAULTS.items()}
        tokenizer = load_tokenizer(checkpoint_dir)
        template = read_chat_template(checkpoint_dir)
        prompt_format = None
        if template is not None:
            prompt_format = decompose(template[0], _special_token_texts(checkpoint_dir, tokenizer, bos, eos), template[1])
            # A chat model ends its turn with a token of its own (<|im_end|>, <|eot_id|>) that need not be an eos id.
            end = tokenizer.tokenizer.token_to_id(prompt_format.assistant_end.strip()) if prompt_format.assistant_end.strip() else None
            eos = eos + ((end,) if end is not None and end not in eos else ())
            prompt_format = prompt_format.to_json()
        return GenerationSettings(int(text_config["vocab_size"]), bos[0] if bos else None, eos, defaults, prompt_format, tokenizer)

    @classmethod
    def settings_from_manifest(cls, manifest: dict[str, Any]) -> GenerationSettings:
        spec = manifest["task"]["postprocessing"]
        return GenerationSettings(int(spec["vocab_size"]), spec["bos_token_id"], tuple(spec["eos_token_ids"]),
                                  dict(spec["generation"]), spec.get("prompt_format"))

    @classmethod
    def read_labels(cls, raw_config, config, checkpoint_dir) -> list[str]:
        return []

    def attach_tokenizer(self, tokenizer) -> None:
        self.settings = replace(self.settings, tokenizer=tokenizer)

    # -- the program --
    def inputs(self) -> list[TensorSpec]:
        return [
            TensorSpec("input_ids", "int64", (1, "seq"),
                       "token ids from tokenizer/tokenizer.json: the prompt's (prefill), then each generated token (decode)"),
            TensorSpec("cache_position", "int64", ("seq",),
                       "each token's position in the key/value cache: 0..n-1 for a prompt of n tokens, then n, n+1, ...",
                       example=POSITIONS),
        ]

    def outputs(self) -> list[TensorSpec]:
        return [TensorSpec("logits", "float32", (1, "seq", self.settings.vocab_size),
                           "unnormalised next-token scores over the vocabulary at every position given")]

    def fusion_passes(self) -> tuple:
        # The encoder fusions (QKV, attention, GELU) are checked on encoder graphs; the decoders' attention reads a
        # cache, and XNNPACK runs its matmul/softmax as they are.
        return ()

    def wrap(self, model):
        from transformers.integrations.executorch import TorchExportableModuleForDecoderOnlyLM

        from builder.tasks.wrappers import DecoderWithCacheForExport

        # The wrapper reads the static-cache settings from the model's generation config when it is built; the eager
        # model keeps its own config (its generate() is the reference's).
        own = model.generation_config
        model.generation_config = copy.deepcopy(own)
        model.generation_config.use_cache = True
        model.generation_config.cache_implementation = "static"
        try:
            cached = TorchExportableModuleForDecoderOnlyLM(model, batch_size=1, max_cache_len=self.options.max_seq_len).model
            return DecoderWithCacheForExport(cached).eval()
        except (ValueError, AssertionError) as exc:
            raise EdgepackError(f"transformers cannot wrap this model with a static key/value cache ({exc})") from None
        finally:
            model.generation_config = own

    def reference(self, model, inputs):
        return (model(input_ids=inputs["input_ids"]).logits,)

    def input_rule(self) -> str:
        return ("no padding: the prompt's ids at cache positions 0..n-1 in one call, then each new token at the next "
                "position; at most max tokens in all (the cache's length)")

    def program_inputs(self, vector: "TestVector") -> tuple[np.ndarray, ...]:
        ids = np.asarray([vector.input_ids], dtype=np.int64)
        return ids, np.arange(ids.shape[1], dtype=np.int64)

    def program_metadata(self) -> dict[str, Any]:
        """Constant methods ExecuTorch's LLM runners read from a .pte (extension/llm/runner)."""
        eos = list(self.settings.eos_token_ids)
        return {
            "get_max_seq_len": self.options.max_seq_len,
            "get_max_context_len": self.options.max_seq_len,
            "get_vocab_size": self.settings.vocab_size,
            "use_kv_cache": True,
            "use_sdpa_with_kv_cache": False,
            "enable_dynamic_shape": True,
            **({"get_bos_id": self.settings.bos_token_id} if self.settings.bos_token_id is not None else {}),
            **({"get_eos_ids": eos} if eos else {}),
        }

    # -- vectors: prompt + the eager model's greedy continuation --
    def make_vectors(self, tokenizer: "TokenizerAsset", samples, min_len: int, max_len: int) -> list["TestVector"]:
        from builder.prompt_format import PromptFormat
        from builder.vectors import TestVector

        vectors = []
        for text in (sample[0] if isinstance(sample, tuple) else sample for sample in samples):
            ids = list(tokenizer.encode_full(text).ids)[: max(1, max_len - 1)]
            if ids:
                vectors.append(TestVector(text, ids, [1] * len(ids), prompt_length=len(ids)))
        if not vectors:
            raise EdgepackError("no sample text gives any token; pass --samples with some text")
        if self.settings.prompt_format:
            # A few samples also as a chat turn, the way an app sends them (for the apps' own replay of the vectors).
            prompt_format = PromptFormat(**self.settings.prompt_format)
            for text in [v.text for v in vectors][:CHAT_VECTORS]:
                messages = [["user", text]]
                ids = list(tokenizer.tokenizer.encode(prompt_format.render(messages), add_special_tokens=False).ids)
                if len(ids) < max_len:
                    vectors.append(TestVector(text, ids, [1] * len(ids), prompt_length=len(ids), messages=messages))
        return vectors

    def record_reference(self, model, vector: "TestVector") -> None:
        import torch

        prompt = vector.input_ids[: vector.prompt_length]
        room = self.options.max_seq_len - len(prompt)
        generated = greedy(_eager_with_cache(model), prompt, min(GREEDY_TOKENS, room))
        vector.input_ids = prompt + generated
        vector.attention_mask = [1] * len(vector.input_ids)
        logits = model(input_ids=torch.tensor([vector.input_ids])).logits[0].numpy()
        order = np.argsort(-logits.astype(np.float64), axis=1, kind="stable")[:, :TOP_K]
        vector.top_ids = order.tolist()
        vector.expected = {"logits": summarize(logits, vector.top_ids, _next_ids(vector))[None].tolist()}
        vector.expected_answer = self._decode(generated)

    def output_view(self, outputs: Sequence[np.ndarray], vector: "TestVector") -> list[np.ndarray]:
        if vector.top_ids is None:
            return list(outputs)
        return [summarize(np.asarray(outputs[0])[0], vector.top_ids, _next_ids(vector))[None]]

    def _decode(self, ids: Sequence[int]) -> str:
        tokenizer = self.settings.tokenizer
        return tokenizer.tokenizer.decode(list(ids), skip_special_tokens=True) if tokenizer else ""

    # -- parity --
    def task_metrics(self, reference, candidate, vectors) -> list[TaskMetric]:
        positions = agree = 0
        overlap = 0.0
        nll = {"reference": [], "candidate": []}
        changed = []
        for index, (ref, cand, vector) in enumerate(zip(reference, candidate, vectors)):
            ref_rows, cand_rows = np.asarray(ref[0])[0], np.asarray(cand[0])[0]
            for row, (r, c) in enumerate(zip(ref_rows, cand_rows)):
                positions += 1
                best = c[_TOP] >= c[_MAX]
                agree += best
                overlap += float(np.sum(c[_TOP:_TOP + 5] >= c[_FIFTH])) / 5
                if not best and index not in changed:
                    changed.append(index)
                if row + 1 < vector.prompt_length and vector.messages is None:
                    nll["reference"].append(r[_LOGSUMEXP] - r[_NEXT])
                    nll["candidate"].append(c[_LOGSUMEXP] - c[_NEXT])
        nan = float("nan")
        perplexity = {k: float(np.exp(np.mean(v))) if v else nan for k, v in nll.items()}
        return [
            TaskMetric("next_token_agreement", agree / positions if positions else nan,
                       {"positions": positions, "disagreeing_samples": changed}),
            TaskMetric("next_token_top5_overlap", overlap / positions if positions else nan,
                       {"positions": positions, "definition": "mean over positions of |reference top 5 & candidate top 5| / 5"}),
            TaskMetric("perplexity_ratio", perplexity["reference"] / perplexity["candidate"] if nll["reference"] else nan,
                       {"reference_perplexity": perplexity["reference"], "candidate_perplexity": perplexity["candidate"],
                        "tokens": len(nll["reference"]),
                        "text": "the plain prompts (sample texts), not the greedy continuations nor the chat-formatted ones"}),
        ]

    def run_metrics(self, runner: "Runner", vectors: Sequence["TestVector"]) -> list[TaskMetric]:
        """Free-running greedy generation through the artifact's cache, as an app runs it."""
        matched, divergences = 0, []
        for index, vector in enumerate(vectors):
            prompt = vector.input_ids[: vector.prompt_length]
            expected = vector.input_ids[vector.prompt_length:]
            generated = greedy(lambda sequence, new: runner.run(program_step(sequence, new))[0][0, -1], prompt, len(expected))
            first = next((i for i, (a, b) in enumerate(zip(generated, expected)) if a != b), None)
            if first is None:
                matched += 1
            else:
                divergences.append({"sample": index, "first_divergent_token": first, "of": len(expected)})
        return [TaskMetric("greedy_match", matched / len(vectors) if vectors else float("nan"),
                           {"new_tokens": GREEDY_TOKENS, "divergences": divergences})]

    # -- the app contract --
    def postprocessing(self) -> dict[str, Any]:
        settings = self.settings
        return {
            "kind": "text-generation",
            "read_output": "logits",
            "rows": "logits[0, -1]: the scores of the token that follows the last input token",
            "prefill": ("input_ids = the prompt's ids, cache_position = 0..n-1; the program keeps the cache (ExecuTorch: inside "
                        "the loaded method; Core ML: in an MLState from model.makeState(), passed to every prediction of one "
                        "conversation)"),
            "decode": "input_ids = [[the chosen token]], cache_position = [its position]; stop at an eos id or max_seq_len",
            "vocab_size": settings.vocab_size,
            "bos_token_id": settings.bos_token_id,
            "eos_token_ids": list(settings.eos_token_ids),
            "generation": settings.generation,
            "prompt_format": settings.prompt_format,
            "prompt": ("chat: prompt_format's strings around the messages (see builder/prompt_format.py), encoded by "
                       "tokenizer.json without adding special tokens (the strings hold them)" if settings.prompt_format else
                       "plain text, encoded by tokenizer.json with its special tokens (no chat template)"),
            "decoder": "tokenizer/tokenizer.json",
            "max_seq_len": self.options.max_seq_len,
        }

    def app_hints(self) -> tuple[str, str]:
        return ("Message" if self.settings.prompt_format else "Text to continue"), ""

    def app_data(self, vectors: Sequence["TestVector"]) -> dict[str, Any]:
        """For the kits' tests: seeded draws of `edgepack chat`'s sampler (builder.sampling.Sampling) over the first
        vector's recorded rows (each row: the reference's TOP_K best logits, every other id -inf), one draw per
        row in order, for a few settings. A kit's sampler given the same rows, settings and seed must draw the
        same ids: the host's `edgepack chat --seed` and the app then give the same sampled reply."""
        from builder.sampling import Sampling

        vector = vectors[0]
        rows = [recorded_row(vector, position, self.settings.vocab_size) for position in range(len(vector.input_ids))]
        checks = []
        for settings in SAMPLING_CHECKS:
            sampler = Sampling(do_sample=True, **settings)
            checks.append({"settings": settings, "vector": 0, "draws": [sampler.choose(row) for row in rows]})
        return {"sampling_checks": checks}

    def describe_prediction(self, outputs, vector) -> str:
        return vector.expected_answer

    def app_view(self, program, vectors) -> Presentation:
        """The greedy continuation of the prompt (GREEDY_TOKENS tokens, or up to an eos id), driven through the
        program's cache as an app drives it."""
        prompt = vectors[0].input_ids
        room = self.options.max_seq_len - len(prompt)
        generated = greedy(lambda sequence, new: np.asarray(program(program_step(sequence, new))[0])[0, -1], prompt,
                           min(GREEDY_TOKENS, room), self.settings.eos_token_ids)
        text = self._decode(generated)
        return Presentation(text, [f"{vectors[0].text}[{text}]", f"({len(generated)} tokens, greedy)"])

    def eager_program(self, model):
        """The eager model inside the same static-cache wrapper the program was exported from."""
        import torch

        wrapper = self.wrap(model)

        def run(arrays):
            with torch.no_grad():
                return [o.numpy() for o in wrapper(*(torch.from_numpy(np.asarray(a)) for a in arrays))]

        return run


def recorded_row(vector: "TestVector", position: int, vocab_size: int) -> np.ndarray:
    """The logits row a vector records at `position`, as float32: the reference's TOP_K best ids with their logits,
    -inf elsewhere (what the kits' replay model returns)."""
    row = np.full(vocab_size, -np.inf, dtype=np.float32)
    values = np.asarray(vector.expected["logits"][0][position][_TOP:_TOP + TOP_K], dtype=np.float32)
    row[np.asarray(vector.top_ids[position], dtype=np.int64)] = values
    return row


def _next_ids(vector: "TestVector") -> list[int]:
    """The token after each position; the last position has none and repeats the reference's best id."""
    return vector.input_ids[1:] + [vector.top_ids[-1][0]]


def program_step(sequence: Sequence[int], new: int) -> tuple[np.ndarray, np.ndarray]:
    """The program's inputs for the `new` last tokens of `sequence`, the others being in its cache already."""
    start = len(sequence) - new
    return np.asarray([sequence[start:]], dtype=np.int64), np.arange(start, len(sequence), dtype=np.int64)


def _eager_with_cache(model):
    """greedy()'s `next_logits` for the eager model, with transformers' own dynamic cache (what its generate() does):
    each step reads only the new tokens, so a continuation costs n steps, not n full passes."""
    import torch

    past = None

    def next_logits(sequence: Sequence[int], new: int) -> np.ndarray:
        nonlocal past
        # `cache`: transformers 5.24's name (it deprecates `past_key_values`, removed in 5.40).
        out = model(input_ids=torch.tensor([list(sequence[len(sequence) - new:])]), cache=past, use_cache=True)
        past = out.cache
        return out.logits[0, -1].numpy()

    return next_logits


def greedy(next_logits, prompt: Sequence[int], count: int, eos_ids: Sequence[int] = ()) -> list[int]:
    """`count` tokens after `prompt` by argmax (ties: the lowest id), stopping after an id of `eos_ids`.
    `next_logits(sequence, new)` gives the logits row that follows `sequence`, of whose tokens the `new`
    last ones were not seen yet: a program with a cache reads only those (the prompt once, then one token
    at a time, as an app drives it)."""
    sequence, generated, new = list(prompt), [], len(prompt)
    for _ in range(count):
        token = int(np.argmax(np.asarray(next_logits(sequence, new), dtype=np.float64)))
        generated.append(token)
        sequence.append(token)
        new = 1
        if token in eos_ids:
            break
    return generated
