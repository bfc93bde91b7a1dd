"""The fused ExportedProgram -> a Core ML ML Program: conversion at one precision (shared by a build's
variants), the classifier head, and the converter workarounds coremltools 9 needs."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from builder.backends.base import CannotVerify, LoweringJob, ModelFacts
from builder.backends.coreml.fp16_safety import find_fp16_unsafe_ops
from builder.backends.coreml.metadata import CLASSIFIER_PROBABILITIES, accepted_length, shape_facts
from builder.backends.coreml.runners import MilReferenceRunner, pad_feeds
from builder.backends.coreml.settings import CoreMLSettings
from builder.backends.coreml.state import keeps_state, prepare_stateful


@dataclass
class BaseModel:
    """A converted, uncompressed model of one precision, shared by a build's variants."""

    model: Any
    kept_fp32: list[dict[str, Any]]
    fp16_check: str


def base_model(job: LoweringJob, precision: str) -> BaseModel:
    key = f"coreml:{precision}"
    if key in job.cache:
        return job.cache[key]
    if "coreml:fp32" not in job.cache:
        job.cache["coreml:fp32"] = BaseModel(_convert(job, None), [], "not needed: fp32 compute")
    if precision == "fp16":
        fp32 = job.cache["coreml:fp32"].model
        unsafe, check = _fp16_unsafe_ops(fp32, job)
        model = _convert(job, lambda op: op.name not in unsafe)
        # Read back which of them really compute in fp32 (coremltools renames the ops it
        # turns to fp16 with a _cast_fp16 suffix), rather than trusting the selector.
        in_fp32 = {op.name for op in mil_function(model).operations
                   if op.op_type != "const" and any(_is_fp32(v) for v in op.outputs)}
        kept = [{"op": name, **facts, "in_fp32": name in in_fp32} for name, facts in sorted(unsafe.items())]
        job.cache[key] = BaseModel(model, kept, check)
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


def as_classifier(model, facts: ModelFacts, settings: CoreMLSettings):
    """Add Core ML's classifier head: Xcode and Vision then show the class labels and the
    app gets the top label directly; the probabilities become a {label: p} dictionary."""
    if not facts.classifier_labels:
        return model
    import coremltools as ct

    # A fresh program read back from the spec: converting mutates it, and `model` may be
    # the shared base of other variants.
    program = mil_program(model)
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
    positions) exports as aten.__and__.Tensor: "Unsupported fx node and_1, kind __and__"; a where
    with a scalar: "Unsupported fx node where, kind where.scalarother"."""
    import torch

    aten = torch.ops.aten
    return {
        aten.__and__.Tensor: lambda a, b: aten.bitwise_and.Tensor(a, b),
        aten.__or__.Tensor: lambda a, b: aten.bitwise_or.Tensor(a, b),
        aten.alias.default: lambda x: aten.clone.default(x),
        # transformers' eager attention mask (decoders): torch.where(mask, 0, finfo.min).
        aten.where.ScalarOther: lambda condition, x, other: aten.where.self(condition, x, aten.full_like.default(x, other)),
        # Gemma 3's sliding-window mask.
        aten.new_ones.default: lambda x, size, dtype=None, **_: aten.full.default(size, 1, dtype=dtype or x.dtype),
    }


def aten_program(job: LoweringJob):
    """The program coremltools reads. The decomposition table only moves it to the ATen
    dialect, plus the aliases of `_aliases_coremltools_reads`; it keeps
    scaled_dot_product_attention and linear whole (the default table would split them).
    A program that keeps state (a key/value cache) is prepared for Core ML state (see .state)."""
    program = job.exported.program.run_decompositions(_aliases_coremltools_reads())
    return prepare_stateful(program) if keeps_state(program) else program


def calibration_feeds(job: LoweringJob) -> list[dict[str, np.ndarray]]:
    """The samples as Core ML feeds: int32, right-padded to a length the package accepts."""
    shapes = shape_facts(job.facts, job.settings)
    return [pad_feeds(job.facts.contract, [t.numpy() for t in sample], accepted_length(shapes, sample[0].shape[1]))
            for sample in job.samples]


def _input_types(facts: ModelFacts, settings: CoreMLSettings) -> list:
    import coremltools as ct

    def shape(spec):
        if settings.shapes == "enumerated":
            lengths = settings.lengths_for(facts.min_seq_len, facts.max_seq_len)
            shapes = [[n if size == "seq" else size for size in spec.shape] for n in lengths]
            return ct.EnumeratedShapes(shapes=shapes, default=shapes[0])
        length = ct.RangeDim(lower_bound=facts.min_seq_len, upper_bound=facts.max_seq_len,
                             default=min(facts.max_seq_len, max(facts.min_seq_len, 16)))
        return ct.Shape(tuple(length if size == "seq" else size for size in spec.shape))

    return [ct.TensorType(name=spec.name, shape=shape(spec), dtype=np.int32) for spec in facts.inputs]


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
            runner = MilReferenceRunner(path, job.facts.contract, metadata=False)
        except CannotVerify as exc:
            return {}, f"not run: {exc}"
        unsafe = find_fp16_unsafe_ops(runner, [[t.numpy() for t in sample] for sample in job.samples])
    return unsafe, f"ran every op of the fp32 program in fp16 on {len(job.samples)} samples"


def mil_program(model):
    """The model's MIL program, read back from its spec (renaming rebuilds the MLModel,
    which then carries no in-memory program)."""
    from coremltools.converters.mil.frontend.milproto.load import load

    spec = model.get_spec()
    return load(spec, spec.specificationVersion, file_weights_dir=model.weights_dir)


def mil_function(model):
    return mil_program(model).functions["main"]

