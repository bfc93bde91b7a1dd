"""The build pipeline: load -> adapt -> fuse -> quantize -> lower -> verify -> package.

One pass, no back and forth. Each step lives in its own module; this one only orders
them, times them, and decides the gate after everything has been recorded.
"""

from __future__ import annotations

import gc
import json
import shutil
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from builder.apps.platforms import app_folder, parse_app_shell
from builder.backends import BACKENDS, backend_settings
from builder.backends.base import Backend, LoweringJob, ModelFacts
from builder.bundle import (BundleWriter, DestinationLock, artifact_sha256, artifact_size, check_destination, check_writable,
                            write_json)
from builder.checkpoint import Checkpoint, load_checkpoint
from builder.errors import EdgepackError
from builder.export import ExportedModel, export_model
from builder.manifest import STATUS_FAILED, STATUS_UNVERIFIED, STATUS_VERIFIED, VariantRecord, record_build
from builder.parity import OUTPUT_THRESHOLDS, threshold_keys
from builder.progress import Stages
from builder.report import write_report
from builder.samples import load_samples
from builder.targets import TargetProfile, load_profiles, resolve_targets
from builder.tasks import Task, TaskOptions
from builder.vectors import vectors_to_json
from builder.verify import check_artifact


@dataclass
class BuildOptions:
    checkpoint: Path
    output_dir: Path
    targets: tuple[str, ...] = ()
    recipes: tuple[str, ...] = ()
    samples: Path | None = None
    text_column: str | None = None
    # The samples' second text; setting it (or --pairs) makes every sample a pair of texts.
    text_pair_column: str | None = None
    # Inputs are text pairs (NLI, paraphrase); implied by tasks that always read pairs (QA).
    pairs: bool = False
    max_seq_len: int = 128
    probabilities: bool = True
    task: str | None = None
    # Base checkpoint for a PEFT adapter folder given as `checkpoint` (builder.adapters).
    base: Path | None = None
    # Bundle directory name; defaults to the checkpoint folder's name.
    name: str | None = None
    # {"*" or recipe name: {threshold key: value}}; "*" applies to every recipe.
    threshold_overrides: dict[str, dict[str, float]] = field(default_factory=dict)
    # Command-line overrides of target profiles' [settings] (e.g. deployment_target), by setting key
    # (builder.backends.base.Setting); each goes to the backend that declares it.
    backend_settings: dict[str, Any] = field(default_factory=dict)
    # Ship artifacts that cannot be run on this machine; the manifest then says "unverified".
    allow_unverified: bool = False
    # App shells to generate into the bundle's apps/ folder: "platform" or "platform:runtime" (builder.apps.platforms).
    apps: tuple[str, ...] = ()
    # Where the toolchain's own output was captured (builder.quiet); kept in the bundle as build.log.
    toolchain_log: Path | None = None


@dataclass
class Step:
    profile: TargetProfile
    backend: Backend
    settings: Any
    recipe: str


@dataclass
class BuildResult:
    bundle: Path
    status: str
    variants: list[VariantRecord]
    timings: dict[str, float]


