"""PEFT adapter folders (LoRA): read them, check them against their base, merge, and prove the merge.

An adapter folder is what `PeftModel.save_pretrained` writes: adapter_config.json plus
adapter_model.safetensors (or adapter_model.bin), often with the tokenizer and a config.json
carrying the labels. The base model comes from `--base`, or from the config's
`base_model_name_or_path` when that is a local folder; nothing is fetched from a hub.

The merged model is what gets exported, so the merge is checked before anything else sees it:
the unmerged adapter model and the merged model are run on the same texts and must agree to
MERGE_TOLERANCE; afterwards no parameter may sit on the meta device and no LoRA layer or
modules_to_save wrapper may remain. Weights are read by this module (safetensors, or
torch.load(weights_only=True)) and handed to peft, so no pickle is ever executed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import torch

from builder.errors import EdgepackError
from builder.json_files import read_json_object

ADAPTER_CONFIG = "adapter_config.json"
SAFE_WEIGHTS = "adapter_model.safetensors"
PICKLED_WEIGHTS = "adapter_model.bin"
# Largest |merged - adapter| output difference accepted in fp32; the merge only reorders float
# sums, so real differences are around 1e-6.
MERGE_TOLERANCE = 1e-4


def task_types() -> dict[str, str]:
    """PEFT task types -> edgepack task names: each task declares the one it merges (Task.peft_task_type)."""
    from builder.tasks import TASKS

    return {task.peft_task_type: name for name, task in TASKS.items() if task.peft_task_type}


# LoRA options that change what a merge means and that no test here covers: refused, named.
# (use_rslora and per-module rank/alpha patterns only change the scaling, which the merge check
# verifies numerically.)
_UNVERIFIED_OPTIONS = {
    "use_dora": "DoRA (use_dora)",
    "alora_invocation_tokens": "activated LoRA (alora_invocation_tokens), which depends on the input and cannot be merged",
    "layer_replication": "layer replication (layer_replication)",
    "target_parameters": "LoRA on bare parameters (target_parameters)",
    "trainable_token_indices": "trainable tokens (trainable_token_indices)",
    "use_qalora": "QA-LoRA (use_qalora)",
    "use_bdlora": "BD-LoRA (use_bdlora)",
    "lora_bias": "LoRA bias (lora_bias)",
    "arrow_config": "Arrow routing (arrow_config)",
}
_PEFT_PREFIX = "base_model.model."
_ADAPTER_KEY = re.compile(r"\.(lora_[A-Za-z_]+|modules_to_save|original_module)\.")


def is_adapter_dir(path: Path) -> bool:
    return (Path(path) / ADAPTER_CONFIG).is_file()


@dataclass
class MergeCheck:
    """The merged model against the unmerged adapter model, both eager fp32, on the same texts."""

    max_abs_error: float
    tolerance: float
    samples: int
    # Largest output change the adapter makes to the base model with the base's own head, which
    # may be random (0 would mean the adapter does nothing).
    adapter_effect: float

    def to_json(self) -> dict[str, Any]:
        return {"max_abs_error": self.max_abs_error, "tolerance": self.tolerance, "samples": self.samples,
                "adapter_effect_max_abs": self.adapter_effect, "reference": "unmerged PeftModel, eager fp32"}


@dataclass
class Adapter:
    path: Path
    base_path: Path
    config: dict[str, Any]
    weights_file: Path
    weights: dict[str, torch.Tensor]
    sha256: str = ""
    base_sha256: str = ""
    merge_check: MergeCheck | None = field(default=None)

    @property
    def task_name(self) -> str | None:
        return task_types().get(self.config.get("task_type") or "")

    @property
    def target_modules(self) -> list[str] | str:
        targets = self.config.get("target_modules")
        return sorted(targets) if isinstance(targets, list) else targets

    @property
    def modules_to_save(self) -> list[str]:
        """The modules whose full weights the adapter carries (peft lists "classifier" and "score"
        for every classifier; only those with saved tensors count)."""
        return sorted({key.rsplit(".", 1)[0] for key in self.saved_module_weights()})

    def label_config(self) -> dict[str, Any]:
        """id2label/label2id from the adapter folder's config.json, where the fine-tuning run
        records the labels of the head it trained (empty when the folder has none)."""
        config_file = self.path / "config.json"
        if not config_file.is_file():
            return {}
        raw = read_json_object(config_file, "re-save the adapter's config.json with save_pretrained")
        if not raw.get("id2label"):
            return {}
        return {key: raw[key] for key in ("id2label", "label2id") if raw.get(key)}

    def saved_module_weights(self) -> dict[str, torch.Tensor]:
        """The modules_to_save tensors (e.g. the classifier head), under the plain model's key names."""
        return {key.removeprefix(_PEFT_PREFIX): value for key, value in self.weights.items() if ".lora_" not in key}

    def fit_config(self, config: Any, raw_config: dict[str, Any], auto_class: Any) -> None:
        """Give the base `config` the adapter's labels: those of the adapter folder's config.json,
        else the base's; their count must match the head the adapter saved. Without labels anywhere
        (LABEL_n defaults), the head's row count decides."""
        import copy

        labels = self.label_config()
        if labels:
            config.id2label = {int(i): label for i, label in labels["id2label"].items()}
            config.label2id = {label: int(i) for i, label in config.id2label.items()}
        with torch.device("meta"):
            probe = auto_class.from_config(copy.deepcopy(config))
        rows = self.head_rows(probe)
        if rows is None:
            return
        named = raw_config.get("id2label") or {}
        if named and not all(re.fullmatch(r"LABEL_\d+", str(label)) for label in named.values()):
            source = self.path / "config.json" if labels else self.base_path / "config.json"
            raise EdgepackError(f"the adapter's saved head has {rows} outputs but {source} lists {len(named)} labels; "
                                f"write the {rows} training labels as id2label into {self.path / 'config.json'}")
        config.num_labels = rows

    def head_rows(self, probe: torch.nn.Module) -> int | None:
        """The label count the adapter's saved head has, when it differs from the head `probe` (the
        model built from the base config, on the meta device) would get; None when they agree."""
        shapes = {name: tuple(p.shape) for name, p in probe.state_dict().items()}
        num_labels = getattr(probe.config, "num_labels", None)
        rows = set()
        for key, value in self.saved_module_weights().items():
            expected = shapes.get(key)
            if expected is None or expected == tuple(value.shape):
                continue
            if expected[0] != num_labels or expected[1:] != tuple(value.shape[1:]):
                raise EdgepackError(f"{self.weights_file} holds {key} of shape {list(value.shape)}, but the model built from "
                                    f"{self.base_path} has {list(expected)}: the adapter was trained on another base; pass its base with --base")
            rows.add(int(value.shape[0]))
        if len(rows) > 1:
            raise EdgepackError(f"the saved modules in {self.weights_file} disagree on the number of labels ({sorted(rows)})")
        return rows.pop() if rows else None

    def merge(self, model: torch.nn.Module, inputs: Sequence[tuple[torch.Tensor, torch.Tensor]]) -> torch.nn.Module:
        """Apply the adapter to `model` (the eager fp32 base), check the fit of every tensor, merge,
        and check the merged model against the adapter model on `inputs`."""
        import peft

        config = peft.LoraConfig.from_pretrained(str(self.path))
        config.inference_mode = True
        try:
            peft_model = peft.get_peft_model(model, config)
        except ValueError as exc:  # peft: target modules not found in the base model
            targets = ", ".join(self.target_modules) if isinstance(self.target_modules, list) else self.target_modules
            raise EdgepackError(f"adapter {self.path} does not fit base {self.base_path}: its target modules ({targets}) are not "
                                f"layers of that model (peft: {str(exc).splitlines()[0]}); pass the base it was trained on with --base") from exc
        try:
            result = peft.set_peft_model_state_dict(peft_model, self.weights)
        except RuntimeError as exc:  # size mismatches from load_state_dict
            first = next((line.strip() for line in str(exc).splitlines() if "size mismatch" in line), str(exc).splitlines()[0])
            raise EdgepackError(f"adapter {self.path} does not fit base {self.base_path} ({first}); "
                                "pass the base it was trained on with --base") from exc
        # peft loads with strict=False: tensors it cannot place are dropped with at most a warning,
        # and LoRA layers it finds no tensors for keep their initial (do-nothing or random) values.
        missing = sorted(k for k in result.missing_keys if _ADAPTER_KEY.search(k) and ".original_module." not in k)
        if result.unexpected_keys or missing:
            problems = []
            if result.unexpected_keys:
                problems.append(f"{len(result.unexpected_keys)} of its tensors name modules the base lacks "
                                f"(e.g. {result.unexpected_keys[0]})")
            if missing:
                problems.append(f"{len(missing)} adapter tensors the base expects are absent (e.g. {missing[0]})")
            raise EdgepackError(f"adapter {self.path} does not fit base {self.base_path}: {'; '.join(problems)}; "
                                "pass the base it was trained on with --base")
        peft_model.eval()
        with torch.no_grad():
            adapted = [_outputs(peft_model, ids, mask) for ids, mask in inputs]
            with peft_model.disable_adapter():
                base = [_outputs(peft_model, ids, mask) for ids, mask in inputs]
            merged = peft_model.merge_and_unload(safe_merge=True).eval()
            after = [_outputs(merged, ids, mask) for ids, mask in inputs]
        check_no_adapter_leftovers(merged)
        error = _max_abs(adapted, after)
        self.merge_check = MergeCheck(error, MERGE_TOLERANCE, len(inputs), _max_abs(adapted, base))
        if not error <= MERGE_TOLERANCE:
            raise EdgepackError(f"merging adapter {self.path} changed the model's outputs by up to {error:.2e} "
                                f"(tolerance {MERGE_TOLERANCE:.0e}); the merged model would not be the adapter model")
        return merged

    def to_json(self) -> dict[str, Any]:
        return {
            "peft_type": self.config.get("peft_type"),
            "task_type": self.config.get("task_type"),
            "r": self.config.get("r"),
            "lora_alpha": self.config.get("lora_alpha"),
            "use_rslora": bool(self.config.get("use_rslora")),
            "target_modules": self.target_modules,
            "modules_to_save": self.modules_to_save,
            "path": str(self.path.resolve()),
            "sha256": self.sha256,
            "weights": self.weights_file.name,
            "base": str(self.base_path.resolve()),
            "base_sha256": self.base_sha256,
            "merge_check": self.merge_check.to_json() if self.merge_check else None,
        }

    def summary(self) -> str:
        """One line for the build output: what was merged into what, and how closely."""
        targets = ", ".join(self.target_modules) if isinstance(self.target_modules, list) else self.target_modules
        saved = f"; full weights of {', '.join(self.modules_to_save)}" if self.modules_to_save else ""
        line = (f"Merged {self.config.get('peft_type')} adapter (r={self.config.get('r')}, alpha={self.config.get('lora_alpha')}, "
                f"targets {targets}{saved}) into {self.base_path}")
        if self.merge_check:
            line += (f": merged vs adapter max abs err {self.merge_check.max_abs_error:.2e} over {self.merge_check.samples} texts "
                     f"(tolerance {self.merge_check.tolerance:.0e})")
        return line


