"""Target profiles: declarative TOML files in targets/ saying which backend, recipes and
parity thresholds a deployment target uses."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any
from functools import cache
from pathlib import Path

from builder.errors import EdgepackError
from builder.resources import data_dir


@dataclass(frozen=True)
class TargetProfile:
    name: str
    platform: str
    backend: str
    description: str
    default_recipes: tuple[str, ...]
    recipes: tuple[str, ...]
    # Per recipe: the limits, and optionally a table per task name whose output limits (min_cosine,
    # max_abs_error) replace the recipe's for that task (logits of a language model are not an encoder's scores).
    thresholds: dict[str, dict[str, Any]]
    # The backend's own settings (the TOML's [settings] table), validated by the backend.
    settings: dict[str, object]
    source: Path

    def thresholds_for(self, recipe: str, task: str | None = None) -> dict[str, float]:
        limits = self.thresholds.get(recipe, {})
        own = {key: value for key, value in limits.items() if not isinstance(value, dict)}
        return {**own, **limits.get(task, {})} if task else own


@cache
def load_profiles() -> dict[str, TargetProfile]:
    profiles = {}
    for file in sorted(data_dir("targets").glob("*.toml")):
        data = tomllib.loads(file.read_text())
        profile = TargetProfile(
            name=data["name"],
            platform=data["platform"],
            backend=data["backend"],
            description=data["description"],
            default_recipes=tuple(data["default_recipes"]),
            recipes=tuple(data["recipes"]),
            thresholds={recipe: dict(limits) for recipe, limits in data.get("thresholds", {}).items()},
            settings=dict(data.get("settings", {})),
            source=file,
        )
        _check_backend(profile)
        _check_thresholds(profile)
        profiles[profile.name] = profile
    return profiles


def resolve_targets(requested: tuple[str, ...]) -> list[TargetProfile]:
    """Profile names, platform names (android, ios) and `all` -> profiles, in order, once each."""
    profiles = load_profiles()
    chosen: dict[str, TargetProfile] = {}
    for name in requested or ("android",):
        if name == "all":
            matches = list(profiles.values())
        elif name in profiles:
            matches = [profiles[name]]
        else:
            matches = [p for p in profiles.values() if p.platform == name]
        if not matches:
            platforms = sorted({p.platform for p in profiles.values()})
            raise EdgepackError(
                f"no target profile for {name!r}; available: {', '.join([*platforms, *profiles, 'all'])}"
            )
        chosen.update((p.name, p) for p in matches)
    return list(chosen.values())


def _check_backend(profile: TargetProfile) -> None:
    """A profile names a registered backend and only recipes that backend registers."""
    from builder.backends import BACKENDS

    if profile.backend not in BACKENDS:
        raise EdgepackError(f"target profile {profile.source} names backend {profile.backend!r}; registered: {', '.join(BACKENDS.names())}")
    recipes = BACKENDS.get(profile.backend).recipes
    unknown = [r for r in (*profile.recipes, *profile.default_recipes) if r not in recipes]
    if unknown or set(profile.default_recipes) - set(profile.recipes):
        raise EdgepackError(f"target profile {profile.source} lists recipes {', '.join(unknown) or profile.default_recipes} that "
                            f"are not {profile.backend} recipes or not among its own; {profile.backend} has: {', '.join(recipes.names())}")


def _check_thresholds(profile: TargetProfile) -> None:
    """Fail closed on a profile that would leave a figure ungated: every recipe needs a limit for every
    figure some task reports, and every key must name one (a misspelt key gates nothing)."""
    from builder.parity import threshold_keys

    from builder.parity import OUTPUT_THRESHOLDS
    from builder.tasks import TASKS

    keys = threshold_keys()
    problems = [f"recipes without thresholds: {sorted(set(profile.recipes) - set(profile.thresholds))}"] \
        if set(profile.recipes) - set(profile.thresholds) else []
    for recipe, table in profile.thresholds.items():
        limits = {key: value for key, value in table.items() if not isinstance(value, dict)}
        for task, own in ((k, v) for k, v in table.items() if isinstance(v, dict)):
            if task not in TASKS or set(own) - set(OUTPUT_THRESHOLDS):
                problems.append(f"[thresholds.{recipe}.{task}] must name a task ({', '.join(TASKS.names())}) and hold "
                                f"only {' or '.join(OUTPUT_THRESHOLDS)}")
        if recipe not in profile.recipes:
            problems.append(f"[thresholds.{recipe}] is for a recipe the profile does not list")
        if keys - set(limits):
            problems.append(f"[thresholds.{recipe}] lacks {', '.join(sorted(keys - set(limits)))}")
        if set(limits) - keys:
            problems.append(f"[thresholds.{recipe}] has unknown keys {', '.join(sorted(set(limits) - keys))} "
                            f"(known: {', '.join(sorted(keys))})")
    if problems:
        raise EdgepackError(f"target profile {profile.source} gates nothing for some figures: {'; '.join(problems)}")
