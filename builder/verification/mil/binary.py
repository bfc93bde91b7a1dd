"""Elementwise binary ops: numpy broadcasting is MIL broadcasting."""

from __future__ import annotations

import numpy as np

from builder.verification.mil.executor import op


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

