"""targets/ and templates/ must ship inside the wheel, not only live in the source tree; the
development tooling in tools/ must not."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_data_and_demo(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
                   check=True, timeout=600)
    wheel = next(tmp_path.glob("edgepack-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in ROOT.glob("targets/*.toml"):
        assert f"builder/_data/targets/{path.name}" in names
    assert "builder/_data/templates/report.html.j2" in names
    assert "builder/demo/checkpoint/model.safetensors" in names
    assert "builder/demo/checkpoint/tokenizer.json" in names
    assert "builder/tasks/similarity_queries.json" in names  # the embeddings' parity query set
    assert any(name.endswith("entry_points.txt") for name in names)
    assert [name for name in names if name.startswith("tools/")] == []


def test_data_dirs_resolve_from_the_package():
    from builder.resources import data_dir

    assert (data_dir("targets") / "android-xnnpack.toml").is_file()
    assert (data_dir("templates") / "report.html.j2").is_file()
