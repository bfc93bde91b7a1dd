"""The app shells edgepack generates, one entry per platform and the one list of them: which
backend's artifact the app embeds, which tasks its kit handles, how to generate it, and whose
tokenizer runs on the device."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from builder.errors import EdgepackError
from builder.registry import Registry


@dataclass(frozen=True)
class AppPlatform:
    name: str
    display_name: str
    # The backend whose variant the app embeds, how the app runs it, and the --target that builds it.
    backend: str
    runtime: str
    target: str
    # Tasks whose outputs the app's kit post-processes and whose answer its screen shows.
    tasks: tuple[str, ...]
    # The variant embedded when --quant does not choose one: the first of these the bundle has.
    preferred_recipes: tuple[str, ...]
    # What is generated, for help texts, and what to do with it once written; how its tokenizer is run here.
    description: str
    next_steps: str
    tokenizer_runs: str
    # "module:function" generating the app: (bundle, output, *, app_id, app_name, recipe, manifest).
    generator: str
    # "module:function" comparing the app tokenizer with Hugging Face: (tokenizer.json, texts).
    tokenizer_check: str

    def _load(self, spec: str) -> Callable[..., Any]:
        module, _, function = spec.partition(":")
        return getattr(importlib.import_module(module), function)

    def generate(self, bundle: Path, output: Path, *, app_id: str | None = None, app_name: str | None = None,
                 recipe: str | None = None, manifest: dict[str, Any] | None = None):
        return self._load(self.generator)(bundle, output, app_id=app_id, app_name=app_name, recipe=recipe, manifest=manifest)

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


APP_PLATFORMS: Registry[AppPlatform] = Registry("app platform")
APP_PLATFORMS.add("android", AppPlatform(
    name="android", display_name="Android", backend="executorch", runtime="ExecuTorch", target="android",
    tasks=("sequence-classification", "token-classification", "feature-extraction", "question-answering", "fill-mask"),
    # The one the benchmarks recommend shipping, else full precision.
    preferred_recipes=("int8-dynamic", "fp32"),
    description="a Gradle project running the .pte with ExecuTorch",
    next_steps="Open it in Android Studio; `./gradlew connectedAndroidTest` replays the bundle's test vectors on a device.",
    tokenizer_runs="Kotlin, on the JVM",
    generator="builder.apps.android:generate_android_app", tokenizer_check="builder.apps.kotlin:compare_with_hf"))
APP_PLATFORMS.add("ios", AppPlatform(
    name="ios", display_name="iOS", backend="coreml", runtime="Core ML", target="ios",
    tasks=("sequence-classification", "token-classification", "feature-extraction", "question-answering", "fill-mask"),
    # fp16 is what the benchmarks recommend (half the size of fp32, cosine 0.99999 on MiniLM), then smaller ones.
    preferred_recipes=("fp16", "int8-weights", "fp32"),
    description="an Xcode project (SwiftUI) running the .mlpackage with Core ML",
    next_steps="Open EdgepackApp.xcodeproj in Xcode 16; Product > Test replays the bundle's test vectors through Core ML.",
    tokenizer_runs="Swift; on Linux in a Debian chroot",
    generator="builder.apps.ios:generate_ios_app", tokenizer_check="builder.apps.swift:compare_with_hf"))