def read_adapter(path: Path, base: Path | None) -> Adapter:
    """Read and check an adapter folder without touching any model: config, base, weights."""
    config_file = path / ADAPTER_CONFIG
    config = read_json_object(config_file, "re-save the adapter with save_pretrained")
    peft_type = config.get("peft_type")
    if peft_type != "LORA":
        raise EdgepackError(f"{config_file} has peft_type {peft_type!r}; only LoRA adapters (peft_type LORA) can be merged "
                            "and exported so far; merge it yourself with merge_and_unload and pass the merged folder")
    unverified = [text for key, text in _UNVERIFIED_OPTIONS.items() if config.get(key)]
    if unverified:
        raise EdgepackError(f"{config_file} uses {', '.join(unverified)}: not supported yet, only plain LoRA "
                            "(any r, alpha, rslora, modules_to_save); merge it yourself with merge_and_unload and pass the merged folder")
    _refuse_unknown_options(config, config_file)
    task_type = config.get("task_type")
    if task_type and task_type not in task_types():
        raise EdgepackError(f"{config_file} has task_type {task_type!r}; supported: {', '.join(task_types())}")
    base_path = _base_path(config, config_file, base)
    weights_file = _weights_file(path)
    return Adapter(path=path, base_path=base_path, config=config, weights_file=weights_file, weights=_load_weights(weights_file))


