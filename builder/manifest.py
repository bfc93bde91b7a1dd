"""manifest.json: the one place its schema lives. `record_build` writes it from a build's results,
`read_manifest` reads it back (untrusted: checked against SCHEMA, every path inside the bundle), and
`Manifest` gives build, verify, inspect and the app generators the same typed view of it.

Versioning: SCHEMA_VERSION changes whenever a field a reader relies on changes meaning or place; a
bundle of another version is refused with the version it has.
"""

from __future__ import annotations

import datetime as dt
import platform
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from builder import __version__
from builder.bundle_checks import REBUILD, check_contained
from builder.errors import EdgepackError
from builder.json_files import read_json_object

if TYPE_CHECKING:
    from builder.backends.base import RunContract
    from builder.checkpoint import Checkpoint
    from builder.export import ExportedModel
    from builder.parity import ParityResult
    from builder.tasks import Task

# 2: per-variant backend "details" (delegation for ExecuTorch, Core ML facts) and "runs".
SCHEMA_VERSION = 2
MANIFEST = "manifest.json"
STATUS_VERIFIED, STATUS_UNVERIFIED, STATUS_FAILED = "verified", "unverified", "failed"

# The fields the commands that read a bundle rely on, with their JSON types; a list holds one spec
# for every item. Other fields are free.
_THRESHOLDS = {"thresholds": dict, "figures": dict, "verdict": str}
SCHEMA: dict[str, Any] = {
    "status": str,
    "created": str,
    "model": {"name": str, "architecture": str, "parameters": int, "source_sha256": str},
    "task": {"name": str, "description": str, "labels": [str], "postprocessing": dict},
    "inputs": [{"name": str, "dtype": str, "shape": list, "description": str}],
    "outputs": [{"name": str, "dtype": str, "shape": list, "description": str}],
    "sequence_length": {"min": int, "max": int, "pad_token_id": int},
    "tokenizer": {"model": str, "vocab_size": int},
    "test_vectors": str,
    "variants": [{"name": str, "backend": str, "recipe": str, "file": str, "size_bytes": int, "sha256": str, "details": dict,
                  "parity": _THRESHOLDS, "runs": [dict]}],
    "files": dict,
}
_JSON_NAMES = {dict: "an object", list: "a list", str: "a string", int: "an integer"}


@dataclass
class VariantRecord:
    """One built artifact and its parity runs, as the build hands it to the manifest and the report."""

    target: str
    backend: str
    recipe: str
    file: str
    size_bytes: int
    sha256: str
    details: dict[str, Any]
    summary: str
    # One parity check per way this machine can run the artifact (e.g. Core ML on CPU only
    # and on all compute units).
    runs: list["ParityResult"]

    @property
    def name(self) -> str:
        return f"{self.target}/{self.recipe}"

    @property
    def parity(self) -> "ParityResult":
        """The run that decides the verdict: the first failing one, else the first."""
        return next((r for r in self.runs if r.failures), self.runs[0])

    @property
    def failures(self) -> list[str]:
        return [f for run in self.runs for f in run.failures]


class Manifest(dict):
    """A bundle's manifest.json: the JSON object itself (templates and `inspect --json` read it as
    it is), with the readings every command shares."""

    @property
    def status(self) -> str:
        return self["status"]

    @property
    def output_names(self) -> list[str]:
        return [spec["name"] for spec in self["outputs"]]

    def task(self) -> "Task":
        """The task bound as it was for the build (labels, options, settings), from the manifest alone."""
        from builder.tasks import TASKS

        try:
            task = TASKS.get(self["task"]["name"]).from_manifest(self)
            declared = [task.inputs(), task.outputs()]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise EdgepackError(f"the manifest's task section does not describe a {self['task']['name']} model "
                                f"({type(exc).__name__}: {exc}); {REBUILD}") from None
        recorded = [[spec["name"] for spec in self["inputs"]], self.output_names]
        if [[spec.name for spec in specs] for specs in declared] != recorded:
            raise EdgepackError(f"the manifest's inputs and outputs {recorded} are not those of its task {task.name} "
                                f"({[[spec.name for spec in specs] for specs in declared]}); {REBUILD}")
        return task

    def contract(self, task: "Task | None" = None) -> "RunContract":
        from builder.backends.base import RunContract

        method = (task or self.task()).methods()[0]
        return RunContract(method, int(self["sequence_length"]["pad_token_id"]))

    def variants_of(self, backend: str) -> dict[str, dict[str, Any]]:
        """This backend's variants by recipe."""
        return {v["recipe"]: v for v in self["variants"] if v["backend"] == backend}

    def named_variants(self, name: str) -> list[dict[str, Any]]:
        """The variants `name` designates: one variant's name (android-xnnpack/fp32), or a recipe (fp32: every
        target's). Refused, listing the names, when there is none."""
        matches = [v for v in self["variants"] if name in (v["name"], v["recipe"])]
        if not matches:
            raise EdgepackError(f"the bundle has no variant {name!r}; choose from {', '.join(v['name'] for v in self['variants'])} "
                                "(or a recipe name such as fp32)")
        return matches


