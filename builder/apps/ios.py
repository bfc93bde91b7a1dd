"""Generate the iOS app shell from a bundle: an Xcode project whose SwiftUI app runs the
bundle's Core ML package, tokenizing on the device with the EdgepackKit Swift package.

Layout of the generated project (templates/ios holds everything but the .xcodeproj):

    EdgepackApp.xcodeproj        written by builder/apps/xcode.py from what is on disk
    App/                         SwiftUI screen, EdgepackModel (Core ML), AppConfig (generated)
    App/Resources/               the .mlpackage, tokenizer.json, manifest.json, test_vectors.json
    AppTests/                    XCTest: the test vectors through Core ML on the device
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
from builder.apps.platforms import APP_PLATFORMS
from builder.apps.scaffold import (
    input_hints,
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


def generate_ios_app(bundle: Path, output: Path, *, app_id: str | None = None, app_name: str | None = None,
                     recipe: str | None = None, manifest: dict[str, Any] | None = None) -> IOSApp:
    """`manifest` is given when the bundle is still being staged (build --app ios)."""
    bundle = Path(bundle)
    manifest = manifest or read_manifest(bundle)
    platform = APP_PLATFORMS.get("ios")
    require_embeddable(bundle, manifest, platform)
    variant = pick_variant(manifest, platform, recipe)
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
    context = {
        "edgepack_version": __version__,
        "bundle_name": name,
        "app_name": app_name,
        **input_hints(manifest),
        "model_file": model_file,
        "model_resource": Path(model_file).stem,
        "deployment_target": deployment_version(variant),
        "variant": variant,
        "toolchain": manifest["toolchain"],
        "bundle_id": bundle_id,
    }

    def fill(staging: Path) -> list[str]:
        files = render_tree(data_dir("templates") / "ios", staging, context, FILTERS,
                            skip=lambda path: path.name == "project.toml" or any(part in IGNORED for part in path.parts))
        resources = staging / RESOURCES
        resources.mkdir(parents=True, exist_ok=True)
        shutil.copytree(bundle / variant["file"], resources / model_file)
        for source in ("tokenizer/tokenizer.json", "tokenizer/test_vectors.json"):
            shutil.copyfile(bundle / source, resources / Path(source).name)
        write_json(resources / "manifest.json", manifest)
        # plistlib escapes for XML; the project turns off build-setting expansion for this file.
        (staging / INFO_PLIST).write_bytes(plistlib.dumps({"CFBundleDisplayName": app_name}, sort_keys=True))
        files.append(INFO_PLIST)
        files += [p.relative_to(staging).as_posix() for p in sorted((resources / model_file).rglob("*")) if p.is_file()]
        files += [f"{RESOURCES}/{n}" for n in ("tokenizer.json", "test_vectors.json", "manifest.json",
                                                *write_task_data(bundle, manifest, resources))]
        return files + xcode.write_project(staging, bundle_id=bundle_id,
                                           deployment_target=context["deployment_target"])

    files = write_project(output, fill, {"bundle": name, "bundle_source_sha256": manifest["model"]["source_sha256"],
                                         "variant": variant["name"]})
    return IOSApp(output, bundle_id, variant["name"], files)


def deployment_version(variant: dict[str, Any]) -> str:
    """"iOS17" (the Core ML deployment target the package was converted for) -> "17.0"."""
    target = variant.get("details", {}).get("deployment_target", "iOS17")
    digits = target.removeprefix("iOS")
    if not digits.isdigit():
        raise EdgepackError(f"variant {variant['name']} has deployment target {target!r}; expected iOS<major>")
    return f"{digits}.0"
