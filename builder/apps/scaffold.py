"""What every app-shell generator does the same way: refuse bundles it cannot embed
faithfully, render a template tree, and write the project atomically over a folder only
edgepack wrote before."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined

from builder import __version__
from builder.apps.tokenizer_support import require_supported
from builder.bundle import STATUS_VERIFIED, replace_dir, write_json
from builder.errors import EdgepackError
from builder.tasks import TASKS

# Written into every generated project, so a later run knows it may replace the folder.
MARKER = ".edgepack-app.json"


def require_embeddable(bundle: Path, manifest: dict[str, Any], platform: str) -> dict[str, Any]:
    """The bundle's tokenizer.json, after refusing an unverified bundle or a tokenizer the
    platform's app tokenizer would reproduce wrongly."""
    if manifest["status"] != STATUS_VERIFIED:
        raise EdgepackError(f"bundle {bundle} has status {manifest['status']!r}; an app shell only embeds a verified bundle")
    task = TASKS.get(manifest["task"]["name"])
    if platform not in task.app_shells:
        raise EdgepackError(f"the {platform} app shell does not handle task {task.name!r} yet (its kit post-processes "
                            f"{', '.join(t.name for _, t in TASKS.items() if platform in t.app_shells)}); "
                            "the bundle itself is usable from your own app code")
    if manifest["task"].get("input", "text") != "text":
        raise EdgepackError(f"the {platform} app shell feeds one text per input; this bundle's model reads "
                            f"{manifest['task']['input']} inputs, so call it from your own app code")
    tokenizer = json.loads((bundle / "tokenizer" / "tokenizer.json").read_text(encoding="utf-8"))
    require_supported(tokenizer, platform=platform)
    return tokenizer


def pick_variant(manifest: dict[str, Any], backend: str, recipe: str | None, preferred: tuple[str, ...],
                 what: tuple[str, str, str]) -> dict[str, Any]:
    """The `backend` variant the app embeds: `recipe` when given, else the first preferred
    recipe the bundle has. `what` names it for errors, e.g. ("Core ML", "iOS", "ios")."""
    kind, platform, target = what
    candidates = {v["recipe"]: v for v in manifest["variants"] if v["backend"] == backend}
    if not candidates:
        raise EdgepackError(f"the bundle has no {kind} variant for the {platform} app; build it with --target {target}")
    if recipe:
        if recipe not in candidates:
            raise EdgepackError(f"the bundle has no {kind} variant {recipe!r}; it has {', '.join(candidates)}")
        return candidates[recipe]
    return next((candidates[r] for r in preferred if r in candidates), next(iter(candidates.values())))


def check_replaceable(output: Path) -> None:
    if output.exists() and (not output.is_dir() or (any(output.iterdir()) and not (output / MARKER).is_file())):
        raise EdgepackError(f"{output} exists and is not an app edgepack generated; choose another -o or remove it")
    if output.parent.exists() and not output.parent.is_dir():
        raise EdgepackError(f"{output.parent} is a file; -o must be a directory path")


def render_tree(source: Path, destination: Path, context: dict[str, Any], filters: dict[str, Callable[[str], str]],
                skip: Callable[[Path], bool] = lambda path: False) -> list[str]:
    """Copy `source` into `destination`, rendering `*.j2` files with Jinja (StrictUndefined:
    a missing value is an error, never an empty string in generated code)."""
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    env.filters.update(filters)
    written = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_dir() or skip(relative):
            continue
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".j2":
            target = target.with_suffix("")
            target.write_text(env.from_string(path.read_text(encoding="utf-8")).render(context), encoding="utf-8")
        else:
            shutil.copyfile(path, target)
        written.append(target.relative_to(destination).as_posix())
    return written


def write_project(output: Path, fill: Callable[[Path], list[str]], marker: dict[str, Any]) -> list[str]:
    """Build the project in a staging folder with `fill(staging) -> files`, then swap it into
    `output` in one step: a failure leaves the previous app (or nothing) in place."""
    check_replaceable(output)
    staging = output.with_name(f".{output.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        files = fill(staging)
        write_json(staging / MARKER, {"generator": f"edgepack {__version__}", **marker})
        output.parent.mkdir(parents=True, exist_ok=True)
        replace_dir(staging, output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(files)
