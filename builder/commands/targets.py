from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from builder.targets import load_profiles


@click.command("targets")
def targets_command() -> None:
    """List the target profiles (targets/*.toml) and their quantization recipes.

    \b
    Example:
      edgepack targets
    """
    from builder.backends import BACKENDS

    table = Table(title="Target profiles")
    for column in ("target", "platform", "backend", "recipes (default first)", "description"):
        table.add_column(column)
    for profile in load_profiles().values():
        recipe_registry = BACKENDS.get(profile.backend).recipes
        ordered = list(profile.default_recipes) + [r for r in profile.recipes if r not in profile.default_recipes]
        recipes = "\n".join(f"{'* ' if r in profile.default_recipes else '  '}{r}: {recipe_registry.get(r).description}" for r in ordered)
        settings = "".join(f"\n{key}: {value}" for key, value in profile.settings.items())
        table.add_row(profile.name, profile.platform, profile.backend, recipes, profile.description + settings)
    Console(width=160).print(table)
    platforms = ", ".join(sorted({p.platform for p in load_profiles().values()}))
    click.echo(f"* = built when --quant is not given. Select with --target NAME, a platform ({platforms}), or all.")
