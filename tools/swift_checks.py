"""What can be proven of a generated iOS app without a Mac.

- `run_package_tests`: `swift build` and `swift test` of the app's own EdgepackKit package (its
  tests replay the bundle's test vectors through the Swift tokenizer and post-processing).
- `typecheck_app`: the app's runtime-facing code (every App/ and AppTests/ file that does not
  import SwiftUI) compiled against tools/ios-stubs (stubs of the Core ML and ExecuTorch APIs)
  and the real EdgepackKit. Files importing SwiftUI can only be parsed (tools/syntax.py).

Swift runs natively where it exists (macOS) and in the Debian chroot elsewhere
(builder.apps.swift_toolchain). Each check works in a persistent directory so that Swift's
build cache survives between runs.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from builder.apps import swift_toolchain
from builder.apps.locking import exclusive

# One folder per stubbed module (CoreML, ExecuTorch), each with its SIGNATURES.txt.
IOS_STUBS = Path(__file__).resolve().parent / "ios-stubs"
STUB_MODULES = tuple(sorted(p.name for p in IOS_STUBS.iterdir() if p.is_dir()))
UI_MODULES = ("SwiftUI", "UIKit")
_ERROR = re.compile(r"^(?P<file>/\S+?):(?P<line>\d+):(?P<col>\d+): error: (?P<message>.*)$", re.M)
_EXECUTED = re.compile(r"Executed (\d+) tests?, with (\d+) failures?")


@dataclass
class SwiftResult:
    """One Swift check: did it succeed, its error lines, and (when it ran XCTest) how many
    tests ran and how many assertion failures they reported."""

    ok: bool
    errors: list[str]
    output: str
    tests_run: int = 0
    failures: int = 0
    parse_only: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return "\n".join(self.errors) if self.errors else self.output[-4000:]


def _errors(output: str, inside_root: str) -> list[str]:
    """Compiler error lines, with paths shown relative to the checked tree."""
    found = []
    for match in _ERROR.finditer(output):
        file = match["file"].removeprefix(inside_root).lstrip("/") or match["file"]
        found.append(f"{file}:{match['line']}:{match['col']}: error: {match['message']}")
    return found


def _swift(args: list[str], cwd: str) -> tuple[bool, str]:
    done = swift_toolchain.swift(args, cwd=cwd)
    return done.returncode == 0, done.stdout + done.stderr


def run_package_tests(app: Path, cache_name: str = "ios-app-package") -> SwiftResult:
    """`swift build` then `swift test` of <app>/EdgepackKit, with the app's resources beside it."""
    host, inside = swift_toolchain.persistent_dir(cache_name)
    with exclusive(host.with_name(f"{host.name}.lock")):
        return _package_tests(app, host, inside)


def _package_tests(app: Path, host: Path, inside: str) -> SwiftResult:
    swift_toolchain.sync_tree(app / "EdgepackKit", host / "EdgepackKit")
    resources = host / "App" / "Resources"
    if resources.exists():
        shutil.rmtree(resources)
    resources.mkdir(parents=True)
    # The bundle's JSON files and the task's data (task_data.json), not the Core ML package.
    for source in sorted((app / "App" / "Resources").glob("*.json")):
        shutil.copyfile(source, resources / source.name)
    package = f"{inside}/EdgepackKit"
    ok, output = _swift(["build", "--build-tests"], package)
    if not ok:
        return SwiftResult(False, _errors(output, inside) or [output[-3000:]], output)
    ok, output = _swift(["test", "--skip-build"], package)
    counts = _EXECUTED.findall(output)
    run, failed = (int(counts[-1][0]), int(counts[-1][1])) if counts else (0, 0)
    errors = [line for line in output.splitlines() if ": error: " in line]
    return SwiftResult(ok and run > 0 and failed == 0, errors, output, run, failed)


def _typecheck_package() -> str:
    stubs = ", ".join(f'"{name}"' for name in STUB_MODULES)
    targets = "".join(f'        .target(name: "{name}", path: "Stubs/{name}"),\n' for name in STUB_MODULES)
    return f"""// swift-tools-version:5.9
// Typecheck harness written by edgepack: the app's runtime-facing code against the runtime stubs.
import PackageDescription

let package = Package(
    name: "EdgepackAppTypecheck",
    targets: [
{targets}        .target(name: "EdgepackKit", path: "EdgepackKit/Sources/EdgepackKit"),
        .target(name: "EdgepackApp", dependencies: [{stubs}, "EdgepackKit"], path: "App"),
        .testTarget(name: "EdgepackAppTests", dependencies: ["EdgepackApp", {stubs}, "EdgepackKit"], path: "AppTests"),
    ]
)
"""


def ui_files(folder: Path) -> list[Path]:
    """Swift files that import a UI framework (SwiftUI, UIKit), which Linux lacks."""
    pattern = re.compile(rf"^\s*import\s+({'|'.join(UI_MODULES)})\b", re.M)
    return [p for p in sorted(folder.glob("*.swift")) if pattern.search(p.read_text(encoding="utf-8"))]


def typecheck_app(app: Path, cache_name: str = "ios-app-typecheck") -> SwiftResult:
    """Compile the app's non-UI Swift files and its XCTest against the runtime stubs."""
    host, inside = swift_toolchain.persistent_dir(cache_name)
    with exclusive(host.with_name(f"{host.name}.lock")):
        return _typecheck(app, host, inside)


def _typecheck(app: Path, host: Path, inside: str) -> SwiftResult:
    swift_toolchain.clear_except(host)
    skipped = []
    for folder in ("App", "AppTests"):
        (host / folder).mkdir()
        ui = set(ui_files(app / folder))
        for source in sorted((app / folder).glob("*.swift")):
            if source in ui:
                skipped.append(f"{folder}/{source.name}")
            else:
                shutil.copyfile(source, host / folder / source.name)
    for name in STUB_MODULES:
        shutil.copytree(IOS_STUBS / name, host / "Stubs" / name, ignore=shutil.ignore_patterns("*.txt"))
    shutil.copytree(app / "EdgepackKit" / "Sources" / "EdgepackKit", host / "EdgepackKit" / "Sources" / "EdgepackKit")
    (host / "Package.swift").write_text(_typecheck_package(), encoding="utf-8")
    ok, output = _swift(["build", "--build-tests"], inside)
    return SwiftResult(ok, [] if ok else (_errors(output, inside) or [output[-3000:]]), output, parse_only=skipped)
