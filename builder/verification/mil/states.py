"""Core ML state (iOS 18): a stateful program's `main` takes each state as an input it reads with
``read_state`` and writes with ``coreml_update_state``; the values persist from one prediction to
the next, as an ``MLState`` does in an app. :class:`ProgramState` is that object for the executor."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from builder.verification.mil.executor import op


@dataclass
class StateSlot:
    """One state of a ProgramState, as the ops that read and write it receive it."""

    values: dict[str, np.ndarray]
    name: str

    def read(self) -> np.ndarray:
        return self.values[self.name].copy()

    def write(self, value: np.ndarray) -> None:
        stored = self.values[self.name]
        value = np.asarray(value)
        if value.shape != stored.shape:
            raise ValueError(f"state {self.name}: a write of shape {list(value.shape)} into shape {list(stored.shape)}")
        # Stored in the state's declared dtype (fp16: Core ML's only state type), as the device stores it.
        stored[...] = value.astype(stored.dtype)


class ProgramState:
    """The states of one conversation with a stateful program (MLModel.make_state()): zeros at first."""

    def __init__(self, shapes: dict[str, tuple[tuple[int, ...], np.dtype]]):
        self.values = {name: np.zeros(shape, dtype=dtype) for name, (shape, dtype) in shapes.items()}

    def slot(self, name: str) -> StateSlot:
        return StateSlot(self.values, name)


@op("read_state")
def _read_state(input):
    return input.read()


@op("coreml_update_state")
def _coreml_update_state(state, value):
    state.write(value)
    return value
