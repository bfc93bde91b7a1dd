"""Fusion and rewrite passes, applied in this order to the exported ATen graph."""

from builder.passes.base import GraphPass, PassOutcome, op_counts, run_passes
from builder.passes.convert_attention_to_sdpa_pass import ConvertAttentionToSDPAPass
from builder.passes.fuse_qkv_pass import FuseQKVPass
from builder.passes.remove_dropout_pass import RemoveDropoutPass

# RemoveDropout first: inference dropout sits inside the attention pattern.
DEFAULT_PASSES: tuple[GraphPass, ...] = (RemoveDropoutPass(), ConvertAttentionToSDPAPass(), FuseQKVPass())

__all__ = ["DEFAULT_PASSES", "GraphPass", "PassOutcome", "op_counts", "run_passes"]
