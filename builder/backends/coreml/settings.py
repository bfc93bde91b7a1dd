"""Core ML settings: a target profile's [settings] table, the command-line options that override
it, and what they resolve to for one build."""

from __future__ import annotations

import platform
from dataclasses import dataclass, replace
from typing import Any

from builder.backends.base import Setting
from builder.errors import EdgepackError

# Deployment targets edgepack emits, oldest first; recipes and settings name them.
DEPLOYMENT_TARGETS = ("iOS17", "iOS18")
SHAPE_MODES = ("enumerated", "range")
COMPUTE_UNITS = ("ALL", "CPU_ONLY", "CPU_AND_GPU", "CPU_AND_NE")

SETTINGS = (
    Setting("deployment_target", "--deployment-target", DEPLOYMENT_TARGETS,
            "Core ML: oldest iOS the model runs on. iOS18 adds int4-weights, fused attention and enumerated shapes "
            "on both inputs. Default: the profile's (iOS17)."),
    Setting("shapes", "--seq-shapes", SHAPE_MODES,
            "Core ML: accept only listed sequence lengths (the app pads to the next one) or any length in a range. "
            "Default: enumerated where the deployment target allows it (iOS18), else range."),
    Setting("compute_units", "--compute-units", COMPUTE_UNITS,
            "Core ML: compute units the app should request (recorded in the model's metadata). Default: ALL."),
)

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


def resolve_settings(profile_settings: dict[str, Any], overrides: dict[str, Any]) -> CoreMLSettings:
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


def for_stateful_program(settings: CoreMLSettings, overrides: dict[str, Any], what: str) -> CoreMLSettings:
    """Settings for a program that keeps `what` (a decoder's key/value cache) between calls: Core ML state
    exists from iOS 18 on, and the app feeds the prompt at its own length, then one token per call, so the
    sequence length is a range (padding would write pad tokens into the state)."""
    if overrides.get("deployment_target") == "iOS17":
        raise EdgepackError(f"this model keeps {what} as Core ML state, which needs iOS 18: "
                            "drop --deployment-target iOS17 (or build --target android only)")
    if overrides.get("shapes") == "enumerated":
        raise EdgepackError(f"this model keeps {what} as Core ML state and takes each call's tokens unpadded: "
                            "drop --seq-shapes enumerated")
    notes = [note for note in settings.notes if "enumerated shapes" not in note]
    if settings.deployment_target != "iOS18":
        notes.append(f"deployment target iOS18: the model keeps {what} as Core ML state (MLState), new in iOS 18")
    if settings.shapes != "range":
        notes.append("sequence length is a range: the prompt goes in at its own length, then one token per call")
    return replace(settings, deployment_target="iOS18", shapes="range", notes=tuple(notes))
