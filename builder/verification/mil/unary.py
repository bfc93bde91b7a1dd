"""Elementwise unary ops: math functions, activations and cast."""

from __future__ import annotations

import math

import numpy as np

from builder.verification.mil.executor import _STR_TO_NP, _f32, op


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


@op("silu")
def _silu(x):
    return _f32(x) * _sigmoid(x)


@op("sin")
def _sin(x):
    return np.sin(_f32(x))


@op("cos")
def _cos(x):
    return np.cos(_f32(x))


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
    # A float beyond fp16's range becomes inf, as the device stores it (transformers' masks cast finfo(fp32).min).
    with np.errstate(over="ignore"):
        return x.astype(target)

