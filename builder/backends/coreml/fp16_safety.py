"""Find the ops of an ML Program that are unsafe in fp16, before an fp16 model ships.

BERT-family encoders are known to overflow fp16 (activation outliers in the feed-forward
blocks, large attention scores) or to lose the answer to rounding. The check runs the
fp32 program on the real samples and re-evaluates every float op from its fp32 inputs
rounded to fp16, with an fp16 output. An op is unsafe when

- its fp16 result is inf/NaN while the fp32 result is finite (overflow), or
- its fp16 result differs from fp32 by more than `PRECISION_LIMIT` of the output's range
  (a single rounding costs about 5e-4 of it; 20 times that means the op lost its value), or
- one of its inputs holds values beyond fp16's range (other than a mask's stand-ins for infinity): whatever
  it computes from them in fp16, the cast in front of it turns them into inf. Measured on SmolLM2-135M, whose
  first token carries "massive activations" (2.5e4 in two channels from layer 11 on): RMSNorm's mean of
  squares reaches 1.1e6 and is kept in fp32, but the rsqrt reading it returned 0 in fp16 (a finite output, off
  by only 0.4% of its range, set by the other tokens), zeroing that token's hidden state; the attention sink
  broke and next-token agreement fell to 0.79. Keeping those 18 rsqrt ops in fp32 brings it back to 0.996.

Each op is judged on exact inputs, so one bad op does not implicate everything after it.
The converter then keeps exactly these ops in fp32, and the result is verified again.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

PRECISION_LIMIT = 1e-2
FP16_MAX = float(np.finfo(np.float16).max)
# Magnitudes that stand for infinity (an attention mask's fill, float32's min): -inf in fp16 is what they mean.
INFINITY_STAND_IN = 1e38


def find_fp16_unsafe_ops(runner, samples: Sequence[Sequence[np.ndarray]]) -> dict[str, dict[str, str]]:
    """{op name: {"type": op type, "reason": why}} over all samples; `runner` is a
    MilReferenceRunner on the fp32 package."""
    from builder.verification.mil import evaluate

    unsafe: dict[str, dict[str, str]] = {}

    def check(op, args: dict[str, Any], outputs: list[Any]) -> None:
        # State ops are storage, not arithmetic (and re-evaluating a write would write the state again).
        if op.op_type in ("const", "read_state", "coreml_update_state") or op.op_type.startswith("constexpr") or op.name in unsafe:
            return
        floats = [isinstance(o, np.ndarray) and o.dtype == np.float32 for o in outputs]
        if not any(floats):
            return
        reach = max((_finite_reach(v) for v in args.values() if isinstance(v, np.ndarray) and v.dtype == np.float32), default=0.0)
        if reach > FP16_MAX:
            unsafe[op.name] = {"type": op.op_type, "reason": f"reads values up to {reach:.3g}, beyond fp16's {FP16_MAX:.0f}: "
                                                            "cast to fp16 they become inf"}
            return
        half_args = {name: _to_fp16(value) for name, value in args.items()}
        half_outputs = evaluate(op, half_args, [np.float16 if f else o.dtype for f, o in zip(floats, outputs)])
        input_peak = max((_peak(v) for v in args.values() if isinstance(v, np.ndarray) and v.dtype == np.float32), default=0.0)
        for is_float, full, half in zip(floats, outputs, half_outputs):
            reason = _judge(full, half, input_peak) if is_float else None
            if reason:
                unsafe[op.name] = {"type": op.op_type, "reason": reason}
                return

    for sample in samples:
        runner.run_observed(sample, check)
    return unsafe


def _peak(array: np.ndarray) -> float:
    return float(np.abs(array).max(initial=0.0))


def _finite_reach(array: np.ndarray) -> float:
    """The largest magnitude of `array` that is a real value: not inf, not a stand-in for it."""
    magnitudes = np.abs(array[np.isfinite(array)])
    return float(magnitudes[magnitudes < INFINITY_STAND_IN].max(initial=0.0))


def _judge(full: np.ndarray, half: np.ndarray, input_peak: float) -> str | None:
    if not np.isfinite(full).all():
        return None  # already broken in fp32: not an fp16 problem
    peak = _peak(full)
    if not np.isfinite(half).all():
        if input_peak > FP16_MAX:
            return f"its input overflows fp16: values reach {input_peak:.3g}, fp16 stops at {FP16_MAX:.0f}"
        return f"overflows fp16: fp32 values reach {peak:.3g}, fp16 stops at {FP16_MAX:.0f}"
    error = float(np.abs(full - half.astype(np.float32)).max(initial=0.0))
    if peak > 0 and error > PRECISION_LIMIT * peak:
        return f"loses precision in fp16: error {error:.3g} is {error / peak:.1%} of its range {peak:.3g}"
    return None


def _to_fp16(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.dtype == np.float32:
        with np.errstate(over="ignore"):
            return value.astype(np.float16)
    if isinstance(value, (tuple, list)):
        return type(value)(_to_fp16(v) for v in value)
    return value
