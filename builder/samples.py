"""Sample texts for parity checks and calibration: the user's, or a built-in set.

Real text finds problems random ids hide (unknown words, accents, CJK, truncation), so
the built-in set is made of edge cases rather than random tensors.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from builder.errors import EdgepackError

BUILTIN_SAMPLES: tuple[str, ...] = (
    "",
    "hello",
    "Where is my order? It was supposed to arrive yesterday.",
    "I want to cancel my subscription and get a refund for last month.",
    "Can I change the delivery address for order #48213?",
    "the app keeps logging me out every time i open it",
    "Ça ne marche pas, je voudrais parler à quelqu'un.",
    "Café crème, naïve résumé, Ångström, façade",
    "我的订单什么时候到？",
    "注文をキャンセルしたいです",
    "great service 👍🎉 thanks!!!",
    "ok",
    "PLEASE HELP ME MY CARD WAS CHARGED TWICE",
    "Is the blue jacket available in size M, or will it be restocked soon?",
    # Longer than a typical --max-seq-len, so truncation is exercised.
    " ".join(["My package was marked as delivered but I never received it, and"] * 20),
)


def load_samples(path: Path | None, text_column: str = "text") -> list[str]:
    if path is None:
        return list(BUILTIN_SAMPLES)
    path = Path(path)
    if not path.is_file():
        raise EdgepackError(f"samples file {path} does not exist; pass a .txt (one text per line), .csv or .jsonl file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".txt":
            texts = [line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines()]
            texts = [t for t in texts if t.strip()]
        elif suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                if text_column not in (reader.fieldnames or []):
                    raise EdgepackError(
                        f"{path} has no column {text_column!r} (columns: {', '.join(reader.fieldnames or [])}); pass --text-column"
                    )
                texts = [row[text_column] for row in reader]
        elif suffix in (".jsonl", ".ndjson"):
            texts = [_jsonl_text(line, number, path, text_column)
                     for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.strip()]
        else:
            raise EdgepackError(f"samples file {path} has suffix {suffix or '(none)'}; use .txt, .csv or .jsonl")
    except UnicodeDecodeError as exc:
        raise EdgepackError(f"samples file {path} is not UTF-8 text ({exc.reason}); re-save it as UTF-8") from exc
    if not texts:
        raise EdgepackError(f"samples file {path} holds no texts; add at least one")
    return texts


def _jsonl_text(line: str, number: int, path: Path, column: str) -> str:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise EdgepackError(f"{path}:{number} is not valid JSON ({exc.msg})") from exc
    if not isinstance(record, dict) or not isinstance(record.get(column), str):
        raise EdgepackError(f"{path}:{number} has no string field {column!r}; pass --text-column")
    return record[column]