def _refuse_unknown_options(config: dict[str, Any], config_file: Path) -> None:
    """peft drops options it does not know with a warning; one from a newer peft may change what
    the adapter computes, and the merge check would not see it (both sides ignore it)."""
    import dataclasses
    from importlib.metadata import version

    import peft

    known = {f.name for f in dataclasses.fields(peft.LoraConfig)}
    unknown = sorted(key for key, value in config.items() if key not in known and value not in (None, False, [], {}, ""))
    if unknown:
        raise EdgepackError(f"{config_file} sets {', '.join(unknown)}, unknown to peft {version('peft')} (the adapter was saved "
                            f"by peft {config.get('peft_version', 'of another version')}); merge it with that peft version "
                            "(merge_and_unload) and pass the merged folder")


def _base_path(config: dict[str, Any], config_file: Path, base: Path | None) -> Path:
    if base is not None:
        if not Path(base).is_dir():
            raise EdgepackError(f"--base {base} is not a directory; pass the base checkpoint folder the adapter was trained on")
        return Path(base)
    recorded = config.get("base_model_name_or_path")
    if not recorded:
        raise EdgepackError(f"{config_file} does not name its base model; pass --base with the local base checkpoint folder")
    # peft records the path as training was given it: relative to that run's working directory,
    # which is often the adapter's parent too. A folder of that name that holds no checkpoint (no
    # config.json) does not hide one that does.
    folders = [candidate for candidate in (Path(recorded), config_file.parent / recorded) if candidate.is_dir()]
    for candidate in folders:
        if (candidate / "config.json").is_file():
            return candidate
    if folders:
        return folders[0]  # load_checkpoint names what it lacks
    raise EdgepackError(f"{config_file} names base model {recorded!r}, which is not a local folder; pass --base with the "
                        "local base checkpoint (nothing is downloaded)")


