"""Core ML (ML Program, .mlpackage) through coremltools: convert, compress, describe, run.

Conversion starts from the same fused ExportedProgram as the ExecuTorch path, so both
targets share one definition of inputs and outputs. Core ML itself runs only on macOS;
on Linux every package is loaded back from disk and evaluated by the MIL reference
executor (builder/verification/mil), and the report says so.
"""

from __future__ import annotations

import json
import platform
import tempfile
from collections import Counter
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from builder.backends.base import Backend, CannotVerify, LoweredArtifact, LoweringJob, ModelFacts, Runner
from builder.backends.fp16_safety import find_fp16_unsafe_ops
from builder.errors import EdgepackError
from builder.quant import COREML_RECIPES
from builder.quant.coreml_recipes import DEPLOYMENT_TARGETS, CoreMLRecipe
from builder.tasks.base import INPUT_NAMES

SHAPE_MODES = ("enumerated", "range")
COMPUTE_UNITS = ("ALL", "CPU_ONLY", "CPU_AND_GPU", "CPU_AND_NE")
# Model metadata keys the runners (and the app shells) read back from the package.
META_OUTPUTS, META_LABELS, META_PAD = "edgepack.outputs", "edgepack.labels", "edgepack.pad_token_id"
# Outputs with one value per token ([1, seq, ...]); Core ML returns them at the padded length.
META_SEQUENCE_OUTPUTS = "edgepack.sequence_outputs"
CLASSIFIER_PROBABILITIES = "probabilities"


@dataclass(frozen=True)
class CoreMLSettings:
    deployment_target: str
    shapes: str
    enumerated_lengths: tuple[int, ...]
    compute_units: str
    notes: tuple[str, ...] = ()

    def lengths_for(self, min_len: int, max_len: int) -> list[int]:
        """The enumerated sequence lengths, clipped to the model's range; max is always one."""
        return sorted({n for n in self.enumerated_lengths if min_len <= n < max_len} | {max_len})


def on_macos() -> bool:
    return platform.system() == "Darwin"


class CoreMLBackend(Backend):
    name = "coreml"
    file_suffix = ".mlpackage"
    bundle_dir = "coreml"
    recipes = COREML_RECIPES

    def resolve_settings(self, profile_settings: dict[str, Any], overrides: dict[str, Any]) -> CoreMLSettings:
        target = overrides.get("deployment_target") or profile_settings["deployment_target"]
        if target not in DEPLOYMENT_TARGETS:
            raise EdgepackError(f"deployment target {target!r} is not supported; use one of {', '.join(DEPLOYMENT_TARGETS)}")
        shapes = overrides.get("shapes") or profile_settings["shapes"]
        if shapes not in SHAPE_MODES:
            raise EdgepackError(f"sequence shapes {shapes!r}: use one of {', '.join(SHAPE_MODES)}")
        notes = []
        if shapes == "enumerated" and target == "iOS17":
            # Core ML accepts enumerated shapes on several inputs only from iOS 18 on.
            if overrides.get("shapes"):
                raise EdgepackError("--seq-shapes enumerated needs --deployment-target iOS18 (Core ML allows enumerated "
                                    "shapes on several inputs only from iOS 18); use --seq-shapes range for iOS 17")
            shapes = "range"
            notes.append("sequence length is a range: enumerated shapes on several inputs need iOS 18")
        units = overrides.get("compute_units") or profile_settings["compute_units"]
        if units not in COMPUTE_UNITS:
            raise EdgepackError(f"compute units {units!r}: use one of {', '.join(COMPUTE_UNITS)}")
        return CoreMLSettings(target, shapes, tuple(profile_settings["enumerated_lengths"]), units, tuple(notes))

    def refusal(self, recipe: str, settings: CoreMLSettings) -> str | None:
        entry = self.recipes.get(recipe)
        if entry.needs_macos and not on_macos():
            return f"recipe {recipe} cannot be built on {platform.system()}: {entry.needs_macos}; build it on a Mac"
        if DEPLOYMENT_TARGETS.index(entry.min_deployment_target) > DEPLOYMENT_TARGETS.index(settings.deployment_target):
            return (f"recipe {recipe} needs Core ML {entry.min_deployment_target} or later; "
                    f"add --deployment-target {entry.min_deployment_target}")
        return None

    def lower(self, job: LoweringJob, recipe: str) -> LoweredArtifact:
        entry = self.recipes.get(recipe)
        settings: CoreMLSettings = job.settings
        base = _base_model(job, entry.precision)
        # Compression before the classifier head: coremltools 9 cannot re-serialise a
        # classifier's label list when it compresses a model that already has one.
        feeds = _calibration_feeds(job) if entry.calibrate_activations else []
        model = _as_classifier(entry.compress(base.model, feeds), job.facts, settings)
        _describe(model, job.facts, entry, settings)
        ops = Counter(op.op_type for op in _mil_function(model).operations)
        details = {
            "deployment_target": settings.deployment_target,
            "compute_precision": entry.precision,
            "compute_units": settings.compute_units,
            "compression": entry.description if entry.compression else None,
            "input_dtype": "int32",
            "sequence_shapes": _shape_facts(job.facts, settings),
            "outputs": [o.name for o in model.get_spec().description.output],
            "ops_kept_in_fp32": base.kept_fp32,
            "fp16_safety_check": base.fp16_check,
            "mil_ops": dict(sorted(ops.items())),
            "notes": list(settings.notes),
        }
        summary = f"{entry.precision}, {settings.deployment_target}, {sum(n for op, n in ops.items() if op != 'const')} MIL ops"
        if base.kept_fp32:
            summary += f", {len(base.kept_fp32)} kept in fp32"
        return LoweredArtifact(write=lambda path: model.save(str(path)), details=details, summary=summary)

    def runners(self, path: Path) -> list[Runner]:
        if on_macos():
            return [CoreMLPredictRunner(path, "CPU_ONLY"), CoreMLPredictRunner(path, "ALL")]
        return [MilReferenceRunner(path)]

    def versions(self) -> dict[str, str]:
        return {"coremltools": version("coremltools"), "torch": version("torch")}


