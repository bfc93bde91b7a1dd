"""Constant ops: ``const`` and weight decompression (``constexpr_*``), both the iOS16/17 and the
iOS18 signatures. The executor evaluates them once, at load.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from builder.verification.mil.executor import _STR_TO_NP, _axes, _f32, op


@op("const")
def _const(val: Any = None) -> Any:
    # Handled by the executor/evaluate from the Var's stored value; listed so it counts as supported.
    return val


def _unpack_bits(packed: np.ndarray, nbits: int, count: int) -> np.ndarray:
    """iOS16/17 sub-byte packing: a little-endian bit stream (element 0 in the LSBs of byte 0,
    each element's own LSB first; an element may straddle two bytes)."""
    bits = np.unpackbits(np.asarray(packed).astype(np.uint8), bitorder="little")
    bits = bits[: count * nbits].reshape(count, nbits).astype(np.uint32)
    return (bits << np.arange(nbits, dtype=np.uint32)).sum(axis=1)


def _block_broadcast(param: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Expand a per-block parameter (same rank, each dim dividing `shape`) to `shape`."""
    param = np.asarray(param)
    for axis, (n, p) in enumerate(zip(shape, param.shape)):
        if n % p:
            raise ValueError(f"block parameter dim {p} does not divide data dim {n} at axis {axis}")
        if p != n:
            param = np.repeat(param, n // p, axis=axis)
    return param


@op("constexpr_affine_dequantize")
def _affine_dequantize(quantized_data, zero_point, scale, axis):
    # iOS16/17: scale * (q - zero_point); scale/zero_point are scalars or vectors along `axis`.
    q = np.asarray(quantized_data)
    axis = int(axis) % q.ndim

    def along_axis(p: Any) -> np.ndarray:
        p = _f32(p)
        if p.ndim == 0:
            return p
        shape = [1] * q.ndim
        shape[axis] = p.size
        return p.reshape(shape)

    return (q.astype(np.float32) - along_axis(zero_point)) * along_axis(scale)


@op("constexpr_blockwise_shift_scale")
def _blockwise_shift_scale(data, scale, offset=None):
    # iOS18: out[i] = scale[i // block] * (data[i] - offset[i // block]), block = data.shape / scale.shape
    # per dim. int4/uint4 data arrives from the loader unpacked into int8/uint8.
    data = np.asarray(data).astype(np.float32)
    if offset is not None:
        data = data - _block_broadcast(_f32(offset), data.shape)
    return data * _block_broadcast(_f32(scale), data.shape)


@op("constexpr_lut_to_dense")
def _lut_to_dense(indices, lut, shape=None, vector_axis=None):
    lut = np.asarray(lut)
    if shape is not None:
        # iOS16/17: 1-D lut of 2^nbits entries, indices bit-packed, explicit output shape.
        shape = _axes(shape)
        nbits = int(round(math.log2(lut.size)))
        idx = _unpack_bits(indices, nbits, int(np.prod(shape)))
        return lut[idx].reshape(shape)
    # iOS18: indices come unpacked with the output's shape (bar vector_axis); lut is
    # [*blocks, 2^nbits, vector_size] with one table per block of indices.
    indices = np.asarray(indices).astype(np.int64)
    k = indices.ndim
    block_index = []
    for d in range(k):
        block = indices.shape[d] // lut.shape[d]
        grid_shape = [1] * k
        grid_shape[d] = indices.shape[d]
        block_index.append((np.arange(indices.shape[d]) // block).reshape(grid_shape))
    picked = lut[tuple(block_index) + (indices,)]  # indices.shape + (vector_size,)
    vector_size = lut.shape[-1]
    if vector_size == 1:
        return picked[..., 0]
    if vector_axis is None:
        raise ValueError("constexpr_lut_to_dense: vector_size > 1 needs vector_axis")
    ax = int(vector_axis) % k
    out_shape = list(indices.shape)
    out_shape[ax] *= vector_size
    # each index expands into vector_size consecutive elements along vector_axis
    return np.moveaxis(picked, -1, ax + 1).reshape(out_shape)


@op("constexpr_sparse_to_dense")
def _sparse_to_dense(nonzero_data, mask, shape=None):
    nonzero_data = np.asarray(nonzero_data)
    if shape is not None:
        # iOS16/17: mask is a little-endian bit stream (one bit per output element, row-major).
        shape = _axes(shape)
        count = int(np.prod(shape))
        bits = np.unpackbits(np.asarray(mask).astype(np.uint8), bitorder="little")[:count]
        flat = np.zeros(count, dtype=nonzero_data.dtype)
        flat[bits != 0] = nonzero_data
        return flat.reshape(shape)
    # iOS18: mask is an unpacked uint1 tensor of the output shape.
    mask = np.asarray(mask)
    out = np.zeros(mask.shape, dtype=nonzero_data.dtype)
    out[mask != 0] = nonzero_data
    return out


@op("constexpr_cast")
def _constexpr_cast(source_val, output_dtype="fp32"):
    return np.asarray(source_val).astype(_STR_TO_NP[str(output_dtype)])


@op("constexpr_lut_to_sparse")
def _lut_to_sparse(indices_mask, indices_nonzero_data, lut, vector_axis=None):
    # iOS18 joint compression: palettise only the nonzero entries; outputs (mask, nonzero values).
    mask = np.asarray(indices_mask)
    dense_idx = np.zeros(mask.shape, dtype=np.int64)
    dense_idx[mask != 0] = np.asarray(indices_nonzero_data)
    dense = _lut_to_dense(dense_idx, lut, vector_axis=vector_axis)
    if np.asarray(lut).shape[-1] > 1:
        mask = np.repeat(mask, np.asarray(lut).shape[-1], axis=int(vector_axis))
    return mask, dense[mask != 0]


@op("constexpr_sparse_blockwise_shift_scale")
def _sparse_blockwise_shift_scale(data_mask, nonzero_data, scale, offset=None):
    mask = np.asarray(data_mask)
    dense = np.zeros(mask.shape, dtype=np.float32)
    dense[mask != 0] = np.asarray(nonzero_data)
    dense = _blockwise_shift_scale(dense, scale, offset)
    return mask, dense[mask != 0]

