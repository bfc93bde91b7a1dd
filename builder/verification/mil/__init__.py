"""A numpy reference executor for saved Core ML ML Programs (MIL), so parity can be checked on Linux.

Core ML itself only runs on Apple platforms. This package loads a *saved* ``.mlpackage`` back
from disk with coremltools' own protobuf loader (so what is checked is what was written, weights
file included) and evaluates the ``main`` function op by op with numpy. Each op is a small,
independent numpy implementation registered in :data:`OPS` by the module of its family
(:mod:`.binary`, :mod:`.unary`, :mod:`.reductions`, :mod:`.linalg`, :mod:`.tensor`,
:mod:`.constants`, and :mod:`.states` for iOS 18 state); the walk itself is :mod:`.executor`.
coremltools' value inference is deliberately not used here, so that a converter bug and an
executor bug would have to coincide to go unnoticed.

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

from builder.verification.mil.executor import OPS, MilExecutor, UnsupportedOpError, evaluate

# Each op family registers its ops into OPS on import; SUPPORTED_OPS is taken after all of them.
from builder.verification.mil import binary, constants, linalg, reductions, states, tensor, unary

SUPPORTED_OPS: frozenset[str] = frozenset(OPS)

__all__ = [
    "OPS", "SUPPORTED_OPS", "MilExecutor", "UnsupportedOpError", "evaluate",
    # the op families, imported for their registrations
    "binary", "constants", "linalg", "reductions", "states", "tensor", "unary",
]