def plan(options: BuildOptions) -> list[Step]:
    """Check every name and setting the user gave before any heavy work starts.

    With several targets, a --quant recipe applies to each target that offers it; a recipe
    no chosen target offers, or a target left with no recipe, is an error.
    """
    check_writable(options.output_dir)
    if options.name is not None and (not options.name or Path(options.name).name != options.name or options.name.startswith(".")):
        raise EdgepackError(f"--name {options.name!r} must be a plain folder name (no '/', not starting with '.')")
    check_destination(bundle_path(options), {"checkpoint": options.checkpoint, "base checkpoint": options.base,
                                             "samples file": options.samples})
    steps, used = [], set()
    profiles = resolve_targets(options.targets)
    _check_setting_owners(options.backend_settings, profiles)
    for profile in profiles:
        backend = BACKENDS.get(profile.backend)
        settings = backend.resolve_settings(profile.settings, _own_settings(options, backend))
        chosen = [r for r in options.recipes if r in profile.recipes] if options.recipes else list(profile.default_recipes)
        if not chosen:
            raise EdgepackError(f"none of the requested recipes ({', '.join(options.recipes)}) is available for target "
                                f"{profile.name}; its recipes: {', '.join(profile.recipes)}")
        for recipe in chosen:
            refusal = backend.refusal(recipe, settings)
            if refusal:
                raise EdgepackError(refusal)
            steps.append(Step(profile, backend, settings, recipe))
        used.update(chosen)
    for app in options.apps:
        _, runtime = parse_app_shell(app)
        if not any(step.backend.name == runtime.backend for step in steps):
            raise EdgepackError(f"--app {app} embeds a {runtime.backend} variant; add --target {runtime.target} (or --target all)")
    for recipe in options.recipes:
        if recipe not in used:
            offered = sorted({r for p in profiles for r in p.recipes})
            raise EdgepackError(f"recipe {recipe!r} is not available for the chosen targets; their recipes: {', '.join(offered)}")
    return steps


def _own_settings(options: BuildOptions, backend: Backend) -> dict[str, Any]:
    """The command-line settings that belong to `backend`: it never receives another backend's."""
    own = {setting.key for setting in backend.settings}
    return {key: value for key, value in options.backend_settings.items() if key in own}


def _check_setting_owners(overrides: dict[str, Any], profiles: list[TargetProfile]) -> None:
    """A backend setting given for a build none of whose targets uses that backend would be silently ignored."""
    owners = backend_settings()
    for key in overrides:
        if key not in owners:
            raise EdgepackError(f"unknown backend setting {key!r}; valid: {', '.join(owners)}")
        backend, setting = owners[key]
        if not any(profile.backend == backend.name for profile in profiles):
            targets = sorted({p.platform for p in load_profiles().values() if p.backend == backend.name})
            raise EdgepackError(f"{setting.flag} is a {backend.display_name} setting and no chosen target builds {backend.display_name}; "
                                f"add --target {' or '.join(targets)} (or --target all), or drop {setting.flag}")


def bundle_path(options: BuildOptions) -> Path:
    """OUTPUT/<name>: --name, else the checkpoint folder's name."""
    return options.output_dir / (options.name or options.checkpoint.resolve().name)


def build(options: BuildOptions, stages: Stages) -> BuildResult:
    steps = plan(options)
    lock = DestinationLock(bundle_path(options))
    try:
        return _build(options, steps, stages, lock)
    finally:
        lock.release()


