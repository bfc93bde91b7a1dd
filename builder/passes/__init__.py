"""Fusion and rewrite passes, applied in this order to the exported ATen graph."""

from builder.passes.base import GraphPass, PassOutcome, op_counts, run_passes
from builder.passes.convert_attention_to_sdpa_pass import ConvertAttentionToSDPAPass
from builder.passes.fuse_qkv_pass import FuseQKVPass
from builder.passes.remove_dropout_pass import RemoveDropoutPass

# The passes every backend lowers from. RemoveDropout first: inference dropout sits inside the
# attention pattern. A pass that only some backends gain from is theirs to add (Backend.graph_passes):
# FuseQKVPass is Core ML's, because its slices of a dynamic sequence length are what XNNPACK declines.
DEFAULT_PASSES: tuple[GraphPass, ...] = (RemoveDropoutPass(), ConvertAttentionToSDPAPass())

__all__ = ["DEFAULT_PASSES", "FuseQKVPass", "GraphPass", "PassOutcome", "op_counts", "run_passes"]