def record_build(name: str, checkpoint: "Checkpoint", parameters: int, task: "Task", exported: "ExportedModel",
                 variants: Sequence[VariantRecord], status: str, timings: dict[str, float],
                 backend_programs: Sequence["ExportedModel"] = ()) -> Manifest:
    """The manifest of a finished build (`files` is added when the bundle is committed). `exported` is
    the program every backend starts from, `backend_programs` each backend's own (with its graph_passes)."""
    from builder.backends import BACKENDS

    options = task.options
    input_specs = [s.to_json() for s in task.inputs()]
    for spec in input_specs:
        spec["dynamic_dims"] = {"seq": {"min": exported.min_seq_len, "max": exported.max_seq_len}}
    versions = {"edgepack": __version__, "transformers": version("transformers"), "tokenizers": version("tokenizers"),
                "python": platform.python_version()}
    for backend_name in sorted({v.backend for v in variants}):
        versions.update(BACKENDS.get(backend_name).versions())
    return Manifest({
        "schema_version": SCHEMA_VERSION,
        "status": status,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "model": {
            "name": name,
            "source": str(checkpoint.path.resolve()),
            "source_sha256": checkpoint.fingerprint,
            "architecture": checkpoint.architecture.display_name,
            "model_type": checkpoint.architecture.model_type,
            "parameters": parameters,
            **({"adapter": checkpoint.adapter.to_json()} if checkpoint.adapter else {}),
        },
        "task": {"name": task.name, "description": task.description, "labels": task.labels,
                 "input": "text-pair" if options.text_pair else "text",
                 "postprocessing": task.postprocessing()},
        "inputs": input_specs,
        "outputs": [s.to_json() for s in task.outputs()],
        "sequence_length": {"min": exported.min_seq_len, "max": exported.max_seq_len,
                            "pad_token_id": checkpoint.tokenizer.pad_token_id,
                            "padding": task.input_rule()},
        "tokenizer": checkpoint.tokenizer.describe(),
        "test_vectors": "tokenizer/test_vectors.json",
        "variants": [
            {
                "name": v.name,
                "target": v.target,
                "backend": v.backend,
                "recipe": v.recipe,
                "recipe_description": BACKENDS.get(v.backend).recipes.get(v.recipe).description,
                "file": v.file,
                "size_bytes": v.size_bytes,
                "sha256": v.sha256,
                "details": v.details,
                "parity": parity_entry(v.parity),
                "runs": [parity_entry(run) for run in v.runs],
            }
            for v in variants
        ],
        "fusion": {
            "passes": [o.to_json() for o in exported.pass_outcomes]
                      + [o.to_json() for program in backend_programs for o in program.pass_outcomes if o.backends],
            "op_counts_before": exported.op_counts_before,
            "op_counts_after": exported.op_counts_after,
        },
        "build_seconds": {k: round(s, 2) for k, s in timings.items()},
        "toolchain": versions,
        "report": "parity/report.html",
    })


def parity_entry(result: "ParityResult") -> dict[str, Any]:
    return {
        "verdict": result.verdict,
        "how_run": result.how_run,
        "samples": result.samples,
        "thresholds": result.thresholds,
        "figures": result.headline(),
        "failures": result.failures,
        "not_run": result.not_run,
    }


def failed_path(final: Path) -> Path:
    return final.with_name(final.name + ".failed")


def read_manifest(bundle: Path) -> Manifest:
    bundle = Path(bundle)
    path = bundle / MANIFEST
    if not bundle.is_dir():
        raise EdgepackError(f"bundle directory {bundle} does not exist; pass the directory `edgepack build` wrote")
    if not path.is_file():
        hint = f" (a failed build is at {failed_path(bundle)})" if failed_path(bundle).is_dir() else ""
        raise EdgepackError(f"{bundle} is not an edgepack bundle: no {MANIFEST}{hint}; pass the directory `edgepack build` wrote")
    manifest = read_json_object(path, REBUILD)
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise EdgepackError(
            f"{path} has schema version {manifest.get('schema_version')!r}; this edgepack reads version {SCHEMA_VERSION}"
        )
    # The bundle may come from anywhere: the fields the commands read, and no path or link out of it.
    check_manifest(manifest, path)
    check_contained(bundle, manifest)
    return Manifest(manifest)


def check_manifest(manifest: Any, path: Path) -> None:
    problem = _mismatch(manifest, SCHEMA, "")
    if problem:
        raise EdgepackError(f"{path}: {problem}; {REBUILD}")


def _mismatch(value: Any, spec: Any, where: str) -> str | None:
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return f"{where or 'the manifest'} must be an object"
        for key, inner in spec.items():
            if key not in value:
                return f"{where + '.' if where else ''}{key} is missing"
            problem = _mismatch(value[key], inner, f"{where + '.' if where else ''}{key}")
            if problem:
                return problem
        return None
    if isinstance(spec, list):
        if not isinstance(value, list):
            return f"{where} must be a list"
        return next((p for i, item in enumerate(value) if (p := _mismatch(item, spec[0], f"{where}[{i}]"))), None)
    if not isinstance(value, spec) or (spec is int and isinstance(value, bool)):
        return f"{where} must be {_JSON_NAMES[spec]}, not {type(value).__name__}"
    return None
