"""A numpy reference executor for saved Core ML ML Programs (MIL), so parity can be checked on Linux.

Core ML itself only runs on Apple platforms. This module loads a *saved* ``.mlpackage`` back
from disk with coremltools' own protobuf loader (so what is checked is what was written, weights
file included) and evaluates the ``main`` function op by op with numpy. Each op is a small,
independent numpy implementation registered in :data:`OPS`; coremltools' value inference is
deliberately not used here, so that a converter bug and an executor bug would have to coincide
to go unnoticed.

Numerics model (an approximation of a device, stated honestly):

* Every tensor is *stored* in the dtype its MIL Var declares. fp16 vars hold ``np.float16``.
* An op receives its float16 arguments upcast to float32 and computes in float32, with float32
  accumulation inside the op (matmul/linear/softmax/layer_norm/reductions). This is how an
  fp32-accumulating accelerator behaves, not an exact model of the ANE/GPU: a real device may
  keep intermediates of a fused kernel in fp16, use a different summation order, or flush
  subnormals, so expect fp16 results within a few fp16 ulps, not bit equality.
* The executor then rounds every op output to the output Var's declared dtype (in one place,
  :func:`evaluate`, not per op). For fp16 outputs this is round-to-nearest-even, and a value above
  65504 becomes ``inf`` exactly as it would when stored on device. So storage and per-op rounding
  are exact; in-op accumulation is fp32.
* Integer casts wrap like ``numpy.astype`` (e.g. int32 -> int16 -> uint16, which the converter
  emits in front of ``gather``); float -> int truncates toward zero.

Constant ops (``const`` and every ``constexpr_*`` decompression op, plus any op whose inputs are
all constant) are evaluated once at load and cached, so per-input cost is only the live graph.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

import numpy as np

if TYPE_CHECKING:  # coremltools is imported lazily: importing it is slow and noisy.
    from coremltools.converters.mil.mil import Operation, Var


class UnsupportedOpError(Exception):
    """The program contains an op this executor has no implementation for."""

    def __init__(self, op_type: str):
        self.op_type = op_type
        super().__init__(f"cannot verify on Linux: op {op_type} is not implemented by the MIL reference executor")


# --------------------------------------------------------------------------------------------
# Op registry
# --------------------------------------------------------------------------------------------

OPS: dict[str, Callable[..., Any]] = {}


def op(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a numpy implementation under one or more MIL op types.

    An implementation takes the op's inputs as keyword arguments (optional inputs the program
    leaves out keep the Python default) and returns one value, or a tuple for multi-output ops.
    Float arguments arrive as float32 (fp16 already upcast); outputs are rounded by the caller.
    """

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        for name in names:
            OPS[name] = fn
        return fn

    return register


_STR_TO_NP = {
    "fp16": np.float16, "fp32": np.float32, "fp64": np.float64,
    "int8": np.int8, "uint8": np.uint8, "int16": np.int16, "uint16": np.uint16,
    "int32": np.int32, "uint32": np.uint32, "int64": np.int64, "uint64": np.uint64,
    "bool": np.bool_,
}


def _axes(axes: Any) -> tuple[int, ...]:
    return tuple(int(a) for a in np.atleast_1d(axes))


def _f32(x: Any) -> np.ndarray:
    """Float math happens in float32 even if an argument is an integer tensor."""
    x = np.asarray(x)
    return x if x.dtype == np.float32 else x.astype(np.float32)


# ---- constants -----------------------------------------------------------------------------


@op("const")
def _const(val: Any = None) -> Any:
    # Handled by the executor/evaluate from the Var's stored value; listed so it counts as supported.
    return val


# ---- elementwise binary: numpy broadcasting is MIL broadcasting ----------------------------


@op("add")
def _add(x, y):
    return np.add(x, y)


@op("sub")
def _sub(x, y):
    return np.subtract(x, y)


@op("mul")
def _mul(x, y):
    return np.multiply(x, y)


@op("real_div")
def _real_div(x, y):
    # True division even for int32 operands (the converter emits int32 real_div for shape
    # arithmetic such as expand's repeat counts); rounding to the int32 output Var truncates.
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.true_divide(x, y)


