"""JSON files a user hands edgepack (config.json, adapter_config.json, a bundle's manifest): read as an
object, or refused in one line that names the file and the fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from builder.errors import EdgepackError


def read_json_object(path: Path, fix: str) -> dict[str, Any]:
    if not path.is_file():
        raise EdgepackError(f"{path} does not exist; {fix}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EdgepackError(f"{path} is not valid JSON ({exc}); {fix}") from exc
    if not isinstance(data, dict):
        raise EdgepackError(f"{path} holds a JSON {type(data).__name__}, not an object; {fix}")
    return data
