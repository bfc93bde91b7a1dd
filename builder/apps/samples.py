"""Regenerate sample_apps/ (committed, drift-checked by tests/test_android_app.py):

    .venv/bin/python -m builder.apps.samples

builds the embedded demo the way `make demo` does (both targets) and writes the app shells
generated from that bundle. Works from a source checkout only.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from click.testing import CliRunner

from builder.apps.android import generate_android_app
from builder.cli import cli

SAMPLE_APPS = Path(__file__).resolve().parents[2] / "sample_apps"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = CliRunner().invoke(cli, ["build", "-o", tmp, "--target", "all"])
        if result.exit_code != 0:
            raise SystemExit(result.output)
        app = generate_android_app(Path(tmp) / "demo-intent-classifier", SAMPLE_APPS / "android")
    print(f"wrote {app.path} ({len(app.files)} files)")


if __name__ == "__main__":
    main()
