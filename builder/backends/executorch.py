"""ExecuTorch with the XNNPACK delegate: lower to .pte, run it with the host runtime."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch.export import ExportedProgram

from builder.backends.base import Backend, Delegation, LoweredArtifact, LoweringJob, Runner
from builder.quant import EXECUTORCH_RECIPES

# Operators that carry the model's arithmetic; the goal is all of them in XNNPACK.
_COMPUTE_OPS = re.compile(r"(linear|addmm|\bmm|bmm|matmul|softmax|convolution|scaled_dot_product)")
# Graph bookkeeping, not operators that run.
_BOOKKEEPING = {"getitem", "sym_size"}


def _plain_sdpa(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
    """Attention as matmul/softmax/matmul, every op of which XNNPACK delegates.

    torch's default SDPA decomposition adds a "safe softmax" guard for rows where every
    key is masked (any/eq/where/full_like), which XNNPACK cannot run and which splits the
    delegated graph at every layer. The masks edgepack builds are finite, so no row is
    ever fully masked and the guard is dead weight.
    """
    if dropout_p or is_causal or enable_gqa:
        raise NotImplementedError("edgepack only emits inference, non-causal SDPA without GQA")
    factor = scale if scale is not None else query.shape[-1] ** -0.5
    scores = torch.matmul(query, key.transpose(-2, -1)) * factor
    if attn_mask is not None:
        scores = scores + attn_mask
    return torch.matmul(torch.softmax(scores, dim=-1), value)


class ExecuTorchRunner(Runner):
    how = "ExecuTorch runtime on this host's CPU (portable + XNNPACK kernels)"

    def __init__(self, path: Path):
        from executorch.runtime import Runtime

        self._method = Runtime.get().load_program(Path(path)).load_method("forward")

    def run(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        outputs = self._method.execute([torch.from_numpy(np.ascontiguousarray(a)) for a in inputs])
        return [o.detach().numpy().copy() for o in outputs]


class ExecuTorchXnnpack(Backend):
    name = "executorch"
    file_suffix = ".pte"
    bundle_dir = "executorch"
    recipes = EXECUTORCH_RECIPES

    def lower(self, job: LoweringJob, recipe: str) -> LoweredArtifact:
        program = self.recipes.get(recipe).apply(job.exported, job.samples)
        data, delegation = lower_program(program)
        return LoweredArtifact(
            write=lambda path: path.write_bytes(data),
            details={"delegation": delegation.to_json()},
            summary=f"XNNPACK: {delegation.compute_delegated}/{delegation.compute_total} compute ops, "
                    f"{delegation.delegated_nodes}/{delegation.delegated_nodes + delegation.cpu_nodes} nodes",
        )

    def runners(self, path: Path) -> list[Runner]:
        return [ExecuTorchRunner(path)]

    def versions(self) -> dict[str, str]:
        return {"executorch": version("executorch"), "torch": version("torch"), "torchao": version("torchao")}


def lower_program(program: ExportedProgram) -> tuple[bytes, Delegation]:
    """ExportedProgram -> .pte bytes, delegated to XNNPACK wherever it has a kernel."""
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.exir import EdgeCompileConfig, to_edge_transform_and_lower

    program = program.run_decompositions({torch.ops.aten.scaled_dot_product_attention.default: _plain_sdpa})
    # The edge-dialect verifier re-checks every op of every intermediate graph: 2-3 s of a tiny BERT's 13 s lowering
    # (measured, fp32 and int8-dynamic, same .pte bytes without it). Every .pte is run against the eager model
    # afterwards, which is the check that matters; an invalid program fails there, by name.
    edge = to_edge_transform_and_lower(program, partitioner=[XnnpackPartitioner()],
                                       compile_config=EdgeCompileConfig(_check_ir_validity=False))
    delegation = _delegation(edge.exported_program().graph_module)
    return edge.to_executorch().buffer, delegation


def set_threads(count: int) -> None:
    """Size the runtime's thread pool (the host default is every core)."""
    from executorch.extension.pybindings.portable_lib import _unsafe_reset_threadpool

    _unsafe_reset_threadpool(count)


def _delegation(graph_module: torch.fx.GraphModule) -> Delegation:
    from executorch.devtools.backend_debug import get_delegation_info

    info = get_delegation_info(graph_module)
    by_operator, cpu_ops = {}, []
    compute_delegated = compute_total = 0
    for op, breakdown in sorted(info.delegation_by_operator.items()):
        if op in _BOOKKEEPING:
            continue
        by_operator[op] = {"delegated": breakdown.delegated, "cpu": breakdown.non_delegated}
        if _COMPUTE_OPS.search(op):
            compute_delegated += breakdown.delegated
            compute_total += breakdown.delegated + breakdown.non_delegated
        if breakdown.non_delegated:
            cpu_ops.append({"op": op, "count": breakdown.non_delegated, "reason": _cpu_reason(op)})
    return Delegation(
        backend="xnnpack",
        subgraphs=info.num_delegated_subgraphs,
        delegated_nodes=sum(b["delegated"] for b in by_operator.values()),
        cpu_nodes=sum(b["cpu"] for b in by_operator.values()),
        compute_delegated=compute_delegated,
        compute_total=compute_total,
        by_operator=by_operator,
        cpu_ops=cpu_ops,
    )


def _cpu_reason(op: str) -> str:
    """Why an operator stayed out of XNNPACK. `op` is a node name such as
    `aten_slice_copy_tensor` or `dim_order_ops__to_dim_order_copy_default`."""
    from executorch.backends.xnnpack.partition.config import ALL_PARTITIONER_CONFIGS

    for config in ALL_PARTITIONER_CONFIGS:
        name = re.escape(config.target_name.split(".")[0].lower())
        if re.fullmatch(rf"(aten|dim_order_ops)_{name}(_[a-z_]+)?", op.lower()):
            return "XNNPACK has a kernel but its partitioner declined this node (dtype, shape or dynamic-size constraint)"
    return "no XNNPACK kernel for this operator; runs on ExecuTorch's portable CPU kernels"