@dataclass
class _BaseModel:
    """A converted, uncompressed model of one precision, shared by a build's variants."""

    model: Any
    kept_fp32: list[dict[str, Any]]
    fp16_check: str


def _base_model(job: LoweringJob, precision: str) -> _BaseModel:
    key = f"coreml:{precision}"
    if key in job.cache:
        return job.cache[key]
    if "coreml:fp32" not in job.cache:
        job.cache["coreml:fp32"] = _BaseModel(_convert(job, None), [], "not needed: fp32 compute")
    if precision == "fp16":
        fp32 = job.cache["coreml:fp32"].model
        unsafe, check = _fp16_unsafe_ops(fp32, job)
        model = _convert(job, lambda op: op.name not in unsafe)
        # Read back which of them really compute in fp32 (coremltools renames the ops it
        # turns to fp16 with a _cast_fp16 suffix), rather than trusting the selector.
        in_fp32 = {op.name for op in _mil_function(model).operations
                   if op.op_type != "const" and any(_is_fp32(v) for v in op.outputs)}
        kept = [{"op": name, **facts, "in_fp32": name in in_fp32} for name, facts in sorted(unsafe.items())]
        job.cache[key] = _BaseModel(model, kept, check)
    return job.cache[key]


def _is_fp32(var) -> bool:
    from coremltools.converters.mil.mil import types

    return getattr(var, "dtype", None) == types.fp32


def _convert(job: LoweringJob, fp16_op_selector):
    """ExportedProgram -> ML Program. `fp16_op_selector` None means fp32 compute."""
    import coremltools as ct

    facts, settings = job.facts, job.settings
    if "coreml:aten" not in job.cache:
        job.cache["coreml:aten"] = aten_program(job)
    inputs = _input_types(facts, settings)
    outputs = [ct.TensorType(name=_graph_output_name(spec.name, facts), dtype=np.float32) for spec in facts.outputs]
    precision = ct.precision.FLOAT32 if fp16_op_selector is None else ct.transform.FP16ComputePrecision(op_selector=fp16_op_selector)
    target = getattr(ct.target, settings.deployment_target)
    # Through a MIL program first: the classifier head is added after compression.
    program = ct.convert(job.cache["coreml:aten"], inputs=inputs, outputs=outputs, convert_to="milinternal",
                         compute_precision=precision, minimum_deployment_target=target)
    return ct.convert(program, convert_to="mlprogram", compute_precision=ct.precision.FLOAT32, minimum_deployment_target=target)


