"""The `edgepack` command group. Each command lives in builder/commands/ and imports the
heavy toolchain (torch, executorch) only when it runs, so `edgepack --help` is instant."""

from __future__ import annotations

import os

import click

from builder import __version__
from builder.commands.app import app_command
from builder.commands.build import build_command
from builder.commands.chat import chat_command
from builder.commands.inspect import inspect_command
from builder.commands.run import run_command
from builder.commands.targets import targets_command
from builder.commands.verify import verify_command
from builder.errors import EdgepackError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class UserError(click.ClickException):
    """An EdgepackError on its way out: printed as one line, with the error's exit code."""

    def __init__(self, error: EdgepackError):
        super().__init__(str(error))
        self.exit_code = error.exit_code


class EdgepackGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except EdgepackError as error:
            if os.environ.get("EDGEPACK_DEBUG"):
                raise
            raise UserError(error) from error


@click.group(cls=EdgepackGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="edgepack")
def cli() -> None:
    """Turn a fine-tuned Hugging Face checkpoint into verified, app-ready model bundles.

    \b
    Quick start (builds the embedded demo intent classifier):
      edgepack build -o dist/
    Your own checkpoint:
      edgepack build ./my-classifier -o dist/ --quant fp32 --quant int8-dynamic --samples texts.txt
    Re-check a bundle before release:
      edgepack verify dist/my-classifier

    Nothing is ever downloaded from a model hub. Set EDGEPACK_DEBUG=1 to see the full
    traceback behind an error message.
    """
    # Offline by construction: transformers must never reach for a hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


for command in (build_command, verify_command, run_command, chat_command, inspect_command, targets_command, app_command):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="edgepack")
