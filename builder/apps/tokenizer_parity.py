"""Proof that an app shell's tokenizer tokenizes like Hugging Face `tokenizers`, id for id.

Each kit has a command-line tokenizer with one protocol (Kotlin `TokenizerCli`, Swift
`edgepack-tokenize`): `<tokenizer.json> <texts.txt> [<tokenizer.json> <texts.txt> ...]`, each
line of texts.txt a JSON string or a JSON array of two strings (a pair), one JSON object per
line out ({"ids", "type_ids", "attention_mask", "offsets", "word_ids", "decoded", "decoded_with_special";
or "decoder_unsupported" in place of the last two when the kit lacks the tokenizer's decoder}), job after job, exit 2 on an
unsupported tokenizer. This module writes the jobs, reads the answers and compares them with
`tokenizers.Tokenizer.encode`; the kits' modules only say how to run their tokenizer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

Text = str | tuple[str, str]
Job = tuple[Path, list[Text]]
# Runs every job through the app's tokenizer: one list of encodings (dicts) per job.
RunTokenizers = Callable[[list[Job]], list[list[dict]]]

FIELDS = ("ids", "type_ids", "offsets", "attention_mask", "word_ids")
# Left out where the app's tokenizer says its kit lacks the decoder (only tasks that decode need one).
DECODED_FIELDS = ("decoded", "decoded_with_special")


def encode_line(text: Text) -> str:
    """One line of a texts file: a JSON string, or a JSON array of two strings for a pair."""
    return json.dumps(list(text) if isinstance(text, tuple) else text, ensure_ascii=True)


def write_texts(path: Path, texts: list[Text]) -> None:
    path.write_text("".join(encode_line(t) + "\n" for t in texts), encoding="utf-8")


def split_output(stdout: bytes | str, jobs: list[Job], who: str) -> list[list[dict]]:
    """The CLI's output lines, one list per job."""
    text = stdout.decode("utf-8") if isinstance(stdout, bytes) else stdout
    out = [json.loads(line) for line in text.splitlines() if line.strip()]
    expected = sum(len(texts) for _, texts in jobs)
    if len(out) != expected:
        raise RuntimeError(f"{who} printed {len(out)} encodings for {expected} texts")
    results, start = [], 0
    for _, texts in jobs:
        results.append(out[start:start + len(texts)])
        start += len(texts)
    return results


def hf_encoding(tokenizer, text: Text) -> dict:
    enc = tokenizer.encode(*text) if isinstance(text, tuple) else tokenizer.encode(text)
    return {
        "ids": list(enc.ids),
        "type_ids": list(enc.type_ids),
        "offsets": [list(o) for o in enc.offsets],
        "attention_mask": list(enc.attention_mask),
        "word_ids": list(enc.word_ids),
        "decoded": tokenizer.decode(enc.ids, skip_special_tokens=True),
        "decoded_with_special": tokenizer.decode(enc.ids, skip_special_tokens=False),
        "tokens": list(enc.tokens),
    }


def compare_many_with_hf(jobs: list[Job], run: RunTokenizers, label: str) -> list[tuple[int, list[dict]]]:
    """For each (tokenizer.json, texts) job: (number of texts that agree, the disagreements).

    `run` tokenizes every job with the app's tokenizer (ideally in one process); a disagreement
    holds the text, the differing fields, the Hugging Face encoding ("hf"), the app's (under
    `label`) and the Hugging Face tokens.
    """
    from tokenizers import Tokenizer

    results = []
    for (tokenizer_json, texts), app in zip(jobs, run(jobs)):
        hf = Tokenizer.from_file(str(tokenizer_json))
        passed, mismatches = 0, []
        for text, got in zip(texts, app):
            want = hf_encoding(hf, text)
            tokens = want.pop("tokens")
            if "decoder_unsupported" in got:
                for key in DECODED_FIELDS:
                    del want[key]
            got = {key: got.get(key) for key in want}
            if got == want:
                passed += 1
            else:
                diff = [key for key in want if got[key] != want[key]]
                mismatches.append({"text": text, "fields": diff, "hf": want, label: got, "tokens": tokens})
        results.append((passed, mismatches))
    return results