def _as_classifier(model, facts: ModelFacts, settings: CoreMLSettings):
    """Add Core ML's classifier head: Xcode and Vision then show the class labels and the
    app gets the top label directly; the probabilities become a {label: p} dictionary."""
    if not facts.classifier_labels:
        return model
    import coremltools as ct

    # A fresh program read back from the spec: converting mutates it, and `model` may be
    # the shared base of other variants.
    program = _mil_program(model)
    # coremltools 9 cannot add a classifier to a program whose output types are set
    # (IndexError in get_func_output), and fp16 conversion always sets them.
    program.functions["main"].set_output_types(None)
    # The spec does not carry the flexible-shape declaration back into the program.
    program.functions["main"].set_input_types(tuple(_input_types(facts, settings)))
    config = ct.ClassifierConfig(class_labels=list(facts.classifier_labels), predicted_feature_name="label",
                                 predicted_probabilities_output=_graph_output_name(CLASSIFIER_PROBABILITIES, facts))
    classifier = ct.convert(program, convert_to="mlprogram", compute_precision=ct.precision.FLOAT32,
                            minimum_deployment_target=getattr(ct.target, settings.deployment_target), classifier_config=config)
    spec = classifier.get_spec()
    ct.utils.rename_feature(spec, "label_probs", CLASSIFIER_PROBABILITIES)
    return ct.models.MLModel(spec, weights_dir=classifier.weights_dir, skip_model_load=True)


def _aliases_coremltools_reads() -> dict:
    """ATen ops coremltools 9's torch frontend has no converter for, each decomposed into the
    equivalent op it does convert. `a & b` on bool tensors (DeBERTa-v2's log-bucketed relative
    positions) exports as aten.__and__.Tensor: "Unsupported fx node and_1, kind __and__"."""
    import torch

    aten = torch.ops.aten
    return {
        aten.__and__.Tensor: lambda a, b: aten.bitwise_and.Tensor(a, b),
        aten.__or__.Tensor: lambda a, b: aten.bitwise_or.Tensor(a, b),
        aten.alias.default: lambda x: aten.clone.default(x),
    }


def aten_program(job: LoweringJob):
    """The program coremltools reads. The decomposition table only moves it to the ATen
    dialect, plus the aliases of `_aliases_coremltools_reads`; it keeps
    scaled_dot_product_attention and linear whole (the default table would split them)."""
    return job.exported.program.run_decompositions(_aliases_coremltools_reads())


def _calibration_feeds(job: LoweringJob) -> list[dict[str, np.ndarray]]:
    """The samples as Core ML feeds: int32, right-padded to a length the package accepts."""
    shapes = _shape_facts(job.facts, job.settings)
    return [pad_feeds([t.numpy() for t in sample], accepted_length(shapes, sample[0].shape[1]), job.facts.pad_token_id)
            for sample in job.samples]


def pad_feeds(inputs: Sequence[np.ndarray], padded: int, pad_token_id: int) -> dict[str, np.ndarray]:
    """(input_ids, attention_mask[, token_type_ids]) -> int32 feeds right-padded to `padded`, as an
    app pads them: the pad id, mask 0, segment 0."""
    extra = ((0, 0), (0, padded - inputs[0].shape[1]))
    pad_values = (pad_token_id, 0, 0)
    return {name: np.pad(array.astype(np.int32), extra, constant_values=value)
            for name, array, value in zip(INPUT_NAMES, inputs, pad_values)}


def _input_types(facts: ModelFacts, settings: CoreMLSettings) -> list:
    import coremltools as ct

    if settings.shapes == "enumerated":
        lengths = settings.lengths_for(facts.min_seq_len, facts.max_seq_len)
        shape = ct.EnumeratedShapes(shapes=[[1, n] for n in lengths], default=[1, lengths[0]])
    else:
        shape = ct.Shape((1, ct.RangeDim(lower_bound=facts.min_seq_len, upper_bound=facts.max_seq_len,
                                         default=min(facts.max_seq_len, max(facts.min_seq_len, 16)))))
    return [ct.TensorType(name=spec.name, shape=shape, dtype=np.int32) for spec in facts.inputs]


