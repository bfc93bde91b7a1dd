"""Graph-pass contract and the runner that keeps a pass only if the numbers agree.

Passes rewrite the ATen graph of `ExportedProgram.module()` (weights are `get_attr`
nodes there, so a pass can add and drop parameters). After each pass the runner compares
the rewritten graph with the graph before it on every example input; a pass whose output
moves by more than the tolerance is thrown away and the reason recorded.
"""

from __future__ import annotations

import copy
import operator
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar, Sequence

import torch
from torch.fx import GraphModule, Node

aten = torch.ops.aten

# Bookkeeping nodes that are not operators a user would count.
_UNCOUNTED = {"getitem", "sym_size.int", "_assert_tensor_metadata.default", "_assert_scalar.default"}


@dataclass
class Rewrites:
    """What one pass changed and what it chose to leave alone (with the reason)."""

    count: int = 0
    notes: list[str] = field(default_factory=list)

    def skip(self, reason: str) -> None:
        self.notes.append(reason)


class GraphPass(ABC):
    name: ClassVar[str]
    description: ClassVar[str]

    @abstractmethod
    def rewrite(self, gm: GraphModule) -> Rewrites:
        """Rewrite `gm.graph` in place; the runner recompiles and checks it."""


@dataclass
class PassOutcome:
    name: str
    description: str
    kept: bool
    rewrites: int
    max_abs_error: float | None
    op_counts_before: dict[str, int]
    op_counts_after: dict[str, int]
    notes: list[str]
    # The backends whose programs this pass is in; empty: every backend of the build.
    backends: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "backends": list(self.backends) or "all"}


def op_name(node: Node) -> str:
    if node.target is operator.getitem:
        return "getitem"
    name = getattr(node.target, "__name__", str(node.target))
    return name.removeprefix("aten.")


def op_counts(gm: GraphModule) -> dict[str, int]:
    counts = Counter(op_name(n) for n in gm.graph.nodes if n.op == "call_function")
    return {name: count for name, count in sorted(counts.items()) if name not in _UNCOUNTED}


def is_op(node: Any, *targets: Any) -> bool:
    return isinstance(node, Node) and node.op == "call_function" and node.target in targets


def run_passes(
    gm: GraphModule,
    passes: Sequence[GraphPass],
    example_inputs: Sequence[tuple[torch.Tensor, ...]],
    atol: float = 1e-4,
) -> tuple[GraphModule, list[PassOutcome]]:
    outcomes = []
    with torch.no_grad():
        for graph_pass in passes:
            reference = [_flat(gm(*inputs)) for inputs in example_inputs]
            candidate = copy.deepcopy(gm)
            before = op_counts(candidate)
            rewrites = graph_pass.rewrite(candidate)
            candidate.graph.eliminate_dead_code()
            candidate.graph.lint()
            candidate.recompile()
            _drop_unused_attributes(candidate)
            error = None
            kept = rewrites.count > 0
            if kept:
                error = max(
                    float((r - c).abs().max())
                    for inputs, ref in zip(example_inputs, reference)
                    for r, c in zip(ref, _flat(candidate(*inputs)))
                )
                scale = max(float(r.abs().max()) for ref in reference for r in ref)
                if not error <= atol * max(1.0, scale):
                    kept = False
                    rewrites.skip(f"rejected: output moved by {error:.3g} (tolerance {atol * max(1.0, scale):.3g})")
            if kept:
                gm = candidate
            outcomes.append(
                PassOutcome(
                    name=graph_pass.name,
                    description=graph_pass.description,
                    kept=kept,
                    rewrites=rewrites.count,
                    max_abs_error=error,
                    op_counts_before=before,
                    op_counts_after=op_counts(gm),
                    notes=rewrites.notes,
                )
            )
    return gm, outcomes


def _flat(outputs: Any) -> list[torch.Tensor]:
    return list(outputs) if isinstance(outputs, (tuple, list)) else [outputs]


def _drop_unused_attributes(gm: GraphModule) -> None:
    """Delete parameters no get_attr node reads any more, so they are not exported."""
    used = {n.target for n in gm.graph.nodes if n.op == "get_attr"}
    for name, _ in list(gm.named_parameters()) + list(gm.named_buffers()):
        if name not in used:
            owner_path, _, attr = name.rpartition(".")
            owner = gm.get_submodule(owner_path) if owner_path else gm
            delattr(owner, attr)
