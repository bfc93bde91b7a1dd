"""The export wrappers: torch modules that give a transformers model the fixed signature of a task's
program (inputs positionally, a tuple of outputs) and build its attention mask themselves."""

from __future__ import annotations

import torch

from builder.architectures import MASK_FILL_VALUE


def model_attention_mask(model: torch.nn.Module, attention_mask: torch.Tensor) -> torch.Tensor:
    """The attention mask `model`'s architecture takes (see Architecture.attention_mask), built
    from the [batch, seq] 0/1 input: the export wrappers never let transformers build it."""
    from builder.architectures import ARCHITECTURES

    return ARCHITECTURES.get(model.config.model_type).attention_mask(attention_mask)


def encoder_kwargs(model: torch.nn.Module, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                   token_type_ids: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """The keyword arguments an exported wrapper calls the transformers `model` with: the mask
    built here (never by transformers), segment ids only when the program takes them."""
    kwargs = {"input_ids": input_ids, "attention_mask": model_attention_mask(model, attention_mask)}
    if token_type_ids is not None:
        kwargs["token_type_ids"] = token_type_ids
    return kwargs


class LogitsForExport(torch.nn.Module):
    """(input_ids [1, seq] int64, attention_mask [1, seq] int64, token_type_ids [1, seq]?) ->
    (logits, probabilities?) for any head whose output is `.logits` with labels on the last axis
    (per text or per token)."""

    def __init__(self, model: torch.nn.Module, with_probabilities: bool):
        super().__init__()
        self.model = model
        self.with_probabilities = with_probabilities

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor | None = None) -> tuple[torch.Tensor, ...]:
        logits = self.model(**encoder_kwargs(self.model, input_ids, attention_mask, token_type_ids)).logits
        if self.with_probabilities:
            return logits, torch.softmax(logits, dim=-1)
        return (logits,)


class EmbeddingForExport(torch.nn.Module):
    """(input_ids [1, seq] int64, attention_mask [1, seq] int64) -> (embedding [1, dim],)."""

    def __init__(self, model: torch.nn.Module, pooling: str, normalize: bool):
        super().__init__()
        self.model = model
        self.pooling = pooling
        self.normalize = normalize

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor]:
        hidden = self.model(**encoder_kwargs(self.model, input_ids, attention_mask)).last_hidden_state
        mask = attention_mask[:, :, None].to(hidden.dtype)
        if self.pooling == "cls":
            pooled = hidden[:, 0]
        elif self.pooling == "max":
            # A finite fill, as for attention: -1e9 is -inf in fp16.
            pooled = torch.amax(hidden + (1.0 - mask) * MASK_FILL_VALUE, dim=1)
        else:
            # The masked sum over tokens as one batched matmul of the mask row with the hidden states: a sum
            # over the (dynamic) sequence axis is an op XNNPACK does not have; a bmm it runs.
            summed = torch.bmm(attention_mask[:, None, :].to(hidden.dtype), hidden).flatten(1)
            pooled = summed / torch.clamp(torch.sum(mask, dim=1), min=1e-9)
        if self.normalize:
            # x / max(|x|, eps), written out: coremltools would turn torch's norm into reduce_l2_norm.
            norm = torch.sqrt(torch.sum(pooled * pooled, dim=-1, keepdim=True))
            pooled = pooled / torch.clamp(norm, min=1e-12)
        return (pooled,)


def reference_embedding(hidden: torch.Tensor, attention_mask: torch.Tensor, pooling: str, normalize: bool) -> torch.Tensor:
    """Pooling as sentence-transformers computes it, on the eager model's last hidden states."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    if pooling == "cls":
        pooled = hidden[:, 0]
    elif pooling == "max":
        pooled = hidden.masked_fill(mask == 0, -1e9).max(dim=1).values
    else:
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, p=2, dim=1) if normalize else pooled


class QuestionAnsweringForExport(torch.nn.Module):
    """(input_ids, attention_mask[, token_type_ids]) [1, seq] -> (start_logits [1, seq], end_logits [1, seq])."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        outputs = self.model(**encoder_kwargs(self.model, input_ids, attention_mask, token_type_ids))
        return outputs.start_logits, outputs.end_logits


class DecoderWithCacheForExport(torch.nn.Module):
    """(input_ids [1, seq] int64, cache_position [seq] int64) -> (logits [1, seq, vocab],) for a causal language
    model inside transformers' static-cache wrapper (`cached`), whose key/value buffers are the program's state."""

    def __init__(self, cached: torch.nn.Module):
        super().__init__()
        self.cached = cached

    def forward(self, input_ids: torch.Tensor, cache_position: torch.Tensor) -> tuple[torch.Tensor]:
        return (self.cached(input_ids=input_ids, cache_position=cache_position),)
