"""What a checkpoint folder says about itself, checked against itself before any heavy work.

config.json must be a JSON object; every weight file must be readable (a truncated safetensors
file, an index naming a shard that is not there); every tensor must have the shape the model
built from config.json gives it; the tokenizer's ids must fit the embedding table. Each problem
is one message naming the file, what was found and what was expected, instead of a library's
traceback, or, worse, a model that reads out of bounds on the phone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

import torch

from builder.errors import EdgepackError
from builder.json_files import read_json_object

INDEX_SUFFIX = ".index.json"
RESAVE = "re-save the model with save_pretrained"


def read_config(config_file: Path) -> dict[str, Any]:
    return read_json_object(config_file, RESAVE)


def weight_shapes(weight_files: Iterable[Path]) -> dict[str, tuple[Path, tuple[int, ...]]]:
    """Every tensor the weight files hold: name -> (file, shape), read from the safetensors headers
    (or the tensors-only pickles) without loading the data; shards are checked against their index."""
    found: dict[str, tuple[Path, tuple[int, ...]]] = {}
    for path in weight_files:
        if path.name.endswith(INDEX_SUFFIX):
            for shard, names in _shards(path).items():
                held = _tensor_shapes(shard)
                absent = sorted(set(names) - set(held))
                if absent:
                    raise EdgepackError(f"{path.name} maps {len(absent)} tensors ({', '.join(absent[:3])}) to {shard.name}, which "
                                        f"does not hold them; the shards and their index disagree: {RESAVE}")
                found.update({name: (shard, held[name]) for name in names})
        else:
            found.update({name: (path, shape) for name, shape in _tensor_shapes(path).items()})
    return found


def _shards(index: Path) -> dict[Path, list[str]]:
    try:
        weight_map = json.loads(index.read_text(encoding="utf-8"))["weight_map"]
        assert isinstance(weight_map, dict) and all(isinstance(v, str) for v in weight_map.values())
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise EdgepackError(f"{index} is not a shard index (a JSON object with a weight_map of tensor -> file): {RESAVE}") from exc
    shards: dict[Path, list[str]] = {}
    for name, file in weight_map.items():
        shard = index.parent / file
        if Path(file).name != file or not shard.is_file():
            raise EdgepackError(f"{index.name} names the shard {file!r}, which is not in {index.parent}; copy every shard of the "
                                "checkpoint, or re-save it with save_pretrained")
        shards.setdefault(shard, []).append(name)
    return shards


def _tensor_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    if path.suffix == ".safetensors":
        from safetensors import safe_open

        try:
            with safe_open(path, framework="pt") as handle:
                return {name: tuple(handle.get_slice(name).get_shape()) for name in handle.keys()}
        except Exception as exc:  # safetensors raises its own SafetensorError (and OSError) for what it cannot read
            raise EdgepackError(f"{path} is not a readable safetensors file ({str(exc).splitlines()[0]}): it is truncated or "
                                f"corrupt; copy it again or {RESAVE}") from exc
    try:
        state = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except Exception as exc:
        raise EdgepackError(f"{path} is not a plain tensor file and will not be unpickled ({type(exc).__name__}); "
                            "re-save it with save_pretrained(safe_serialization=True)") from exc
    if not isinstance(state, dict):
        raise EdgepackError(f"{path} holds a {type(state).__name__}, not a state dict of tensors; {RESAVE}")
    return {name: tuple(t.shape) for name, t in state.items() if isinstance(t, torch.Tensor)}


def check_shapes(found: dict[str, tuple[Path, tuple[int, ...]]], config, auto_class, config_file: Path,
                 allowed: Iterable[str] = ()) -> None:
    """Every tensor whose name the model built from config.json knows must have the shape that model
    gives it (`allowed`: names another source replaces, such as an adapter's saved head)."""
    try:
        with torch.device("meta"):
            model = auto_class.from_config(config)
    except Exception as exc:  # transformers' own checks of the settings (e.g. heads that do not divide the width)
        raise EdgepackError(f"transformers cannot build a model from {config_file} ({type(exc).__name__}: "
                            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else 'no message'}); {RESAVE}") from exc
    expected = {name: tuple(t.shape) for name, t in model.state_dict().items()}
    prefix = getattr(model, "base_model_prefix", "")
    allowed = set(allowed)
    for name, (file, shape) in sorted(found.items()):
        key = _model_key(name, expected, prefix)
        if key is None or key in allowed or expected[key] == shape:
            continue
        labels = getattr(config, "num_labels", None)
        if labels in expected[key][:1] and shape[:1] != expected[key][:1]:
            raise EdgepackError(f"{config_file} names {labels} labels (id2label), but the head tensor {name} in {file.name} has "
                                f"{shape[0]} outputs; give id2label one name per output of the fine-tuned head")
        raise EdgepackError(f"{file}: tensor {name} has shape {list(shape)}, but {config_file} makes it {list(expected[key])}; "
                            f"the weights and config.json are not from the same model: {RESAVE}")


def _model_key(name: str, expected: dict[str, Any], prefix: str) -> str | None:
    """The model's name for a file's tensor, as transformers matches them (a base model's weights
    load into a model with a head, under its base_model_prefix, and the other way round)."""
    if name in expected:
        return name
    if prefix and f"{prefix}.{name}" in expected:
        return f"{prefix}.{name}"
    if prefix and name.startswith(prefix + ".") and name[len(prefix) + 1:] in expected:
        return name[len(prefix) + 1:]
    return None


def check_tokenizer_fits(tokenizer_file: Path, largest_id: int, config, config_file: Path) -> None:
    rows = getattr(config, "vocab_size", None)
    if rows is not None and largest_id >= rows:
        raise EdgepackError(f"{tokenizer_file} has token ids up to {largest_id}, but the model's embedding table has {rows} rows "
                            f"(vocab_size in {config_file.name}): ids past it would read out of bounds. Use the tokenizer the model was "
                            "trained with, or save the model after resize_token_embeddings")
