from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("inspect")
@click.argument("bundle", type=click.Path(path_type=Path, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON, for scripts.")
def inspect_command(bundle: Path, as_json: bool) -> None:
    """Show what a bundle holds: task, labels, inputs and outputs, variants, sizes, parity.

    \b
    Examples:
      edgepack inspect dist/demo-intent-classifier
      edgepack inspect dist/demo-intent-classifier --json | jq '.variants[].parity'
    """
    from builder.manifest import read_manifest

    manifest = read_manifest(bundle)
    if as_json:
        click.echo(json.dumps(manifest, indent=2, ensure_ascii=False))
        return

    from rich.console import Console
    from rich.table import Table

    from builder.backends import BACKENDS

    console = Console(width=160)
    model, task = manifest["model"], manifest["task"]
    console.print(f"[bold]{model['name']}[/]  status: {manifest['status']}  created {manifest['created']}")
    console.print(f"  {model['architecture']} ({model['parameters']:,} parameters), task {task['name']}: {task['description']}")
    adapter = model.get("adapter")
    if adapter:
        targets = ", ".join(adapter["target_modules"]) if isinstance(adapter["target_modules"], list) else adapter["target_modules"]
        console.print(f"  merged {adapter['peft_type']} adapter r={adapter['r']} alpha={adapter['lora_alpha']} on {targets} "
                      f"into base {adapter['base']} (sha256 {adapter['base_sha256'][:12]}); merged vs adapter max abs err "
                      f"{adapter['merge_check']['max_abs_error']:.2e}")
    if task["labels"]:
        console.print(f"  labels: {', '.join(task['labels'])}")
    console.print(f"  post-processing: {_postprocessing(task['postprocessing'])}")
    seq = manifest["sequence_length"]
    console.print(f"  sequence length {seq['min']}..{seq['max']}, pad id {seq['pad_token_id']}; "
                  f"tokenizer {manifest['tokenizer']['model']} ({manifest['tokenizer']['vocab_size']} tokens)")
    for kind in ("inputs", "outputs"):
        for spec in manifest[kind]:
            console.print(f"  {kind[:-1]:6} {spec['name']}: {spec['dtype']} {spec['shape']}  {spec['description']}")
    table = Table(title="Variants")
    for column in ("variant", "file", "size", "parity", "figures", "backend", "how run"):
        table.add_column(column, overflow="fold", no_wrap=column == "variant")
    for variant in manifest["variants"]:
        parity = variant["parity"]
        figures = ", ".join(f"{k} {v:.4g}" for k, v in parity["figures"].items()) or "-"
        # The full sentence is in the manifest and the report; the part before "(" names the runtime.
        how = "\n".join(run["not_run"] or run["how_run"].split(" (")[0] for run in variant["runs"])
        table.add_row(variant["name"], variant["file"], f"{variant['size_bytes'] / 1e6:.2f} MB", parity["verdict"].upper(),
                      figures, BACKENDS.get(variant["backend"]).describe(variant["details"]), how)
    console.print(table)


def _postprocessing(spec: dict) -> str:
    """The short facts of the task's post-processing spec (the sentences are in --json)."""
    facts = []
    for key, value in spec.items():
        if isinstance(value, dict) and "strategy" in value:
            value = value["strategy"]
        if isinstance(value, (str, bool, int, float)) and len(str(value)) <= 40:
            facts.append(f"{key} {value}")
    return ", ".join(facts)
