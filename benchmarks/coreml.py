"""Core ML package size, conversion time and parity per recipe, for the demo model and MiniLM.

    .venv/bin/python benchmarks/coreml.py [--models demo minilm]

Builds each model for the ios-coreml target with every recipe that can be built on this
machine, through the same code path as `edgepack build`: iOS 17 for most recipes, iOS 18
for int4-weights (which needs it). Parity comes from the MIL reference executor on Linux
(Core ML itself cannot run here), so there is no latency column: the executor's speed says
nothing about a phone. Writes benchmarks/results/<date>-coreml.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the MiniLM classifier fixture lives with the tests

from builder.build import BuildOptions, build  # noqa: E402
from builder.progress import Stages  # noqa: E402
from common import cpu_model, model_checkpoints, save_record  # noqa: E402  (benchmarks/common.py, beside this script)

BUILDS = {
    "iOS17": ("fp32", "fp16", "int8-weights", "palettize-8bit", "palettize-6bit", "palettize-4bit", "prune-50"),
    "iOS18": ("int4-weights",),
}


def bench_model(name: str, checkpoint_dir: Path, out: Path) -> list[dict]:
    rows = []
    for deployment_target, recipes in BUILDS.items():
        with Stages(enabled=True) as stages:
            result = build(BuildOptions(checkpoint=checkpoint_dir, output_dir=out / deployment_target, targets=("ios",),
                                        recipes=recipes, backend_settings={"deployment_target": deployment_target}), stages)
        for variant in result.variants:
            figures = variant.parity.headline()
            rows.append({
                "model": name,
                "variant": variant.recipe,
                "deployment_target": deployment_target,
                "mlpackage_mb": round(variant.size_bytes / 1e6, 2),
                # Conversion of the shared base model (and the fp16 safety check) lands in the
                # first variant of each precision; compression and saving in every variant.
                "build_s": round(result.timings[f"lower:{variant.target}:{variant.recipe}"], 1),
                "min_cosine": round(figures["min_cosine"], 6),
                "max_abs_error": float(f"{figures['max_abs_error']:.3g}"),
                "top1_agreement": round(figures["top1_agreement"], 3),
                "parity": variant.parity.verdict,
                "ops_kept_in_fp32": len(variant.details["ops_kept_in_fp32"]),
                "mil_ops": sum(variant.details["mil_ops"].values()),
            })
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| model | recipe | target | .mlpackage MB | build s | min cosine | max abs err | top-1 agree | parity | ops kept fp32 |",
             "|" + "---|" * 10]
    for r in rows:
        verdict = r["parity"] if r["parity"] == "pass" else f"**{r['parity']}**"
        lines.append(f"| {r['model']} | {r['variant']} | {r['deployment_target']} | {r['mlpackage_mb']} | {r['build_s']} | "
                     f"{r['min_cosine']} | {r['max_abs_error']} | {r['top1_agreement']} | {verdict} | {r['ops_kept_in_fp32']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["demo", "minilm"], choices=["demo", "minilm"])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, checkpoint_dir in model_checkpoints(args.models, Path(tmp)):
            rows += bench_model(name, checkpoint_dir, Path(tmp) / "dist" / name)
    record = {"date": dt.date.today().isoformat(), "machine": cpu_model(), "rows": rows}
    save_record(record, f"{record['date']}-coreml.json")
    print(f"\n{record['date']}, {record['machine']}\n")
    print(markdown(rows))


if __name__ == "__main__":
    main()
