"""Structural checks of the Xcode project (project.pbxproj) that builder/apps/xcode.py writes.

Xcode cannot run here, so `check_project` proves what can be proven without it: the file
parses as Xcode's plist dialect (by the strict reader `parse_pbxproj` and by the `pbxproj`
package, a test extra), every referenced object exists and has the right kind, every file
reference resolves to a file on disk, and the app target holds the model, the sources, the
resources, the package products and the settings of the runtime the app was generated for (the
runtime named in its .edgepack-app.json: Core ML, or ExecuTorch through its Swift package).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from builder.apps.scaffold import MARKER
from builder.apps.xcode import (
    APP_TARGET,
    MODEL_SUFFIXES,
    PACKAGE,
    PROGRAM_SUFFIXES,
    PROJECT_FILE,
    RESOURCE_TYPES,
    TEST_TARGET,
    runtime_settings,
)

# What each kind of object must reference, and the kinds those references may point to.
REFERENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "PBXProject": {"buildConfigurationList": ("XCConfigurationList",), "mainGroup": ("PBXGroup",),
                   "productRefGroup": ("PBXGroup",), "targets": ("PBXNativeTarget",),
                   "packageReferences": ("XCLocalSwiftPackageReference", "XCRemoteSwiftPackageReference")},
    "PBXGroup": {"children": ("PBXGroup", "PBXFileReference", "PBXVariantGroup")},
    "PBXNativeTarget": {"buildConfigurationList": ("XCConfigurationList",),
                        "buildPhases": ("PBXSourcesBuildPhase", "PBXFrameworksBuildPhase", "PBXResourcesBuildPhase"),
                        "dependencies": ("PBXTargetDependency",), "productReference": ("PBXFileReference",),
                        "packageProductDependencies": ("XCSwiftPackageProductDependency",)},
    "PBXSourcesBuildPhase": {"files": ("PBXBuildFile",)},
    "PBXFrameworksBuildPhase": {"files": ("PBXBuildFile",)},
    "PBXResourcesBuildPhase": {"files": ("PBXBuildFile",)},
    "PBXBuildFile": {"fileRef": ("PBXFileReference",), "productRef": ("XCSwiftPackageProductDependency",)},
    "PBXTargetDependency": {"target": ("PBXNativeTarget",), "targetProxy": ("PBXContainerItemProxy",)},
    "PBXContainerItemProxy": {"containerPortal": ("PBXProject",), "remoteGlobalIDString": ("PBXNativeTarget",)},
    "XCConfigurationList": {"buildConfigurations": ("XCBuildConfiguration",)},
    "XCSwiftPackageProductDependency": {"package": ("XCLocalSwiftPackageReference", "XCRemoteSwiftPackageReference")},
    "XCBuildConfiguration": {}, "PBXFileReference": {}, "XCLocalSwiftPackageReference": {},
    "XCRemoteSwiftPackageReference": {},
}
REQUIRED = {
    "PBXFileReference": ("path", "sourceTree"),
    "PBXBuildFile": (),
    "PBXNativeTarget": ("name", "productType", "buildConfigurationList", "buildPhases"),
    "XCBuildConfiguration": ("name", "buildSettings"),
    "XCLocalSwiftPackageReference": ("relativePath",),
    "XCRemoteSwiftPackageReference": ("repositoryURL", "requirement"),
    "XCSwiftPackageProductDependency": ("package", "productName"),
}


class PbxprojSyntaxError(ValueError):
    pass


_BARE = re.compile(r"[A-Za-z0-9_$/:.-]+")
_UNESCAPE = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def parse_pbxproj(text: str) -> dict[str, Any]:
    """A strict reader of Xcode's old-style plist dialect: `key = value;` in braces, values in
    parentheses separated by commas, bare words or quoted strings, /* */ and // comments.
    Stricter than the `pbxproj` package's parser, which accepts `key = ;` and a missing `;`."""
    pos = 0

    def fail(what: str) -> PbxprojSyntaxError:
        line = text.count("\n", 0, pos) + 1
        return PbxprojSyntaxError(f"line {line}: {what}")

    def skip() -> None:
        nonlocal pos
        while pos < len(text):
            if text[pos].isspace():
                pos += 1
            elif text.startswith("//", pos):
                end = text.find("\n", pos)
                pos = len(text) if end < 0 else end + 1
            elif text.startswith("/*", pos):
                end = text.find("*/", pos + 2)
                if end < 0:
                    raise fail("unterminated comment")
                pos = end + 2
            else:
                return

    def expect(char: str) -> None:
        nonlocal pos
        skip()
        if not text.startswith(char, pos):
            raise fail(f"expected {char!r}, found {text[pos:pos + 20]!r}")
        pos += 1

    def string() -> str:
        nonlocal pos
        skip()
        if text.startswith('"', pos):
            out, pos = [], pos + 1
            while pos < len(text) and text[pos] != '"':
                if text[pos] == "\\":
                    code = text[pos + 1:pos + 2]
                    if code == "U":
                        out.append(chr(int(text[pos + 2:pos + 6], 16)))
                        pos += 6
                        continue
                    if code not in _UNESCAPE:
                        raise fail(f"unknown escape \\{code}")
                    out.append(_UNESCAPE[code])
                    pos += 2
                else:
                    out.append(text[pos])
                    pos += 1
            if pos >= len(text):
                raise fail("unterminated string")
            pos += 1
            return "".join(out)
        match = _BARE.match(text, pos)
        if not match:
            raise fail(f"expected a value, found {text[pos:pos + 20]!r}")
        pos = match.end()
        return match.group()

    def value() -> Any:
        nonlocal pos
        skip()
        if text.startswith("{", pos):
            pos += 1
            table: dict[str, Any] = {}
            while True:
                skip()
                if text.startswith("}", pos):
                    pos += 1
                    return table
                key = string()
                if key in table:
                    raise fail(f"duplicate key {key}")
                expect("=")
                table[key] = value()
                expect(";")
        if text.startswith("(", pos):
            pos += 1
            items = []
            while True:
                skip()
                if text.startswith(")", pos):
                    pos += 1
                    return items
                items.append(value())
                skip()
                if not text.startswith(")", pos):
                    expect(",")
        return string()

    if not text.startswith("// !$*UTF8*$!"):
        raise PbxprojSyntaxError("line 1: missing the // !$*UTF8*$! header")
    result = value()
    skip()
    if pos != len(text) or not isinstance(result, dict):
        raise fail("text after the top-level dictionary")
    return result