@op("pow")
def _pow(x, y):
    with np.errstate(invalid="ignore", over="ignore"):
        return np.power(x, y)


@op("maximum")
def _maximum(x, y):
    return np.maximum(x, y)


@op("minimum")
def _minimum(x, y):
    return np.minimum(x, y)


@op("clip")
def _clip(x, alpha, beta):
    # MIL's clip is min(max(x, alpha), beta); torch.clamp(min=...) converts to it.
    return np.minimum(np.maximum(x, alpha), beta)


@op("equal")
def _equal(x, y):
    return np.equal(x, y)


@op("not_equal")
def _not_equal(x, y):
    return np.not_equal(x, y)


@op("greater")
def _greater(x, y):
    return np.greater(x, y)


@op("greater_equal")
def _greater_equal(x, y):
    return np.greater_equal(x, y)


@op("less")
def _less(x, y):
    return np.less(x, y)


@op("less_equal")
def _less_equal(x, y):
    return np.less_equal(x, y)


@op("logical_not")
def _logical_not(x):
    return np.logical_not(x)


@op("logical_and")
def _logical_and(x, y):
    return np.logical_and(x, y)


@op("logical_or")
def _logical_or(x, y):
    return np.logical_or(x, y)


@op("select")
def _select(cond, a, b):
    return np.where(np.asarray(cond).astype(bool), a, b)


# ---- elementwise unary / activations --------------------------------------------------------


def _erf(x: np.ndarray) -> np.ndarray:
    # numpy has no erf; torch (a hard dependency of edgepack) gives the float32 one.
    import torch

    return torch.special.erf(torch.from_numpy(np.ascontiguousarray(_f32(x)))).numpy()


@op("erf")
def _erf_op(x):
    return _erf(x)


@op("abs")
def _abs(x):
    return np.abs(x)


@op("round")
def _round(x):
    # The MIL spec says "0.5 is rounded to 0": half to even, as numpy does.
    return np.round(_f32(x))


@op("floor")
def _floor(x):
    return np.floor(_f32(x))


@op("ceil")
def _ceil(x):
    # DeBERTa-v2's log-bucketed relative positions round up with ceil.
    return np.ceil(x)


@op("exp")
def _exp(x):
    with np.errstate(over="ignore"):
        return np.exp(_f32(x))


@op("sqrt")
def _sqrt(x):
    with np.errstate(invalid="ignore"):
        return np.sqrt(_f32(x))


@op("rsqrt")
def _rsqrt(x, epsilon=1e-12):
    # iOS17 rsqrt: 1 / sqrt(x + epsilon).
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.float32(1.0) / np.sqrt(_f32(x) + np.float32(epsilon))


@op("log")
def _log(x, epsilon=1e-45):
    # MIL's log is log(x + epsilon); MPNet's and DeBERTa-v2's relative-position buckets take it.
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(_f32(x) + np.float32(epsilon))


@op("sign")
def _sign(x):
    return np.sign(x)


@op("tanh")
def _tanh(x):
    return np.tanh(_f32(x))


@op("sigmoid")
def _sigmoid(x):
    with np.errstate(over="ignore"):
        return np.float32(1.0) / (np.float32(1.0) + np.exp(-_f32(x)))


@op("relu")
def _relu(x):
    return np.maximum(x, np.zeros((), dtype=np.asarray(x).dtype))


@op("gelu")
def _gelu(x, mode="EXACT"):
    x = _f32(x)
    mode = str(mode)
    if mode == "EXACT":
        return np.float32(0.5) * x * (np.float32(1.0) + _erf(x / np.float32(math.sqrt(2.0))))
    if mode == "TANH_APPROXIMATION":
        inner = np.float32(math.sqrt(2.0 / math.pi)) * (x + np.float32(0.044715) * x * x * x)
        return np.float32(0.5) * x * (np.float32(1.0) + np.tanh(inner))
    if mode == "SIGMOID_APPROXIMATION":
        return x * _sigmoid(np.float32(1.702) * x)
    raise ValueError(f"gelu: unknown mode {mode!r}")


