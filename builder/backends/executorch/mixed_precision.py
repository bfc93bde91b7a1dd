"""Which weights can take a recipe's low precision: chosen by measured sensitivity, not by hand.

Some layers of a trained encoder lose far more to 4-bit weights than others (on all-MiniLM-L6-v2,
one feed-forward layer alone moves the sentence embedding to cosine 0.974, a query projection to
0.9998), and some save far more bytes (its word-embedding table is half the model). Each candidate
weight is measured alone at the low precision, the rest in fp32; they are then taken low in order of
bytes saved per unit of cosine lost, as far as the whole model still meets the target on the build's
samples, and the others get the fallback precision. The search runs the graph in eager
PyTorch, with torchao's quantized tensors swapped in as the graph's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import torch


# Samples each weight's sensitivity is measured on (the first ones; the built-in samples are varied).
SENSITIVITY_PROBES = 4


@dataclass
class Candidate:
    weight: str  # the parameter's name in the graph
    low: "torch.Tensor"  # the weight at the recipe's precision
    fallback: "torch.Tensor"  # at the precision it falls back to
    saving: int  # bytes saved by the low precision over the fallback


@dataclass
class MixChoice:
    low: set[str]
    # weight -> min cosine of the outputs with only that weight at the low precision (measured only when
    # the all-low model misses the target).
    alone: dict[str, float]


def choose_mix(graph: "torch.fx.GraphModule", candidates: Sequence[Candidate], samples: Sequence[tuple],
               target_cosine: float) -> MixChoice:
    """Leaves `graph` holding the chosen mix."""
    import torch

    from builder.backends.executorch.weights import replace_parameter
    from builder.parity import cosine

    with torch.no_grad():
        reference = [_flat(graph(*inputs)) for inputs in samples]
        originals = {c.weight: graph.get_parameter(c.weight) for c in candidates}

        def assign(low: set[str], rest: str, on=None) -> float:
            for c in candidates:
                replace_parameter(graph, c.weight, c.low if c.weight in low else
                                   (c.fallback if rest == "fallback" else originals[c.weight]))
            return min(cosine(_flat(graph(*inputs)), ref) for inputs, ref in (on or zip(samples, reference)))

        everything = {c.weight for c in candidates}
        if assign(everything, "fallback") >= target_cosine:
            return MixChoice(everything, {})
        # The ranking only orders the weights, so a few samples serve it (one pass per weight: 211 weights times
        # 17 prompts took 15 minutes on a 135M decoder); the mix itself is checked on every sample.
        probes = list(zip(samples, reference))[:SENSITIVITY_PROBES]
        alone = {c.weight: assign({c.weight}, "fp32", probes) for c in candidates}
        order = [c.weight for c in sorted(candidates, key=lambda c: c.saving / max(1.0 - alone[c.weight], 1e-9),
                                          reverse=True)]
        # The largest prefix of the best bargains that keeps the target (binary search: adding a weight at
        # low precision only ever costs accuracy, up to noise).
        lo, hi = 0, len(order) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if assign(set(order[:mid]), "fallback") >= target_cosine:
                lo = mid
            else:
                hi = mid - 1
        chosen = set(order[:lo])
        assign(chosen, "fallback")
        return MixChoice(chosen, alone)


def _flat(outputs):
    """Every output of one call as one float64 vector (the cosine is taken over all of them)."""
    import numpy as np

    items = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
    return np.concatenate([o.detach().numpy().ravel().astype(np.float64) for o in items])
