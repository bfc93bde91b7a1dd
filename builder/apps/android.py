"""Generate the Android app shell from a bundle: a Gradle (Kotlin DSL) project whose app runs
the bundle's .pte with ExecuTorch, tokenizing on the device with edgepack-kit.

Templates live in templates/android: `*.j2` files are rendered with escaping filters for
Kotlin, Gradle and Android resources; every other file is copied as is. The bundle's files
the app needs go into app/src/main/assets. The project is written atomically.
"""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder import __version__
from builder.apps.escaping import (
    android_string,
    comment_text,
    default_application_id,
    kotlin_string,
    valid_application_id,
)
from builder.apps.platforms import APP_PLATFORMS, AppRuntime
from builder.apps.scaffold import (
    input_hints,
    is_chat,
    other_task_file,
    pick_variant,
    render_tree,
    require_embeddable,
    write_project,
    write_task_data,
)
from builder.bundle import write_json
from builder.errors import EdgepackError
from builder.manifest import read_manifest
from builder.resources import data_dir

ASSETS = "app/src/main/assets"
FILTERS = {"kotlin_string": kotlin_string, "android_string": android_string, "comment_text": comment_text}


@dataclass
class AndroidApp:
    path: Path
    application_id: str
    variant: str
    files: list[str]

    kind = "Android project"

    @property
    def identifier(self) -> str:
        return self.application_id


def generate_android_app(bundle: Path, output: Path, *, runtime: AppRuntime | None = None, app_id: str | None = None,
                         app_name: str | None = None, recipe: str | None = None,
                         manifest: dict[str, Any] | None = None) -> AndroidApp:
    """`manifest` is given when the bundle is still being staged (build --app android)."""
    bundle = Path(bundle)
    manifest = manifest or read_manifest(bundle)
    platform = APP_PLATFORMS.get("android")
    runtime = runtime or platform.runtime()
    require_embeddable(bundle, manifest, platform)
    variant = pick_variant(manifest, platform, runtime, recipe)
    name = manifest["model"]["name"]
    application_id = app_id or default_application_id(name)
    if not valid_application_id(application_id):
        raise EdgepackError(f"--application-id {application_id!r} is not a valid Android application id "
                            "(dot-separated segments of letters, digits and _, each starting with a letter)")

    context = {
        "edgepack_version": __version__,
        "bundle_name": name,
        "app_name": app_name or name,
        "application_id": application_id,
        **input_hints(manifest),
        "model_asset": Path(variant["file"]).name,
        "versions": {**tomllib.loads((data_dir("templates") / "android" / "versions.toml").read_text()),
                     "executorch": manifest["toolchain"]["executorch"]},
        "variant": variant,
        # A text-generation bundle gets the chat screen and its tests (scaffold.CHAT_ONLY).
        "chat": is_chat(manifest),
        "max_seq_len": manifest["sequence_length"]["max"],
    }

    def fill(staging: Path) -> list[str]:
        not_this_task = other_task_file(manifest)
        files = render_tree(data_dir("templates") / "android", staging, context, FILTERS,
                            skip=lambda path: path.name == "versions.toml" or not_this_task(path))
        assets = staging / ASSETS
        assets.mkdir(parents=True, exist_ok=True)
        copies = {variant["file"]: Path(variant["file"]).name, "tokenizer/tokenizer.json": "tokenizer.json",
                  "tokenizer/test_vectors.json": "test_vectors.json"}
        for source, target in copies.items():
            shutil.copyfile(bundle / source, assets / target)
        write_json(assets / "manifest.json", manifest)
        data = write_task_data(bundle, manifest, assets)
        return files + [f"{ASSETS}/{name}" for name in [*copies.values(), "manifest.json", *data]]

    files = write_project(output, fill, {"bundle": name, "bundle_source_sha256": manifest["model"]["source_sha256"],
                                         "runtime": runtime.name, "variant": variant["name"]})
    return AndroidApp(output, application_id, variant["name"], files)
