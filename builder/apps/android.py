"""Generate the Android app shell from a bundle: a Gradle (Kotlin DSL) project whose app runs
the bundle's .pte with ExecuTorch, tokenizing on the device with edgepack-kit.

Templates live in templates/android: `*.j2` files are rendered with escaping filters for
Kotlin, Gradle and Android resources; every other file is copied as is. The bundle's files
the app needs go into app/src/main/assets. The project is written atomically.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined

from builder import __version__
from builder.apps.escaping import (android_string, comment_text, default_application_id, kotlin_string,
                                   valid_application_id)
from builder.apps.tokenizer_support import require_supported
from builder.bundle import STATUS_VERIFIED, read_manifest, replace_dir, write_json
from builder.errors import EdgepackError
from builder.resources import data_dir

# Preferred ExecuTorch recipe for the app when the user does not pick one: the one the
# benchmarks recommend shipping, else full precision.
PREFERRED_RECIPES = ("int8-dynamic", "fp32")
# Written into every generated project, so a later run knows it may replace the folder.
MARKER = ".edgepack-app.json"
ASSETS = "app/src/main/assets"


@dataclass
class AndroidApp:
    path: Path
    application_id: str
    variant: str
    files: list[str]


def generate_android_app(bundle: Path, output: Path, *, application_id: str | None = None, app_name: str | None = None,
                         recipe: str | None = None, manifest: dict[str, Any] | None = None) -> AndroidApp:
    """`manifest` is given when the bundle is still being staged (build --app android)."""
    bundle = Path(bundle)
    manifest = manifest or read_manifest(bundle)
    if manifest["status"] != STATUS_VERIFIED:
        raise EdgepackError(f"bundle {bundle} has status {manifest['status']!r}; an app shell only embeds a verified bundle")
    variant = _pick_variant(manifest, recipe)
    tokenizer = json.loads((bundle / "tokenizer" / "tokenizer.json").read_text(encoding="utf-8"))
    require_supported(tokenizer)
    name = manifest["model"]["name"]
    application_id = application_id or default_application_id(name)
    if not valid_application_id(application_id):
        raise EdgepackError(f"--application-id {application_id!r} is not a valid Android application id "
                            "(dot-separated segments of letters, digits and _, each starting with a letter)")
    _check_replaceable(output)

    context = {
        "edgepack_version": __version__,
        "bundle_name": name,
        "app_name": app_name or name,
        "application_id": application_id,
        "input_hint": "Type a text to classify",
        "model_asset": Path(variant["file"]).name,
        "versions": {**tomllib.loads((data_dir("templates") / "android" / "versions.toml").read_text()),
                     "executorch": manifest["toolchain"]["executorch"]},
        "variant": variant,
    }
    staging = output.with_name(f".{output.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        files = _render_tree(data_dir("templates") / "android", staging, context)
        assets = staging / ASSETS
        assets.mkdir(parents=True, exist_ok=True)
        copies = {variant["file"]: Path(variant["file"]).name, "tokenizer/tokenizer.json": "tokenizer.json",
                  "tokenizer/test_vectors.json": "test_vectors.json"}
        for source, target in copies.items():
            shutil.copyfile(bundle / source, assets / target)
        write_json(assets / "manifest.json", manifest)
        files += [f"{ASSETS}/{name}" for name in [*copies.values(), "manifest.json"]]
        write_json(staging / MARKER, {"generator": f"edgepack {__version__}", "bundle": name,
                                      "bundle_source_sha256": manifest["model"]["source_sha256"], "variant": variant["name"]})
        output.parent.mkdir(parents=True, exist_ok=True)
        replace_dir(staging, output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return AndroidApp(output, application_id, variant["name"], sorted(files))


def _pick_variant(manifest: dict[str, Any], recipe: str | None) -> dict[str, Any]:
    candidates = {v["recipe"]: v for v in manifest["variants"] if v["backend"] == "executorch"}
    if not candidates:
        raise EdgepackError("the bundle has no ExecuTorch variant for the Android app; build it with --target android")
    if recipe:
        if recipe not in candidates:
            raise EdgepackError(f"the bundle has no ExecuTorch variant {recipe!r}; it has {', '.join(candidates)}")
        return candidates[recipe]
    return next((candidates[r] for r in PREFERRED_RECIPES if r in candidates), next(iter(candidates.values())))


def _environment() -> Environment:
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    env.filters.update(kotlin_string=kotlin_string, android_string=android_string, comment_text=comment_text)
    return env


def _render_tree(source: Path, destination: Path, context: dict[str, Any]) -> list[str]:
    env = _environment()
    written = []
    for path in sorted(source.rglob("*")):
        if path.is_dir() or path.name == "versions.toml":
            continue
        relative = path.relative_to(source)
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".j2":
            target = target.with_suffix("")
            target.write_text(env.from_string(path.read_text(encoding="utf-8")).render(context), encoding="utf-8")
        else:
            shutil.copyfile(path, target)
        written.append(target.relative_to(destination).as_posix())
    return written


def _check_replaceable(output: Path) -> None:
    if output.exists() and (not output.is_dir() or (any(output.iterdir()) and not (output / MARKER).is_file())):
        raise EdgepackError(f"{output} exists and is not an app edgepack generated; choose another -o or remove it")
    if output.parent.exists() and not output.parent.is_dir():
        raise EdgepackError(f"{output.parent} is a file; -o must be a directory path")

