"""Sample texts for parity checks and calibration: the user's, or a built-in set.

Real text finds problems random ids hide (unknown words, accents, CJK, truncation), so
the built-in set is made of edge cases rather than random tensors.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Sequence

from builder.errors import EdgepackError

# One text, or a pair of texts encoded together.
Sample = str | tuple[str, str]

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


# Sentence pairs for pair classifiers (NLI, paraphrase) when no samples file is given: entailment,
# contradiction and unrelated pairs, a pair with an empty side, and one long enough to be truncated.
BUILTIN_PAIRS: tuple[tuple[str, str], ...] = (
    ("A man is playing a guitar on stage.", "Someone is performing music."),
    ("A man is playing a guitar on stage.", "The stage is empty."),
    ("Where is my order?", "When will my package arrive?"),
    ("I want to cancel my subscription.", "Please keep my subscription running."),
    ("The café opens at nine.", "Le café ouvre à neuf heures."),
    ("我的订单什么时候到？", "注文をキャンセルしたいです"),
    ("great service 👍", "terrible service"),
    ("ok", ""),
    ("Is the blue jacket available in size M?", "Do you have the blue jacket in medium?"),
    ("My package was marked as delivered.",
     " ".join(["My package was marked as delivered but I never received it, and"] * 20)),
)

# (question, context) pairs for extractive question answering: answers at the start, middle and
# end of the context, accents and CJK, a question without an answer, and a context longer than a
# typical --max-seq-len (the context is truncated, never the question).
BUILTIN_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("Where is my order?", "Your order left the warehouse in Lyon on Monday and should arrive by Friday."),
    ("When will it arrive?", "Your order left the warehouse in Lyon on Monday and should arrive by Friday."),
    ("Who delivers the parcel?", "The parcel is delivered by a courier named Ångström, who works weekends."),
    ("What size is the jacket?", "The blue jacket is available in size M, and size L will be restocked soon."),
    ("How much was I charged?", "Your card was charged twice: 19.99 EUR on the 3rd and again on the 4th."),
    ("Which address is used?", "Deliveries go to 12 rue de la Façade, Paris, unless you change the address."),
    ("订单在哪里？", "我的订单什么时候到？订单在上海的仓库。"),
    ("What is the refund policy?", "Refunds are issued within 14 days to the original payment method."),
    ("Can I cancel?", "The weather was sunny all week."),
    ("Where is the package?",
     " ".join(["My package was marked as delivered but I never received it, and"] * 20) + " It is at the post office."),
)


def load_samples(path: Path | None, text_column: str = "text", pair_column: str | None = None,
                 default_pairs: Sequence[tuple[str, str]] = ()) -> list[Sample]:
    """Texts, or with `pair_column` (text, pair) tuples: from a .csv/.jsonl file's two columns, a
    .txt file's tab-separated lines, or the built-in sets."""
    if path is None:
        return list(default_pairs) if pair_column else list(BUILTIN_SAMPLES)
    path = Path(path)
    if not path.is_file():
        raise EdgepackError(f"samples file {path} does not exist; pass a .txt (one text per line), .csv or .jsonl file")
    columns = (text_column, pair_column) if pair_column else (text_column,)
    suffix = path.suffix.lower()
    try:
        if suffix == ".txt":
            lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            samples = [_txt_pair(line, number, path) if pair_column else line for number, line in enumerate(lines, 1)]
        elif suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                for column in columns:
                    if column not in (reader.fieldnames or []):
                        raise EdgepackError(f"{path} has no column {column!r} (columns: {', '.join(reader.fieldnames or [])}); "
                                            f"pass {_column_option(column, text_column)}")
                samples = [_sample([row[c] or "" for c in columns]) for row in reader]
        elif suffix in (".jsonl", ".ndjson"):
            samples = [_sample(_jsonl_fields(line, number, path, columns, text_column))
                       for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.strip()]
        else:
            raise EdgepackError(f"samples file {path} has suffix {suffix or '(none)'}; use .txt, .csv or .jsonl")
    except UnicodeDecodeError as exc:
        raise EdgepackError(f"samples file {path} is not UTF-8 text ({exc.reason}); re-save it as UTF-8") from exc
    if not samples:
        raise EdgepackError(f"samples file {path} holds no texts; add at least one")
    return samples


def _sample(fields: list[str]) -> Sample:
    return fields[0] if len(fields) == 1 else (fields[0], fields[1])


def _column_option(column: str, text_column: str) -> str:
    return "--text-column" if column == text_column else "--text-pair-column"


def _txt_pair(line: str, number: int, path: Path) -> tuple[str, str]:
    first, tab, second = line.partition("\t")
    if not tab:
        raise EdgepackError(f"{path}:{number} has no tab: a .txt file of pairs holds one pair per line, the two texts "
                            "separated by a tab (or use .csv/.jsonl with two columns)")
    return first, second


def _jsonl_fields(line: str, number: int, path: Path, columns: Sequence[str], text_column: str) -> list[str]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise EdgepackError(f"{path}:{number} is not valid JSON ({exc.msg})") from exc
    for column in columns:
        if not isinstance(record, dict) or not isinstance(record.get(column), str):
            raise EdgepackError(f"{path}:{number} has no string field {column!r}; pass {_column_option(column, text_column)}")
    return [record[column] for column in columns]
