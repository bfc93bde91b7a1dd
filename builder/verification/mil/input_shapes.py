"""The input shapes a Core ML model declares it accepts (fixed, enumerated or ranges)."""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class AllowedShapes:
    """The shapes Core ML accepts for one input.

    ``kind`` is ``"enumerated"`` (``shapes`` lists every allowed shape; a fixed-shape input is a
    single enumerated shape) or ``"range"`` (``ranges`` gives an inclusive ``(low, high)`` per
    dim, ``high`` None when unbounded).
    """

    kind: str
    shapes: tuple[tuple[int, ...], ...] = ()
    ranges: tuple[tuple[int, int | None], ...] = ()

    def fits(self, shape: tuple[int, ...]) -> bool:
        shape = tuple(int(s) for s in shape)
        if self.kind == "enumerated":
            return shape in self.shapes
        return len(shape) == len(self.ranges) and all(
            lo <= s and (hi is None or s <= hi) for s, (lo, hi) in zip(shape, self.ranges)
        )

    def __str__(self) -> str:
        if self.kind == "enumerated":
            return " or ".join(str(list(s)) for s in self.shapes)
        dims = ", ".join(f"{lo}" if lo == hi else f"{lo}..{'inf' if hi is None else hi}" for lo, hi in self.ranges)
        return f"[{dims}]"


def _allowed_shapes(feature: Any) -> AllowedShapes | None:
    if feature.type.WhichOneof("Type") != "multiArrayType":
        return None
    t = feature.type.multiArrayType
    kind = t.WhichOneof("ShapeFlexibility")
    if kind == "enumeratedShapes":
        return AllowedShapes("enumerated", shapes=tuple(tuple(int(d) for d in s.shape) for s in t.enumeratedShapes.shapes))
    if kind == "shapeRange":
        return AllowedShapes(
            "range",
            ranges=tuple(
                (int(r.lowerBound), None if r.upperBound < 0 else int(r.upperBound)) for r in t.shapeRange.sizeRanges
            ),
        )
    return AllowedShapes("enumerated", shapes=(tuple(int(d) for d in t.shape),))

