"""Export the task wrapper once, run the fusion passes, and re-export the fused graph.

Every quantization recipe starts from the one fused ExportedProgram made here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import torch
from torch.export import Dim, ExportedProgram

from builder.errors import EdgepackError
from builder.passes import DEFAULT_PASSES, GraphPass, PassOutcome, op_counts, run_passes
from builder.tasks.base import TensorSpec
from builder.tasks.specs import POSITIONS

Inputs = tuple[torch.Tensor, ...]


@dataclass
class ExportedModel:
    # None once released (`released()`): the record without the weights.
    program: ExportedProgram | None
    dynamic_shapes: tuple[dict[int, Dim], ...]
    example_inputs: Inputs
    min_seq_len: int
    max_seq_len: int
    pass_outcomes: list[PassOutcome]
    op_counts_before: dict[str, int]
    op_counts_after: dict[str, int]
    # State-dict names (with the wrapper's prefix) of the weights the exported graph computes with.
    parameters_read: frozenset[str] = frozenset()
    # Real tokenized samples every pass is checked on.
    check_inputs: Sequence[Inputs] = ()

    # Strict (TorchDynamo) tracing: what a model with in-place state (a key/value cache) needs.
    strict: bool = False

    def released(self) -> ExportedModel:
        """This model's record (shapes, passes, op counts) without its program: what the manifest reads once every
        variant is lowered, so that the weights need not stay in memory while the artifacts run."""
        return replace(self, program=None, check_inputs=())

    def reexport(self, module: torch.nn.Module) -> ExportedProgram:
        return torch.export.export(module, self.example_inputs, dynamic_shapes=self.dynamic_shapes, strict=self.strict)

    def with_passes(self, passes: Sequence[GraphPass], backend: str) -> ExportedModel:
        """This model with `passes` run on top of the shared ones, for the one backend that gains from them."""
        fused, outcomes = run_passes(self.program.module(), passes, self.check_inputs)
        for outcome in outcomes:
            outcome.backends = (backend,)
        with torch.no_grad():
            program = self.reexport(fused)
        return replace(self, program=program, pass_outcomes=[*self.pass_outcomes, *outcomes], op_counts_after=op_counts(fused))


def export_model(
    wrapper: torch.nn.Module,
    inputs: Sequence[TensorSpec],
    min_seq_len: int,
    max_seq_len: int,
    check_inputs: Sequence[Inputs],
    passes: Sequence[GraphPass] = DEFAULT_PASSES,
    strict: bool = False,
) -> ExportedModel:
    """`inputs` are the task's declared inputs, in the wrapper's order; `check_inputs` real tokenized
    samples of them, on which the passes are checked. Every input shares the one dynamic sequence
    dimension (at its spec's "seq" axis)."""
    seq = Dim("seq", min=min_seq_len, max=max_seq_len)
    dynamic_shapes = tuple({spec.sequence_axis: seq} for spec in inputs)
    # An example in the middle of the range keeps export from specialising on 0/1 sizes; each input
    # holds the example value its spec declares valid for every model.
    example_len = max(min_seq_len, min(16, max_seq_len))
    example_inputs = tuple(_example(spec, example_len) for spec in inputs)
    try:
        with torch.no_grad():
            program = torch.export.export(wrapper, example_inputs, dynamic_shapes=dynamic_shapes, strict=strict)
    except Exception as exc:
        raise EdgepackError(f"torch.export failed for this model ({type(exc).__name__}: {str(exc).splitlines()[0]})") from exc
    graph = program.module()
    before = op_counts(graph)
    fused, outcomes = run_passes(graph, passes, check_inputs)
    exported = ExportedModel(
        program=program,
        dynamic_shapes=dynamic_shapes,
        example_inputs=example_inputs,
        min_seq_len=min_seq_len,
        max_seq_len=max_seq_len,
        pass_outcomes=outcomes,
        op_counts_before=before,
        op_counts_after=op_counts(fused),
        parameters_read=_parameters_read(graph),
        check_inputs=check_inputs,
        strict=strict,
    )
    if any(outcome.kept for outcome in outcomes):
        # The passes rewrote `graph`, a copy of the program's module: export it again. Otherwise the program is kept
        # as exported, sharing the model's weights instead of holding a second copy (a 1B decoder: 5 GB).
        with torch.no_grad():
            exported.program = exported.reexport(fused)
    return exported


def _example(spec: TensorSpec, length: int) -> torch.Tensor:
    shape = [length if size == "seq" else size for size in spec.shape]
    if spec.example == POSITIONS:
        return torch.arange(length, dtype=torch.long).reshape(shape)
    return torch.full(shape, spec.example, dtype=torch.long)


def _parameters_read(graph: torch.fx.GraphModule) -> frozenset[str]:
    """Weights some output depends on. Export keeps a module's every weight as an attribute, and also
    the ops whose results nothing returns (a pooler next to mean pooling): walk back from the outputs."""
    output = next(node for node in graph.graph.nodes if node.op == "output")
    live, pending = set(), [output]
    while pending:
        node = pending.pop()
        if node not in live:
            live.add(node)
            pending.extend(node.all_input_nodes)
    return frozenset(node.target for node in live if node.op == "get_attr")
