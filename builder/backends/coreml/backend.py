"""Core ML (ML Program, .mlpackage) through coremltools: convert, compress, describe, run.

Conversion starts from the same fused ExportedProgram as the ExecuTorch path, so both
targets share one definition of inputs and outputs. Core ML itself runs only on macOS;
on Linux every package is loaded back from disk and evaluated by the MIL reference
executor (builder/verification/mil), and the report says so.
"""

from __future__ import annotations

from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import Any

from builder.backends.base import Backend, LoweredArtifact, LoweringJob, RunContract, Runner
from builder.backends.coreml import settings as coreml_settings
from builder.backends.coreml.conversion import as_classifier, base_model, mil_function
from builder.backends.coreml.metadata import describe_model, shape_facts, state_facts
from builder.backends.coreml.recipes import COREML_RECIPES
from builder.backends.coreml.runners import CoreMLPredictRunner, MilReferenceRunner
from builder.backends.coreml.settings import SETTINGS, CoreMLSettings, on_macos
from builder.backends.coreml.weights import weight_records
from builder.backends.weight_records import describe_counts, summarize


class CoreMLBackend(Backend):
    name = "coreml"
    display_name = "Core ML"
    file_suffix = ".mlpackage"
    bundle_dir = "coreml"
    recipes = COREML_RECIPES
    settings = SETTINGS
    report_template = "report/coreml.html.j2"

    def resolve_settings(self, profile_settings: dict[str, Any], overrides: dict[str, Any]) -> CoreMLSettings:
        return coreml_settings.resolve_settings(profile_settings, overrides)

    def settings_for_task(self, settings: CoreMLSettings, task, overrides: dict[str, Any]) -> CoreMLSettings:
        return coreml_settings.for_stateful_program(settings, overrides, task.program_state) if task.program_state else settings

    def graph_passes(self) -> tuple:
        # One matmul instead of three per attention layer in the MIL program. (ExecuTorch does not take it:
        # XNNPACK declines the slices of a dynamic sequence length that split the fused output.)
        from builder.passes import FuseQKVPass

        return (FuseQKVPass(),)

    def lower(self, job: LoweringJob, recipe: str) -> LoweredArtifact:
        entry = self.recipes.get(recipe)
        settings: CoreMLSettings = job.settings
        base = base_model(job, entry.precision)
        # Compression before the classifier head: coremltools 9 cannot re-serialise a
        # classifier's label list when it compresses a model that already has one.
        model = as_classifier(entry.apply(base.model, job), job.facts, settings)
        describe_model(model, job.facts, entry, settings)
        function = mil_function(model)
        ops = Counter(op.op_type for op in function.operations)
        records = weight_records(function, compressed=entry.compression is not None)
        weights = summarize(records)
        details = {
            "deployment_target": settings.deployment_target,
            "compute_precision": entry.precision,
            "compute_units": settings.compute_units,
            "compression": entry.description if entry.compression else None,
            "input_dtype": "int32",
            "sequence_shapes": shape_facts(job.facts, settings),
            # Kept from one prediction to the next in an MLState (model.makeState()): one per conversation.
            "states": state_facts(model),
            "outputs": [o.name for o in model.get_spec().description.output],
            "ops_kept_in_fp32": base.kept_fp32,
            "fp16_safety_check": base.fp16_check,
            "mil_ops": dict(sorted(ops.items())),
            "quantization": {**weights, "layers": [r.to_json() for r in records]},
            "notes": list(settings.notes),
        }
        summary = (f"{entry.precision}, {settings.deployment_target}, {sum(n for op, n in ops.items() if op != 'const')} MIL ops; "
                   f"{describe_counts(weights['counts'])}")
        if details["states"]:
            summary += f"; {len(details['states'])} state tensors"
        if weights["left_out"]:
            summary += f", {len(weights['left_out'])} left uncompressed"
        if base.kept_fp32:
            summary += f", {len(base.kept_fp32)} kept in fp32"
        return LoweredArtifact(write=lambda path: model.save(str(path)), details=details, summary=summary)

    def runners(self, path: Path, contract: RunContract) -> list[Runner]:
        if on_macos():
            return [CoreMLPredictRunner(path, "CPU_ONLY", contract), CoreMLPredictRunner(path, "ALL", contract)]
        return [MilReferenceRunner(path, contract)]

    def versions(self) -> dict[str, str]:
        return {"coremltools": version("coremltools"), "torch": version("torch")}

    def describe(self, details: dict[str, Any]) -> str:
        facts = [f"{details['deployment_target']} {details['compute_precision']}, units {details['compute_units']}",
                 f"seq: {_shapes(details['sequence_shapes'])}"]
        states = details.get("states") or []
        if states:
            facts.append(f"state: {len(states)} {'/'.join(sorted({s['dtype'] for s in states}))} tensors (MLState)")
        if details.get("compression"):
            facts.append(details["compression"])
        kept = details.get("ops_kept_in_fp32") or []
        if kept:
            facts.append(f"kept in fp32: {', '.join(k['op'] for k in kept)}")
        weights = details.get("quantization")
        if weights:
            facts.append(describe_counts(weights["counts"]))
            facts += [f"uncompressed: {item['weight']} ({item['reason']})" for item in weights["left_out"]]
        return "\n".join(facts)


def _shapes(shapes: dict) -> str:
    if shapes["kind"] == "enumerated":
        return "one of " + ", ".join(map(str, shapes["lengths"]))
    return f"{shapes['min']}..{shapes['max']}"
