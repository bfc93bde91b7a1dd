"""parity/report.json and parity/report.html.

The JSON carries every figure (per output, per sample); the HTML renders the same data
through templates/report.html.j2 with inline SVG plots, so it opens anywhere offline.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Sequence

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from builder.bundle import write_json
from builder.resources import data_dir


def write_report(directory: Path, manifest: dict[str, Any], variants: Sequence[Any]) -> None:
    report = {
        "model": manifest["model"],
        "task": manifest["task"]["name"],
        "status": manifest["status"],
        "variants": [
            {"name": v.name, "backend": v.backend, "file": v.file, "size_bytes": v.size_bytes, "details": v.details,
             "parity": v.parity.to_json(), "runs": [run.to_json() for run in v.runs]}
            for v in variants
        ],
        "fusion": manifest["fusion"],
        "build_seconds": manifest["build_seconds"],
        "toolchain": manifest["toolchain"],
    }
    write_json(directory / "report.json", report)
    (directory / "report.html").write_text(render_html(report), encoding="utf-8")


def render_html(report: dict[str, Any]) -> str:
    """The HTML page; each backend present renders its own section (Backend.report_template)."""
    from builder.backends import BACKENDS

    sections = []
    for name in dict.fromkeys(v["backend"] for v in report["variants"]):
        template = BACKENDS.get(name).report_template
        if template:
            sections.append({"template": template, "variants": [v for v in report["variants"] if v["backend"] == name]})
    env = Environment(
        loader=FileSystemLoader(data_dir("templates")),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
    )
    env.filters["bars"] = _bar_heights
    return env.get_template("report.html.j2").render(report={**report, "backend_sections": sections})


def _bar_heights(values: Sequence[float], floor: float) -> list[float]:
    """Map values in [floor, 1] (cosines) or error magnitudes to 0..1 bar heights on a log scale."""
    if floor > 0:  # cosine: show 1 - cos on a log axis from 1e-8 (perfect) up to 1 - floor
        span = math.log10(1 - floor) + 8
        return [min(1.0, max(0.0, (math.log10(max(1 - v, 1e-8)) + 8) / span)) for v in values]
    top = max(values, default=0.0) or 1.0
    return [v / top for v in values]
