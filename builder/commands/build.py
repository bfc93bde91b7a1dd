from __future__ import annotations

import os
from pathlib import Path

import click

from builder.apps.platforms import APP_PLATFORMS, app_shells
from builder.backends import BACKENDS, backend_settings
from builder.errors import ParityGateError
from builder.targets import load_profiles
from builder.tasks import TASKS


def _targets_help() -> str:
    platforms = sorted({p.platform for p in load_profiles().values()})
    return (f"Target profile ({', '.join(load_profiles())}), platform ({', '.join(platforms)}) or 'all'. Repeatable. "
            "Default: android. See `edgepack targets`.")


def _recipes_help() -> str:
    offered = []
    for _, backend in BACKENDS.items():
        names = [name + (f" (needs {recipe.builds_only_on()})" if recipe.builds_only_on() else "") for name, recipe in backend.recipes.items()]
        offered.append(f"{backend.display_name}: {', '.join(names)}.")
    return "Recipe, applied to every chosen target that offers it. " + " ".join(offered) + " Repeatable. Default: each target's defaults."


def _apps_help() -> str:
    shells = "; ".join(f"{name}:{runtime.name}: {runtime.description}" for name, platform in APP_PLATFORMS.items()
                       for runtime in platform.runtimes)
    defaults = ", ".join(f"{name} is {name}:{platform.runtime().name}" for name, platform in APP_PLATFORMS.items())
    return (f"Also generate an app shell into the bundle's apps/ folder ({shells}; {defaults}). Written to "
            "apps/<platform>, or apps/<platform>-<runtime> for a runtime other than the default. Repeatable. "
            "Same as `edgepack app BUNDLE --platform ... --runtime ...` afterwards.")


def _backend_setting_options(command):
    """One --flag per backend setting (builder.backends.base.Setting), passed on under its key."""
    for key, (_, setting) in reversed(list(backend_settings().items())):
        command = click.option(setting.flag, key, type=click.Choice(setting.choices), default=None, help=setting.help)(command)
    return command


def _parse_thresholds(values: tuple[str, ...]) -> dict[str, dict[str, float]]:
    from builder.targets import load_profiles

    known = sorted({key for p in load_profiles().values() for limits in p.thresholds.values() for key in limits})
    overrides: dict[str, dict[str, float]] = {}
    for value in values:
        scope, _, assignment = value.rpartition(":")
        key, sep, number = assignment.partition("=")
        if not sep or key not in known:
            raise click.BadParameter(f"{value!r}: expected [RECIPE:]KEY=VALUE with KEY one of {', '.join(known)}", param_hint="--threshold")
        try:
            overrides.setdefault(scope or "*", {})[key] = float(number)
        except ValueError:
            raise click.BadParameter(f"{value!r}: {number!r} is not a number", param_hint="--threshold") from None
    return overrides


@click.command("build")
@click.argument("checkpoint", required=False, type=click.Path(path_type=Path, file_okay=True, dir_okay=True))
@click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("dist"),
              show_default=True, help="Directory the bundle is written into (as OUTPUT/<checkpoint name>/).")
@click.option("--target", "targets", multiple=True, metavar="NAME", help=_targets_help())
@click.option("--quant", "recipes", multiple=True, metavar="RECIPE", help=_recipes_help())
@click.option("--samples", type=click.Path(path_type=Path, dir_okay=False),
              help="Texts for parity checks and int8-static calibration: .txt (one per line), .csv or .jsonl. "
                   "Default: a built-in set of edge cases (empty, one word, CJK, emoji, accents, over-long).")
@click.option("--text-column", default=None,
              help="Column/field holding the text in .csv/.jsonl samples. Default: text (question-answering: question).")
@click.option("--pairs", is_flag=True,
              help="The model reads a pair of texts (NLI, paraphrase, cross-encoder): samples are pairs, encoded as one "
                   "sequence with segment ids. Implied by question-answering.")
@click.option("--text-pair-column", default=None,
              help="Column/field holding the second text of a pair in .csv/.jsonl samples (a .txt file of pairs has the two "
                   "texts on one line, separated by a tab). Implies --pairs. Default: text_pair (question-answering: context).")
@click.option("--max-seq-len", type=click.IntRange(min=2), default=128, show_default=True,
              help="Longest token sequence the exported model accepts; longer texts are truncated.")
@click.option("--base", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Base checkpoint folder when CHECKPOINT is a PEFT LoRA adapter folder (adapter_config.json). "
                   "Default: the adapter's base_model_name_or_path if it is a local folder.")
@click.option("--name", default=None, help="Bundle directory name. Default: the checkpoint folder's name.")
@click.option("--task", default=None, metavar="TASK",
              help=f"Task, when config.json's architectures does not say it: {', '.join(TASKS.names())}.")
@click.option("--probabilities/--no-probabilities", default=True, show_default=True,
              help="Fold a softmax into the graph and output probabilities next to logits.")
@_backend_setting_options
@click.option("--allow-unverified", is_flag=True,
              help="Ship artifacts this machine cannot run (e.g. a Core ML op the Linux reference executor lacks). "
                   "Their verdict stays 'unverified' and the manifest status says so; never a pass.")
@click.option("--app", "apps", multiple=True, type=click.Choice(app_shells()), help=_apps_help())
@click.option("--threshold", "thresholds", multiple=True, metavar="[RECIPE:]KEY=VALUE",
              help="Override a parity threshold, for one recipe or all (e.g. int8-dynamic:min_cosine=0.995). Repeatable.")
@click.option("-v", "--verbose", is_flag=True,
              help="Show the toolchain's own output (torch, ExecuTorch, coremltools) as it comes, instead of keeping it in "
                   "the bundle's build.log.")
