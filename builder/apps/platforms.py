"""The app shells edgepack generates, one entry per platform and the one list of them: the runtimes
it can run a bundle with (each embedding one backend's artifact), which tasks its kit handles, how
to generate it, and whose tokenizer runs on the device."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from builder.errors import EdgepackError
from builder.registry import Registry


@dataclass(frozen=True)
class AppRuntime:
    """One way an app shell runs the bundle: the backend whose variant it embeds and the --target that
    builds it, and what to do with the project once written."""
    name: str
    display_name: str
    backend: str
    target: str
    # The variant embedded when --quant does not choose one: the first of these the bundle has.
    preferred_recipes: tuple[str, ...]
    # For help texts ("an Xcode project (SwiftUI) running ..."), and the line printed after generating.
    description: str
    next_steps: str


@dataclass(frozen=True)
class AppPlatform:
    name: str
    display_name: str
    # The runtimes its app shell can run the bundle with; the first is the default.
    runtimes: tuple[AppRuntime, ...]
    # Tasks whose outputs the app's kit post-processes and whose answer its screen shows.
    tasks: tuple[str, ...]
    # How its tokenizer is run on this machine (help text of check-tokenizer).
    tokenizer_runs: str
    # "module:function" generating the app: (bundle, output, *, runtime, app_id, app_name, recipe, manifest).
    generator: str
    # "module:function" comparing the app tokenizer with Hugging Face: (tokenizer.json, texts).
    tokenizer_check: str

    def runtime(self, name: str | None = None) -> AppRuntime:
        """The runtime called `name`, or the platform's default when None."""
        if name is None:
            return self.runtimes[0]
        for runtime in self.runtimes:
            if runtime.name == name:
                return runtime
        raise EdgepackError(f"the {self.display_name} app shell runs {' or '.join(r.name for r in self.runtimes)}, "
                            f"not {name!r}; choose one of those with --runtime")

    def _load(self, spec: str) -> Callable[..., Any]:
        module, _, function = spec.partition(":")
        return getattr(importlib.import_module(module), function)

    def generate(self, bundle: Path, output: Path, *, runtime: str | None = None, app_id: str | None = None,
                 app_name: str | None = None, recipe: str | None = None, manifest: dict[str, Any] | None = None):
        return self._load(self.generator)(bundle, output, runtime=self.runtime(runtime), app_id=app_id, app_name=app_name,
                                          recipe=recipe, manifest=manifest)

    def compare_tokenizer(self, tokenizer_json: Path, texts: list[str]) -> tuple[int, list[dict]]:
        return self._load(self.tokenizer_check)(tokenizer_json, texts)

    def check_embeddable(self, task: str, postprocessing: dict[str, Any], tokenizer: dict[str, Any], subject: str) -> None:
        """Refuse what this app shell would not run faithfully: a task its kit does not post-process, a
        tokenizer its kit would reproduce (or, for a task that decodes ids, decode) wrongly. The build checks
        this before any work, `edgepack app` before writing anything."""
        from builder.apps.tokenizer_support import require_supported

        if task not in self.tasks:
            raise EdgepackError(f"the {self.name} app shell does not handle task {task!r} yet (its kit post-processes "
                                f"{', '.join(self.tasks)}); build without --app and call the bundle from your own app code")
        require_supported(tokenizer, subject, platform=self.name, decodes=bool(postprocessing.get("decoder")))


EXECUTORCH_ON_ANDROID = AppRuntime(
    name="executorch", display_name="ExecuTorch", backend="executorch", target="android",
    # The one the benchmarks recommend shipping, else full precision.
    preferred_recipes=("int8-dynamic", "fp32"),
    description="a Gradle project running the .pte with ExecuTorch",
    next_steps="Open it in Android Studio; `./gradlew connectedAndroidTest` replays the bundle's test vectors on a device.")
CORE_ML_ON_IOS = AppRuntime(
    name="coreml", display_name="Core ML", backend="coreml", target="ios",
    # fp16 is what the benchmarks recommend (half the size of fp32, cosine 0.99999 on MiniLM), then smaller ones.
    preferred_recipes=("fp16", "int8-weights", "fp32"),
    description="an Xcode project (SwiftUI) running the .mlpackage with Core ML",
    next_steps="Open EdgepackApp.xcodeproj in Xcode 16; Product > Test replays the bundle's test vectors through Core ML.")
# The same .pte as on Android (the android target builds it), through ExecuTorch's Swift package.
EXECUTORCH_ON_IOS = AppRuntime(
    name="executorch", display_name="ExecuTorch", backend="executorch", target="android",
    preferred_recipes=EXECUTORCH_ON_ANDROID.preferred_recipes,
    description="an Xcode project (SwiftUI) running the .pte with ExecuTorch's Swift package",
    next_steps="Open EdgepackApp.xcodeproj in Xcode 16 (it fetches ExecuTorch's Swift package); Product > Test "
               "replays the bundle's test vectors through ExecuTorch.")

APP_PLATFORMS: Registry[AppPlatform] = Registry("app platform")
APP_PLATFORMS.add("android", AppPlatform(
    name="android", display_name="Android", runtimes=(EXECUTORCH_ON_ANDROID,),
    tasks=("sequence-classification", "token-classification", "feature-extraction", "question-answering", "fill-mask",
           "text-generation"),
    tokenizer_runs="Kotlin, on the JVM",
    generator="builder.apps.android:generate_android_app", tokenizer_check="builder.apps.kotlin:compare_with_hf"))
APP_PLATFORMS.add("ios", AppPlatform(
    name="ios", display_name="iOS", runtimes=(CORE_ML_ON_IOS, EXECUTORCH_ON_IOS),
    tasks=("sequence-classification", "token-classification", "feature-extraction", "question-answering", "fill-mask",
           "text-generation"),
    tokenizer_runs="Swift; on Linux in a Debian chroot",
    generator="builder.apps.ios:generate_ios_app", tokenizer_check="builder.apps.swift:compare_with_hf"))


def app_shells() -> list[str]:
    """What `build --app` accepts: each platform (its default runtime) and each platform:runtime."""
    return [shell for name, platform in APP_PLATFORMS.items()
            for shell in (name, *(f"{name}:{runtime.name}" for runtime in platform.runtimes))]


def parse_app_shell(shell: str) -> tuple[AppPlatform, AppRuntime]:
    """"ios:executorch" -> (the iOS platform, its ExecuTorch runtime); "ios" -> its default runtime."""
    name, _, runtime = shell.partition(":")
    platform = APP_PLATFORMS.get(name)
    return platform, platform.runtime(runtime or None)


def app_folder(platform: AppPlatform, runtime: AppRuntime) -> str:
    """The bundle's apps/ subfolder: the platform's name, suffixed by the runtime when it is not the default."""
    return platform.name if runtime == platform.runtimes[0] else f"{platform.name}-{runtime.name}"
