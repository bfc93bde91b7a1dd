"""The executor core: the op registry the op-family modules fill, evaluation of one op (upcast,
compute, round to the declared dtype) and :class:`MilExecutor`, which loads a saved ``.mlpackage``
and walks its ``main`` function. The numerics model is in the package docstring.
"""

from __future__ import annotations

import collections
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

import numpy as np

from builder.verification.mil.input_shapes import AllowedShapes, _allowed_shapes

if TYPE_CHECKING:  # coremltools is imported lazily: importing it is slow and noisy.
    from coremltools.converters.mil.mil import Operation, Var

    from builder.verification.mil.states import ProgramState


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


# Shared by the op-family modules.
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
    """Evaluate the ``main`` function of a saved ``.mlpackage`` with numpy (see the package docs)."""

    def __init__(self, spec: Any, function: Any):
        from coremltools.converters.mil.mil import types

        self._spec = spec
        self._fn = function
        self._ops = list(function.operations)
        # A stateful program (iOS 18) lists its states among main's inputs; the caller passes the
        # tensors, a ProgramState (make_state) the states.
        self.state_shapes: dict[str, tuple[tuple[int, ...], np.dtype]] = {
            name: (tuple(int(n) for n in v.sym_type.wrapped_type().get_shape()),
                   np.dtype(types.nptype_from_builtin(v.sym_type.wrapped_type().get_primitive())))
            for name, v in function.inputs.items() if types.is_state(v.sym_type)}
        self.input_names: list[str] = [name for name in function.inputs if name not in self.state_shapes]
        # The program's output Vars carry the model's output feature names; should a model ever
        # differ, the spec's names (what Core ML returns) win, matched by position.
        self._output_vars = [v.name for v in function.outputs]
        feature_names = [f.name for f in spec.description.output]
        self.output_names: list[str] = (
            feature_names if len(feature_names) == len(self._output_vars) else list(self._output_vars)
        )
        self.op_types: collections.Counter = collections.Counter(o.op_type for o in self._ops)
        self._input_dtypes = {name: _var_nptype(function.inputs[name]) for name in self.input_names}
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

    def make_state(self) -> "ProgramState":
        """A fresh state for a stateful program (zeros), to pass to every run of one conversation."""
        from builder.verification.mil.states import ProgramState

        return ProgramState(self.state_shapes)

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
        state: "ProgramState | None" = None,
    ) -> dict[str, Any]:
        """Evaluate the program; returns {output name: value} in program output order. A stateful
        program reads and writes `state` (from make_state), which it requires.

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
        if self.state_shapes and state is None:
            raise ValueError(f"the program keeps state ({', '.join(self.state_shapes)}): pass state=make_state()")
        for name in self.state_shapes:
            env[name] = env_up[name] = state.slot(name)
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
