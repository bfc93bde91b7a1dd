"""Regenerate sample_apps/ (committed, drift-checked by tests/test_android_app.py and
tests/test_ios_app.py):

    .venv/bin/python -m tools.sample_apps

builds the embedded demo the way `make demo` does (both targets) and writes the app shells
generated from that bundle. Development tooling (tools/ is not in the wheel): works from a
source checkout only.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from click.testing import CliRunner

from builder.apps.platforms import APP_PLATFORMS
from builder.cli import cli

SAMPLE_APPS = Path(__file__).resolve().parents[1] / "sample_apps"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = CliRunner().invoke(cli, ["build", "-o", tmp, "--target", "all"])
        if result.exit_code != 0:
            raise SystemExit(result.output)
        for platform in APP_PLATFORMS.names():
            app = APP_PLATFORMS.get(platform).generate(Path(tmp) / "demo-intent-classifier", SAMPLE_APPS / platform)
            print(f"wrote {app.path} ({len(app.files)} files)")


if __name__ == "__main__":
    main()
