"""Write the Xcode project (project.pbxproj) of the iOS app shell.

The project is generated from what is on disk: every Swift file under App/ and AppTests/,
the resources under App/Resources (a .mlpackage compiles in the app's Sources phase, as
Xcode does it; a .pte is copied), and the local Swift package EdgepackKit; plus, for a runtime
that is a Swift package (ExecuTorch), that package and its settings from project.toml. Object ids are derived from each
object's role and path, so the same app gives byte-identical files (the sample app's drift
test relies on it). Build settings come from templates/ios/project.toml.

The structural checks of what this writes are development tooling, outside the package:
tools/pbxproj_checks.py.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.apps.escaping import pbxproj_string
from builder.resources import data_dir

APP_TARGET = "EdgepackApp"
TEST_TARGET = "EdgepackAppTests"
PACKAGE = "EdgepackKit"
PROJECT_FILE = f"{APP_TARGET}.xcodeproj"
RESOURCE_TYPES = {".json": "text.json", ".mlpackage": "folder.mlpackage", ".mlmodel": "file.mlmodel", ".txt": "text",
                  ".pte": "file"}
# Compiled by Xcode's Core ML compiler in the Sources phase, not copied as resources.
MODEL_SUFFIXES = (".mlpackage", ".mlmodel")
# Copied as resources and loaded by the runtime's package (ExecuTorch programs).
PROGRAM_SUFFIXES = (".pte",)


def settings_template() -> dict[str, Any]:
    return tomllib.loads((data_dir("templates") / "ios" / "project.toml").read_text(encoding="utf-8"))


def object_id(*role: str) -> str:
    """A stable 24-hex-digit id for the object playing `role` (Xcode's ids are 96-bit too)."""
    return hashlib.sha256("\0".join(role).encode()).hexdigest()[:24].upper()


@dataclass
class _Objects:
    table: dict[str, dict[str, Any]]

    def add(self, oid: str, **fields: Any) -> str:
        if oid in self.table:
            raise ValueError(f"duplicate Xcode object id {oid} for {fields.get('isa')}")
        self.table[oid] = fields
        return oid


def _fill(settings: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    def one(value):
        if isinstance(value, list):
            return [one(v) for v in value]
        return str(value).format(**values)
    return {key: one(value) for key, value in settings.items()}


def runtime_settings(runtime: str) -> dict[str, Any]:
    """project.toml's [runtimes.<runtime>] table: what an app running on `runtime` adds (empty for Core ML)."""
    return settings_template().get("runtimes", {}).get(runtime, {})


def runtime_package(runtime: str, runtime_version: str) -> dict[str, Any] | None:
    """The Swift package an app running on `runtime` adds (url, branch, products), or None (Core ML comes with iOS)."""
    package = runtime_settings(runtime).get("package")
    return None if package is None else _fill(package, {"runtime_version": runtime_version})


def _overlay(tables: dict[str, dict[str, Any]], added: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Build-setting tables ("all", "Debug", "Release") with `added`'s settings on top, table by table."""
    return {name: {**tables.get(name, {}), **added.get(name, {})} for name in {**tables, **added}}


def write_project(root: Path, *, bundle_id: str, deployment_target: str, runtime: str = "coreml",
                  runtime_version: str = "") -> list[str]:
    """Write <root>/EdgepackApp.xcodeproj for the app tree already at `root`; returns the files written."""
    template = settings_template()
    values = {"bundle_id": bundle_id, "deployment_target": deployment_target, "app_target": APP_TARGET}
    objects = _Objects({})
    project_id = object_id("project")

    def file_ref(path: str, kind: str) -> str:
        return objects.add(object_id("file", path), isa="PBXFileReference", lastKnownFileType=kind,
                           path=Path(path).name, sourceTree="<group>")

    def group(path: str, children: list[str], name: str | None = None) -> str:
        fields: dict[str, Any] = {"isa": "PBXGroup", "children": children, "sourceTree": "<group>"}
        fields["path" if name is None else "name"] = Path(path).name if name is None else name
        return objects.add(object_id("group", path), **fields)

    def build_file(phase: str, ref: str, key: str = "fileRef") -> str:
        return objects.add(object_id("build", phase, ref), isa="PBXBuildFile", **{key: ref})

    app_sources = sorted(p.relative_to(root).as_posix() for p in (root / "App").glob("*.swift"))
    resources = sorted(p.relative_to(root).as_posix() for p in (root / "App" / "Resources").iterdir()
                       if p.suffix in RESOURCE_TYPES)
    test_sources = sorted(p.relative_to(root).as_posix() for p in (root / "AppTests").glob("*.swift"))

    source_refs = {path: file_ref(path, "sourcecode.swift") for path in app_sources + test_sources}
    resource_refs = {path: file_ref(path, RESOURCE_TYPES[Path(path).suffix]) for path in resources}
    package_ref = objects.add(object_id("file", PACKAGE), isa="PBXFileReference", lastKnownFileType="wrapper",
                              path=PACKAGE, sourceTree="<group>")
    app_product = objects.add(object_id("product", APP_TARGET), isa="PBXFileReference", explicitFileType="wrapper.application",
                              includeInIndex="0", path=f"{APP_TARGET}.app", sourceTree="BUILT_PRODUCTS_DIR")
    test_product = objects.add(object_id("product", TEST_TARGET), isa="PBXFileReference", explicitFileType="wrapper.cfbundle",
                               includeInIndex="0", path=f"{TEST_TARGET}.xctest", sourceTree="BUILT_PRODUCTS_DIR")

    resources_group = group("App/Resources", [resource_refs[p] for p in resources])
    # Info.plist is listed but in no phase: Xcode reads it through INFOPLIST_FILE.
    plist = [file_ref("App/Info.plist", "text.plist.xml")] if (root / "App" / "Info.plist").is_file() else []
    app_group = group("App", [source_refs[p] for p in app_sources] + plist + [resources_group])
    tests_group = group("AppTests", [source_refs[p] for p in test_sources])
    products_group = group("Products", [app_product, test_product], name="Products")
    main_group = objects.add(object_id("group", ""), isa="PBXGroup", children=[app_group, tests_group, package_ref, products_group],
                             sourceTree="<group>")

    package_reference = objects.add(object_id("package", PACKAGE), isa="XCLocalSwiftPackageReference", relativePath=PACKAGE)
    package_product = objects.add(object_id("package-product", PACKAGE), isa="XCSwiftPackageProductDependency",
                                  package=package_reference, productName=PACKAGE)
    package_references, app_products = [package_reference], [package_product]
    remote = runtime_package(runtime, runtime_version)
    if remote is not None:
        remote_reference = objects.add(object_id("package", remote["url"]), isa="XCRemoteSwiftPackageReference",
                                       repositoryURL=remote["url"], requirement={"branch": remote["branch"], "kind": "branch"})
        package_references.append(remote_reference)
        app_products += [objects.add(object_id("package-product", remote["url"], product), isa="XCSwiftPackageProductDependency",
                                     package=remote_reference, productName=product) for product in remote["products"]]

    def phase(kind: str, target: str, files: list[str]) -> str:
        return objects.add(object_id("phase", target, kind), isa=kind, buildActionMask="2147483647", files=files,
                           runOnlyForDeploymentPostprocessing="0")

    models = [p for p in resources if p.endswith(MODEL_SUFFIXES)]
    copied = [p for p in resources if p not in models]
    app_phases = [
        phase("PBXSourcesBuildPhase", APP_TARGET, [build_file("app-sources", source_refs[p]) for p in app_sources]
              + [build_file("app-sources", resource_refs[p]) for p in models]),
        phase("PBXFrameworksBuildPhase", APP_TARGET, [build_file("app-frameworks", p, key="productRef") for p in app_products]),
        phase("PBXResourcesBuildPhase", APP_TARGET, [build_file("app-resources", resource_refs[p]) for p in copied]),
    ]
    test_phases = [
        phase("PBXSourcesBuildPhase", TEST_TARGET, [build_file("test-sources", source_refs[p]) for p in test_sources]),
        phase("PBXFrameworksBuildPhase", TEST_TARGET, []),
        phase("PBXResourcesBuildPhase", TEST_TARGET, []),
    ]

    def configurations(owner: str, tables: dict[str, dict[str, Any]]) -> str:
        ids = []
        for name in ("Debug", "Release"):
            merged = {**tables.get("all", {}), **tables.get(name, {})}
            ids.append(objects.add(object_id("configuration", owner, name), isa="XCBuildConfiguration",
                                   buildSettings=_fill(merged, values), name=name))
        return objects.add(object_id("configuration-list", owner), isa="XCConfigurationList", buildConfigurations=ids,
                           defaultConfigurationIsVisible="0", defaultConfigurationName="Release")

    app_target = object_id("target", APP_TARGET)
    proxy = objects.add(object_id("proxy", TEST_TARGET), isa="PBXContainerItemProxy", containerPortal=project_id,
                        proxyType="1", remoteGlobalIDString=app_target, remoteInfo=APP_TARGET)
    dependency = objects.add(object_id("dependency", TEST_TARGET), isa="PBXTargetDependency", target=app_target,
                             targetProxy=proxy)
    objects.add(app_target, isa="PBXNativeTarget", buildConfigurationList=configurations(APP_TARGET, _overlay(template["app"], runtime_settings(runtime).get("app", {}))),
                buildPhases=app_phases, buildRules=[], dependencies=[], name=APP_TARGET,
                packageProductDependencies=app_products, productName=APP_TARGET, productReference=app_product,
                productType="com.apple.product-type.application")
    test_target = objects.add(object_id("target", TEST_TARGET), isa="PBXNativeTarget",
                              buildConfigurationList=configurations(TEST_TARGET, template["tests"]), buildPhases=test_phases,
                              buildRules=[], dependencies=[dependency], name=TEST_TARGET, productName=TEST_TARGET,
                              productReference=test_product, productType="com.apple.product-type.bundle.unit-test")
    tools = template["tools"]
    objects.add(project_id, isa="PBXProject",
                attributes={"BuildIndependentTargetsInParallel": "1", "LastSwiftUpdateCheck": tools["last_upgrade_check"],
                            "LastUpgradeCheck": tools["last_upgrade_check"],
                            "TargetAttributes": {test_target: {"TestTargetID": app_target}}},
                buildConfigurationList=configurations("project", template["project"]),
                compatibilityVersion=tools["compatibility"], developmentRegion="en", hasScannedForEncodings="0",
                knownRegions=["en", "Base"], mainGroup=main_group, packageReferences=package_references,
                productRefGroup=products_group, projectDirPath="", projectRoot="", targets=[app_target, test_target])

    project_dir = root / PROJECT_FILE
    project_dir.mkdir(parents=True, exist_ok=True)
    (project_dir / "project.pbxproj").write_text(_serialise(objects.table, project_id, tools["object_version"]), encoding="utf-8")
    scheme = project_dir / "xcshareddata" / "xcschemes" / f"{APP_TARGET}.xcscheme"
    scheme.parent.mkdir(parents=True, exist_ok=True)
    scheme.write_text(_scheme(app_target, test_target), encoding="utf-8")
    return [f"{PROJECT_FILE}/project.pbxproj", scheme.relative_to(root).as_posix()]


# --------------------------------------------------------------------------- serialising

def _value(value: Any, indent: int) -> str:
    pad = "\t" * indent
    if isinstance(value, dict):
        if not value:
            return "{\n" + pad + "}"
        body = "".join(f"{pad}\t{pbxproj_string(k)} = {_value(v, indent + 1)};\n" for k, v in value.items())
        return "{\n" + body + pad + "}"
    if isinstance(value, list):
        if not value:
            return "(\n" + pad + ")"
        body = "".join(f"{pad}\t{_value(v, indent + 1)},\n" for v in value)
        return "(\n" + body + pad + ")"
    return pbxproj_string(str(value))


def _serialise(objects: dict[str, dict[str, Any]], root_id: str, object_version: int) -> str:
    lines = ["// !$*UTF8*$!", "{", "\tarchiveVersion = 1;", "\tclasses = {", "\t};", f"\tobjectVersion = {object_version};",
             "\tobjects = {"]
    for isa in sorted({o["isa"] for o in objects.values()}):
        lines.append(f"\n/* Begin {isa} section */")
        for oid in sorted(k for k, o in objects.items() if o["isa"] == isa):
            fields = {"isa": isa, **{k: v for k, v in sorted(objects[oid].items()) if k != "isa"}}
            lines.append(f"\t\t{oid} = {_value(fields, 2)};")
        lines.append(f"/* End {isa} section */")
    lines += ["\t};", f"\trootObject = {root_id};", "}", ""]
    return "\n".join(lines)


def _scheme(app_target: str, test_target: str) -> str:
    def ref(oid: str, name: str, product: str) -> str:
        return (f'<BuildableReference BuildableIdentifier = "primary" BlueprintIdentifier = "{oid}" '
                f'BuildableName = "{product}" BlueprintName = "{name}" ReferencedContainer = "container:{PROJECT_FILE}"></BuildableReference>')
    app = ref(app_target, APP_TARGET, f"{APP_TARGET}.app")
    tests = ref(test_target, TEST_TARGET, f"{TEST_TARGET}.xctest")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Scheme LastUpgradeVersion = "1600" version = "1.7">
   <BuildAction parallelizeBuildables = "YES" buildImplicitDependencies = "YES">
      <BuildActionEntries>
         <BuildActionEntry buildForTesting = "YES" buildForRunning = "YES" buildForProfiling = "YES" buildForArchiving = "YES" buildForAnalyzing = "YES">
            {app}
         </BuildActionEntry>
      </BuildActionEntries>
   </BuildAction>
   <TestAction buildConfiguration = "Debug" selectedDebuggerIdentifier = "Xcode.DebuggerFoundation.Debugger.LLDB" selectedLauncherIdentifier = "Xcode.DebuggerFoundation.Launcher.LLDB" shouldUseLaunchSchemeArgsEnv = "YES">
      <Testables>
         <TestableReference skipped = "NO">
            {tests}
         </TestableReference>
      </Testables>
   </TestAction>
   <LaunchAction buildConfiguration = "Debug" selectedDebuggerIdentifier = "Xcode.DebuggerFoundation.Debugger.LLDB" selectedLauncherIdentifier = "Xcode.DebuggerFoundation.Launcher.LLDB" launchStyle = "0" useCustomWorkingDirectory = "NO" ignoresPersistentStateOnLaunch = "NO" debugDocumentVersioning = "YES" debugServiceExtension = "internal" allowLocationSimulation = "YES">
      <BuildableProductRunnable runnableDebuggingMode = "0">
         {app}
      </BuildableProductRunnable>
   </LaunchAction>
   <ProfileAction buildConfiguration = "Release" shouldUseLaunchSchemeArgsEnv = "YES" savedToolIdentifier = "" useCustomWorkingDirectory = "NO" debugDocumentVersioning = "YES">
      <BuildableProductRunnable runnableDebuggingMode = "0">
         {app}
      </BuildableProductRunnable>
   </ProfileAction>
   <AnalyzeAction buildConfiguration = "Debug"></AnalyzeAction>
   <ArchiveAction buildConfiguration = "Release" revealArchiveInOrganizer = "YES"></ArchiveAction>
</Scheme>
"""
