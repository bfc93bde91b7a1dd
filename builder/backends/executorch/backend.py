"""ExecuTorch: lower to a .pte through an injected delegate, run it with the host runtime."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from builder.backends.base import Backend, LoweredArtifact, LoweringJob, RunContract, Runner
from builder.backends.executorch.delegates import DELEGATES, Delegate
from builder.backends.executorch.recipes import EXECUTORCH_RECIPES
from builder.backends.weight_records import describe_counts, summarize


@dataclass(frozen=True)
class ExecuTorchSettings:
    # The recipes quantize for this delegate's kernels (its static PT2E quantizer, for int8-static).
    delegate: Delegate


class ExecuTorchBackend(Backend):
    name = "executorch"
    display_name = "ExecuTorch"
    file_suffix = ".pte"
    bundle_dir = "executorch"
    recipes = EXECUTORCH_RECIPES
    report_template = "report/executorch.html.j2"

    def __init__(self, delegate: Delegate = DELEGATES.get("xnnpack")):
        self.delegate = delegate

    def resolve_settings(self, profile_settings: dict[str, Any], overrides: dict[str, Any]) -> ExecuTorchSettings:
        return ExecuTorchSettings(self.delegate)

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

