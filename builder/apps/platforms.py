"""The app shells edgepack generates, one entry per platform: which backend's artifact the
app embeds, how to generate it, and whose tokenizer runs on the device."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from builder.registry import Registry


@dataclass(frozen=True)
class AppPlatform:
    name: str
    # The backend whose variant the app embeds, and the --target that builds it.
    backend: str
    target: str
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


APP_PLATFORMS: Registry[AppPlatform] = Registry("app platform")
APP_PLATFORMS.add("android", AppPlatform(
    "android", "executorch", "android", "builder.apps.android:generate_android_app", "builder.apps.kotlin:compare_with_hf"))
APP_PLATFORMS.add("ios", AppPlatform(
    "ios", "coreml", "ios", "builder.apps.ios:generate_ios_app", "builder.apps.swift:compare_with_hf"))
