"""Shape and indexing ops: reshape, transpose, fill, concat, split, slices, pad, gather."""

from __future__ import annotations

from typing import Any

import numpy as np

from builder.verification.mil.executor import _axes, op


@op("shape")
def _shape(x):
    return np.asarray(np.shape(x), dtype=np.int32)


@op("reshape")
def _reshape(x, shape):
    x = np.asarray(x)
    shape = [int(s) for s in np.atleast_1d(shape)]
    if 0 in shape:
        # iOS17 rule: a 0 copies the input dim counted from the right (1 if out of range).
        # With len(shape) == rank (the only case iOS15 allows) this is "copy the same index".
        n, r = len(shape), x.ndim
        shape = [
            (x.shape[r - (n - i)] if r - (n - i) >= 0 else 1) if s == 0 else s for i, s in enumerate(shape)
        ]
    return np.reshape(x, shape)


@op("expand_dims")
def _expand_dims(x, axes):
    # Negative axes count in the output rank, as numpy does.
    return np.expand_dims(np.asarray(x), _axes(axes))


@op("squeeze")
def _squeeze(x, axes=None):
    x = np.asarray(x)
    return np.squeeze(x) if axes is None else np.squeeze(x, axis=_axes(axes))


@op("transpose")
def _transpose(x, perm):
    return np.transpose(x, _axes(perm))


@op("tile")
def _tile(x, reps):
    return np.tile(x, _axes(reps))


@op("fill")
def _fill(shape, value=0.0):
    value = np.asarray(value)
    return np.full(_axes(shape), value, dtype=value.dtype)


@op("fill_like")
def _fill_like(ref_tensor, value=0.0):
    return np.full(np.shape(ref_tensor), value)


@op("range_1d")
def _range_1d(end, start, step):
    # arange over positions (MPNet's relative attention bias); dtype follows the inputs.
    return np.arange(np.asarray(start).item(), np.asarray(end).item(), np.asarray(step).item(),
                     dtype=np.result_type(np.asarray(start), np.asarray(end), np.asarray(step)))


@op("concat")
def _concat(values, axis, interleave=False):
    # Scalars are concatenated as 1-element vectors (the converter builds shapes this way).
    values = [np.atleast_1d(v) for v in values]
    axis = int(axis)
    if not bool(interleave):
        return np.concatenate(values, axis=axis)
    # interleave: alternate equal-sized slices along `axis` (stack after axis, then merge).
    ax = axis % values[0].ndim
    stacked = np.stack(values, axis=ax + 1)
    shape = list(values[0].shape)
    shape[ax] *= len(values)
    return stacked.reshape(shape)


@op("split")
def _split(x, axis, num_splits=None, split_sizes=None):
    x, axis = np.asarray(x), int(axis)
    if split_sizes is not None:
        return tuple(np.split(x, np.cumsum(_axes(split_sizes))[:-1], axis=axis))
    return tuple(np.split(x, int(num_splits), axis=axis))


def _slice_index(rank: int, begin, end, stride=None, begin_mask=None, end_mask=None, squeeze_mask=None) -> tuple:
    """The numpy index of MIL's slice arguments (shared by slice_by_index and slice_update): Python slice
    semantics per axis; a squeezed axis takes the single element at `begin`."""
    begin, end = _axes(begin), _axes(end)
    stride = _axes(stride) if stride is not None else (1,) * rank
    begin_mask = np.atleast_1d(begin_mask) if begin_mask is not None else [False] * rank
    end_mask = np.atleast_1d(end_mask) if end_mask is not None else [False] * rank
    squeeze_mask = np.atleast_1d(squeeze_mask) if squeeze_mask is not None else [False] * rank
    return tuple(begin[i] if squeeze_mask[i] else slice(None if begin_mask[i] else begin[i], None if end_mask[i] else end[i], stride[i])
                 for i in range(rank))


@op("slice_by_index")
def _slice_by_index(x, begin, end, stride=None, begin_mask=None, end_mask=None, squeeze_mask=None):
    x = np.asarray(x)
    return x[_slice_index(x.ndim, begin, end, stride, begin_mask, end_mask, squeeze_mask)]


@op("slice_update")
def _slice_update(x, update, begin, end, stride=None, begin_mask=None, end_mask=None, squeeze_mask=None):
    """x with the slice slice_by_index would read (same arguments) replaced by `update`."""
    x = np.array(x, copy=True)
    index = _slice_index(x.ndim, begin, end, stride, begin_mask, end_mask, squeeze_mask)
    update = np.asarray(update)
    if update.shape != x[index].shape:
        raise ValueError(f"slice_update: an update of shape {list(update.shape)} for a slice of shape {list(x[index].shape)}")
    x[index] = update
    return x


@op("slice_by_size")
def _slice_by_size(x, begin, size):
    x = np.asarray(x)
    # A negative begin counts from the end; resolve it first, or begin + size == 0 (e.g. the
    # last 2 elements: begin -2, size 2) would become the empty Python slice [-2:0].
    begin = [b + n if b < 0 else b for b, n in zip(_axes(begin), x.shape)]
    index = tuple(slice(b, None if s == -1 else b + s) for b, s in zip(begin, _axes(size)))
    return x[index]


@op("pad")
def _pad(x, pad, mode="constant", constant_val=0.0):
    # `pad` holds (before, after) pairs for the LAST len(pad)/2 dims.
    x = np.asarray(x)
    pairs = np.asarray(pad, dtype=np.int64).reshape(-1, 2)
    width = [(0, 0)] * (x.ndim - len(pairs)) + [tuple(p) for p in pairs]
    mode = str(mode)
    if mode == "constant":
        return np.pad(x, width, mode="constant", constant_values=np.asarray(constant_val, dtype=x.dtype))
    if mode == "reflect":
        return np.pad(x, width, mode="reflect")
    if mode == "replicate":
        return np.pad(x, width, mode="edge")
    raise ValueError(f"pad: unknown mode {mode!r}")


def _gather_indices(indices: Any) -> np.ndarray:
    # uint16/uint8/int8 indices are legal in MIL; numpy indexes with any integer dtype,
    # widen so negative int8 stays negative and huge uint16 stays positive.
    return np.asarray(indices).astype(np.int64)


@op("gather")
def _gather(x, indices, axis=0, batch_dims=0, validate_indices=False):
    x, indices = np.asarray(x), _gather_indices(indices)
    axis, batch_dims = int(axis) % max(x.ndim, 1), int(batch_dims)
    if batch_dims == 0:
        return np.take(x, indices, axis=axis)
    batch_shape = x.shape[:batch_dims]
    pieces = [np.take(x[b], indices[b], axis=axis - batch_dims) for b in np.ndindex(*batch_shape)]
    return np.stack(pieces).reshape(batch_shape + pieces[0].shape)


@op("gather_along_axis")
def _gather_along_axis(x, indices, axis=0, validate_indices=False):
    return np.take_along_axis(np.asarray(x), _gather_indices(indices), axis=int(axis))

