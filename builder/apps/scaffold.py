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
from builder.apps.platforms import AppPlatform, AppRuntime
from builder.bundle import replace_dir, write_json
from builder.errors import EdgepackError
from builder.manifest import STATUS_VERIFIED, Manifest

# Written into every generated project, so a later run knows it may replace the folder.
MARKER = ".edgepack-app.json"
# The screen's starting data, next to the test vectors in the app's assets / resources.
TASK_DATA = "task_data.json"


# Template files only some apps get, by file stem (without suffixes): the tests of a text-generation bundle's chat
# app, and those of the other tasks' one-answer apps. Every other template file goes into every app.
# Android: GenerationReplayTest / BundleReplayTest (the kit's JVM tests), GenerationVectorsTest / TestVectorsTest (the
# device's). iOS: GenerationReplayTests / BundleReplayTests (the kit's `swift test`), and each runtime's XCTest on the
# device: CoreMLGenerationTests / CoreMLParityTests, ExecuTorchGenerationTests / ExecuTorchParityTests.
CHAT_ONLY = frozenset({"GenerationReplayTest", "GenerationVectorsTest",
                       "GenerationReplayTests", "CoreMLGenerationTests", "ExecuTorchGenerationTests"})
ONE_ANSWER_ONLY = frozenset({"BundleReplayTest", "TestVectorsTest",
                             "BundleReplayTests", "CoreMLParityTests", "ExecuTorchParityTests"})


def is_chat(manifest: dict[str, Any]) -> bool:
    """Whether the bundle's app is a chat (text generation) rather than one answer per run."""
    return manifest["task"]["name"] == "text-generation"


def other_task_file(manifest: dict[str, Any]) -> Callable[[Path], bool]:
    """Whether a template file (a path relative to the templates) belongs to the other kind of app than the
    bundle's: render_tree's `skip`."""
    excluded = ONE_ANSWER_ONLY if is_chat(manifest) else CHAT_ONLY
    return lambda path: path.name.split(".")[0] in excluded


def require_embeddable(bundle: Path, manifest: dict[str, Any], platform: AppPlatform) -> dict[str, Any]:
    """The bundle's tokenizer.json, after refusing an unverified bundle or one the platform's app
    would not run faithfully (AppPlatform.check_embeddable)."""
    if manifest["status"] != STATUS_VERIFIED:
        raise EdgepackError(f"bundle {bundle} has status {manifest['status']!r}; an app shell only embeds a verified bundle")
    tokenizer = json.loads((bundle / "tokenizer" / "tokenizer.json").read_text(encoding="utf-8"))
    platform.check_embeddable(manifest["task"]["name"], manifest["task"]["postprocessing"], tokenizer, "this tokenizer.json")
    return tokenizer


def input_hints(manifest: dict[str, Any]) -> dict[str, str]:
    """The screen's placeholder texts (the task's `app_hints`): the second is empty when the screen has one field."""
    first, second = Manifest(manifest).task().app_hints()
    return {"input_hint": first, "second_input_hint": second}


def write_task_data(bundle: Path, manifest: dict[str, Any], folder: Path) -> list[str]:
    """TASK_DATA in `folder` when the task's screen starts from data (Task.app_data), made from the bundle's
    test vectors; the file names written."""
    from builder.vectors import vectors_from_json  # torch: only when an app is written

    vectors = vectors_from_json(json.loads((bundle / "tokenizer" / "test_vectors.json").read_text(encoding="utf-8")))
    data = Manifest(manifest).task().app_data(vectors)
    if data is None:
        return []
    write_json(folder / TASK_DATA, data)
    return [TASK_DATA]


def pick_variant(manifest: dict[str, Any], platform: AppPlatform, runtime: AppRuntime, recipe: str | None) -> dict[str, Any]:
    """The variant the app embeds: `recipe` when given, else the runtime's first preferred recipe the bundle has."""
    candidates = Manifest(manifest).variants_of(runtime.backend)
    kind = runtime.display_name
    if not candidates:
        raise EdgepackError(f"the bundle has no {kind} variant for the {platform.display_name} app; build it with "
                            f"--target {runtime.target}")
    if recipe:
        if recipe not in candidates:
            raise EdgepackError(f"the bundle has no {kind} variant {recipe!r}; it has {', '.join(candidates)}")
        return candidates[recipe]
    return next((candidates[r] for r in runtime.preferred_recipes if r in candidates), next(iter(candidates.values())))


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
