import os
from pathlib import Path

import pytest

from checkpoints import make_checkpoint

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def tiny_checkpoints(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("checkpoints")
    return {arch: make_checkpoint(root / f"tiny-{arch}", arch) for arch in ("bert", "distilbert", "mobilebert")}


@pytest.fixture(scope="session")
def demo_bundle(tmp_path_factory):
    """The embedded demo built the way `make demo` builds it (both targets, both app shells),
    through the CLI."""
    from click.testing import CliRunner

    from builder.cli import cli

    out = tmp_path_factory.mktemp("demo-dist")
    result = CliRunner().invoke(cli, ["build", "-o", str(out), "--target", "all", "--app", "android", "--app", "ios"])
    assert result.exit_code == 0, result.output
    assert "Bundle verified" in result.output
    return out / "demo-intent-classifier", result.output
