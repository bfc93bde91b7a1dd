"""What a Core ML package carries for Xcode, the app shell's Swift kit and edgepack's runners: the
descriptions, and the metadata keys they read back."""

from __future__ import annotations

import json
from typing import Any

from builder.backends.base import ModelFacts
from builder.backends.coreml.recipes import CoreMLRecipe
from builder.backends.coreml.settings import CoreMLSettings

# Model metadata keys the runners (and the app shells) read back from the package.
META_OUTPUTS, META_LABELS, META_PAD = "edgepack.outputs", "edgepack.labels", "edgepack.pad_token_id"
# Outputs with one value per token ([1, seq, ...]); Core ML returns them at the padded length.
META_SEQUENCE_OUTPUTS = "edgepack.sequence_outputs"
META_SEQUENCE_SHAPES = "edgepack.sequence_shapes"
CLASSIFIER_PROBABILITIES = "probabilities"


def describe_model(model, facts: ModelFacts, recipe: CoreMLRecipe, settings: CoreMLSettings) -> None:
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
    meta[META_SEQUENCE_SHAPES] = json.dumps(shape_facts(facts, settings))
    meta["edgepack.tokenizer"] = json.dumps(facts.tokenizer, ensure_ascii=False)


def shape_facts(facts: ModelFacts, settings: CoreMLSettings) -> dict[str, Any]:
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



def state_facts(model) -> list[dict[str, Any]]:
    """The package's states (iOS 18 MLState: a decoder's key/value cache), as the app allocates them."""
    from coremltools.proto import FeatureTypes_pb2

    dtypes = {FeatureTypes_pb2.ArrayFeatureType.FLOAT16: "float16", FeatureTypes_pb2.ArrayFeatureType.FLOAT32: "float32"}
    return [{"name": state.name, "shape": list(state.type.stateType.arrayType.shape),
             "dtype": dtypes.get(state.type.stateType.arrayType.dataType, "other")}
            for state in model.get_spec().description.state]
