"""Assertions shared by the tests that build bundles."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from builder.bundle import read_manifest, sha256_file


def assert_complete_bundle(bundle: Path) -> dict:
    manifest = read_manifest(bundle)
    assert manifest["status"] == "verified"
    for name, entry in manifest["files"].items():
        assert sha256_file(bundle / name) == entry["sha256"], name
    for variant in manifest["variants"]:
        if variant["file"].endswith(".mlpackage"):  # a package directory: every file inside is listed
            inside = [name for name in manifest["files"] if name.startswith(variant["file"] + "/")]
            assert f"{variant['file']}/Manifest.json" in inside and any(name.endswith("model.mlmodel") for name in inside)
            assert "MIL reference executor" in variant["parity"]["how_run"]
        else:
            assert variant["file"] in manifest["files"]
            assert "ExecuTorch runtime" in variant["parity"]["how_run"]
        assert variant["parity"]["verdict"] == "pass", variant["parity"]
    for required in ("tokenizer/tokenizer.json", "tokenizer/test_vectors.json", "parity/report.json", "parity/report.html"):
        assert required in manifest["files"]
    leftovers = [p.name for p in bundle.parent.iterdir() if ".partial-" in p.name or ".old-" in p.name]
    assert not leftovers
    return manifest


def run_pte(path: Path, input_ids: list[int], attention_mask: list[int], *more_inputs: list[int]) -> list[np.ndarray]:
    """Run a .pte directly with the ExecuTorch runtime, independent of edgepack's runner
    (`more_inputs`: token_type_ids, for programs that take them)."""
    from executorch.runtime import Runtime

    method = Runtime.get().load_program(path).load_method("forward")
    outputs = method.execute([torch.tensor([values]) for values in (input_ids, attention_mask, *more_inputs)])
    return [o.numpy() for o in outputs]


def load_test_vectors(bundle: Path) -> dict:
    return json.loads((bundle / "tokenizer" / "test_vectors.json").read_text())


# Manifest fields that change from one build of the same bundle to the next. Core ML packages
# are not byte-reproducible (their Manifest.json holds fresh identifiers), so their checksums
# are volatile too; the .pte and everything else must match.
VOLATILE_MANIFEST_FIELDS = {("created",), ("build_seconds",), ("model", "source"), ("toolchain", "python"), ("files",)}


def comparable_manifest(path: Path) -> dict:
    """A manifest.json without the fields that differ between two builds of the same bundle
    (for the sample apps' drift tests)."""
    manifest = json.loads(path.read_text())
    for keys in VOLATILE_MANIFEST_FIELDS:
        node = manifest
        for key in keys[:-1]:
            node = node[key]
        node.pop(keys[-1], None)
    for variant in manifest["variants"]:
        if variant["backend"] == "coreml":
            variant.pop("sha256")
    return manifest