@op("cast")
def _cast(x, dtype):
    target = _STR_TO_NP[str(dtype)]
    x = np.asarray(x)
    if np.issubdtype(target, np.integer) and np.issubdtype(x.dtype, np.floating):
        # Truncate toward zero, then wrap like an integer cast (float -> uint16 is not defined
        # by numpy for negative values; going through int64 makes it deterministic).
        with np.errstate(invalid="ignore", over="ignore"):
            return x.astype(np.int64).astype(target)
    if target is np.bool_:
        return x != 0
    return x.astype(target)


# ---- reductions / normalisation -------------------------------------------------------------


def _reduce_axes(axes: Any) -> tuple[int, ...] | None:
    return None if axes is None else _axes(axes)


@op("reduce_mean")
def _reduce_mean(x, axes=None, keep_dims=False):
    return np.mean(_f32(x), axis=_reduce_axes(axes), keepdims=bool(keep_dims), dtype=np.float32)


@op("reduce_sum")
def _reduce_sum(x, axes=None, keep_dims=False):
    x = np.asarray(x)
    dtype = np.float32 if np.issubdtype(x.dtype, np.floating) else None
    return np.sum(x, axis=_reduce_axes(axes), keepdims=bool(keep_dims), dtype=dtype)


@op("reduce_max")
def _reduce_max(x, axes=None, keep_dims=False):
    return np.max(x, axis=_reduce_axes(axes), keepdims=bool(keep_dims))


@op("cumsum")
def _cumsum(x, axis=0, exclusive=False, reverse=False):
    # RoBERTa-style position ids: the running count of non-pad tokens (integers stay integers).
    x = np.asarray(x)
    dtype = np.float32 if np.issubdtype(x.dtype, np.floating) else x.dtype
    axis = int(axis)
    if reverse:
        x = np.flip(x, axis)
    out = np.cumsum(x, axis=axis, dtype=dtype)
    if exclusive:
        out = out - x.astype(dtype)
    return np.flip(out, axis) if reverse else out


@op("softmax")
def _softmax(x, axis=-1):
    x = _f32(x)
    axis = int(axis)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


@op("layer_norm")
def _layer_norm(x, axes=None, gamma=None, beta=None, epsilon=1e-5):
    x = _f32(x)
    axes = tuple(range(x.ndim)) if axes is None else tuple(sorted(a % x.ndim for a in _axes(axes)))
    mean = np.mean(x, axis=axes, keepdims=True)
    centred = x - mean
    var = np.mean(centred * centred, axis=axes, keepdims=True)
    out = centred / np.sqrt(var + np.float32(epsilon))
    # gamma/beta have shape x.shape[axes]; place their dims at `axes` to broadcast.
    param_shape = [x.shape[i] if i in axes else 1 for i in range(x.ndim)]
    if gamma is not None:
        out = out * np.reshape(gamma, param_shape)
    if beta is not None:
        out = out + np.reshape(beta, param_shape)
    return out


# ---- linear algebra / attention --------------------------------------------------------------


@op("linear")
def _linear(x, weight, bias=None):
    out = np.matmul(_f32(x), _f32(weight).T)
    return out if bias is None else out + bias


def _swap_last(a: np.ndarray) -> np.ndarray:
    return a if a.ndim < 2 else np.swapaxes(a, -1, -2)


@op("matmul")
def _matmul(x, y, transpose_x=False, transpose_y=False):
    x, y = np.asarray(x), np.asarray(y)
    if bool(transpose_x):
        x = _swap_last(x)
    if bool(transpose_y):
        y = _swap_last(y)
    if np.issubdtype(x.dtype, np.floating) or np.issubdtype(y.dtype, np.floating):
        x, y = _f32(x), _f32(y)
    return np.matmul(x, y)