def load(path: Path) -> dict[str, Any]:
    """Parse project.pbxproj strictly, and through the `pbxproj` package's object model."""
    from pbxproj import XcodeProject

    data = parse_pbxproj(path.read_text(encoding="utf-8"))
    XcodeProject.load(str(path))
    return data


def check_project(root: Path) -> list[str]:
    """Structural problems of <root>/EdgepackApp.xcodeproj (empty: none found)."""
    path = root / PROJECT_FILE / "project.pbxproj"
    try:
        data = load(path)
    except Exception as error:  # noqa: BLE001 - any parse failure is the finding
        return [f"{path} does not parse: {error}"]
    objects: dict[str, dict[str, Any]] = data["objects"]
    problems: list[str] = []

    def kind(oid: str) -> str | None:
        return objects.get(oid, {}).get("isa")

    def refs(value: Any) -> list[str]:
        return value if isinstance(value, list) else [value]

    root_id = data.get("rootObject")
    if kind(root_id) != "PBXProject":
        problems.append(f"rootObject {root_id} is not a PBXProject")
    for oid, obj in objects.items():
        isa = obj.get("isa")
        if not re.fullmatch(r"[0-9A-F]{24}", oid):
            problems.append(f"object id {oid!r} is not 24 hex digits")
        if isa not in REFERENCES:
            problems.append(f"{oid}: unexpected object kind {isa}")
            continue
        for key in REQUIRED.get(isa, ()):
            if key not in obj:
                problems.append(f"{oid} ({isa}) has no {key}")
        if isa == "PBXBuildFile" and ("fileRef" in obj) == ("productRef" in obj):
            problems.append(f"{oid} (PBXBuildFile) needs exactly one of fileRef, productRef")
        for key, kinds in REFERENCES[isa].items():
            for target in refs(obj.get(key, [])):
                if kind(target) not in kinds:
                    problems.append(f"{oid} ({isa}).{key} -> {target}: "
                                    f"{'missing object' if target not in objects else kind(target)}, expected {'/'.join(kinds)}")
    if problems:
        return problems

    # Every file reference resolves on disk, through its groups' paths.
    parents = {child: oid for oid, obj in objects.items() if obj["isa"] == "PBXGroup" for child in obj["children"]}
    for oid, obj in objects.items():
        if obj["isa"] == "PBXFileReference" and obj["sourceTree"] == "<group>":
            parts, node = [obj["path"]], parents.get(oid)
            while node is not None:
                if "path" in objects[node]:
                    parts.insert(0, objects[node]["path"])
                node = parents.get(node)
            if not (root / Path(*parts)).exists():
                problems.append(f"{oid} references {'/'.join(parts)}, which does not exist")
        if obj["isa"] == "XCLocalSwiftPackageReference" and not (root / obj["relativePath"] / "Package.swift").is_file():
            problems.append(f"local package {obj['relativePath']} has no Package.swift")
    built = [oid for oid, obj in objects.items() if obj["isa"].endswith("BuildPhase") for oid in obj["files"]]
    problems += [f"build file {oid} is in {built.count(oid)} phases" for oid in set(built) if built.count(oid) != 1]
    problems += _check_targets(root, objects, parents)
    return problems