def _weights_file(path: Path) -> Path:
    for name in (SAFE_WEIGHTS, PICKLED_WEIGHTS):
        if (path / name).is_file():
            return path / name
    raise EdgepackError(f"no adapter weights in {path}: expected {SAFE_WEIGHTS} or {PICKLED_WEIGHTS}; save the adapter with save_pretrained")


def _load_weights(weights_file: Path) -> dict[str, torch.Tensor]:
    if weights_file.name == SAFE_WEIGHTS:
        from safetensors.torch import load_file

        try:
            weights = load_file(weights_file)
        except Exception as exc:  # safetensors raises its own SafetensorError
            raise EdgepackError(f"{weights_file} is not a readable safetensors file ({exc})") from exc
    else:
        try:
            weights = torch.load(weights_file, map_location="cpu", weights_only=True)
        except Exception as exc:
            raise EdgepackError(f"{weights_file} is not a plain tensor file and will not be unpickled ({type(exc).__name__}); "
                                "re-save the adapter with save_pretrained(safe_serialization=True)") from exc
    if not isinstance(weights, dict) or not weights or not all(isinstance(v, torch.Tensor) for v in weights.values()):
        raise EdgepackError(f"{weights_file} is not a state dict of tensors; re-save the adapter with save_pretrained")
    return {key: value.to(torch.float32) if value.is_floating_point() else value for key, value in weights.items()}


def check_no_adapter_leftovers(model: torch.nn.Module) -> None:
    """After a merge: every tensor materialised, no peft layer or wrapper, no adapter-named tensor."""
    from peft.tuners.tuners_utils import BaseTunerLayer
    from peft.utils.other import AuxiliaryTrainingWrapper

    meta = [name for name, tensor in [*model.named_parameters(), *model.named_buffers()] if tensor.is_meta]
    wrappers = [name for name, module in model.named_modules() if isinstance(module, (BaseTunerLayer, AuxiliaryTrainingWrapper))]
    named = [key for key in model.state_dict() if _ADAPTER_KEY.search(f".{key}")]
    if meta or wrappers or named:
        raise EdgepackError(f"the merged model still holds adapter parts (meta tensors: {meta[:3]}, peft modules: {wrappers[:3]}, "
                            f"adapter tensors: {named[:3]}); this is a bug in the merge, please report it")


def _outputs(model: torch.nn.Module, ids: torch.Tensor, mask: torch.Tensor) -> list[torch.Tensor]:
    output = model(input_ids=ids, attention_mask=mask)
    return [t for t in output.to_tuple() if isinstance(t, torch.Tensor) and t.is_floating_point()]


def _max_abs(a: list[list[torch.Tensor]], b: list[list[torch.Tensor]]) -> float:
    return max((float((x - y).abs().max()) for xs, ys in zip(a, b) for x, y in zip(xs, ys, strict=True)), default=0.0)
