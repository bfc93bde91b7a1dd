"""Assertions shared by the tests that build bundles."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import torch

from builder.bundle import sha256_file
from builder.manifest import read_manifest


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


def smallest_top2_gap(vectors: list[dict]) -> float:
    """The reference's smallest gap between its two largest logits in the test vectors: per sample for a
    classifier (`logits` [1, labels]), per text token (mask 1, a word id) for a token classifier, per mask
    row for fill-mask (the vectors keep only those rows). A label
    flips only where two logits' errors differ by more than this gap, so fixtures assert it against the
    variant's largest error: a margin measured, not hoped for."""
    gaps = []
    for vector in vectors:
        logits = np.array(vector["expected"]["logits"])[0]
        if logits.ndim == 1:
            rows = [logits]
        elif vector.get("positions") is not None:  # fill-mask: the stored rows are the mask rows
            rows = list(logits)
        else:
            rows = [logits[i] for i, (mask, word) in enumerate(zip(vector["attention_mask"], vector["word_ids"]))
                    if mask and word is not None]
        gaps += [float(np.diff(np.sort(row)[-2:])[0]) for row in rows]
    return min(gaps)


def load_test_vectors(bundle: Path) -> dict:
    return json.loads((bundle / "tokenizer" / "test_vectors.json").read_text())


# Manifest fields that change from one build of the same bundle to the next. Core ML packages
# are not byte-reproducible (their Manifest.json holds fresh identifiers), so their checksums
# are volatile too; the .pte and everything else must match.
VOLATILE_MANIFEST_FIELDS = {("created",), ("build_seconds",), ("model", "source"), ("toolchain", "python"), ("files",)}
# Measured figures differ between machines in their last digits (BLAS kernels chosen per CPU, thread
# counts; DESIGN.md): they are compared within these tolerances, everything else exactly. The absolute
# tolerance covers fp32 round-off (1e-7 against 2e-7), the relative one fp16 and int8 errors.
FIGURE_TOLERANCE = dict(rel_tol=0.05, abs_tol=1e-5)


def comparable_manifest(path: Path) -> tuple[dict, dict[str, float]]:
    """A manifest.json split for the sample apps' drift tests: what the generator decides (structure,
    names, inputs, outputs, thresholds, verdicts, checksums of reproducible files), with the fields that
    differ between two builds removed, and the measured figures by their path in the manifest."""
    manifest = json.loads(path.read_text())
    for keys in VOLATILE_MANIFEST_FIELDS:
        node = manifest
        for key in keys[:-1]:
            node = node[key]
        node.pop(keys[-1], None)
    figures = {}
    for index, variant in enumerate(manifest["variants"]):
        if variant["backend"] == "coreml":
            variant.pop("sha256")
        for where, entry in [("parity", variant["parity"]), *((f"runs[{i}]", run) for i, run in enumerate(variant["runs"]))]:
            figures.update({f"variants[{index}].{where}.{name}": value for name, value in entry.pop("figures").items()})
    for index, outcome in enumerate(manifest["fusion"]["passes"]):
        if "max_abs_error" in outcome:
            figures[f"fusion.passes[{index}].max_abs_error"] = outcome.pop("max_abs_error")
    return manifest, figures


def assert_same_manifest(generated: Path, committed: Path) -> None:
    """Decisions equal, figures within FIGURE_TOLERANCE."""
    (decided, measured), (decided_before, measured_before) = comparable_manifest(generated), comparable_manifest(committed)
    assert decided == decided_before, f"{generated.name} drifted from {committed}"
    assert measured.keys() == measured_before.keys()
    drifted = {name: (value, measured_before[name]) for name, value in measured.items()
               if not math.isclose(value, measured_before[name], **FIGURE_TOLERANCE)}
    assert not drifted, f"figures beyond {FIGURE_TOLERANCE} (now, committed): {drifted}"


# The eager reference's outputs in test_vectors.json: fp32 sums whose order depends on the CPU's kernels.
VECTOR_TOLERANCE = dict(rel_tol=1e-5, abs_tol=1e-6)


def assert_same_vectors(generated: Path, committed: Path) -> None:
    """Test vectors equal in everything but the measured numbers (texts, ids, masks, offsets, labels exactly),
    the reference outputs and scores within VECTOR_TOLERANCE."""
    drifted = _json_drift(json.loads(generated.read_text()), json.loads(committed.read_text()), "")
    assert not drifted, f"{generated.name} drifted from {committed}: {drifted[:5]}"


def _json_drift(now, before, where: str) -> list[str]:
    if isinstance(now, float) or isinstance(before, float):
        close = isinstance(now, (int, float)) and isinstance(before, (int, float)) and math.isclose(now, before, **VECTOR_TOLERANCE)
        return [] if close else [f"{where}: {now!r} != {before!r}"]
    if isinstance(now, dict) and isinstance(before, dict):
        if now.keys() != before.keys():
            return [f"{where}: keys {sorted(now)} != {sorted(before)}"]
        return [d for key in now for d in _json_drift(now[key], before[key], f"{where}.{key}")]
    if isinstance(now, list) and isinstance(before, list):
        if len(now) != len(before):
            return [f"{where}: {len(now)} items != {len(before)}"]
        return [d for i, (a, b) in enumerate(zip(now, before)) for d in _json_drift(a, b, f"{where}[{i}]")]
    return [] if now == before and type(now) is type(before) else [f"{where}: {now!r} != {before!r}"]


def run_views(output: str) -> dict[str, list[str]]:
    """`edgepack run`'s output: each model's name (eager PyTorch, a variant) -> its lines, the "how run"
    header left out and the indentation stripped."""
    views = {}
    for block in output.strip().split("\n\n"):
        header, *lines = block.splitlines()
        views[header.split("  (")[0]] = [line[2:] for line in lines]
    return views

