"""The quantization recipe contract.

A recipe turns the fused fp32 ExportedProgram into the program one variant is lowered
from. It never re-traces the original model: every variant of a build starts from the
same export.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, Sequence

from torch.export import ExportedProgram

from builder.export import ExportedModel, Inputs


class Recipe(ABC):
    name: ClassVar[str]
    description: ClassVar[str]

    @abstractmethod
    def apply(self, model: ExportedModel, calibration: Sequence[Inputs]) -> ExportedProgram: ...
