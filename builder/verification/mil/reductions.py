"""Reductions, cumsum, softmax and layer_norm; and classify, the argmax of a classifier's probabilities."""

from __future__ import annotations

from typing import Any

import numpy as np

from builder.verification.mil.executor import _axes, _f32, op


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


@op("classify")
def _classify(probabilities, classes):
    # Outputs: label of the argmax, and {class: probability} (the dict Core ML returns).
    probs = np.asarray(probabilities, dtype=np.float32).reshape(-1)
    classes = list(classes)
    if len(classes) != probs.size:
        raise ValueError(f"classify: {len(classes)} classes for {probs.size} probabilities")
    label = classes[int(np.argmax(probs))]
    return label, {c: float(p) for c, p in zip(classes, probs)}