def build_command(checkpoint: Path | None, output_dir: Path, targets, recipes, samples, text_column, pairs, text_pair_column, max_seq_len,
                  base, name, task, probabilities, allow_unverified, apps, thresholds, verbose, **settings) -> None:
    """Build a verified bundle from a fine-tuned checkpoint directory.

    CHECKPOINT is the folder `save_pretrained` wrote (config.json, model.safetensors or
    pytorch_model.bin, tokenizer.json or vocab.txt). Without it, the embedded demo
    intent classifier is built. A PEFT LoRA adapter folder (adapter_config.json +
    adapter weights) is merged into its base (--base) first, and the merged model is
    checked against the adapter model before export.

    Every artifact is run on this machine and compared with the eager fp32 PyTorch
    model. If any variant fails its parity gate the command exits with status 1 and the
    bundle is written to OUTPUT/<name>.failed/ instead of OUTPUT/<name>/.

    \b
    Examples:
      edgepack build -o dist/
      edgepack build ./my-classifier -o dist/ --quant fp32 --quant int8-dynamic --samples texts.txt
      edgepack build ./my-classifier --quant 8da4w --threshold 8da4w:min_top1_agreement=0.95
      edgepack build ./my-classifier --target ios -o dist/ --quant fp16 --quant int8-weights --quant palettize-4bit
      edgepack build ./my-classifier --target all --deployment-target iOS18 --quant fp32 --quant int4-weights
      edgepack build ./my-nli-model --pairs --samples pairs.csv --text-column premise --text-pair-column hypothesis
      edgepack build ./my-qa-model --target all --samples questions.jsonl
      edgepack build ./my-lora-adapter --base ./bert-base --target all -o dist/
    """
    if checkpoint is None:
        from builder.demo import BUNDLE_NAME, CHECKPOINT_DIR

        checkpoint, name = CHECKPOINT_DIR, name or BUNDLE_NAME
    overrides = _parse_thresholds(thresholds)

    import tempfile

    from rich.console import Console

    from builder.quiet import quiet_toolchain, toolchain_output_to, warning_summary

    # What the toolchain prints goes to a log the bundle keeps as build.log (-v or EDGEPACK_DEBUG: the terminal). The
    # toolchain is noisy already at import, so the imports sit inside the redirect too.
    handle, log_name = tempfile.mkstemp(prefix="edgepack-build-", suffix=".log")
    os.close(handle)
    log = Path(log_name)
    captured = None if verbose or os.environ.get("EDGEPACK_DEBUG") else log
    try:
        with quiet_toolchain(), toolchain_output_to(captured) as terminal:
            from builder.build import BuildOptions, build
            from builder.progress import Stages

            options = BuildOptions(
                checkpoint=checkpoint, output_dir=output_dir, targets=targets, recipes=recipes, samples=samples,
                text_column=text_column, text_pair_column=text_pair_column, pairs=pairs, max_seq_len=max_seq_len,
                probabilities=probabilities, task=task, base=base, name=name,
                threshold_overrides=overrides, allow_unverified=allow_unverified, apps=apps,
                backend_settings={key: value for key, value in settings.items() if value is not None},
                toolchain_log=captured,
            )
            with Stages(Console(file=terminal)) as stages:
                result = build(options, stages)
        warnings = warning_summary(log)
    finally:
        log.unlink(missing_ok=True)
    _report(result, options, warnings)


def _report(result, options, warnings: list[str]) -> None:
    _print_summary(summary_rows(result.variants), f"{result.bundle}  ({result.status})")
    if options.toolchain_log is not None:
        for warning in warnings[:3]:
            click.echo(f"toolchain warning: {warning}")
        more = f" ({len(warnings) - 3} more warnings)" if len(warnings) > 3 else ""
        click.echo(f"The toolchain's own output is in {result.bundle / 'build.log'}{more}; -v shows it as it comes")
    failed = [v for v in result.variants if v.failures]
    if failed:
        details = "; ".join(f"{v.name}: {', '.join(v.failures)}" for v in failed)
        raise ParityGateError(
            f"parity gate failed ({details}). No bundle was written at {options.output_dir / result.bundle.name.removesuffix('.failed')}; "
            f"the failed bundle is kept for inspection at {result.bundle} (manifest status: failed)"
        )
    if result.status == "unverified":
        unrun = ", ".join(v.name for v in result.variants if any(run.not_run for run in v.runs))
        click.echo(f"Bundle written to {result.bundle} with UNVERIFIED variants ({unrun}): they were not run on this machine")
    else:
        click.echo(f"Bundle verified and written to {result.bundle}")


def _print_summary(rows: list[dict[str, str]], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in rows[0] if rows else []:
        table.add_column(column, overflow="fold", no_wrap=column == "variant")
    for row in rows:
        style = "red" if row.get("parity") == "FAIL" else None
        table.add_row(*row.values(), style=style)
    Console(width=160).print(table)


def summary_rows(variants) -> list[dict[str, str]]:
    """One row per variant of the build summary table (builder.manifest.VariantRecord)."""
    rows = []
    for v in variants:
        figures = v.parity.headline()
        rows.append({
            "variant": v.name,
            "size": f"{v.size_bytes / 1e6:.2f} MB",
            "parity": v.parity.verdict.upper(),
            "cosine (min)": f"{figures['min_cosine']:.6f}" if figures else "-",
            "max abs err": f"{figures['max_abs_error']:.2e}" if figures else "-",
            "task metric": ", ".join(f"{m.name} {m.value:.3f}" for m in v.parity.task_metrics),
            "backend": v.summary,
            "run by": "; ".join(run.not_run if run.not_run else run.how_run.split(" (")[0] for run in v.runs),
        })
    return rows
