from __future__ import annotations

from pathlib import Path

import click

from builder.errors import VerificationError


@click.command("verify")
@click.argument("bundle", type=click.Path(path_type=Path, file_okay=False))
def verify_command(bundle: Path) -> None:
    """Re-check a bundle before release, from the bundle alone.

    Checks every file's sha256 against manifest.json, then runs every artifact on the
    stored test vectors (tokenizer/test_vectors.json) and compares with the stored
    reference outputs under the thresholds recorded at build time. Exits 1 on any
    mismatch, naming the file or variant.

    \b
    Example:
      edgepack verify dist/demo-intent-classifier
    """
    from rich.console import Console
    from rich.table import Table

    from builder.quiet import quiet_toolchain

    # The runtimes are noisy at import; the imports sit inside the quiet block too.
    with quiet_toolchain():
        from builder.verify import verify_bundle

        outcome = verify_bundle(bundle)
    table = Table(title=f"{bundle}: {outcome.manifest['model']['name']} ({outcome.manifest['task']['name']})")
    for column in ("variant", "verdict", "min cosine", "max abs err", "task metrics", "how run"):
        table.add_column(column)
    for result in outcome.results:
        figures = result.headline()
        table.add_row(result.variant, result.verdict.upper(), f"{figures['min_cosine']:.6f}", f"{figures['max_abs_error']:.2e}",
                      ", ".join(f"{m.name} {m.value:.3f}" for m in result.task_metrics), result.how_run,
                      style="red" if result.failures else None)
    for name, reason in outcome.not_run.items():
        table.add_row(name, "NOT RUN", "-", "-", "-", reason, style="red")
    Console(width=160).print(table)

    problems = outcome.problems()
    if problems:
        raise VerificationError(f"{bundle} failed verification: " + "; ".join(problems))
    click.echo(f"OK: {len(outcome.manifest['files'])} files match their checksums; "
               f"{len(outcome.results)} artifacts reproduce the reference outputs.")
