"""ExecuTorch: lower to a .pte through an injected delegate, run it with the host runtime."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from builder.backends.base import Backend, LoweredArtifact, LoweringJob, RunContract, Runner, Setting
from builder.backends.executorch.delegates import DELEGATES, Delegate
from builder.backends.executorch.recipes import EXECUTORCH_RECIPES
from builder.backends.weight_records import describe_counts, summarize
from builder.errors import EdgepackError


GROUP_SIZES = ("32", "64", "128", "256")
# How int4 scales are chosen: min/max of each group, or torchao's HQQ (half-quadratic: scales fitted to
# minimise the weight's reconstruction error).
INT4_SCALES = ("minmax", "hqq")

SETTINGS = (
    Setting("group_size", "--group-size", GROUP_SIZES,
            "ExecuTorch 8da4w: int4 weights share a scale per group of this many values along each row (linears and "
            "embedding tables); larger groups are smaller files and coarser. Default: the profile's (32)."),
    Setting("int4_scales", "--int4-scales", INT4_SCALES,
            "ExecuTorch 8da4w: choose each int4 group's scale from its min/max, or fit it with HQQ (torchao's "
            "half-quadratic solver, which lowers the weights' error). Default: the profile's (minmax)."),
)


@dataclass(frozen=True)
class ExecuTorchSettings:
    # The recipes quantize for this delegate's kernels (its static PT2E quantizer, for int8-static).
    delegate: Delegate
    # 8da4w's int4 groups.
    group_size: int = 32
    int4_scales: str = "minmax"


class ExecuTorchBackend(Backend):
    name = "executorch"
    display_name = "ExecuTorch"
    file_suffix = ".pte"
    bundle_dir = "executorch"
    recipes = EXECUTORCH_RECIPES
    settings = SETTINGS
    report_template = "report/executorch.html.j2"

    def __init__(self, delegate: Delegate = DELEGATES.get("xnnpack")):
        self.delegate = delegate

    def resolve_settings(self, profile_settings: dict[str, Any], overrides: dict[str, Any]) -> ExecuTorchSettings:
        merged = {**profile_settings, **overrides}
        group_size, scales = str(merged.get("group_size", 32)), merged.get("int4_scales", "minmax")
        if group_size not in GROUP_SIZES:
            raise EdgepackError(f"group size {group_size}: use one of {', '.join(GROUP_SIZES)}")
        if scales not in INT4_SCALES:
            raise EdgepackError(f"int4 scales {scales!r}: use one of {', '.join(INT4_SCALES)}")
        return ExecuTorchSettings(self.delegate, int(group_size), scales)

    def lower(self, job: LoweringJob, recipe: str) -> LoweredArtifact:
        from builder.backends.executorch.lowering import lower_program

        quantized = self.recipes.get(recipe).apply(job.exported, job)
        data, delegation = lower_program(quantized.program, self.delegate, quantized.quantized_embeddings,
                                         job.facts.program_metadata)
        weights = summarize(quantized.layers)
        left_out = f", {len(weights['left_out'])} left fp32" if weights["left_out"] else ""
        return LoweredArtifact(
            write=lambda path: path.write_bytes(data),
            details={"delegation": delegation.to_json(),
                     "quantization": {**weights, "pte_bytes": len(data), "layers": [r.to_json() for r in quantized.layers]}},
            summary=f"{self.delegate.display_name}: {delegation.compute_delegated}/{delegation.compute_total} compute ops, "
                    f"{delegation.delegated_nodes}/{delegation.delegated_nodes + delegation.cpu_nodes} nodes; "
                    f"{describe_counts(weights['counts'])}{left_out}",
        )

    def runners(self, path: Path, contract: RunContract) -> list[Runner]:
        from builder.backends.executorch.runner import ExecuTorchRunner

        return [ExecuTorchRunner(path, contract.method.name)]

    def versions(self) -> dict[str, str]:
        return {"executorch": version("executorch"), "torch": version("torch"), "torchao": version("torchao")}

    def describe(self, details: dict[str, Any]) -> str:
        delegation = details["delegation"]
        name = DELEGATES.get(delegation["backend"]).display_name if delegation["backend"] in DELEGATES else delegation["backend"]
        facts = [f"{name} {delegation['compute_delegated']}/{delegation['compute_total']} compute ops"]
        weights = details.get("quantization")
        if weights:
            facts.append(describe_counts(weights["counts"]))
            facts += [f"fp32: {item['weight']} ({item['reason']})" for item in weights["left_out"]]
        return "\n".join(facts)