def _project(objects: dict[str, dict[str, Any]]) -> str:
    return next(oid for oid, obj in objects.items() if obj["isa"] == "PBXProject")


def _phase_paths(objects: dict[str, dict[str, Any]], target: dict[str, Any], isa: str) -> set[str]:
    found = set()
    for phase in target["buildPhases"]:
        if objects[phase]["isa"] == isa:
            for build in objects[phase]["files"]:
                entry = objects[build]
                found.add(objects[entry["fileRef"]]["path"] if "fileRef" in entry else "product:" + objects[entry["productRef"]]["productName"])
    return found


def _check_targets(root: Path, objects: dict[str, dict[str, Any]], parents: dict[str, str]) -> list[str]:
    targets = {obj["name"]: obj for obj in objects.values() if obj["isa"] == "PBXNativeTarget"}
    problems = [f"no target {name}" for name in (APP_TARGET, TEST_TARGET) if name not in targets]
    if problems:
        return problems
    app, tests = targets[APP_TARGET], targets[TEST_TARGET]
    marker = root / MARKER
    runtime = json.loads(marker.read_text(encoding="utf-8")).get("runtime", "coreml") if marker.is_file() else "coreml"
    extra = runtime_settings(runtime)
    remote_products = set(extra.get("package", {}).get("products", []))
    expected = {
        (APP_TARGET, "PBXSourcesBuildPhase"): {p.name for p in (root / "App").glob("*.swift")}
        | {p.name for p in (root / "App" / "Resources").iterdir() if p.name.endswith(MODEL_SUFFIXES)},
        (APP_TARGET, "PBXResourcesBuildPhase"): {p.name for p in (root / "App" / "Resources").iterdir()
                                                 if p.suffix in RESOURCE_TYPES and not p.name.endswith(MODEL_SUFFIXES)},
        (APP_TARGET, "PBXFrameworksBuildPhase"): {f"product:{name}" for name in {PACKAGE, *remote_products}},
        (TEST_TARGET, "PBXSourcesBuildPhase"): {p.name for p in (root / "AppTests").glob("*.swift")},
    }
    for (name, isa), want in expected.items():
        got = _phase_paths(objects, targets[name], isa)
        if got != want:
            problems.append(f"{name} {isa}: missing {sorted(want - got)}, unexpected {sorted(got - want)}")
    if not (any(p.endswith(MODEL_SUFFIXES) for p in expected[(APP_TARGET, "PBXSourcesBuildPhase")])
            or any(p.endswith(PROGRAM_SUFFIXES) for p in expected[(APP_TARGET, "PBXResourcesBuildPhase")])):
        problems.append("no model in the app target (a Core ML model to compile or a .pte to copy)")
    products = {objects[p]["productName"] for p in app.get("packageProductDependencies", [])}
    for missing in sorted({PACKAGE, *remote_products} - products):
        problems.append(f"{APP_TARGET} does not depend on the {missing} package product")
    references = [objects[p] for p in objects[_project(objects)]["packageReferences"]]
    urls = {r["repositoryURL"] for r in references if r["isa"] == "XCRemoteSwiftPackageReference"}
    if "package" in extra and extra["package"]["url"] not in urls:
        problems.append(f"the project does not reference the {runtime} package {extra['package']['url']}")
    for config in objects[app["buildConfigurationList"]]["buildConfigurations"]:
        settings = objects[config]["buildSettings"]
        for key, value in extra.get("app", {}).get("all", {}).items():
            if settings.get(key) != value:
                problems.append(f"{APP_TARGET} {objects[config]['name']} {key} is {settings.get(key)!r}; {runtime} needs {value!r}")
    if [objects[d]["target"] for d in tests["dependencies"]] != [k for k, v in objects.items() if v is app]:
        problems.append(f"{TEST_TARGET} does not depend on {APP_TARGET}")
    for config in objects[tests["buildConfigurationList"]]["buildConfigurations"]:
        host = objects[config]["buildSettings"].get("TEST_HOST", "")
        if f"/{APP_TARGET}.app/" not in host:
            problems.append(f"{TEST_TARGET} {objects[config]['name']} TEST_HOST {host!r} is not the app")
    return problems
