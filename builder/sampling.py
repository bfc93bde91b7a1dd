"""Choosing the next token from a logits row: greedy, or a seeded draw (temperature, top-k, top-p).

`edgepack chat` samples with it, the text-generation task records its draws for the app kits' tests, and the kits
(Sampler.kt, Sampler.swift) do the same steps in the same order with the same generator, so a seed gives the same
tokens on the host and in the apps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class SplitMix64:
    """SplitMix64 (Steele, Lea and Flood, 2014), the generator the app kits use too (Sampler.kt, Sampler.swift):
    a seed gives the same draws on the host as in the apps."""

    _MASK = (1 << 64) - 1

    def __init__(self, seed: int):
        self.state = seed & self._MASK

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & self._MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self._MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self._MASK
        return z ^ (z >> 31)

    def uniform(self) -> float:
        """In [0, 1): the top 53 bits."""
        return (self.next() >> 11) / float(1 << 53)


@dataclass
class Sampling:
    do_sample: bool = False
    temperature: float = 1.0
    top_k: int = 50
    top_p: float = 1.0
    seed: int = 0

    def __post_init__(self):
        self.rng = SplitMix64(self.seed)

    def choose(self, logits: np.ndarray) -> int:
        """Greedy (ties: the lowest id), or one draw from the temperature-scaled distribution cut to the top_k ids
        (ties by id) and then to the shortest prefix whose probability reaches top_p. The apps' kits do the same
        steps in the same order (Sampler.kt / Sampler.swift), so a seed gives the same reply there."""
        row = np.asarray(logits, dtype=np.float32).ravel()
        if not self.do_sample or self.temperature <= 0:
            return int(np.argmax(row))
        order = np.argsort(-row, kind="stable")
        if 0 < self.top_k < len(order):
            order = order[: self.top_k]
        scaled = row[order].astype(np.float64) / self.temperature
        weights = np.exp(scaled - scaled.max())
        # Sums left to right (cumsum), as the kits' loops do; numpy's sum() adds pairwise.
        probabilities = weights / np.cumsum(weights)[-1]
        if self.top_p < 1.0:
            reached = np.flatnonzero(np.cumsum(probabilities) >= self.top_p)
            keep = int(reached[0]) + 1 if len(reached) else len(order)
            order, probabilities = order[:keep], probabilities[:keep] / np.cumsum(probabilities[:keep])[-1]
        u = self.rng.uniform()
        cumulative = 0.0
        for index, probability in zip(order, probabilities):
            cumulative += probability
            if u < cumulative:
                return int(index)
        return int(order[-1])