@op("conv")
def _conv(x, weight, bias=None, strides=None, pad_type="valid", pad=None, dilations=None, groups=1):
    # N-d grouped convolution, [N, C_in, *spatial] x [C_out, C_in / groups, *kernel]: DeBERTa-v2's
    # ConvLayer (conv_kernel_size > 0) is a 1-d convolution over the sequence.
    x, w = _f32(x), _f32(weight)
    nd, kernel = x.ndim - 2, w.shape[2:]
    strides = _axes(strides) if strides is not None else (1,) * nd
    dilations = _axes(dilations) if dilations is not None else (1,) * nd
    spans = [(k - 1) * d + 1 for k, d in zip(kernel, dilations)]
    if pad_type == "custom":
        padding = [tuple(int(v) for v in pair) for pair in np.asarray(pad).reshape(nd, 2)]
    elif pad_type in ("same", "same_lower"):
        padding = []
        for size, stride, span in zip(x.shape[2:], strides, spans):
            total = max((math.ceil(size / stride) - 1) * stride + span - size, 0)
            small, large = total // 2, total - total // 2
            padding.append((small, large) if pad_type == "same" else (large, small))
    else:
        padding = [(0, 0)] * nd
    x = np.pad(x, [(0, 0), (0, 0), *padding])
    out_shape = [(size - span) // stride + 1 for size, span, stride in zip(x.shape[2:], spans, strides)]
    groups = int(groups)
    cin, cout = x.shape[1] // groups, w.shape[0] // groups
    result = np.zeros((x.shape[0], w.shape[0], *out_shape), dtype=np.float32)
    for offset in np.ndindex(*kernel):
        window = x[(slice(None), slice(None), *(slice(o * d, o * d + (n - 1) * s + 1, s)
                                                for o, d, n, s in zip(offset, dilations, out_shape, strides)))]
        for g in range(groups):
            taps = w[(slice(g * cout, (g + 1) * cout), slice(None), *offset)]
            result[:, g * cout:(g + 1) * cout] += np.einsum("nc...,oc->no...", window[:, g * cin:(g + 1) * cin], taps)
    if bias is not None:
        result += _f32(bias).reshape(1, -1, *([1] * nd))
    return result


@op("scaled_dot_product_attention")
def _sdpa(query, key, value, attn_mask=None):
    # iOS18: softmax(Q K^T / sqrt(E) + mask) V; a bool mask means True = attend, False = -inf.
    q, k, v = _f32(query), _f32(key), _f32(value)
    scores = np.matmul(q, np.swapaxes(k, -1, -2)) * np.float32(1.0 / math.sqrt(q.shape[-1]))
    if attn_mask is not None:
        mask = np.asarray(attn_mask)
        if mask.dtype == np.bool_:
            scores = np.where(mask, scores, np.float32(-np.inf))
        else:
            scores = scores + _f32(mask)
    return np.matmul(_softmax(scores, axis=-1), v)


# ---- shape and indexing ------------------------------------------------------------------------


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


@op("slice_by_index")
def _slice_by_index(x, begin, end, stride=None, begin_mask=None, end_mask=None, squeeze_mask=None):
    # Python slice semantics per axis; a squeezed axis takes the single element at `begin`.
    x = np.asarray(x)
    rank = x.ndim
    begin, end = _axes(begin), _axes(end)
    stride = _axes(stride) if stride is not None else (1,) * rank
    begin_mask = np.atleast_1d(begin_mask) if begin_mask is not None else [False] * rank
    end_mask = np.atleast_1d(end_mask) if end_mask is not None else [False] * rank
    squeeze_mask = np.atleast_1d(squeeze_mask) if squeeze_mask is not None else [False] * rank
    index: list[Any] = []
    for i in range(rank):
        if squeeze_mask[i]:
            index.append(begin[i])
            continue
        b = None if begin_mask[i] else begin[i]
        e = None if end_mask[i] else end[i]
        index.append(slice(b, e, stride[i]))
    return x[tuple(index)]


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


@op("classify")
def _classify(probabilities, classes):
    # Outputs: label of the argmax, and {class: probability} (the dict Core ML returns).
    probs = np.asarray(probabilities, dtype=np.float32).reshape(-1)
    classes = list(classes)
    if len(classes) != probs.size:
        raise ValueError(f"classify: {len(classes)} classes for {probs.size} probabilities")
    label = classes[int(np.argmax(probs))]
    return label, {c: float(p) for c, p in zip(classes, probs)}


# ---- weight decompression (constexpr_*): both the iOS16/17 and the iOS18 signatures ----------


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


SUPPORTED_OPS: frozenset[str] = frozenset(OPS)


# --------------------------------------------------------------------------------------------
# Evaluation of one op: upcast -> compute -> round to declared dtype
# --------------------------------------------------------------------------------------------


def _upcast(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.astype(np.float32) if value.dtype == np.float16 else value
    if isinstance(value, np.float16):
        return np.float32(value)
    if isinstance(value, tuple):
        return tuple(_upcast(v) for v in value)
    return value


def _round_to(value: Any, dtype: np.dtype | None) -> Any:
    """Store a computed value in its declared dtype (fp16 rounding/overflow, int wrap)."""
    if dtype is None:
        return value  # strings, dicts, lists (classify outputs)
    value = np.asarray(value)
    if value.dtype == dtype:
        return value
    with np.errstate(over="ignore", invalid="ignore"):
        if np.issubdtype(dtype, np.integer) and np.issubdtype(value.dtype, np.floating):
            return value.astype(np.int64).astype(dtype)
        return value.astype(dtype)


def _compute(op: "Operation", args: dict[str, Any]) -> list[Any]:
    """Run an op's implementation on already-upcast args; no output rounding."""
    impl = OPS.get(op.op_type)
    if impl is None:
        raise UnsupportedOpError(op.op_type)
    if op.op_type == "const":
        return [_stored_value(op.outputs[0])]
    result = impl(**args)
    if len(op.outputs) == 1:
        return [result]
    return list(result)


def evaluate(op: "Operation", args: dict[str, Any], out_dtypes: list[np.dtype | None]) -> list[Any]:
    """Evaluate one op on resolved args: fp16 args upcast to fp32, compute, round each output
    to the matching entry of `out_dtypes` (None leaves it as is, e.g. classify's str/dict).

    Pass the output Vars' declared dtypes to reproduce the program; pass np.float16 for an fp32
    program to see what the op would store in fp16.
    """
    outputs = _compute(op, {name: _upcast(v) for name, v in args.items()})
    return [_round_to(v, d) for v, d in zip(outputs, out_dtypes)]


# --------------------------------------------------------------------------------------------
# Var helpers
# --------------------------------------------------------------------------------------------


def _var_nptype(var: "Var") -> np.dtype | None:
    """numpy dtype a Var is stored in; None for non-tensor values (str, dict, list)."""
    from coremltools.converters.mil.mil import types
    from coremltools.converters.mil.mil.var import ListVar

    if isinstance(var, ListVar):
        return None
    sym_type = var.sym_type
    if types.is_str(sym_type) or types.is_dict(sym_type) or types.is_list(sym_type):
        return None
    try:
        nptype = types.nptype_from_builtin(var.dtype)
    except Exception:
        return None
    if nptype is np.str_:
        return None
    return np.dtype(nptype)


def _stored_value(var: "Var") -> Any:
    """A const Var's value in its declared storage dtype (strings and lists as Python values)."""
    val = var.val
    dtype = _var_nptype(var)
    if dtype is None or isinstance(val, str):
        return val
    return np.asarray(val).astype(dtype, copy=False)


def _input_vars(op: "Operation") -> Iterable["Var"]:
    for v in op.inputs.values():
        if isinstance(v, (tuple, list)):
            yield from v
        else:
            yield v


# --------------------------------------------------------------------------------------------
# Input shape constraints
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AllowedShapes:
    """The shapes Core ML accepts for one input.

    ``kind`` is ``"enumerated"`` (``shapes`` lists every allowed shape; a fixed-shape input is a
    single enumerated shape) or ``"range"`` (``ranges`` gives an inclusive ``(low, high)`` per
    dim, ``high`` None when unbounded).
    """

    kind: str
    shapes: tuple[tuple[int, ...], ...] = ()
    ranges: tuple[tuple[int, int | None], ...] = ()

    def fits(self, shape: tuple[int, ...]) -> bool:
        shape = tuple(int(s) for s in shape)
        if self.kind == "enumerated":
            return shape in self.shapes
        return len(shape) == len(self.ranges) and all(
            lo <= s and (hi is None or s <= hi) for s, (lo, hi) in zip(shape, self.ranges)
        )

    def __str__(self) -> str:
        if self.kind == "enumerated":
            return " or ".join(str(list(s)) for s in self.shapes)
        dims = ", ".join(f"{lo}" if lo == hi else f"{lo}..{'inf' if hi is None else hi}" for lo, hi in self.ranges)
        return f"[{dims}]"


def _allowed_shapes(feature: Any) -> AllowedShapes | None:
    if feature.type.WhichOneof("Type") != "multiArrayType":
        return None
    t = feature.type.multiArrayType
    kind = t.WhichOneof("ShapeFlexibility")
    if kind == "enumeratedShapes":
        return AllowedShapes("enumerated", shapes=tuple(tuple(int(d) for d in s.shape) for s in t.enumeratedShapes.shapes))
    if kind == "shapeRange":
        return AllowedShapes(
            "range",
            ranges=tuple(
                (int(r.lowerBound), None if r.upperBound < 0 else int(r.upperBound)) for r in t.shapeRange.sizeRanges
            ),
        )
    return AllowedShapes("enumerated", shapes=(tuple(int(d) for d in t.shape),))


# --------------------------------------------------------------------------------------------
# The executor
# --------------------------------------------------------------------------------------------


def _load_program(path: Path):
    from coremltools.converters.mil.frontend.milproto.load import load as milproto_load
    import coremltools as ct

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ct.models.MLModel(str(path), skip_model_load=True)
        spec = model.get_spec()
        if spec.WhichOneof("Type") != "mlProgram":
            raise ValueError(f"{path} is not an ML Program (found {spec.WhichOneof('Type')})")
        prog = milproto_load(spec, spec.specificationVersion, file_weights_dir=model.weights_dir)
    return spec, prog


class MilExecutor:
    """Evaluate the ``main`` function of a saved ``.mlpackage`` with numpy (see module docs)."""

    def __init__(self, spec: Any, function: Any):
        self._spec = spec
        self._fn = function
        self._ops = list(function.operations)
        self.input_names: list[str] = list(function.inputs)
        # The program's output Vars carry the model's output feature names; should a model ever
        # differ, the spec's names (what Core ML returns) win, matched by position.
        self._output_vars = [v.name for v in function.outputs]
        feature_names = [f.name for f in spec.description.output]
        self.output_names: list[str] = (
            feature_names if len(feature_names) == len(self._output_vars) else list(self._output_vars)
        )
        self.op_types: collections.Counter = collections.Counter(o.op_type for o in self._ops)
        self._input_dtypes = {name: _var_nptype(v) for name, v in function.inputs.items()}
        self.allowed_shapes: dict[str, AllowedShapes] = {}
        for feature in spec.description.input:
            shapes = _allowed_shapes(feature)
            if shapes is not None:
                self.allowed_shapes[feature.name] = shapes
        self._out_dtypes = {id(o): [_var_nptype(v) for v in o.outputs] for o in self._ops}
        self._precompute_constants()

    @classmethod
    def load(cls, mlpackage: Path | str) -> "MilExecutor":
        spec, prog = _load_program(Path(mlpackage))
        if "main" not in prog.functions:
            raise ValueError(f"{mlpackage}: ML Program has no 'main' function")
        return cls(spec, prog.functions["main"])

    # ---- introspection --------------------------------------------------------------------

    def unsupported_ops(self) -> list[str]:
        """Op types in ``main`` the executor cannot evaluate (empty when it can run the model)."""
        return sorted(t for t in self.op_types if t not in OPS)

    def fits(self, name: str, shape: tuple[int, ...]) -> bool:
        """Whether Core ML would accept an array of `shape` for input `name`."""
        allowed = self.allowed_shapes.get(name)
        return True if allowed is None else allowed.fits(tuple(shape))

    def smallest_length_at_least(self, n: int) -> int | None:
        """For [1, seq] inputs: the smallest sequence length >= n every such input accepts (the
        enumerated length an app must pad to; n itself inside a range, the range's lower bound
        below it). None when no allowed length is long enough."""
        candidates: set[int] | None = None
        for name in self.input_names:
            allowed = self.allowed_shapes.get(name)
            if allowed is None:
                continue
            if allowed.kind == "enumerated":
                lengths = {s[1] for s in allowed.shapes if len(s) == 2 and s[0] == 1 and s[1] >= n}
            else:
                if len(allowed.ranges) != 2:
                    continue
                (lo0, hi0), (lo, hi) = allowed.ranges
                if not (lo0 <= 1 and (hi0 is None or hi0 >= 1)):
                    lengths = set()
                else:
                    length = max(n, lo)
                    lengths = {length} if hi is None or length <= hi else set()
                    if candidates is not None:  # keep other inputs' candidates that fit this range
                        lengths |= {c for c in candidates if lo <= c and (hi is None or c <= hi)}
            candidates = lengths if candidates is None else candidates & lengths
        if not candidates:
            return None
        return min(candidates)

    # ---- evaluation -----------------------------------------------------------------------

    def _precompute_constants(self) -> None:
        """Evaluate const ops and every op fed only by constants once; cache stored + upcast."""
        self._static: dict[str, Any] = {}  # var name -> value in declared dtype
        self._static_up: dict[str, Any] = {}  # var name -> upcast value (what ops compute on)
        self._static_ops: set[int] = set()
        self._static_args: dict[int, dict[str, Any]] = {}
        for o in self._ops:
            if o.op_type == "const":
                self._store(o, [_stored_value(o.outputs[0])])
                self._static_ops.add(id(o))
                continue
            if o.op_type not in OPS:
                continue
            ins = list(_input_vars(o))
            if not all(v.name in self._static for v in ins):
                continue
            args = self._args(o, self._static)
            up = self._args(o, self._static_up)
            outs = [_round_to(v, d) for v, d in zip(_compute(o, up), self._out_dtypes[id(o)])]
            self._store(o, outs)
            self._static_ops.add(id(o))
            self._static_args[id(o)] = args

    def _store(self, o: "Operation", outs: list[Any]) -> None:
        for var, value in zip(o.outputs, outs):
            self._static[var.name] = value
            self._static_up[var.name] = _upcast(value)

    @staticmethod
    def _args(o: "Operation", env: dict[str, Any]) -> dict[str, Any]:
        args = {}
        for name, v in o.inputs.items():
            if isinstance(v, (tuple, list)):
                args[name] = tuple(env[x.name] for x in v)
            else:
                args[name] = env[v.name]
        return args

    def _check_inputs(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        missing = [n for n in self.input_names if n not in inputs]
        unknown = [n for n in inputs if n not in self.input_names]
        if missing or unknown:
            raise ValueError(
                f"model inputs are {self.input_names}; missing {missing}, unexpected {unknown}"
            )
        checked = {}
        for name in self.input_names:
            value = np.asarray(inputs[name])
            allowed = self.allowed_shapes.get(name)
            if allowed is not None and not allowed.fits(value.shape):
                raise ValueError(
                    f"input {name!r} has shape {list(value.shape)}, but the model only accepts {allowed}"
                )
            dtype = self._input_dtypes[name]
            checked[name] = value.astype(dtype) if dtype is not None else value
        return checked

    def run(
        self,
        inputs: dict[str, np.ndarray],
        on_op: Callable[["Operation", dict[str, Any], list[Any]], None] | None = None,
    ) -> dict[str, Any]:
        """Evaluate the program; returns {output name: value} in program output order.

        `on_op(op, args, outputs)` is called after every op except ``const``, with args and
        outputs in their declared (stored) dtypes; constant-only ops (weight decompression)
        report their cached values.
        """
        unsupported = self.unsupported_ops()
        if unsupported:
            raise UnsupportedOpError(unsupported[0])
        env = dict(self._static)
        env_up = dict(self._static_up)
        for name, value in self._check_inputs(inputs).items():
            env[name] = value
            env_up[name] = _upcast(value)
        for o in self._ops:
            key = id(o)
            if key in self._static_ops:
                if on_op is not None and o.op_type != "const":
                    on_op(o, self._static_args[key], [self._static[v.name] for v in o.outputs])
                continue
            outs = [_round_to(v, d) for v, d in zip(_compute(o, self._args(o, env_up)), self._out_dtypes[key])]
            for var, value in zip(o.outputs, outs):
                env[var.name] = value
                env_up[var.name] = _upcast(value)
            if on_op is not None:
                on_op(o, self._args(o, env), outs)
        return {name: env[var] for name, var in zip(self.output_names, self._output_vars)}
