"""Load a fine-tuned checkpoint directory and detect what it is.

Reads what `save_pretrained` writes. Weights come from safetensors, or from
pytorch_model.bin through `torch.load(weights_only=True)`: a pickle that needs more than
tensors is refused, never executed. Nothing is fetched from a hub.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import torch

from builder.architectures import ARCHITECTURES, Architecture
from builder.errors import EdgepackError
from builder.tasks import TASKS, Task
from builder.tokenizer_asset import TokenizerAsset, load_tokenizer

_WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)


@dataclass
class Checkpoint:
    path: Path
    name: str
    config: "transformers.PretrainedConfig"  # noqa: F821 - imported lazily
    architecture: Architecture
    task: Task
    labels: list[str]
    tokenizer: TokenizerAsset
    weight_files: list[Path]
    fingerprint: str
    # Top-level fields of the model card's front matter (README.md), e.g. license.
    card: dict[str, str] = field(default_factory=dict)

    @property
    def uses_safetensors(self) -> bool:
        return any(p.name.startswith("model.safetensors") for p in self.weight_files)

    def load_model(self) -> torch.nn.Module:
        import transformers

        auto_class = getattr(transformers, self.task.auto_model_class)
        model, info = auto_class.from_pretrained(
            self.path,
            local_files_only=True,
            use_safetensors=self.uses_safetensors,
            weights_only=True,
            # Eager attention exports as plain matmul/softmax, which the fusion passes
            # rewrite into scaled_dot_product_attention themselves (and check numerically).
            attn_implementation="eager",
            dtype=torch.float32,
            output_loading_info=True,
        )
        missing = sorted(info["missing_keys"])
        if missing:
            raise EdgepackError(
                f"{self.path} lacks weights for {len(missing)} tensors ({', '.join(missing[:3])}...): transformers would "
                f"initialise them randomly and the app would ship random answers; save the fine-tuned {self.task.name} model with save_pretrained"
            )
        return model.eval()


def load_checkpoint(path: Path, task_name: str | None = None) -> Checkpoint:
    path = Path(path)
    if not path.exists():
        raise EdgepackError(f"checkpoint directory {path} does not exist; pass the folder that save_pretrained wrote")
    if not path.is_dir():
        raise EdgepackError(f"{path} is a file; pass the checkpoint directory that contains config.json")
    config_file = path / "config.json"
    if not config_file.is_file():
        raise EdgepackError(f"no config.json in {path}; pass the folder that save_pretrained wrote (config.json + weights + tokenizer)")
    try:
        raw_config = json.loads(config_file.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise EdgepackError(f"{config_file} is not valid JSON ({exc})") from exc

    model_type = raw_config.get("model_type")
    if model_type not in ARCHITECTURES:
        raise EdgepackError(
            f"unsupported architecture {model_type!r} in {config_file}; supported: {', '.join(ARCHITECTURES.names())}"
        )
    architecture = ARCHITECTURES.get(model_type)
    task = _detect_task(raw_config, task_name, config_file)
    if task.name not in architecture.tasks:
        raise EdgepackError(
            f"{architecture.display_name} does not support task {task.name!r} yet; supported for it: {', '.join(architecture.tasks)}"
        )

    weight_files = [path / name for name in _WEIGHT_FILES if (path / name).is_file()]
    if not weight_files:
        raise EdgepackError(f"no weights in {path}: expected model.safetensors or pytorch_model.bin; save the model with save_pretrained")
    if not any(p.name.startswith("model.safetensors") for p in weight_files):
        _check_pickle_is_tensors_only(path)

    import transformers

    try:
        config = transformers.AutoConfig.from_pretrained(path, local_files_only=True)
    except Exception as exc:
        raise EdgepackError(f"transformers cannot read {config_file} ({exc})") from exc

    task = task.for_checkpoint(path, raw_config)
    labels = task.labels(raw_config, config, path)
    tokenizer = load_tokenizer(path)
    return Checkpoint(
        path=path,
        name=path.resolve().name,
        config=config,
        architecture=architecture,
        task=task,
        labels=labels,
        tokenizer=tokenizer,
        weight_files=weight_files,
        fingerprint=_fingerprint(path),
        card=_model_card_fields(path / "README.md"),
    )


def _detect_task(raw_config: dict, task_name: str | None, config_file: Path) -> Task:
    if task_name:
        return TASKS.get(task_name)
    heads = raw_config.get("architectures") or []
    found = ", ".join(heads) or "none"
    matches = [task for _, task in TASKS.items() if task.matches(heads, config_file.parent)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise EdgepackError(
            f"{config_file.parent} fits several tasks (architectures: {found}): {', '.join(t.name for t in matches)}; "
            "pass --task with the one you want"
        )
    raise EdgepackError(
        f"cannot tell the task from {config_file} (architectures: {found}); "
        f"pass --task with one of: {', '.join(TASKS.names())}"
    )


def _check_pickle_is_tensors_only(path: Path) -> None:
    for weights in sorted(path.glob("pytorch_model*.bin")):
        try:
            torch.load(weights, map_location="cpu", weights_only=True, mmap=True)
        except Exception as exc:
            raise EdgepackError(
                f"{weights} is not a plain tensor file and will not be unpickled ({type(exc).__name__}); "
                "re-save it with save_pretrained(safe_serialization=True)"
            ) from exc


def _model_card_fields(readme: Path) -> dict[str, str]:
    """Plain `key: value` lines of the card's YAML front matter (lists and nesting skipped):
    enough for license and author, without evaluating YAML from a downloaded folder."""
    try:
        text = readme.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}
    fields = {}
    for line in lines[1:]:
        if line.strip() == "---":
            break
        key, sep, value = line.partition(":")
        if sep and key and not key[0].isspace() and value.strip():
            fields[key.strip()] = value.strip().strip("'\"")
    return fields


def _fingerprint(path: Path) -> str:
    """sha256 over the checkpoint's files (names and contents), recorded in the manifest."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(file.relative_to(path).as_posix().encode())
        with file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()
