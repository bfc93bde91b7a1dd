"""A program that keeps state between calls (a decoder's key/value cache) as Core ML state (iOS 18).

coremltools turns every buffer the ExportedProgram mutates into an fp16 `StateType`, read with
`read_state` and written with `coreml_update_state`. Two things in transformers' static-cache graph
need help on the way (coremltools 9, transformers 5.x):

- each cache layer also mutates `cumulative_length`, an int64 scalar. Core ML states are fp16 tensors
  only; but the wrapper overwrites the counter from `cache_position` at the start of every call, so
  its value never crosses from one call to the next and it need not be state at all
  (`drop_overwritten_scalars` checks exactly that before dropping the write-back);
- the cache write is `index_copy(cache, dim, arange(n) + start, new)`, which coremltools' torch
  frontend does not convert. Its index is contiguous by construction (positions start..start+n-1,
  checked in the graph), which is a slice: `slice_update` of the cache at [start, start + n).
"""

from __future__ import annotations

from typing import Any

from builder.errors import EdgepackError

_registered = False


def keeps_state(program) -> bool:
    return bool(program.graph_signature.buffers_to_mutate)


def prepare_stateful(program) -> Any:
    """`program` (ATen dialect) ready for coremltools: checks, drops the scalar counters' write-back, and
    registers the cache write's converter. Refuses, naming the buffer, what Core ML state cannot hold."""
    _check_contiguous_writes(program)
    drop_overwritten_scalars(program)
    _register_index_copy()
    return program


def drop_overwritten_scalars(program) -> None:
    """Drop the write-back of scalar buffers every call overwrites before reading (see the module doc)."""
    import torch
    from torch.export.graph_signature import InputKind, OutputKind

    signature = program.graph_signature
    graph = program.graph_module.graph
    nodes = {node.name: node for node in graph.nodes}
    placeholders = {spec.target: nodes[spec.arg.name] for spec in signature.input_specs if spec.kind == InputKind.BUFFER}
    output = next(node for node in graph.nodes if node.op == "output")
    values = list(output.args[0])
    keep = []
    for index, spec in enumerate(signature.output_specs):
        if spec.kind == OutputKind.BUFFER_MUTATION and placeholders[spec.target].meta["val"].dim() == 0:
            buffer = placeholders[spec.target]
            users = list(buffer.users)
            if not (len(users) == 1 and users[0].target is torch.ops.aten.copy.default and users[0].args[0] is buffer):
                raise EdgepackError(f"Core ML keeps only fp16 tensors as state, and this program carries the scalar "
                                    f"{spec.target} from one call to the next: it cannot be converted to Core ML")
            continue
        keep.append(index)
    output.args = (tuple(values[i] for i in keep),)
    signature.output_specs[:] = [signature.output_specs[i] for i in keep]
    graph.eliminate_dead_code()
    program.graph_module.recompile()


def _check_contiguous_writes(program) -> None:
    import torch

    aten = torch.ops.aten
    for node in program.graph_module.graph.nodes:
        if node.target is not aten.index_copy.default:
            continue
        index = node.args[2]
        arange = index.args[0] if index.target is aten.add.Tensor else index
        if arange.target not in (aten.arange.default, aten.arange.start, aten.arange.start_step) or \
                (arange.target is aten.arange.start_step and arange.args[2] != 1):
            raise EdgepackError(f"Core ML: the cache write {node.name} is not at consecutive positions "
                                f"({index.name} is not start + arange(n)); it cannot become a slice update")


def _register_index_copy() -> None:
    """coremltools converter for aten.index_copy at consecutive positions (checked by _check_contiguous_writes)."""
    global _registered
    if _registered:
        return
    import numpy as np
    from coremltools.converters.mil import Builder as mb
    from coremltools.converters.mil.frontend.torch.ops import _get_inputs
    from coremltools.converters.mil.frontend.torch.torch_op_registry import register_torch_op

    def index_copy(context, node):
        x, dim, index, source = _get_inputs(context, node, expected=4)
        axis = dim.val % x.rank
        start = mb.cast(x=mb.slice_by_size(x=index, begin=[0], size=[1]), dtype="int32")
        before, after = np.zeros(axis, np.int32), np.zeros(x.rank - axis - 1, np.int32)
        begin = mb.concat(values=[piece for piece in (before, start, after) if not isinstance(piece, np.ndarray) or piece.size],
                          axis=0)
        end = mb.add(x=begin, y=mb.shape(x=source))
        context.add(mb.slice_update(x=x, update=source, begin=begin, end=end, name=node.name))

    register_torch_op(index_copy, override=True)
    _registered = True
