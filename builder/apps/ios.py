"""Generate the iOS app shell from a bundle: an Xcode project whose SwiftUI app runs the
bundle's Core ML package (or, with the ExecuTorch runtime, its .pte through ExecuTorch's Swift
package), tokenizing on the device with the EdgepackKit Swift package.

Layout of the generated project (templates/ios holds everything but the .xcodeproj):

    EdgepackApp.xcodeproj        written by builder/apps/xcode.py from what is on disk
    App/                         SwiftUI screen, EdgepackModel, AppConfig (generated), and the
                                 runtime's runner (templates/ios/runtimes/<runtime>/App)
    App/Resources/               the .mlpackage or .pte, tokenizer.json, manifest.json, test_vectors.json
    AppTests/                    XCTest: the test vectors through the runtime on the device
                                 (templates/ios/runtimes/<runtime>/AppTests)
    EdgepackKit/                 Swift package, Foundation only: tokenizer, manifest, inputs,
                                 post-processing, vector replay, and their tests
"""

from __future__ import annotations

import plistlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder import __version__
from builder.apps import xcode
from builder.apps.escaping import (
    comment_text,
    default_bundle_id,
    swift_string,
    valid_bundle_id,
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

RESOURCES = "App/Resources"
INFO_PLIST = "App/Info.plist"
FILTERS = {"swift_string": swift_string, "comment_text": comment_text}
# Project-local files that are not part of the app (the Swift package's build output).
IGNORED = (".build", ".swiftpm", "Package.resolved")
# templates/ios/runtimes/<runtime>: the runner and the on-device tests of one runtime, laid over the app.
RUNTIMES = "runtimes"


@dataclass
class IOSApp:
    path: Path
    bundle_id: str
    variant: str
    files: list[str]

    kind = "Xcode project"

    @property
    def identifier(self) -> str:
        return self.bundle_id


def generate_ios_app(bundle: Path, output: Path, *, runtime: AppRuntime | None = None, app_id: str | None = None,
                     app_name: str | None = None, recipe: str | None = None,
                     manifest: dict[str, Any] | None = None) -> IOSApp:
    """`manifest` is given when the bundle is still being staged (build --app ios)."""
    bundle = Path(bundle)
    manifest = manifest or read_manifest(bundle)
    platform = APP_PLATFORMS.get("ios")
    runtime = runtime or platform.runtime()
    require_embeddable(bundle, manifest, platform)
    variant = pick_variant(manifest, platform, runtime, recipe)
    name = manifest["model"]["name"]
    bundle_id = app_id or default_bundle_id(name)
    if not valid_bundle_id(bundle_id):
        raise EdgepackError(f"--bundle-id {bundle_id!r} is not a valid iOS bundle identifier "
                            "(reverse-DNS: dot-separated segments of letters, digits and hyphens)")
    app_name = app_name or name
    control = next((c for c in app_name if ord(c) < 0x20 and c not in "\t\n\r"), None)
    if control is not None:
        raise EdgepackError(f"--app-name holds the control character U+{ord(control):04X}, which an Info.plist "
                            "cannot store; remove it")
    model_file = Path(variant["file"]).name
    # The version of the runtime the bundle was verified with, which the app's runtime package is pinned to.
    runtime_version = manifest["toolchain"].get(runtime.backend, "").split("+")[0]
    context = {
        "edgepack_version": __version__,
        "bundle_name": name,
        "app_name": app_name,
        **input_hints(manifest),
        # A text-generation bundle gets the chat screen and its tests (scaffold.CHAT_ONLY).
        "chat": is_chat(manifest),
        "generation": manifest["task"]["postprocessing"] if is_chat(manifest) else None,
        "model_file": model_file,
        "model_resource": Path(model_file).stem,
        "deployment_target": deployment_version(variant, runtime),
        "runtime": runtime,
        "runtime_version": runtime_version,
        "package": xcode.runtime_package(runtime.name, runtime_version),
        "variant": variant,
        "toolchain": manifest["toolchain"],
        "bundle_id": bundle_id,
    }

    def fill(staging: Path) -> list[str]:
        templates = data_dir("templates") / "ios"
        not_this_task = other_task_file(manifest)
        files = render_tree(templates, staging, context, FILTERS,
                            skip=lambda path: path.name == "project.toml" or path.parts[0] == RUNTIMES
                            or any(part in IGNORED for part in path.parts) or not_this_task(path))
        files += render_tree(templates / RUNTIMES / runtime.name, staging, context, FILTERS, skip=not_this_task)
        resources = staging / RESOURCES
        resources.mkdir(parents=True, exist_ok=True)
        model = bundle / variant["file"]
        # A .mlpackage is a folder; a .pte one file.
        (shutil.copytree if model.is_dir() else shutil.copyfile)(model, resources / model_file)
        for source in ("tokenizer/tokenizer.json", "tokenizer/test_vectors.json"):
            shutil.copyfile(bundle / source, resources / Path(source).name)
        write_json(resources / "manifest.json", manifest)
        # plistlib escapes for XML; the project turns off build-setting expansion for this file.
        (staging / INFO_PLIST).write_bytes(plistlib.dumps({"CFBundleDisplayName": app_name}, sort_keys=True))
        files.append(INFO_PLIST)
        model_files = sorted((resources / model_file).rglob("*")) if model.is_dir() else [resources / model_file]
        files += [p.relative_to(staging).as_posix() for p in model_files if p.is_file()]
        files += [f"{RESOURCES}/{n}" for n in ("tokenizer.json", "test_vectors.json", "manifest.json",
                                                *write_task_data(bundle, manifest, resources))]
        return files + xcode.write_project(staging, bundle_id=bundle_id, deployment_target=context["deployment_target"],
                                           runtime=runtime.name, runtime_version=runtime_version)

    files = write_project(output, fill, {"bundle": name, "bundle_source_sha256": manifest["model"]["source_sha256"],
                                         "runtime": runtime.name, "variant": variant["name"]})
    return IOSApp(output, bundle_id, variant["name"], files)


def deployment_version(variant: dict[str, Any], runtime: AppRuntime) -> str:
    """The app's minimum iOS: the runtime package's minimum (ExecuTorch), else the Core ML deployment target the
    package was converted for ("iOS17" -> "17.0")."""
    minimum = xcode.runtime_settings(runtime.name).get("minimum_ios")
    if minimum:
        return minimum
    target = variant.get("details", {}).get("deployment_target", "iOS17")
    digits = target.removeprefix("iOS")
    if not digits.isdigit():
        raise EdgepackError(f"variant {variant['name']} has deployment target {target!r}; expected iOS<major>")
    return f"{digits}.0"
