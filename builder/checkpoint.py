"""Load a fine-tuned checkpoint directory and detect what it is.

Reads what `save_pretrained` writes. Weights come from safetensors, or from
pytorch_model.bin through `torch.load(weights_only=True)`: a pickle that needs more than
tensors is refused, never executed. Nothing is fetched from a hub.

A PEFT adapter folder (builder.adapters) loads as its base checkpoint with the adapter merged
in: the base gives the architecture and the weights, the adapter folder the task, the head and,
when it has them, the labels and the tokenizer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import torch

from builder.adapters import Adapter, is_adapter_dir, read_adapter
from builder.architectures import ARCHITECTURES, Architecture
from builder.checkpoint_checks import RESAVE, check_shapes, check_tokenizer_fits, read_config, weight_shapes
from builder.errors import EdgepackError
from builder.samples import BUILTIN_SAMPLES, Sample
from builder.tasks import TASKS, Task, TaskOptions
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
    # The task spec (a registry class); bind_task configures it for a build.
    task: type[Task]
    labels: list[str]
    # What the task read from the folder besides the labels (Task.read_settings).
    task_settings: Any
    tokenizer: TokenizerAsset
    weight_files: list[Path]
    fingerprint: str
    # Top-level fields of the model card's front matter (README.md), e.g. license.
    card: dict[str, str] = field(default_factory=dict)
    # Set when `path` is a PEFT adapter folder: load_model merges it into its base.
    adapter: Adapter | None = None
    # Weights load_model did not find in the folder (randomly initialised), by state-dict name.
    missing_weights: list[str] = field(default_factory=list)

    @property
    def uses_safetensors(self) -> bool:
        return any(p.name.startswith("model.safetensors") for p in self.weight_files)

    def bind_task(self, options: TaskOptions) -> Task:
        return self.task.bind(self.labels, options, self.task_settings)

    @property
    def takes_segment_ids(self) -> bool:
        """Segment ids matter only to a model with more than one segment embedding (BERT, not RoBERTa)."""
        return self.architecture.uses_token_type_ids and getattr(self.config, "type_vocab_size", 0) > 1

    @property
    def model_dir(self) -> Path:
        """The folder holding config.json and the (base) weights."""
        return self.adapter.base_path if self.adapter else self.path

    def load_model(self, check_texts: Sequence[Sample] = ()) -> torch.nn.Module:
        """The eager fp32 model; for an adapter folder, its base with the adapter merged in and the
        merge checked on `check_texts` (default: the built-in samples)."""
        import transformers

        auto_class = getattr(transformers, self.task.auto_model_class)
        try:
            model, info = auto_class.from_pretrained(
                self.model_dir,
                config=self.config,
                local_files_only=True,
                use_safetensors=self.uses_safetensors,
                weights_only=True,
                # Eager attention exports as plain matmul/softmax, which the fusion passes
                # rewrite into scaled_dot_product_attention themselves (and check numerically).
                attn_implementation="eager",
                dtype=torch.float32,
                output_loading_info=True,
                # An adapter's saved head may replace a base head of another size (checked below).
                ignore_mismatched_sizes=self.adapter is not None,
            )
        except Exception as exc:  # what load_checkpoint's own checks did not foresee, still one line
            raise EdgepackError(f"transformers cannot load the weights in {self.model_dir} ({type(exc).__name__}: "
                                f"{str(exc).strip().splitlines()[0] if str(exc).strip() else 'no message'}); {RESAVE}") from exc
        missing = set(info["missing_keys"]) | {k[0] if isinstance(k, tuple) else k for k in info.get("mismatched_keys") or ()}
        if self.adapter:
            missing -= set(self.adapter.saved_module_weights())
        # Refused only if the exported graph reads them (require_weights_read): a bare encoder saved without its
        # pooler is a fine sentence embedder under mean or CLS pooling, which never runs the pooler.
        self.missing_weights = sorted(missing)
        model.eval()
        if self.adapter:
            checks = [self._check_tensors(text) for text in check_texts or BUILTIN_SAMPLES]
            # A text a tokenizer without special tokens (GPT-2's) turns into no ids gives the model nothing to read.
            model = self.adapter.merge(model, [(ids, mask) for ids, mask in checks if ids.shape[1]])
        return model

    def require_weights_read(self, parameters_read: set[str]) -> None:
        """Refuse the weights load_model found missing (transformers initialised them randomly) that the
        exported graph computes with: the app would ship random answers."""
        read = [name for name in self.missing_weights
                if any(used == name or used.endswith("." + name) for used in parameters_read)]
        if read:
            raise EdgepackError(
                f"{self.model_dir} lacks weights for {len(read)} tensors the {self.task.name} model computes with "
                f"({', '.join(read[:3])}{'...' if len(read) > 3 else ''}): transformers would initialise them randomly and the "
                f"app would ship random answers; save the fine-tuned {self.task.name} model with save_pretrained"
                + (" (or the adapter with its head in modules_to_save)" if self.adapter else "")
            )

    def _check_tensors(self, sample: Sample) -> tuple[torch.Tensor, torch.Tensor]:
        text, pair = sample if isinstance(sample, tuple) else (sample, None)
        encoding = self.tokenizer.encode_full(text, pair)
        limit = getattr(self.config, "max_position_embeddings", None) or len(encoding.ids)
        return (torch.tensor([encoding.ids[:limit]], dtype=torch.long),
                torch.tensor([encoding.attention_mask[:limit]], dtype=torch.long))


def load_checkpoint(path: Path, task_name: str | None = None, base: Path | None = None) -> Checkpoint:
    path = Path(path)
    if not path.exists():
        raise EdgepackError(f"checkpoint directory {path} does not exist; pass the folder that save_pretrained wrote")
    if not path.is_dir():
        raise EdgepackError(f"{path} is a file; pass the checkpoint directory that contains config.json")
    adapter = None
    if is_adapter_dir(path):
        adapter = read_adapter(path, base)
    elif base is not None:
        raise EdgepackError(f"--base is for PEFT adapter folders, and {path} has no adapter_config.json; build {path} without --base")
    model_dir = adapter.base_path if adapter else path
    config_file = model_dir / "config.json"
    if not config_file.is_file():
        raise EdgepackError(f"no config.json in {model_dir}; pass the folder that save_pretrained wrote (config.json + weights + tokenizer)")
    raw_config = read_config(config_file)
    if adapter:
        raw_config.update(adapter.label_config())

    model_type = raw_config.get("model_type")
    if model_type not in ARCHITECTURES:
        raise EdgepackError(
            f"unsupported architecture {model_type!r} in {config_file}; supported: {', '.join(ARCHITECTURES.names())}"
        )
    architecture = ARCHITECTURES.get(model_type)
    task = _detect_task(raw_config, task_name or (adapter.task_name if adapter else None), config_file)
    if task.name not in architecture.tasks:
        raise EdgepackError(
            f"{architecture.display_name} does not support task {task.name!r} yet; supported for it: {', '.join(architecture.tasks)}"
        )

    weight_files = [model_dir / name for name in _WEIGHT_FILES if (model_dir / name).is_file()]
    if not weight_files:
        raise EdgepackError(f"no weights in {model_dir}: expected model.safetensors or pytorch_model.bin; save the model with save_pretrained")
    # safetensors when there are any, as load_model reads them.
    safetensors = [p for p in weight_files if p.name.startswith("model.safetensors")]
    found = weight_shapes(safetensors[:1] if safetensors else weight_files[:1])

    import transformers

    try:
        config = transformers.AutoConfig.from_pretrained(model_dir, local_files_only=True)
    except Exception as exc:
        raise EdgepackError(f"transformers cannot read {config_file} ({exc})") from exc
    if adapter:
        adapter.fit_config(config, raw_config, getattr(transformers, task.auto_model_class))

    settings = task.read_settings(model_dir, raw_config)
    labels = task.read_labels(raw_config, config, model_dir)  # first: the task's own label checks say more than a head's shape
    check_shapes(found, config, getattr(transformers, task.auto_model_class), config_file,
                 allowed=adapter.saved_module_weights() if adapter else ())
    tokenizer = load_tokenizer(path if adapter and _has_tokenizer(path) else model_dir)
    check_tokenizer_fits(tokenizer.source_dir / tokenizer.origin.split()[0], max(tokenizer.tokenizer.get_vocab(with_added_tokens=True).values()),
                         config, config_file)
    fingerprint = _fingerprint(path)
    card = _model_card_fields(path / "README.md")
    if adapter:
        adapter.sha256, adapter.base_sha256 = fingerprint, _fingerprint(model_dir)
        # The bundle comes from both folders: a new base is a new model.
        fingerprint = hashlib.sha256(f"{adapter.sha256}+{adapter.base_sha256}".encode()).hexdigest()
        card = {**_model_card_fields(model_dir / "README.md"), **{k: v for k, v in card.items() if k != "base_model"}}
    return Checkpoint(
        path=path,
        name=path.resolve().name,
        config=config,
        architecture=architecture,
        task=task,
        labels=labels,
        task_settings=settings,
        tokenizer=tokenizer,
        weight_files=weight_files,
        fingerprint=fingerprint,
        card=card,
        adapter=adapter,
    )


def _has_tokenizer(path: Path) -> bool:
    return (path / "tokenizer.json").is_file() or (path / "vocab.txt").is_file()


def _detect_task(raw_config: dict, task_name: str | None, config_file: Path) -> type[Task]:
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
        if sep and key and not key[0].isspace() and not key.startswith("-") and value.strip():
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
