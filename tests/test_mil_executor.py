"""The MIL reference executor against numpy/torch references, on programs saved and reloaded.

Every test builds a tiny MIL program, converts it to an ML Program, saves it as .mlpackage,
loads it back with MilExecutor and compares. The op under test is fed runtime inputs so the
converter's passes cannot fold it away, and each test asserts the op really is in the program.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import coremltools as ct
    import coremltools.optimize.coreml as cto
    import torch
    import torch.nn.functional as F
    from coremltools.converters.mil import Builder as mb
    from coremltools.converters.mil.mil import get_new_symbol, types

from builder.verification import mil as mil_executor
from builder.verification.mil import OPS, SUPPORTED_OPS, MilExecutor, UnsupportedOpError, evaluate

iOS17, iOS18 = ct.target.iOS17, ct.target.iOS18
FP32 = types.fp32
RNG = np.random.default_rng(0)


def _save_and_load(model, tmp_path, name="m") -> MilExecutor:
    path = tmp_path / f"{name}.mlpackage"
    model.save(str(path))
    return MilExecutor.load(path)


def _convert(prog, target, precision=ct.precision.FLOAT32, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ct.convert(prog, convert_to="mlprogram", minimum_deployment_target=target, compute_precision=precision, **kw)


def _build(tmp_path, shapes, body, target=iOS17, precision=ct.precision.FLOAT32, dtypes=None, **kw) -> MilExecutor:
    dtypes = dtypes or [FP32] * len(shapes)
    specs = [mb.TensorSpec(shape=s, dtype=d) for s, d in zip(shapes, dtypes)]

    prog = mb.program(input_specs=specs, opset_version=target)(_with_arity(len(shapes), body))
    return _save_and_load(_convert(prog, target, precision, **kw), tmp_path)


def _with_arity(n, body):
    # mb.program reads the input names off the function's positional parameters: x, y, z, w.
    if n == 1:
        return lambda x: body(x)
    if n == 2:
        return lambda x, y: body(x, y)
    if n == 3:
        return lambda x, y, z: body(x, y, z)
    return lambda x, y, z, w: body(x, y, z, w)


def _assigned(x, index, update):
    x = x.copy()
    x[index] = update
    return x


def _rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def _torch(fn, *arrays, **kw):
    return fn(*(torch.from_numpy(np.asarray(a)) for a in arrays), **kw).numpy()


def _run1(ex, *arrays):
    """Run a program whose inputs are x, y, ... in order; return the single output."""
    out = ex.run(dict(zip(ex.input_names, arrays)))
    assert list(out) == ex.output_names
    return out[ex.output_names[0]]


# --------------------------------------------------------------------------------------------
# Per-op cases: (id, op under test, input shapes, MIL body, numpy/torch reference, target)
# --------------------------------------------------------------------------------------------

def _sdpa_ref(q, k, v, mask=None):
    m = None if mask is None else torch.from_numpy(mask)
    return F.scaled_dot_product_attention(torch.from_numpy(q), torch.from_numpy(k), torch.from_numpy(v), attn_mask=m).numpy()


CONV_W = (np.arange(6 * 2 * 3, dtype=np.float32).reshape(6, 2, 3) % 7 - 3) / 4
CONV_W2 = (np.arange(3 * 2 * 2 * 3, dtype=np.float32).reshape(3, 2, 2, 3) % 5 - 2) / 3

CASES = [
    ("add", "add", [(2, 3), (1, 3)], lambda x, y: mb.add(x=x, y=y), lambda x, y: x + y, iOS17),
    ("sub", "sub", [(2, 3), (2, 1)], lambda x, y: mb.sub(x=x, y=y), lambda x, y: x - y, iOS17),
    ("mul", "mul", [(2, 3), (2, 3)], lambda x, y: mb.mul(x=x, y=y), lambda x, y: x * y, iOS17),
    ("real_div", "real_div", [(2, 3), (2, 3)], lambda x, y: mb.real_div(x=x, y=mb.add(x=mb.abs(x=y), y=1.0)),
     lambda x, y: x / (np.abs(y) + 1), iOS17),
    ("pow", "pow", [(2, 3), (2, 3)], lambda x, y: mb.pow(x=mb.add(x=mb.abs(x=x), y=0.5), y=y),
     lambda x, y: (np.abs(x) + 0.5) ** y, iOS17),
    ("maximum", "maximum", [(2, 3), (2, 3)], lambda x, y: mb.maximum(x=x, y=y), np.maximum, iOS17),
    ("minimum", "minimum", [(2, 3), (2, 3)], lambda x, y: mb.minimum(x=x, y=y), np.minimum, iOS17),
    ("clip", "clip", [(2, 5)], lambda x: mb.clip(x=x, alpha=-0.5, beta=0.25), lambda x: np.clip(x, -0.5, 0.25), iOS17),
    ("equal", "equal", [(2, 3), (2, 3)], lambda x, y: mb.cast(x=mb.equal(x=mb.round(x=x), y=mb.round(x=y)), dtype="fp32"),
     lambda x, y: (np.round(x) == np.round(y)).astype(np.float32), iOS17),
    ("not_equal", "not_equal", [(2, 3), (2, 3)], lambda x, y: mb.cast(x=mb.not_equal(x=mb.round(x=x), y=mb.round(x=y)), dtype="fp32"),
     lambda x, y: (np.round(x) != np.round(y)).astype(np.float32), iOS17),
    ("less", "less", [(2, 3), (2, 3)], lambda x, y: mb.cast(x=mb.less(x=x, y=y), dtype="fp32"),
     lambda x, y: (x < y).astype(np.float32), iOS17),
    ("greater", "greater", [(2, 3), (2, 3)], lambda x, y: mb.cast(x=mb.greater(x=x, y=y), dtype="fp32"),
     lambda x, y: (x > y).astype(np.float32), iOS17),
    ("greater_equal", "greater_equal", [(2, 3), (2, 3)], lambda x, y: mb.cast(x=mb.greater_equal(x=x, y=y), dtype="fp32"),
     lambda x, y: (x >= y).astype(np.float32), iOS17),
    ("less_equal", "less_equal", [(2, 3), (2, 3)],  # rounded inputs so ties (where <= and < differ) occur
     lambda x, y: mb.cast(x=mb.less_equal(x=mb.round(x=x), y=mb.round(x=y)), dtype="fp32"),
     lambda x, y: (np.round(x) <= np.round(y)).astype(np.float32), iOS17),
    ("logical_and", "logical_and", [(3, 4), (3, 4)],
     lambda x, y: mb.cast(x=mb.logical_and(x=mb.greater(x=x, y=0.0), y=mb.less(x=y, y=0.5)), dtype="fp32"),
     lambda x, y: ((x > 0) & (y < 0.5)).astype(np.float32), iOS17),
    ("logical_or", "logical_or", [(3, 4), (1, 4)],
     lambda x, y: mb.cast(x=mb.logical_or(x=mb.greater(x=x, y=0.0), y=mb.less(x=y, y=0.5)), dtype="fp32"),
     lambda x, y: ((x > 0) | (y < 0.5)).astype(np.float32), iOS17),
    ("logical_not", "logical_not", [(2, 3)], lambda x: mb.cast(x=mb.logical_not(x=mb.greater(x=x, y=0.0)), dtype="fp32"),
     lambda x: (x <= 0).astype(np.float32), iOS17),
    ("select", "select", [(2, 3), (2, 3)], lambda x, y: mb.select(cond=mb.greater(x=x, y=y), a=x, b=mb.mul(x=y, y=2.0)),
     lambda x, y: np.where(x > y, x, 2 * y), iOS17),
    ("relu", "relu", [(2, 5)], lambda x: mb.relu(x=x), lambda x: np.maximum(x, 0), iOS17),
    ("tanh", "tanh", [(2, 5)], lambda x: mb.tanh(x=x), np.tanh, iOS17),
    ("sigmoid", "sigmoid", [(2, 5)], lambda x: mb.sigmoid(x=x), lambda x: _torch(torch.sigmoid, x), iOS17),
    ("silu", "silu", [(2, 5)], lambda x: mb.silu(x=x), lambda x: _torch(F.silu, x), iOS17),
    ("sin", "sin", [(2, 5)], lambda x: mb.sin(x=x), np.sin, iOS17),
    ("cos", "cos", [(2, 5)], lambda x: mb.cos(x=x), np.cos, iOS17),
    ("floor", "floor", [(3, 5)], lambda x: mb.floor(x=x), np.floor, iOS17),
    ("ceil", "ceil", [(3, 5)], lambda x: mb.ceil(x=x), np.ceil, iOS17),
    ("exp", "exp", [(2, 5)], lambda x: mb.exp(x=x), np.exp, iOS17),
    ("erf", "erf", [(2, 5)], lambda x: mb.erf(x=x), lambda x: _torch(torch.erf, x), iOS17),
    ("sqrt", "sqrt", [(2, 5)], lambda x: mb.sqrt(x=mb.abs(x=x)), lambda x: np.sqrt(np.abs(x)), iOS17),
    ("rsqrt", "rsqrt", [(2, 5)], lambda x: mb.rsqrt(x=mb.add(x=mb.abs(x=x), y=0.1), epsilon=1e-4),
     lambda x: 1 / np.sqrt(np.abs(x) + 0.1 + 1e-4), iOS17),
    ("gelu_exact", "gelu", [(3, 7)], lambda x: mb.gelu(x=x, mode="EXACT"), lambda x: _torch(F.gelu, x), iOS17),
    ("gelu_tanh", "gelu", [(3, 7)], lambda x: mb.gelu(x=x, mode="TANH_APPROXIMATION"),
     lambda x: _torch(F.gelu, x, approximate="tanh"), iOS17),
    ("gelu_sigmoid", "gelu", [(3, 7)], lambda x: mb.gelu(x=x, mode="SIGMOID_APPROXIMATION"),
     lambda x: x * _torch(torch.sigmoid, 1.702 * x), iOS17),
    ("softmax", "softmax", [(2, 3, 5)], lambda x: mb.softmax(x=x, axis=1), lambda x: _torch(F.softmax, x, dim=1), iOS17),
    ("layer_norm", "layer_norm", [(2, 3, 8)],
     lambda x: mb.layer_norm(x=x, axes=[-1], gamma=np.linspace(0.5, 1.5, 8).astype(np.float32),
                             beta=np.linspace(-1, 1, 8).astype(np.float32), epsilon=1e-5),
     lambda x: _torch(F.layer_norm, x, normalized_shape=(8,), weight=torch.linspace(0.5, 1.5, 8),
                      bias=torch.linspace(-1, 1, 8), eps=1e-5), iOS17),
    ("layer_norm_2axes", "layer_norm", [(2, 3, 4)], lambda x: mb.layer_norm(x=x, axes=[1, 2], epsilon=1e-5),
     lambda x: _torch(F.layer_norm, x, normalized_shape=(3, 4), eps=1e-5), iOS17),
    ("reduce_mean", "reduce_mean", [(2, 3, 4)], lambda x: mb.reduce_mean(x=x, axes=[1], keep_dims=True),
     lambda x: x.mean(axis=1, keepdims=True), iOS17),
    ("reduce_sum", "reduce_sum", [(2, 3, 4)], lambda x: mb.reduce_sum(x=x, axes=[-1, 0], keep_dims=False),
     lambda x: x.sum(axis=(0, 2)), iOS17),
    ("reduce_max", "reduce_max", [(2, 3, 4)], lambda x: mb.reduce_max(x=x, axes=[1], keep_dims=True),
     lambda x: x.max(axis=1, keepdims=True), iOS17),
    ("reduce_max_2axes", "reduce_max", [(2, 3, 4)], lambda x: mb.reduce_max(x=x, axes=[-1, 0], keep_dims=False),
     lambda x: x.max(axis=(0, 2)), iOS17),
    ("reduce_max_all", "reduce_max", [(2, 3, 4)], lambda x: mb.reduce_max(x=x), lambda x: x.max(), iOS17),
    ("log", "log", [(2, 5)], lambda x: mb.log(x=mb.add(x=mb.abs(x=x), y=0.5)), lambda x: np.log(np.abs(x) + 0.5), iOS17),
    ("log_epsilon", "log", [(2, 5)], lambda x: mb.log(x=mb.abs(x=x), epsilon=0.25), lambda x: np.log(np.abs(x) + 0.25), iOS17),
    ("sign", "sign", [(3, 5)], lambda x: mb.sign(x=mb.round(x=x)), lambda x: np.sign(np.round(x)), iOS17),
    ("fill_like", "fill_like", [(2, 3)], lambda x: mb.add(x=x, y=mb.fill_like(ref_tensor=x, value=np.float32(2.5))),
     lambda x: x + 2.5, iOS17),
    ("cumsum", "cumsum", [(2, 3, 4)], lambda x: mb.cumsum(x=x, axis=1), lambda x: np.cumsum(x, axis=1), iOS17),
    ("cumsum_exclusive_reverse", "cumsum", [(2, 5)], lambda x: mb.cumsum(x=x, axis=-1, exclusive=True, reverse=True),
     lambda x: np.flip(np.cumsum(np.flip(x, -1), -1), -1) - x, iOS17),
    # RoBERTa's position ids: an int32 running count of the tokens that are not padding.
    ("cumsum_int32", "cumsum", [(2, 6)],
     lambda x: mb.cast(x=mb.cumsum(x=mb.cast(x=mb.greater(x=x, y=0.0), dtype="int32"), axis=1), dtype="fp32"),
     lambda x: np.cumsum(x > 0, axis=1).astype(np.float32), iOS17),
    ("linear", "linear", [(2, 3, 6)],
     lambda x: mb.linear(x=x, weight=np.arange(24, dtype=np.float32).reshape(4, 6) / 10,
                         bias=np.arange(4, dtype=np.float32)),
     lambda x: x @ (np.arange(24, dtype=np.float32).reshape(4, 6) / 10).T + np.arange(4), iOS17),
    ("matmul", "matmul", [(2, 3, 4), (2, 4, 5)], lambda x, y: mb.matmul(x=x, y=y), np.matmul, iOS17),
    ("matmul_tx_ty", "matmul", [(2, 4, 3), (2, 5, 4)], lambda x, y: mb.matmul(x=x, y=y, transpose_x=True, transpose_y=True),
     lambda x, y: np.swapaxes(x, -1, -2) @ np.swapaxes(y, -1, -2), iOS17),
    ("transpose", "transpose", [(2, 3, 4)], lambda x: mb.transpose(x=x, perm=[2, 0, 1]), lambda x: x.transpose(2, 0, 1), iOS17),
    ("reshape", "reshape", [(2, 3, 4)], lambda x: mb.reshape(x=x, shape=[0, -1, 2]), lambda x: x.reshape(2, -1, 2), iOS17),
    ("expand_dims", "expand_dims", [(2, 3)], lambda x: mb.add(x=mb.expand_dims(x=x, axes=[-1, 0]), y=0.5),
     lambda x: x[None, :, :, None] + 0.5, iOS17),
    ("squeeze", "squeeze", [(2, 1, 3, 1)], lambda x: mb.squeeze(x=x, axes=[1]), lambda x: x[:, 0], iOS17),
    ("tile", "tile", [(2, 3)], lambda x: mb.tile(x=x, reps=[2, 3]), lambda x: np.tile(x, (2, 3)), iOS17),
    ("concat", "concat", [(2, 3), (2, 2)], lambda x, y: mb.concat(values=[x, y, x], axis=1),
     lambda x, y: np.concatenate([x, y, x], axis=1), iOS17),
    ("concat_interleave", "concat", [(2, 3), (2, 3)], lambda x, y: mb.concat(values=[x, y], axis=1, interleave=True),
     lambda x, y: np.stack([x, y], axis=2).reshape(2, 6), iOS17),
    ("slice_by_index", "slice_by_index", [(4, 6, 5)],
     lambda x: mb.slice_by_index(x=x, begin=[1, 0, 4], end=[3, 5, 0], stride=[1, 2, -2],
                                 begin_mask=[False, True, False], end_mask=[False, False, True]),
     lambda x: x[1:3, :5:2, 4::-2], iOS17),
    ("slice_update", "slice_update", [(4, 6, 5), (2, 3, 5)],
     lambda x, u: mb.slice_update(x=x, update=u, begin=[1, 0, 0], end=[3, 6, 5], stride=[1, 2, 1], end_mask=[False, False, True]),
     lambda x, u: _assigned(x, (slice(1, 3), slice(0, 6, 2), slice(None)), u), iOS18),
    ("slice_by_index_squeeze", "slice_by_index", [(4, 6, 5)],
     lambda x: mb.slice_by_index(x=x, begin=[0, -2, 1], end=[4, 0, 4], squeeze_mask=[False, True, False]),
     lambda x: x[0:4, -2, 1:4], iOS17),
    ("pad_constant", "pad", [(2, 3, 4)], lambda x: mb.pad(x=x, pad=[0, 1, 2, 0], mode="constant", constant_val=1.5),
     lambda x: np.pad(x, [(0, 0), (0, 1), (2, 0)], constant_values=1.5), iOS17),
    ("pad_reflect", "pad", [(2, 3, 4)], lambda x: mb.pad(x=x, pad=[1, 2], mode="reflect"),
     lambda x: np.pad(x, [(0, 0), (0, 0), (1, 2)], mode="reflect"), iOS17),
    ("pad_replicate", "pad", [(2, 3, 4)], lambda x: mb.pad(x=x, pad=[1, 1, 2, 1], mode="replicate"),
     lambda x: np.pad(x, [(0, 0), (1, 1), (2, 1)], mode="edge"), iOS17),
    ("gather", "gather", [(5, 3), (2, 2)],
     lambda x, i: mb.gather(x=x, indices=mb.cast(x=mb.abs(x=mb.cast(x=i, dtype="int32")), dtype="int32"), axis=0),
     lambda x, i: x[np.abs(i.astype(np.int32))], iOS17),
    ("gather_along_axis", "gather_along_axis", [(3, 5), (3, 2)],
     lambda x, i: mb.gather_along_axis(x=x, indices=mb.cast(x=mb.abs(x=mb.cast(x=i, dtype="int32")), dtype="int32"), axis=1),
     lambda x, i: np.take_along_axis(x, np.abs(i.astype(np.int32)), axis=1), iOS17),
    ("conv1d_same_grouped_dilated", "conv", [(2, 4, 9)],
     lambda x: mb.conv(x=x, weight=CONV_W, bias=np.arange(6, dtype=np.float32), pad_type="same", dilations=[2], groups=2),
     lambda x: _torch(F.conv1d, x, weight=torch.from_numpy(CONV_W), bias=torch.arange(6.0), padding="same", dilation=2, groups=2),
     iOS17),
    ("conv1d_custom_strided", "conv", [(1, 4, 10)],
     lambda x: mb.conv(x=x, weight=CONV_W[:, :2].repeat(2, axis=1), pad_type="custom", pad=[2, 1], strides=[2]),
     lambda x: _torch(F.conv1d, F.pad(torch.from_numpy(x), (2, 1)).numpy(), weight=torch.from_numpy(CONV_W[:, :2].repeat(2, axis=1)),
                      stride=2), iOS17),
    ("conv2d_valid", "conv", [(1, 2, 5, 6)],
     lambda x: mb.conv(x=x, weight=CONV_W2, pad_type="valid"),
     lambda x: _torch(F.conv2d, x, weight=torch.from_numpy(CONV_W2)), iOS17),
    ("sdpa", "scaled_dot_product_attention", [(1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 6)],
     lambda q, k, v: mb.scaled_dot_product_attention(query=q, key=k, value=v), _sdpa_ref, iOS18),
    ("sdpa_float_mask", "scaled_dot_product_attention", [(1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 6), (1, 1, 1, 5)],
     lambda q, k, v, m: mb.scaled_dot_product_attention(query=q, key=k, value=v, attn_mask=m), _sdpa_ref, iOS18),
    ("sdpa_bool_mask", "scaled_dot_product_attention", [(1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 6), (1, 1, 3, 5)],
     lambda q, k, v, m: mb.scaled_dot_product_attention(query=q, key=k, value=v, attn_mask=mb.greater(x=m, y=-0.5)),
     lambda q, k, v, m: _sdpa_ref(q, k, v, m > -0.5), iOS18),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_op_matches_reference(case, tmp_path):
    _, op_type, shapes, body, reference, target = case
    ex = _build(tmp_path, shapes, body, target=target)
    assert op_type in ex.op_types, ex.op_types
    assert ex.unsupported_ops() == []
    arrays = [_rand(*s) * 2 for s in shapes]
    if op_type.startswith("gather"):
        arrays[1] = RNG.integers(-2, 3, size=shapes[1]).astype(np.float32)  # |i| < 3 <= axis size
    got = _run1(ex, *arrays)
    want = np.asarray(reference(*arrays), dtype=np.float32)
    assert got.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


SPLITS = [
    ("num_splits", (2, 6, 3), dict(num_splits=3, axis=1), lambda x: np.split(x, 3, axis=1)),
    ("split_sizes", (2, 3, 6), dict(split_sizes=[1, 3, 2], axis=-1), lambda x: np.split(x, [1, 4], axis=-1)),
    ("split_sizes_axis0", (5, 2), dict(split_sizes=[4, 1], axis=0), lambda x: [x[:4], x[4:]]),
]


@pytest.mark.parametrize("case", SPLITS, ids=[c[0] for c in SPLITS])
def test_split_outputs_every_piece(case, tmp_path):
    _, shape, kwargs, reference = case
    # Each piece goes through its own op, so every split output is live (and scaled differently,
    # so a mix-up between pieces would show).
    ex = _build(tmp_path, [shape], lambda x: tuple(mb.mul(x=p, y=float(i + 1)) for i, p in enumerate(mb.split(x=x, **kwargs))))
    assert "split" in ex.op_types, ex.op_types
    x = _rand(*shape)
    out = ex.run({ex.input_names[0]: x})
    want = [(i + 1) * p for i, p in enumerate(reference(x))]
    assert len(out) == len(want)
    for name, w in zip(ex.output_names, want):
        assert out[name].shape == w.shape
        np.testing.assert_array_equal(out[name], w)


SLICES_BY_SIZE = [
    ("positive", [1, 0, 2], [2, -1, 2], lambda x: x[1:3, :, 2:4]),
    ("negative_begin", [-3, 1, -2], [2, 2, -1], lambda x: x[-3:-1, 1:3, -2:]),
    ("negative_begin_to_end", [0, -2, -5], [4, 2, 5], lambda x: x[0:4, -2:, -5:]),  # begin + size == 0
]


@pytest.mark.parametrize("case", SLICES_BY_SIZE, ids=[c[0] for c in SLICES_BY_SIZE])
@pytest.mark.parametrize("runtime_begin", [False, True], ids=["const_begin", "runtime_begin"])
def test_slice_by_size(case, runtime_begin, tmp_path):
    _, begin, size, reference = case
    begin, size = np.array(begin, np.int32), np.array(size, np.int32)
    x = _rand(4, 5, 6)
    if runtime_begin:  # begin is an int32 model input, so nothing about the slice is known at compile time
        ex = _build(tmp_path, [x.shape, (3,)], lambda x, b: mb.slice_by_size(x=x, begin=b, size=size),
                    dtypes=[FP32, types.int32])
        got = _run1(ex, x, begin)
    else:
        ex = _build(tmp_path, [x.shape], lambda x: mb.slice_by_size(x=x, begin=begin, size=size))
        got = _run1(ex, x)
    assert "slice_by_size" in ex.op_types, ex.op_types
    want = reference(x)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def test_shape_and_fill_on_flexible_input(tmp_path):
    s = get_new_symbol()
    ex = _build(
        tmp_path, [(2, s)], lambda x: mb.add(x=mb.fill(shape=mb.shape(x=x), value=2.5), y=x),
        inputs=[ct.TensorType(name="x", shape=(2, ct.RangeDim(lower_bound=1, upper_bound=8, default=3)))],
    )
    assert {"shape", "fill"} <= set(ex.op_types)
    for n in (1, 5):
        x = _rand(2, n)
        np.testing.assert_allclose(ex.run({"x": x})[ex.output_names[0]], x + 2.5)


def test_range_1d_on_flexible_input(tmp_path):
    # MPNet's relative positions: arange over the runtime sequence length, offset by a start.
    s = get_new_symbol()

    def body(x):
        length = mb.slice_by_index(x=mb.shape(x=x), begin=[1], end=[2], squeeze_mask=[True])
        positions = mb.range_1d(start=np.int32(1), end=mb.add(x=length, y=np.int32(1)), step=np.int32(1))
        return mb.add(x=x, y=mb.cast(x=positions, dtype="fp32"))

    ex = _build(tmp_path, [(2, s)], body, inputs=[ct.TensorType(name="x", shape=(2, ct.RangeDim(lower_bound=1, upper_bound=8, default=3)))])
    assert "range_1d" in ex.op_types
    for n in (1, 6):
        x = _rand(2, n)
        np.testing.assert_allclose(ex.run({"x": x})[ex.output_names[0]], x + np.arange(1, n + 1, dtype=np.float32))


def test_cast_wraps_like_numpy_and_truncates(tmp_path):
    # float -> int32 truncates toward zero; int32 -> int16 -> uint16 wraps (the converter emits
    # such a chain in front of gather); back to fp32 for the output.
    def body(x):
        i32 = mb.cast(x=x, dtype="int32")
        u16 = mb.cast(x=mb.cast(x=i32, dtype="int16"), dtype="uint16")
        return mb.cast(x=i32, dtype="fp32"), mb.cast(x=mb.cast(x=u16, dtype="int32"), dtype="fp32")

    ex = _build(tmp_path, [(6,)], body)
    assert ex.op_types["cast"] >= 4
    x = np.array([-2.7, -0.5, 0.9, 70000.0, -70000.0, 3.2], dtype=np.float32)
    out = ex.run({ex.input_names[0]: x})
    truncated, wrapped = (out[n] for n in ex.output_names)
    np.testing.assert_array_equal(truncated, x.astype(np.int32).astype(np.float32))
    np.testing.assert_array_equal(wrapped, x.astype(np.int32).astype(np.int16).astype(np.uint16).astype(np.float32))


def test_classify_outputs_label_and_probabilities(tmp_path):
    @mb.program(input_specs=[mb.TensorSpec(shape=(1, 3), dtype=FP32)], opset_version=iOS17)
    def prog(x):
        return mb.softmax(x=mb.mul(x=x, y=2.0), axis=-1)

    model = _convert(prog, iOS17, classifier_config=ct.ClassifierConfig(["cat", "dog", "eel"], predicted_feature_name="label"))
    ex = _save_and_load(model, tmp_path)
    assert "classify" in ex.op_types
    x = np.array([[0.1, 1.2, -0.3]], dtype=np.float32)
    out = ex.run({ex.input_names[0]: x})
    probs = _torch(F.softmax, 2 * x, dim=-1)[0]
    assert out["label"] == "dog"
    probs_name = [n for n in ex.output_names if n != "label"][0]
    assert list(out[probs_name]) == ["cat", "dog", "eel"]
    np.testing.assert_allclose(list(out[probs_name].values()), probs, rtol=1e-6)


# --------------------------------------------------------------------------------------------
# fp16 storage: every op output is rounded to fp16, overflow -> inf
# --------------------------------------------------------------------------------------------


def test_fp16_program_rounds_each_op_output(tmp_path):
    ex = _build(tmp_path, [(4,), (4,)], lambda x, y: mb.add(x=mb.mul(x=x, y=y), y=x), precision=ct.precision.FLOAT16)
    assert {"mul", "add", "cast"} <= set(ex.op_types)
    x = np.array([300.0, 1.001, -3.3333, 1000.0], dtype=np.float32)
    y = np.array([300.0, 1.001, 7.7777, -70.0], dtype=np.float32)
    got = ex.run({"x": x, "y": y})[ex.output_names[0]]
    x16, y16 = x.astype(np.float16), y.astype(np.float16)
    with np.errstate(over="ignore"):
        prod = (x16.astype(np.float32) * y16.astype(np.float32)).astype(np.float16)  # 90000 -> inf
        want = (prod.astype(np.float32) + x16.astype(np.float32)).astype(np.float16).astype(np.float32)
    assert np.isinf(got[0]) and np.isinf(got[3]) and got[3] < 0
    np.testing.assert_array_equal(got, want)


def test_fp16_softmax_layer_norm_close_to_fp32_and_fp16_representable(tmp_path):
    body = lambda x: mb.softmax(x=mb.layer_norm(x=x, axes=[-1], epsilon=1e-5), axis=-1)  # noqa: E731
    ex = _build(tmp_path, [(3, 16)], body, precision=ct.precision.FLOAT16)
    seen = {}
    x = _rand(3, 16) * 4
    out = ex.run({"x": x}, on_op=lambda op, args, outs: seen.setdefault(op.op_type, outs[0]))
    assert seen["layer_norm"].dtype == np.float16 and seen["softmax"].dtype == np.float16
    ref = _torch(F.softmax, _torch(F.layer_norm, x.astype(np.float16).astype(np.float32), normalized_shape=(16,)), dim=-1)
    np.testing.assert_allclose(out[ex.output_names[0]], ref, atol=2e-3)


def test_evaluate_single_op_in_fp16(tmp_path):
    """evaluate() re-runs one op of an fp32 program with fp16 outputs (overflow analysis)."""
    ex = _build(tmp_path, [(3,), (3,)], lambda x, y: mb.mul(x=x, y=y))
    captured = []
    ex.run({"x": np.array([1e3, 2.0, -1e3], np.float32), "y": np.array([100.0, 3.0, 1e3], np.float32)},
           on_op=lambda op, args, outs: captured.append((op, args, outs)))
    op, args, outs = next(c for c in captured if c[0].op_type == "mul")
    np.testing.assert_array_equal(outs[0], [1e5, 6.0, -1e6])
    (as16,) = evaluate(op, args, [np.dtype(np.float16)])
    assert as16.dtype == np.float16
    np.testing.assert_array_equal(as16, np.array([np.inf, 6.0, -np.inf], np.float16))
    # fp16 args are upcast before computing: 2049 * 1 is exact in fp32, then rounds to 2048.
    (r,) = evaluate(op, {"x": np.float16(2049.0), "y": np.float16(1.0)}, [np.dtype(np.float16)])
    assert r == np.float16(2048.0)


# --------------------------------------------------------------------------------------------
# Weight compression ops
# --------------------------------------------------------------------------------------------

W = (RNG.standard_normal((16, 32)) * 0.5).astype(np.float32)
B = np.linspace(-1, 1, 16).astype(np.float32)


def _linear_model(target):
    @mb.program(input_specs=[mb.TensorSpec(shape=(2, 32), dtype=FP32)], opset_version=target)
    def prog(x):
        return mb.linear(x=x, weight=W, bias=B)

    return _convert(prog, target)


COMPRESSIONS = [
    ("affine_int8_iOS17", iOS17, "constexpr_affine_dequantize", cto.linear_quantize_weights,
     cto.OpLinearQuantizerConfig(mode="linear_symmetric", dtype="int8", granularity="per_channel", weight_threshold=0)),
    ("blockwise_int8_iOS18", iOS18, "constexpr_blockwise_shift_scale", cto.linear_quantize_weights,
     cto.OpLinearQuantizerConfig(mode="linear_symmetric", dtype="int8", granularity="per_channel", weight_threshold=0)),
    ("blockwise_int4_b8_iOS18", iOS18, "constexpr_blockwise_shift_scale", cto.linear_quantize_weights,
     cto.OpLinearQuantizerConfig(mode="linear_symmetric", dtype="int4", granularity="per_block", block_size=8, weight_threshold=0)),
    ("blockwise_int4_b16_iOS18", iOS18, "constexpr_blockwise_shift_scale", cto.linear_quantize_weights,
     cto.OpLinearQuantizerConfig(mode="linear_symmetric", dtype="int4", granularity="per_block", block_size=16, weight_threshold=0)),
    ("blockwise_uint8_asym_iOS18", iOS18, "constexpr_blockwise_shift_scale", cto.linear_quantize_weights,
     cto.OpLinearQuantizerConfig(mode="linear", dtype="uint8", granularity="per_channel", weight_threshold=0)),
    *[(f"lut_{n}bit_iOS17", iOS17, "constexpr_lut_to_dense", cto.palettize_weights,
       cto.OpPalettizerConfig(nbits=n, mode="kmeans", weight_threshold=0)) for n in (2, 4, 6, 8)],
    *[(f"lut_{n}bit_iOS18", iOS18, "constexpr_lut_to_dense", cto.palettize_weights,
       cto.OpPalettizerConfig(nbits=n, mode="kmeans", weight_threshold=0)) for n in (2, 4, 6, 8)],
    ("lut_grouped_iOS18", iOS18, "constexpr_lut_to_dense", cto.palettize_weights,
     cto.OpPalettizerConfig(nbits=2, mode="kmeans", granularity="per_grouped_channel", group_size=4, weight_threshold=0)),
    ("lut_vector_iOS18", iOS18, "constexpr_lut_to_dense", cto.palettize_weights,
     cto.OpPalettizerConfig(nbits=2, mode="kmeans", cluster_dim=2, weight_threshold=0)),
    ("sparse_iOS17", iOS17, "constexpr_sparse_to_dense", cto.prune_weights,
     cto.OpMagnitudePrunerConfig(target_sparsity=0.5, weight_threshold=0)),
    ("sparse_iOS18", iOS18, "constexpr_sparse_to_dense", cto.prune_weights,
     cto.OpMagnitudePrunerConfig(target_sparsity=0.5, weight_threshold=0)),
]


def _reference_decompress(op):
    fn = getattr(op, "materialized_val_inference", None)
    return fn() if fn is not None else op.value_inference()


def _compressed_linear(case):
    _, target, _, compress, op_config = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compress(_linear_model(target), config=cto.OptimizationConfig(global_config=op_config))


@pytest.mark.parametrize("case", COMPRESSIONS, ids=[c[0] for c in COMPRESSIONS])
def test_weight_decompression(case, tmp_path):
    op_type = case[2]
    ex = _save_and_load(_compressed_linear(case), tmp_path)
    assert op_type in ex.op_types, ex.op_types
    decompressed = {}

    def on_op(op, args, outs):
        if op.op_type == op_type:
            decompressed[op.name] = (op, outs[0])

    x = _rand(2, 32)
    got = ex.run({"x": x}, on_op=on_op)[ex.output_names[0]]
    assert len(decompressed) == 1
    ((op, weight),) = decompressed.values()
    # 1) our decompression == coremltools' on the op loaded back from disk (bit-exact)
    ref = _reference_decompress(op)
    assert weight.dtype == ref.dtype and weight.shape == W.shape
    if "vector" in case[0]:
        assert op.inputs["lut"].shape[-1] == 2  # really vector palettization
    np.testing.assert_array_equal(weight, ref)
    # 2) it is a plausible approximation of the original weight (2-bit LUTs are coarse)
    assert np.corrcoef(weight.astype(np.float64).ravel(), W.ravel())[0, 1] > 0.7
    # 3) the whole program == numpy linear with the decompressed weight
    np.testing.assert_allclose(got, x @ weight.T.astype(np.float32) + B, rtol=1e-5, atol=1e-5)



# What builder.backends.coreml.weights reads back from each compressed constant: the layer's precision and scheme.
RECORDED = {
    "affine_int8_iOS17": ("int8", "per output channel"), "blockwise_int8_iOS18": ("int8", "per output channel"),
    "blockwise_int4_b8_iOS18": ("int4", "per block of 8"), "blockwise_int4_b16_iOS18": ("int4", "per block of 16"),
    "blockwise_uint8_asym_iOS18": ("uint8", "per output channel"),
    **{f"lut_{n}bit_iOS{v}": (f"{n}-bit palette", f"look-up table of {2 ** n} values") for n in (2, 4, 6, 8) for v in (17, 18)},
    "lut_grouped_iOS18": ("2-bit palette", "4 look-up tables of 4 values"), "lut_vector_iOS18": ("2-bit palette", "look-up table of 4 vectors of 2"),
    "sparse_iOS17": ("sparse fp32", "50% of the values stored"), "sparse_iOS18": ("sparse fp32", "50% of the values stored"),
}


@pytest.mark.parametrize("case", COMPRESSIONS, ids=[c[0] for c in COMPRESSIONS])
def test_weight_records_read_the_compression_back(case, tmp_path):
    from builder.backends.coreml.conversion import mil_function
    from builder.backends.coreml.weights import weight_records

    name = case[0]
    _compressed_linear(case).save(str(tmp_path / "m.mlpackage"))
    (record,) = weight_records(mil_function(ct.models.MLModel(str(tmp_path / "m.mlpackage"), skip_model_load=True)), compressed=True)
    assert (record.op, record.shape, record.precision, record.scheme, record.left_out) == ("linear", W.shape, *RECORDED[name], "")
    # Stored bytes: fewer than the fp32 weight's, and at least the packed values' own (sparse: half the values).
    bits_per_value = {"int8": 8, "uint8": 8, "int4": 4, "sparse fp32": 16}.get(record.precision)
    if record.precision.endswith("palette"):
        bits_per_value = int(record.precision.split("-")[0]) / (2 if "vectors of 2" in record.scheme else 1)
    assert W.size * bits_per_value / 8 <= record.predicted_bytes < W.nbytes


# Joint compression (iOS18): prune, then palettise or quantise only the surviving weights. The
# sparse-to-sparse op yields (mask, nonzero values) and constexpr_sparse_to_dense scatters them.
JOINT = [
    ("lut4", ct.precision.FLOAT32, "constexpr_lut_to_sparse", cto.palettize_weights,
     cto.OpPalettizerConfig(nbits=4, mode="kmeans", weight_threshold=0, enable_per_channel_scale=False)),
    ("lut4_fp16", ct.precision.FLOAT16, "constexpr_lut_to_sparse", cto.palettize_weights,
     cto.OpPalettizerConfig(nbits=4, mode="kmeans", weight_threshold=0, enable_per_channel_scale=False)),
    ("lut2_grouped", ct.precision.FLOAT32, "constexpr_lut_to_sparse", cto.palettize_weights,
     cto.OpPalettizerConfig(nbits=2, mode="kmeans", granularity="per_grouped_channel", group_size=4,
                            weight_threshold=0, enable_per_channel_scale=False)),
    ("int8_per_channel", ct.precision.FLOAT32, "constexpr_sparse_blockwise_shift_scale", cto.linear_quantize_weights,
     cto.OpLinearQuantizerConfig(mode="linear_symmetric", dtype="int8", granularity="per_channel", weight_threshold=0)),
    ("uint4_asym_b8", ct.precision.FLOAT32, "constexpr_sparse_blockwise_shift_scale", cto.linear_quantize_weights,
     cto.OpLinearQuantizerConfig(mode="linear", dtype="uint4", granularity="per_block", block_size=8, weight_threshold=0)),
    ("int8_fp16", ct.precision.FLOAT16, "constexpr_sparse_blockwise_shift_scale", cto.linear_quantize_weights,
     cto.OpLinearQuantizerConfig(mode="linear_symmetric", dtype="int8", granularity="per_channel", weight_threshold=0)),
]


@pytest.mark.parametrize("case", JOINT, ids=[c[0] for c in JOINT])
def test_joint_sparse_compression(case, tmp_path):
    _, precision, op_type, compress, op_config = case

    @mb.program(input_specs=[mb.TensorSpec(shape=(2, 32), dtype=FP32)], opset_version=iOS18)
    def prog(x):
        return mb.linear(x=x, weight=W, bias=B)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pruned = cto.prune_weights(_convert(prog, iOS18, precision), config=cto.OptimizationConfig(
            global_config=cto.OpMagnitudePrunerConfig(target_sparsity=0.5, weight_threshold=0)))
        model = compress(pruned, config=cto.OptimizationConfig(global_config=op_config), joint_compression=True)
    ex = _save_and_load(model, tmp_path)
    assert op_type in ex.op_types and "constexpr_sparse_to_dense" in ex.op_types, ex.op_types
    assert ex.unsupported_ops() == []
    seen = {}
    x = _rand(2, 32)
    got = ex.run({"x": x}, on_op=lambda op, args, outs: seen.setdefault(op.op_type, (op, outs)))[ex.output_names[0]]
    # 1) both outputs of the sparse-to-sparse op == coremltools' on the op loaded back (bit-exact)
    op, (mask, values) = seen[op_type]
    ref_mask, ref_values = op.materialized_val_inference()
    assert mask.shape == W.shape and values.shape == (W.size // 2,)
    np.testing.assert_array_equal(mask, ref_mask)
    assert values.dtype == ref_values.dtype
    np.testing.assert_array_equal(values, ref_values)
    # the mask keeps exactly the larger-magnitude half of W
    assert mask.sum() == W.size // 2 and np.abs(W)[mask == 0].max() <= np.abs(W)[mask != 0].min()
    # 2) the dense weight == coremltools' whole decompression chain, and approximates W
    dense_op, (weight,) = seen["constexpr_sparse_to_dense"]
    ref = dense_op.materialized_val_inference()
    assert weight.dtype == ref.dtype == (np.float16 if precision == ct.precision.FLOAT16 else np.float32)
    np.testing.assert_array_equal(weight, ref)
    assert np.all(weight[mask == 0] == 0)
    assert np.corrcoef(weight.astype(np.float64).ravel(), W.ravel())[0, 1] > 0.9
    # 3) the whole program == numpy linear with the decompressed weight
    want = x @ weight.T.astype(np.float32) + B
    tol = 1e-5 if precision == ct.precision.FLOAT32 else 2e-2
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def test_vector_lut_to_sparse(tmp_path):
    # coremltools' joint palettisation cannot do vector palettes (cluster_dim > 1 raises an
    # IndexError in its pass), so this program is written directly in MIL: each kept index
    # expands into 2 consecutive rows (vector_axis 0), and the mask is repeated to match.
    rng = np.random.default_rng(1)
    mask = (rng.random((4, 6)) > 0.5).astype(types.np_uint1_dtype)
    indices = rng.integers(0, 4, int(mask.sum())).astype(types.np_uint2_dtype)
    lut = rng.standard_normal((1, 1, 4, 2)).astype(np.float32)

    def body(x):
        m, v = mb.constexpr_lut_to_sparse(indices_mask=mask, indices_nonzero_data=indices, lut=lut, vector_axis=0)
        return mb.linear(x=x, weight=mb.constexpr_sparse_to_dense(nonzero_data=v, mask=m))

    ex = _build(tmp_path, [(2, 6)], body, target=iOS18)
    assert "constexpr_lut_to_sparse" in ex.op_types, ex.op_types
    seen = {}
    x = _rand(2, 6)
    got = ex.run({"x": x}, on_op=lambda op, args, outs: seen.setdefault(op.op_type, (op, outs)))[ex.output_names[0]]
    op, (out_mask, values) = seen["constexpr_lut_to_sparse"]
    ref_mask, ref_values = op.materialized_val_inference()
    assert out_mask.shape == (8, 6) and values.shape == (2 * indices.size,)
    np.testing.assert_array_equal(out_mask, ref_mask)
    np.testing.assert_array_equal(values, ref_values)
    # independent numpy reference: row 2r+j of the dense weight is lut[idx][j] where mask[r] is set
    want_w = np.zeros((8, 6), np.float32)
    rows, cols = np.nonzero(mask)
    for (r, c), i in zip(zip(rows, cols), indices.astype(np.int64)):
        want_w[2 * r:2 * r + 2, c] = lut[0, 0, i]
    (_, (weight,)) = seen["constexpr_sparse_to_dense"]
    np.testing.assert_array_equal(weight, want_w)
    np.testing.assert_allclose(got, x @ want_w.T, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("target", [iOS17, iOS18], ids=["iOS16_attrs", "iOS18_inputs"])
def test_constexpr_cast(target, tmp_path):
    # No coremltools conversion or optimisation pass emits constexpr_cast, so it is written directly
    # in MIL: an fp16-stored weight widened to fp32 at load (iOS17 serialises the iOS16 op, whose
    # parameters are attributes; iOS18's are inputs).
    w16 = W.astype(np.float16)
    ex = _build(tmp_path, [(2, 32)],
                lambda x: mb.linear(x=x, weight=mb.constexpr_cast(source_val=w16, output_dtype="fp32"), bias=B),
                target=target)
    assert "constexpr_cast" in ex.op_types, ex.op_types
    seen = {}
    x = _rand(2, 32)
    got = ex.run({"x": x}, on_op=lambda op, args, outs: seen.setdefault(op.op_type, (op, outs)))[ex.output_names[0]]
    op, (weight,) = seen["constexpr_cast"]
    assert weight.dtype == np.float32
    np.testing.assert_array_equal(weight, op.materialized_val_inference())
    np.testing.assert_array_equal(weight, w16.astype(np.float32))
    np.testing.assert_allclose(got, x @ w16.astype(np.float32).T + B, rtol=1e-5, atol=1e-5)


def test_packed_bits_are_lsb_first_across_bytes():
    # iOS17 lut: 3 six-bit indices straddle bytes; element 0 sits in the low bits of byte 0.
    idx = np.array([1, 63, 42], dtype=np.uint8)
    bits = np.concatenate([[(i >> b) & 1 for b in range(6)] for i in idx]).astype(np.uint8)
    packed = np.packbits(np.pad(bits, (0, 24 - bits.size)), bitorder="little")
    lut = np.arange(64, dtype=np.float32) * 10
    out = OPS["constexpr_lut_to_dense"](indices=packed, lut=lut, shape=np.array([3], np.uint32))
    np.testing.assert_array_equal(out, [10, 630, 420])
    mask = np.packbits(np.array([0, 1, 1, 0, 0, 0, 0, 0, 1], np.uint8), bitorder="little")
    dense = OPS["constexpr_sparse_to_dense"](nonzero_data=np.array([5, 6, 7], np.float32), mask=mask,
                                             shape=np.array([3, 3], np.uint32))
    np.testing.assert_array_equal(dense, [[0, 5, 6], [0, 0, 0], [0, 0, 7]])


# --------------------------------------------------------------------------------------------
# Unsupported ops, input checks, API
# --------------------------------------------------------------------------------------------


def test_unknown_op_is_reported_before_and_during_run(tmp_path, monkeypatch):
    ex_ok = _build(tmp_path, [(2, 3)], lambda x: mb.tanh(x=mb.relu(x=x)))
    assert ex_ok.unsupported_ops() == []
    monkeypatch.delitem(OPS, "tanh")
    ex = MilExecutor.load(tmp_path / "m.mlpackage")
    assert ex.unsupported_ops() == ["tanh"]
    with pytest.raises(UnsupportedOpError) as info:
        ex.run({"x": _rand(2, 3)})
    assert info.value.op_type == "tanh"
    assert str(info.value) == "cannot verify on Linux: op tanh is not implemented by the MIL reference executor"


def test_supported_ops_cover_the_converter_set():
    needed = {
        "add", "cast", "concat", "const", "equal", "expand_dims", "fill", "gather", "gather_along_axis", "gelu",
        "greater_equal", "layer_norm", "linear", "matmul", "mul", "pad", "real_div", "relu", "reshape",
        "scaled_dot_product_attention", "select", "shape", "slice_by_index", "softmax", "sub", "tanh", "tile",
        "transpose", "classify", "constexpr_affine_dequantize", "constexpr_blockwise_shift_scale",
        "constexpr_lut_to_dense", "constexpr_sparse_to_dense",
    }
    assert needed <= SUPPORTED_OPS
    assert mil_executor.SUPPORTED_OPS == frozenset(OPS)


def test_enumerated_shapes_are_enforced(tmp_path):
    s = get_new_symbol()
    enum = ct.EnumeratedShapes(shapes=[(1, 4), (1, 8)])
    ex = _build(
        tmp_path, [(1, s), (1, s)], lambda a, b: mb.cast(x=mb.add(x=a, y=b), dtype="fp32"), target=iOS18,
        dtypes=[types.int32, types.int32],
        inputs=[ct.TensorType(name="x", shape=enum), ct.TensorType(name="y", shape=enum)],
    )
    assert ex.input_names == ["x", "y"]
    assert ex.allowed_shapes["x"].kind == "enumerated" and ex.allowed_shapes["x"].shapes == ((1, 4), (1, 8))
    assert ex.fits("x", (1, 8)) and not ex.fits("x", (1, 5))
    assert [ex.smallest_length_at_least(n) for n in (1, 4, 5, 8, 9)] == [4, 4, 8, 8, None]
    a = np.arange(8, dtype=np.int64).reshape(1, 8)  # int64 is cast to the declared int32
    out = ex.run({"x": a, "y": a})[ex.output_names[0]]
    np.testing.assert_array_equal(out, 2 * a)
    with pytest.raises(ValueError, match=r"'x'.*\[1, 5\].*\[1, 4\] or \[1, 8\]"):
        ex.run({"x": np.zeros((1, 5), np.int32), "y": np.zeros((1, 5), np.int32)})
    with pytest.raises(ValueError, match="missing"):
        ex.run({"x": a})


def test_range_shapes_are_enforced(tmp_path):
    s = get_new_symbol()
    ex = _build(
        tmp_path, [(1, s)], lambda x: mb.mul(x=x, y=2.0),
        inputs=[ct.TensorType(name="x", shape=(1, ct.RangeDim(lower_bound=3, upper_bound=10, default=4)))],
    )
    assert ex.allowed_shapes["x"].kind == "range" and ex.allowed_shapes["x"].ranges == ((1, 1), (3, 10))
    assert [ex.smallest_length_at_least(n) for n in (1, 3, 7, 10, 11)] == [3, 3, 7, 10, None]
    x = _rand(1, 7)
    np.testing.assert_allclose(ex.run({"x": x})[ex.output_names[0]], 2 * x)
    for bad in [(1, 2), (1, 11), (2, 5), (5,)]:
        with pytest.raises(ValueError, match="only accepts"):
            ex.run({"x": np.zeros(bad, np.float32)})


def test_on_op_sees_every_non_const_op_in_order(tmp_path):
    ex = _build(tmp_path, [(2, 3)], lambda x: mb.softmax(x=mb.add(x=mb.relu(x=x), y=1.0), axis=-1))
    seen = []
    ex.run({"x": _rand(2, 3)}, on_op=lambda op, args, outs: seen.append(op.op_type))
    assert seen == [t for t in (o.op_type for o in ex._fn.operations) if t != "const"]
    assert seen[-3:] == ["relu", "add", "softmax"]


def _stateful(tmp_path, precision=ct.precision.FLOAT32) -> MilExecutor:
    """A cache of 6 rows: each run writes its rows at `start` (slice_update) and returns the whole cache as written."""
    @mb.program(input_specs=[mb.StateTensorSpec((6, 2), dtype=types.fp16), mb.TensorSpec((get_new_symbol(), 2)),
                             mb.TensorSpec((1,), dtype=types.int32)], opset_version=iOS18)
    def prog(cache, rows, start):
        begin = mb.concat(values=[start, np.zeros(1, np.int32)], axis=0)
        end = mb.add(x=begin, y=mb.shape(x=rows))
        written = mb.slice_update(x=mb.read_state(input=cache), update=mb.cast(x=rows, dtype="fp16"), begin=begin, end=end)
        mb.coreml_update_state(state=cache, value=written)
        # (A second read_state here would be merged into the first by coremltools' common-subexpression pass.)
        return mb.cast(x=written, dtype="fp32")

    rows = ct.RangeDim(lower_bound=1, upper_bound=6, default=2)
    return _save_and_load(_convert(prog, iOS18, precision, inputs=[ct.TensorType(name="rows", shape=(rows, 2)),
                                                                   ct.TensorType(name="start", shape=(1,), dtype=np.int32)]), tmp_path)


def test_state_persists_across_runs_of_one_conversation(tmp_path):
    ex = _stateful(tmp_path)
    assert {"read_state", "coreml_update_state", "slice_update"} <= set(ex.op_types)
    # The state is not an input the caller feeds: it has its own shape and fp16 storage.
    assert ex.input_names == ["rows", "start"] and ex.state_shapes == {"cache": ((6, 2), np.dtype(np.float16))}
    state = ex.make_state()
    first = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    out = ex.run({"rows": first, "start": np.array([0], np.int32)}, state=state)[ex.output_names[0]]
    np.testing.assert_array_equal(out[:2], first)
    assert not out[2:].any()
    # The next run writes after the first's rows and sees both; 1/3 is stored rounded to fp16, as a device stores it.
    out = ex.run({"rows": np.array([[1 / 3, -1.0]], np.float32), "start": np.array([2], np.int32)}, state=state)[ex.output_names[0]]
    np.testing.assert_array_equal(out[:3], [[1, 2], [3, 4], [np.float16(1 / 3), -1]])
    # Another conversation starts from zeros; the first one's state is untouched by it.
    other = ex.make_state()
    out = ex.run({"rows": np.ones((1, 2), np.float32), "start": np.array([5], np.int32)}, state=other)[ex.output_names[0]]
    assert out.sum() == 2 and out[5].tolist() == [1, 1]
    assert state.values["cache"][:3].astype(np.float32).tolist() == [[1, 2], [3, 4], [np.float16(1 / 3), -1]]


def test_a_stateful_program_needs_its_state(tmp_path):
    ex = _stateful(tmp_path)
    with pytest.raises(ValueError, match=r"keeps state \(cache\): pass state=make_state\(\)"):
        ex.run({"rows": np.ones((1, 2), np.float32), "start": np.array([0], np.int32)})
    # A write that does not fit the slice is an error, not a silent broadcast.
    with pytest.raises(ValueError, match="slice_update"):
        ex.run({"rows": np.ones((2, 2), np.float32), "start": np.array([5], np.int32)}, state=ex.make_state())
