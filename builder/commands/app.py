from __future__ import annotations

import json
from pathlib import Path

import click

from builder.apps.platforms import APP_PLATFORMS
from builder.errors import EdgepackError, VerificationError

PLATFORMS = click.Choice(APP_PLATFORMS.names())
RUNTIMES = click.Choice(list(dict.fromkeys(r.name for _, p in APP_PLATFORMS.items() for r in p.runtimes)))


class _AppGroup(click.Group):
    """`edgepack app BUNDLE ...` generates an app; `edgepack app check-tokenizer ...` checks one."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["generate", *args]
        return super().parse_args(ctx, args)


@click.group("app", cls=_AppGroup)
def app_command() -> None:
    """Generate a sample app shell that embeds a bundle, or check the app's tokenizer.

    \b
    Examples:
      edgepack app dist/my-model --platform android -o my-android-app/
      edgepack app dist/my-model --platform ios -o my-ios-app/
      edgepack app dist/my-model --platform ios --runtime executorch -o my-ios-app/
      edgepack app check-tokenizer dist/my-model --platform ios --texts my-texts.txt
    """


@app_command.command("generate")
@click.argument("bundle", type=click.Path(path_type=Path, file_okay=False))
@click.option("--platform", type=PLATFORMS, required=True, help="Which app shell: " + ", ".join(APP_PLATFORMS.names()) + ".")
@click.option("--runtime", type=RUNTIMES, default=None,
              help=" ".join(f"{name} {runtime.name}: {runtime.description}." for name, platform in APP_PLATFORMS.items()
                            for runtime in platform.runtimes)
                   + " Default: " + ", ".join(f"{name} {p.runtime().name}" for name, p in APP_PLATFORMS.items()) + ".")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Directory the project is written to.")
@click.option("--application-id", "--bundle-id", "app_id", default=None,
              help="Android application id / iOS bundle identifier. Default: dev.edgepack.<bundle name>.")
@click.option("--app-name", default=None, help="Name shown under the app icon. Default: the bundle's model name.")
@click.option("--quant", "recipe", default=None, metavar="RECIPE",
              help="Which variant of the bundle the app embeds. Default: "
                   + "; ".join(f"{name} {runtime.name} {', else '.join(runtime.preferred_recipes)}"
                               for name, p in APP_PLATFORMS.items() for runtime in p.runtimes) + ".")
def generate_command(bundle: Path, platform: str, runtime: str | None, output: Path, app_id, app_name, recipe) -> None:
    """Write an app project that embeds BUNDLE; anything it could not embed faithfully is refused with the reason."""
    from builder.bundle import check_apart

    check_apart({"app folder": output}, {"bundle": bundle})
    shell = APP_PLATFORMS.get(platform)
    chosen = shell.runtime(runtime)
    app = shell.generate(bundle, output, runtime=chosen.name, app_id=app_id, app_name=app_name, recipe=recipe)
    click.echo(f"{app.kind} written to {app.path} ({app.identifier}, {chosen.display_name}, variant {app.variant}, "
               f"{len(app.files)} files). {chosen.next_steps}")


@app_command.command("check-tokenizer")
@click.argument("bundle", type=click.Path(path_type=Path, file_okay=False))
@click.option("--platform", type=PLATFORMS, required=True,
              help="Whose tokenizer to run: " + " or ".join(f"{name} ({p.tokenizer_runs})" for name, p in APP_PLATFORMS.items()) + ".")
@click.option("--texts", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="UTF-8 file with one text per line, e.g. your own domain texts.")
@click.option("--show", default=10, show_default=True, help="How many mismatches to print.")
def check_tokenizer_command(bundle: Path, platform: str, texts: Path, show: int) -> None:
    """Run the app's tokenizer over your texts and compare it with Hugging Face, id for id.

    Exits 1 if any text tokenizes differently. Run it on your own domain texts before release.
    """
    from builder.apps.tokenizer_support import require_supported
    from builder.manifest import read_manifest

    read_manifest(bundle)
    tokenizer_json = bundle / "tokenizer" / "tokenizer.json"
    require_supported(json.loads(tokenizer_json.read_text(encoding="utf-8")), platform=platform)
    try:
        lines = texts.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EdgepackError(f"cannot read --texts {texts}: {exc}; pass a UTF-8 text file, one text per line") from exc
    if not lines:
        raise EdgepackError(f"--texts {texts} holds no texts; put one text per line")
    passed, mismatches = APP_PLATFORMS.get(platform).compare_tokenizer(tokenizer_json, lines)
    for mismatch in mismatches[:show]:
        click.echo(f"MISMATCH {mismatch}")
    click.echo(f"{passed} passed, {len(mismatches)} failed")
    if mismatches:
        raise VerificationError(f"the {platform} tokenizer differs from Hugging Face on {len(mismatches)} of {len(lines)} texts")
