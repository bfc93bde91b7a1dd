from __future__ import annotations

from pathlib import Path

import click


@click.command("run")
@click.argument("bundle", type=click.Path(path_type=Path, file_okay=False))
@click.argument("text", required=False)
@click.option("--pair", "pair", metavar="TEXT",
              help="The second text of a pair: the context for question answering, the second sentence for pair classifiers.")
@click.option("--variant", "variants", multiple=True, metavar="NAME",
              help="A variant (android-xnnpack/int8-dynamic) or a recipe (int8-dynamic) to run; repeatable. Default: all.")
@click.option("--candidates", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Sentence embeddings: a text file of sentences to rank by similarity to TEXT, one per line "
                   "(default: the built-in similarity query set's sentences).")
@click.option("--checkpoint", type=click.Path(path_type=Path),
              help="The checkpoint the bundle was built from: its eager model's answer is shown first.")
@click.option("--base", type=click.Path(path_type=Path),
              help="With an adapter --checkpoint: the base model folder, as for edgepack build.")
def run_command(bundle: Path, text: str | None, pair: str | None, variants: tuple[str, ...], candidates: Path | None,
                checkpoint: Path | None, base: Path | None) -> None:
    """Run a bundle's models on TEXT and print what the app would show.

    The text is tokenized with the bundle's tokenizer.json; each variant's artifact runs on this
    machine (a Core ML package through the MIL reference executor on Linux) and its outputs go through
    the task's post-processing: labels with probabilities, entities, the answer span, the masked word's
    candidates, or a similarity ranking. Without TEXT, it is asked for.

    \b
    Examples:
      edgepack run dist/demo-intent-classifier "where is my parcel?"
      edgepack run dist/my-qa "Who wrote it?" --pair "The book was written by Ann Lee in 1990."
      edgepack run dist/my-ner "Ann lives in Paris" --variant int8-dynamic --checkpoint ./my-ner
    """
    from builder.errors import EdgepackError
    from builder.quiet import quiet_toolchain

    if text is None:
        text = click.prompt("Text")
    sentences: list[str] = []
    if candidates is not None:
        try:
            sentences = [line.strip() for line in candidates.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, UnicodeDecodeError) as exc:
            raise EdgepackError(f"cannot read --candidates {candidates} ({type(exc).__name__}); pass a UTF-8 text file, "
                                "one sentence per line") from None
        if not sentences:
            raise EdgepackError(f"--candidates {candidates} holds no sentence; write one per line")
    with quiet_toolchain():
        from builder.run import run_bundle

        views = run_bundle(bundle, (text, pair) if pair is not None else text, variants, sentences, checkpoint, base)
    eager = views[0].shown if checkpoint is not None else None
    for view in views:
        click.secho(view.source, bold=True, nl=False)
        click.echo(f"  ({view.how})")
        if view.shown is None:
            click.secho("  not run here", fg="yellow")
        else:
            for line in view.shown.lines:
                click.echo(f"  {line}")
            if eager is not None and view.shown is not eager:
                if view.shown.answer == eager.answer:
                    click.secho("  same answer as the eager model", fg="green")
                else:
                    click.secho(f"  DIFFERENT answer from the eager model's: {view.shown.answer!r} against {eager.answer!r}", fg="red")
        click.echo()