def _graph_output_name(name: str, facts: ModelFacts) -> str:
    # The classifier's dictionary output takes the name "probabilities"; the tensor it is
    # computed from must not hold that name inside the program.
    return f"{name}_tensor" if facts.classifier_labels and name == CLASSIFIER_PROBABILITIES else name


def _fp16_unsafe_ops(fp32_model, job: LoweringJob) -> tuple[dict[str, dict[str, str]], str]:
    """Run the fp32 package on the samples, re-run every op in fp16, and name the ops
    whose fp16 result overflows or loses its value (see fp16_safety)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fp32.mlpackage"
        fp32_model.save(str(path))
        try:
            runner = MilReferenceRunner(path, contract=([], job.facts.labels, job.facts.pad_token_id))
        except CannotVerify as exc:
            return {}, f"not run: {exc}"
        unsafe = find_fp16_unsafe_ops(runner, [[t.numpy() for t in sample] for sample in job.samples])
    return unsafe, f"ran every op of the fp32 program in fp16 on {len(job.samples)} samples"


def _describe(model, facts: ModelFacts, recipe: CoreMLRecipe, settings: CoreMLSettings) -> None:
    """What Xcode shows and the app reads: descriptions, labels, tokenizer facts."""
    model.short_description = (f"{facts.name}: {facts.task_description}. {facts.architecture}, "
                               f"{recipe.description}. Built with edgepack.")
    model.version = facts.version
    if facts.author:
        model.author = facts.author
    if facts.license:
        model.license = facts.license
    for spec in facts.inputs:
        model.input_description[spec.name] = f"{spec.description} (int32)"
    names = [o.name for o in model.get_spec().description.output]
    by_name = {spec.name: spec.description for spec in facts.outputs}
    for name in names:
        if name == "label":
            model.output_description[name] = "the most probable class label"
        elif name == "probabilities" and facts.classifier_labels:
            model.output_description[name] = "probability of each class label (softmax of logits)"
        else:
            model.output_description[name] = by_name.get(name, name)
    meta = model.user_defined_metadata
    meta[META_OUTPUTS] = json.dumps([spec.name for spec in facts.outputs])
    meta[META_SEQUENCE_OUTPUTS] = json.dumps([spec.name for spec in facts.outputs if spec.shape[1:2] == ("seq",)])
    meta[META_LABELS] = json.dumps(facts.labels, ensure_ascii=False)
    meta[META_PAD] = str(facts.pad_token_id)
    meta["edgepack.task"] = facts.task
    meta["edgepack.recipe"] = recipe.name
    meta["edgepack.compute_units"] = settings.compute_units
    meta["edgepack.sequence_shapes"] = json.dumps(_shape_facts(facts, settings))
    meta["edgepack.tokenizer"] = json.dumps(facts.tokenizer, ensure_ascii=False)


def _shape_facts(facts: ModelFacts, settings: CoreMLSettings) -> dict[str, Any]:
    if settings.shapes == "enumerated":
        return {"kind": "enumerated", "lengths": settings.lengths_for(facts.min_seq_len, facts.max_seq_len),
                "padding": "right-pad input_ids with pad_token_id, attention_mask (and token_type_ids) with 0 up to the next listed length"}
    return {"kind": "range", "min": facts.min_seq_len, "max": facts.max_seq_len}


def accepted_length(shapes: dict[str, Any], length: int) -> int | None:
    """The length an app pads `length` tokens to under the package's sequence shapes (as
    `_shape_facts` describes them), or None when the package takes no input that long."""
    if shapes["kind"] == "range":
        # Below the minimum the app pads up to it, as with enumerated lengths.
        return max(length, shapes["min"]) if length <= shapes["max"] else None
    return next((n for n in shapes["lengths"] if n >= length), None)


def _mil_program(model):
    """The model's MIL program, read back from its spec (renaming rebuilds the MLModel,
    which then carries no in-memory program)."""
    from coremltools.converters.mil.frontend.milproto.load import load

    spec = model.get_spec()
    return load(spec, spec.specificationVersion, file_weights_dir=model.weights_dir)


def _mil_function(model):
    return _mil_program(model).functions["main"]


class _PackageRunner(Runner):
    """Shared by the Core ML runners: pads to an accepted length and maps the package's
    outputs (a classifier's probabilities come as a {label: p} dictionary) back to the
    manifest's output order."""

    def __init__(self, path: Path, contract: tuple[list[str], list[str], int] | None = None):
        """`contract` (output names, labels, pad id) stands in for the package's metadata."""
        import coremltools as ct

        self.sequence_outputs: set[str] | None = None
        if contract:
            self.output_names, self.labels, self.pad_token_id = contract
            return
        meta = ct.models.MLModel(str(path), skip_model_load=True).user_defined_metadata
        try:
            self.output_names = json.loads(meta[META_OUTPUTS])
            self.labels = json.loads(meta[META_LABELS])
            self.pad_token_id = int(meta[META_PAD])
            if META_SEQUENCE_OUTPUTS in meta:
                self.sequence_outputs = set(json.loads(meta[META_SEQUENCE_OUTPUTS]))
        except (KeyError, ValueError) as exc:
            raise CannotVerify(f"{path.name} lacks edgepack's metadata ({exc})") from None

    def run(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        feeds, padded, length = self.feeds(inputs)
        outputs = self.predict(feeds)
        return [self._as_array(name, outputs[name], padded, length) for name in self.output_names]

    def feeds(self, inputs: Sequence[np.ndarray]) -> tuple[dict[str, np.ndarray], int, int]:
        """The program's inputs -> int32 feeds padded the way the app pads them."""
        length = inputs[0].shape[1]
        padded = self.accepted_length(length)
        if padded is None:
            raise ValueError(f"no accepted sequence length for {length} tokens")
        return pad_feeds(inputs, padded, self.pad_token_id), padded, length

    def _as_array(self, name: str, value: Any, padded: int, length: int) -> np.ndarray:
        if isinstance(value, dict):
            return np.asarray([[value[label] for label in self.labels]], dtype=np.float32)
        array = np.asarray(value, dtype=np.float32)
        # Token-level outputs come back at the padded length. Only those: a [1, n] output whose n
        # happens to equal the padded length is not per token. (Packages from before the metadata
        # key had per-token outputs only as [1, seq, n].)
        per_token = name in self.sequence_outputs if self.sequence_outputs is not None else array.ndim >= 3
        return array[:, :length] if per_token and array.shape[1] == padded != length else array

    def accepted_length(self, length: int) -> int | None:
        raise NotImplementedError

    def predict(self, feeds: dict[str, np.ndarray]) -> dict[str, Any]:
        raise NotImplementedError


class MilReferenceRunner(_PackageRunner):
    how = "MIL reference executor on Linux, Core ML not run (saved .mlpackage evaluated with numpy, fp16 rounded per op)"

    def __init__(self, path: Path, contract: tuple[list[str], list[str], int] | None = None):
        from builder.verification.mil import MilExecutor

        super().__init__(path, contract)
        self.executor = MilExecutor.load(path)
        missing = self.executor.unsupported_ops()
        if missing:
            raise CannotVerify(f"cannot verify on Linux: op {', '.join(missing)} is not implemented by the MIL reference executor")

    def accepted_length(self, length: int) -> int | None:
        return self.executor.smallest_length_at_least(length)

    def predict(self, feeds: dict[str, np.ndarray]) -> dict[str, Any]:
        return self.executor.run(feeds)

    def run_observed(self, inputs: Sequence[np.ndarray], on_op) -> None:
        """Run once, calling on_op(op, args, outputs) after every op (for analyses)."""
        self.executor.run(self.feeds(inputs)[0], on_op=on_op)


class CoreMLPredictRunner(_PackageRunner):
    """MLModel.predict on macOS, on one set of compute units."""

    def __init__(self, path: Path, compute_units: str):
        import coremltools as ct

        super().__init__(path)
        self.how = f"Core ML MLModel.predict on macOS, compute units {compute_units} (the package as saved)"
        self.model = ct.models.MLModel(str(path), compute_units=getattr(ct.ComputeUnit, compute_units))
        self.shapes = json.loads(self.model.user_defined_metadata["edgepack.sequence_shapes"])

    def accepted_length(self, length: int) -> int | None:
        return accepted_length(self.shapes, length)

    def predict(self, feeds: dict[str, np.ndarray]) -> dict[str, Any]:
        return self.model.predict(feeds)