def _build(options: BuildOptions, steps: list[Step], stages: Stages, lock: DestinationLock) -> BuildResult:
    with stages.stage("load", "Loading checkpoint"):
        checkpoint = load_checkpoint(options.checkpoint, options.task, options.base)
        task = checkpoint.bind_task(_task_options(options, checkpoint))
        texts = _samples(options, task)
        _check_max_len(checkpoint, options.max_seq_len)
        checkpoint.tokenizer.configure(options.max_seq_len, task.pair_truncation, task.truncates_input)
        texts = task.parity_texts(texts, checkpoint.tokenizer)
        if options.apps:
            tokenizer_json = json.loads(checkpoint.tokenizer.tokenizer.to_str())
            for app in options.apps:
                parse_app_shell(app)[0].check_embeddable(task.name, task.postprocessing(), tokenizer_json,
                                                         "this checkpoint's tokenizer")
        for step in steps:
            step.settings = step.backend.settings_for_task(step.settings, task, _own_settings(options, step.backend))
        model = checkpoint.load_model(texts)
    lock.acquire()
    if checkpoint.adapter:
        stages.log(checkpoint.adapter.summary())
    name = bundle_path(options).name
    output_names = [spec.name for spec in task.outputs()]
    min_len = checkpoint.architecture.min_seq_len

    with stages.stage("reference", "Running the eager fp32 reference"), _one_thread():
        vectors = task.make_vectors(checkpoint.tokenizer, texts, min_len, options.max_seq_len)
        with torch.no_grad():
            for vector in vectors:
                task.record_reference(model, vector)
    reference = [v.expected_arrays(output_names) for v in vectors]
    inputs = [tuple(torch.from_numpy(array) for array in task.program_inputs(v)) for v in vectors]

    with stages.stage("export", "Exporting and fusing the graph"):
        passes = task.fusion_passes()
        exported = export_model(task.wrap(model), task.inputs(), min_len, options.max_seq_len, _check_inputs(inputs),
                                **({} if passes is None else {"passes": passes}), strict=task.export_strict)
        checkpoint.require_weights_read(exported.parameters_read)

    facts = _model_facts(checkpoint, task, name, exported)
    jobs: dict[str, LoweringJob] = {}
    programs: dict[str, ExportedModel] = {}
    final = options.output_dir / name
    variants: list[VariantRecord] = []
    parameters = sum(p.numel() for p in model.parameters())
    with BundleWriter(final) as writer:
        lowered = []
        for step in steps:
            profile, backend, recipe = step.profile, step.backend, step.recipe
            if backend.name not in programs:
                programs[backend.name] = _backend_program(exported, backend, stages)
            job = jobs.setdefault(profile.name, LoweringJob(programs[backend.name], inputs, facts, step.settings))
            with stages.stage(f"lower:{profile.name}:{recipe}", f"Building {backend.file_suffix} ({recipe})"):
                artifact = backend.lower(job, recipe)
                relative = f"{backend.bundle_dir}/model-{recipe}{backend.file_suffix}"
                path = writer.staging / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                artifact.write(path)
            lowered.append((step, relative, path, artifact.details, artifact.summary))
            del artifact  # its bytes are on disk
        # The artifacts are checked against the stored reference only: the eager model and the programs go first, or a
        # 1B decoder's weights would sit in memory next to each runtime's own copy (its fp32 build ran out of 24 GiB).
        exported, programs = exported.released(), [program.released() for program in programs.values()]
        del model, jobs, job
        gc.collect()
        for step, relative, path, details, summary in lowered:
            profile, backend, recipe = step.profile, step.backend, step.recipe
            with stages.stage(f"verify:{profile.name}:{recipe}", f"Running {path.name} and comparing ({len(vectors)} inputs)"):
                runs = check_artifact(f"{profile.name}/{recipe}", backend, path, task, facts.contract, reference, vectors,
                                      _thresholds(profile, recipe, options.threshold_overrides, task), options.allow_unverified)
            variants.append(VariantRecord(profile.name, backend.name, recipe, relative, artifact_size(path), artifact_sha256(path),
                                          details, summary, runs))

        with stages.stage("package", "Writing the bundle"):
            status = _status(variants)
            checkpoint.tokenizer.save(writer.staging / "tokenizer")
            write_json(writer.staging / "tokenizer" / "test_vectors.json",
                       vectors_to_json(vectors, [s.name for s in task.inputs()], output_names, options.max_seq_len))
            if options.toolchain_log is not None:
                sys.stdout.flush()
                sys.stderr.flush()
                shutil.copyfile(options.toolchain_log, writer.staging / "build.log")
            manifest = record_build(name, checkpoint, parameters, task, exported, variants, status, stages.timings, programs)
            write_report(writer.staging / "parity", manifest, variants)
            if status != STATUS_FAILED:
                for platform, runtime in dict.fromkeys(map(parse_app_shell, options.apps)):
                    platform.generate(writer.staging, writer.staging / "apps" / app_folder(platform, runtime),
                                      runtime=runtime.name, manifest=manifest)
            bundle = writer.commit(manifest)
    return BuildResult(bundle, status, variants, dict(stages.timings))


def _backend_program(exported: ExportedModel, backend: Backend, stages: Stages) -> ExportedModel:
    """The shared program, with the backend's own fusion passes on top when it has any."""
    passes = backend.graph_passes()
    if not passes:
        return exported
    with stages.stage(f"fuse:{backend.name}", f"Fusing for {backend.display_name}"):
        return exported.with_passes(passes, backend.name)


