"""The delegation report of a lowered program: which operators run in the delegate and which stay
on ExecuTorch's portable CPU kernels, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from builder.backends.executorch.delegates import Delegate

if TYPE_CHECKING:
    import torch

# Graph bookkeeping, not operators that run.
_BOOKKEEPING = {"getitem", "sym_size"}


@dataclass
class Delegation:
    backend: str
    subgraphs: int
    delegated_nodes: int
    cpu_nodes: int
    compute_delegated: int
    compute_total: int
    by_operator: dict[str, dict[str, int]]
    cpu_ops: list[dict[str, Any]] = field(default_factory=list)
    # What the lowering rewrote so that the delegate accepts it (builder.backends.executorch.legalize): rewrite -> nodes.
    rewrites: dict[str, int] = field(default_factory=dict)

    @property
    def compute_share(self) -> float:
        return self.compute_delegated / self.compute_total if self.compute_total else 1.0

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "compute_share": self.compute_share}


def delegation_report(graph_module: torch.fx.GraphModule, delegate: Delegate) -> Delegation:
    from executorch.devtools.backend_debug import get_delegation_info

    info = get_delegation_info(graph_module)
    by_operator, cpu_ops = {}, []
    compute_delegated = compute_total = 0
    for op, breakdown in sorted(info.delegation_by_operator.items()):
        if op in _BOOKKEEPING:
            continue
        by_operator[op] = {"delegated": breakdown.delegated, "cpu": breakdown.non_delegated}
        if delegate.compute_ops.search(op):
            compute_delegated += breakdown.delegated
            compute_total += breakdown.delegated + breakdown.non_delegated
        if breakdown.non_delegated:
            cpu_ops.append({"op": op, "count": breakdown.non_delegated, "reason": delegate.cpu_reason(op)})
    return Delegation(
        backend=delegate.name,
        subgraphs=info.num_delegated_subgraphs,
        delegated_nodes=sum(b["delegated"] for b in by_operator.values()),
        cpu_nodes=sum(b["cpu"] for b in by_operator.values()),
        compute_delegated=compute_delegated,
        compute_total=compute_total,
        by_operator=by_operator,
        cpu_ops=cpu_ops,
    )
