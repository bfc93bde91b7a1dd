"""Run a saved .mlpackage: with Core ML on macOS, with the MIL reference executor elsewhere. Both pad
the inputs the way the app does and return the outputs in the manifest's order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from builder.backends.base import CannotVerify, RunContract, Runner
from builder.backends.coreml.metadata import (META_LABELS, META_OUTPUTS, META_PAD, META_SEQUENCE_OUTPUTS, META_SEQUENCE_SHAPES,
                                              accepted_length)
from builder.tasks.specs import MethodSpec, TaskOptions, encoder_inputs


def pad_feeds(contract: RunContract, inputs: Sequence[np.ndarray], padded: int) -> dict[str, np.ndarray]:
    """The method's inputs, in order -> int32 feeds right-padded to `padded` as an app pads them,
    each with its declared padding value (input ids: the pad id; mask and segment ids: 0)."""
    def pad(spec, array):
        extra = [(0, 0)] * array.ndim
        extra[spec.sequence_axis] = (0, padded - array.shape[spec.sequence_axis])
        return np.pad(array.astype(np.int32), extra, constant_values=contract.padding_value(spec))

    return {spec.name: pad(spec, array) for spec, array in zip(contract.method.inputs, inputs)}


def encoder_contract(path: Path, pad_token_id: int) -> RunContract:
    """For a package opened without its bundle's contract (analyses, tests): its declared inputs, padded
    the way edgepack's encoder tasks pad them."""
    import coremltools as ct

    names = [i.name for i in ct.models.MLModel(str(path), skip_model_load=True).get_spec().description.input]
    specs = {spec.name: spec for spec in encoder_inputs(TaskOptions(token_type_ids=True))}
    return RunContract(MethodSpec("main", tuple(specs[name] for name in names), ()), pad_token_id)


class _PackageRunner(Runner):
    """Shared by the Core ML runners: pads to an accepted length and maps the package's
    outputs (a classifier's probabilities come as a {label: p} dictionary) back to the
    manifest's output order, as the package's edgepack metadata gives them."""

    def __init__(self, path: Path, contract: RunContract | None = None, metadata: bool = True):
        """`metadata` False: a package written without edgepack's metadata (the fp32 base of an fp16
        conversion); the contract then gives the outputs and the pad id."""
        import coremltools as ct

        self.sequence_outputs: set[str] | None = None
        if not metadata:
            self.output_names, self.labels, self.pad_token_id = [s.name for s in contract.method.outputs], [], contract.pad_token_id
            self.contract = contract
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
        self.contract = contract or encoder_contract(path, self.pad_token_id)

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
        return pad_feeds(self.contract, inputs, padded), padded, length

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

    def __init__(self, path: Path, contract: RunContract | None = None, metadata: bool = True):
        from builder.verification.mil import MilExecutor

        super().__init__(path, contract, metadata)
        self.executor = MilExecutor.load(path)
        missing = self.executor.unsupported_ops()
        if missing:
            raise CannotVerify(f"cannot verify on Linux: op {', '.join(missing)} is not implemented by the MIL reference executor")
        # A stateful package (a key/value cache) keeps one state across runs, as an app keeps one MLState per conversation.
        self.state = self.executor.make_state() if self.executor.state_shapes else None

    def accepted_length(self, length: int) -> int | None:
        return self.executor.smallest_length_at_least(length)

    def predict(self, feeds: dict[str, np.ndarray]) -> dict[str, Any]:
        return self.executor.run(feeds, state=self.state)

    def run_observed(self, inputs: Sequence[np.ndarray], on_op) -> None:
        """Run once, calling on_op(op, args, outputs) after every op (for analyses)."""
        self.executor.run(self.feeds(inputs)[0], on_op=on_op, state=self.state)


class CoreMLPredictRunner(_PackageRunner):
    """MLModel.predict on macOS, on one set of compute units."""

    def __init__(self, path: Path, compute_units: str, contract: RunContract | None = None):
        import coremltools as ct

        super().__init__(path, contract)
        self.how = f"Core ML MLModel.predict on macOS, compute units {compute_units} (the package as saved)"
        self.model = ct.models.MLModel(str(path), compute_units=getattr(ct.ComputeUnit, compute_units))
        self.shapes = json.loads(self.model.user_defined_metadata[META_SEQUENCE_SHAPES])
        self.state = self.model.make_state() if self.model.get_spec().description.state else None

    def accepted_length(self, length: int) -> int | None:
        return accepted_length(self.shapes, length)

    def predict(self, feeds: dict[str, np.ndarray]) -> dict[str, Any]:
        return self.model.predict(feeds) if self.state is None else self.model.predict(feeds, state=self.state)