@contextmanager
def _one_thread():
    """The reference on one torch thread: its sums then come in one order, whatever the machine's
    core count or OMP_NUM_THREADS (what remains machine-dependent: DESIGN.md)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _status(variants: list[VariantRecord]) -> str:
    if any(v.failures for v in variants):
        return STATUS_FAILED
    if any(run.not_run for v in variants for run in v.runs):
        return STATUS_UNVERIFIED
    return STATUS_VERIFIED


def _model_facts(checkpoint: Checkpoint, task: Task, name: str, exported: ExportedModel) -> ModelFacts:
    return ModelFacts(
        name=name,
        task=task.name,
        task_description=task.description,
        architecture=checkpoint.architecture.display_name,
        labels=task.labels,
        classifier_labels=task.classifier_labels(),
        inputs=task.inputs(),
        outputs=task.outputs(),
        pad_token_id=checkpoint.tokenizer.pad_token_id,
        min_seq_len=exported.min_seq_len,
        max_seq_len=exported.max_seq_len,
        tokenizer=checkpoint.tokenizer.describe(),
        version=f"checkpoint sha256 {checkpoint.fingerprint[:12]}",
        author=checkpoint.card.get("author") or checkpoint.card.get("model_creator"),
        license=checkpoint.card.get("license"),
        method=task.methods()[0].name,
        program_metadata=task.program_metadata(),
    )


def _task_options(options: BuildOptions, checkpoint: Checkpoint) -> TaskOptions:
    task = checkpoint.task
    pairs = options.pairs or options.text_pair_column is not None or task.pairs == "required"
    if pairs and task.pairs == "no":
        raise EdgepackError(f"task {task.name!r} reads one text per input, not pairs; drop --pairs/--text-pair-column")
    return TaskOptions(max_seq_len=options.max_seq_len, probabilities=options.probabilities, text_pair=pairs,
                       token_type_ids=pairs and checkpoint.takes_segment_ids)


def _samples(options: BuildOptions, task: Task) -> list:
    """The user's samples (or the built-in ones) plus the texts the task's metric needs."""
    if not task.options.text_pair:
        texts = load_samples(options.samples, options.text_column or "text")
        return texts + [text for text in task.extra_samples() if text not in texts]
    text_column, pair_column = task.pair_columns
    return load_samples(options.samples, options.text_column or text_column, options.text_pair_column or pair_column,
                        default_pairs=task.default_pairs())


def _check_max_len(checkpoint: Checkpoint, max_len: int) -> None:
    table = getattr(checkpoint.config, "max_position_embeddings", None)
    if max_len < 2:
        raise EdgepackError(f"--max-seq-len {max_len} is too short: [CLS] and [SEP] alone take 2 tokens")
    if table is not None:
        reserved = checkpoint.architecture.reserved_positions(checkpoint.config)
        limit = table - reserved
        if max_len > limit:
            why = f" ({table} rows, {reserved} of them never a token position)" if reserved else ""
            raise EdgepackError(f"--max-seq-len {max_len} exceeds the model's {limit} position embeddings{why}; use at most {limit}")


def _check_inputs(inputs: list[tuple[torch.Tensor, ...]]) -> list[tuple[torch.Tensor, ...]]:
    """A few inputs of different lengths, enough to check each pass numerically."""
    by_length = {int(tensors[0].shape[1]): tensors for tensors in inputs}
    lengths = sorted(by_length)
    picks = {lengths[0], lengths[len(lengths) // 2], lengths[-1]}
    return [by_length[n] for n in sorted(picks)]


def _thresholds(profile: TargetProfile, recipe: str, overrides: dict[str, dict[str, float]], task: Task) -> dict[str, float]:
    """The recipe's limits that apply to this task: the output-level ones and its own metrics'."""
    limits = profile.thresholds_for(recipe, task.name)
    limits.update(overrides.get("*", {}))
    limits.update(overrides.get(recipe, {}))
    own = {*OUTPUT_THRESHOLDS, *(f"min_{name}" for name in task.metric_names)}
    return {key: value for key, value in limits.items() if key in own or key not in threshold_keys()}
