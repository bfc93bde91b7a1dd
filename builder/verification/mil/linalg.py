"""Linear algebra and attention: linear, matmul, conv, scaled_dot_product_attention."""

from __future__ import annotations

import math

import numpy as np

from builder.verification.mil.executor import _axes, _f32, op
from builder.verification.mil.reductions import _softmax


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

