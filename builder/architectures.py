"""Model architectures edgepack knows how to export, keyed by `config.model_type`.

An entry records what the rest of the pipeline needs to know about an architecture and
nothing else; the pipeline itself never branches on architecture names. Adding one is a
single `ARCHITECTURES.add(...)` line once its tasks pass the parity tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from builder.registry import Registry

# Finite on purpose: finfo(float32).min becomes -inf in fp16 and turns masked softmax rows
# into NaN; -1e4 is far enough below any real attention score to zero the weight.
MASK_FILL_VALUE = -1e4


def additive_attention_mask(attention_mask: "torch.Tensor") -> "torch.Tensor":  # noqa: F821
    """[batch, seq] 0/1 mask -> [batch, 1, 1, seq] float mask added to attention scores.

    Built here rather than by transformers: its mask helpers export to `aten.index` graphs
    that break PT2E calibration ("tensors used as indices must be long") and to `new_ones`
    that coremltools rejects.
    """
    import torch

    mask = attention_mask[:, None, None, :].to(torch.float32)
    return (1.0 - mask) * MASK_FILL_VALUE


def mask_as_given(attention_mask: "torch.Tensor") -> "torch.Tensor":  # noqa: F821
    """The [batch, seq] 0/1 mask unchanged, for models that build their own from it in an
    export-friendly way. DeBERTa-v2 turns it into a [seq, seq] mask of real query/key pairs and
    masks scores with masked_fill(~mask.bool(), finfo.min), and multiplies its embeddings by it:
    an additive mask (0 for real tokens) would mask every real token, a key-only 4-D mask would
    give padded positions outputs transformers does not give them, and its optional ConvLayer
    (conv_kernel_size > 0) computes `1 - mask` on a bool tensor for any mask that is not 2-D."""
    return attention_mask


def no_reserved_positions(config: Any) -> int:
    return 0


def positions_after_padding_idx(config: Any) -> int:
    """RoBERTa-style position ids count from pad_token_id + 1 (the cumsum of the non-pad
    tokens, offset by padding_idx), so that many rows of the table are never a real position."""
    return int(config.pad_token_id) + 1


@dataclass(frozen=True)
class Architecture:
    model_type: str
    display_name: str
    # Whether the model takes token_type_ids; the wrappers leave them at their zero default for
    # single-text inputs, which is what the model saw in fine-tuning.
    uses_token_type_ids: bool
    # Shortest sequence the exported program accepts; apps pad shorter inputs with the pad
    # token (mask 0) up to it.
    min_seq_len: int = 1
    # The attention mask the export wrappers pass to the model, from the [batch, seq] 0/1 input.
    attention_mask: Callable[["torch.Tensor"], "torch.Tensor"] = additive_attention_mask  # noqa: F821
    # Rows of the position-embedding table that no token position uses (config -> count):
    # --max-seq-len may be at most max_position_embeddings minus these.
    reserved_positions: Callable[[Any], int] = no_reserved_positions
    # Task names (builder.tasks) with a head for this architecture that export and verify; None: every
    # registered task of its family (the task registry is then the only list of them).
    only_tasks: tuple[str, ...] | None = None
    # "encoder" (bidirectional, BERT family) or "decoder" (causal language model): which tasks fit (Task.family).
    family: str = "encoder"

    @property
    def tasks(self) -> tuple[str, ...]:
        from builder.tasks import TASKS

        if self.only_tasks is not None:
            return self.only_tasks
        return tuple(name for name, task in TASKS.items() if task.family == self.family)


ARCHITECTURES: Registry[Architecture] = Registry("architecture")

for _arch in (
    # MiniLM checkpoints (all-MiniLM-L6-v2 and kin) are BERT architecture with model_type "bert".
    Architecture("bert", "BERT / MiniLM", True),
    Architecture("distilbert", "DistilBERT", False),
    # torch.export guards seq != 2 in MobileBERT's trigram embedding (slices of length
    # seq - 1 specialise at 1), so its programs start at 3 tokens. The pad row of its
    # embedding table is zero, which is exactly the zero padding the trigram adds itself.
    Architecture("mobilebert", "MobileBERT", True, min_seq_len=3),
    Architecture("albert", "ALBERT", True),
    Architecture("roberta", "RoBERTa", False, reserved_positions=positions_after_padding_idx),
    Architecture("xlm-roberta", "XLM-RoBERTa", False, reserved_positions=positions_after_padding_idx),
    Architecture("electra", "ELECTRA", True),
    Architecture("mpnet", "MPNet", False, reserved_positions=positions_after_padding_idx),
    Architecture("deberta-v2", "DeBERTa-v2 / v3", False, attention_mask=mask_as_given),
    # Decoders: exported through transformers' static-cache wrapper (builder.tasks.text_generation); each family's
    # tiny configuration builds, lowers to XNNPACK and generates as the eager model does (tests/test_text_generation.py).
    Architecture("llama", "Llama (SmolLM, TinyLlama, Llama 3.2)", False, family="decoder"),
    Architecture("qwen2", "Qwen2 / Qwen2.5", False, family="decoder"),
    Architecture("qwen3", "Qwen3", False, family="decoder"),
    Architecture("phi3", "Phi-3 / Phi-4-mini", False, family="decoder"),
    Architecture("gemma3_text", "Gemma 3 (text)", False, family="decoder"),
    Architecture("gpt2", "GPT-2", False, family="decoder"),
):
    ARCHITECTURES.add(_arch.model_type, _arch)
