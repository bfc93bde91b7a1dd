"""Keep the ExecuTorch compile-time stubs honest.

tools/android-stubs/executorch holds hand-written Java stubs of the ExecuTorch Android API
(`org.pytorch.executorch.*`). Generated Kotlin is compiled against them on hosts without the
Android SDK, so a stub whose signature drifts from the real library would let a broken app
"compile". SIGNATURES.txt is the public JVM surface of the upstream classes, produced by
compiling the upstream Kotlin sources and reading the classes back with `javap`
(`extract_upstream_signatures`); `check_stub_signatures` parses the stub .java files with
tree-sitter-java and reports every difference.

One line per member, `<class> | <signature>`, in a normal form shared by both sides:
  org.pytorch.executorch.Module | class implements java.io.Closeable
  org.pytorch.executorch.Module | static org.pytorch.executorch.Module load(java.lang.String)
  org.pytorch.executorch.Tensor | float[] getDataAsFloatArray() | kotlin-property dataAsFloatArray
Modifiers other than `static` (and `abstract` on classes) are dropped: they do not change how a
caller is compiled. A trailing `| kotlin-property NAME` marks a getter that upstream declares as
a Kotlin property: Kotlin code must read it as `x.NAME`; calling `x.getName()` compiles against a
Java stub but NOT against the real (Kotlin) library, so `kotlin_property_misuse` flags it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.java_signatures import (class_header, member_signature, normalize_type, signature_line, split_top_level,
                                  parse_signature_lines, stub_signatures)

UPSTREAM_DIR = "extension/android/executorch_android/src/main/java/org/pytorch/executorch"
PACKAGE = "org.pytorch.executorch"
# Upstream files whose public classes the stubs mirror.
UPSTREAM_FILES = ("DType.kt", "EValue.kt", "ExecuTorchRuntime.kt", "ExecutorchRuntimeException.kt",
                  "MethodMetadata.kt", "Module.kt", "Tensor.kt")
UPSTREAM_CLASSES = ("DType", "EValue", "ExecuTorchRuntime", "ExecutorchRuntimeException",
                    "ExecutorchRuntimeException$ExecutorchInvalidArgumentException",
                    "MethodMetadata", "Module", "Tensor")


# --------------------------------------------------------------------------- upstream side (javap)

_MODIFIER_WORDS = "public|protected|private|static|final|abstract|synchronized|native|transient|volatile|strictfp|default|sealed"
_JAVAP_HEADER = re.compile(rf"^(?P<mods>(?:(?:{_MODIFIER_WORDS}) )*)(?P<kind>class|interface|enum) (?P<name>[\w.$]+)(?:<[^{{]*?>)?"
                           r"(?: extends (?P<ext>[^{]+?))?(?: implements (?P<impl>[^{]+?))? \{$")




def parse_javap(text: str, *, skip_ctors_of: set[str] = frozenset()) -> list[tuple[str, str]]:
    """`javap -public` output -> [(class, signature)], without Kotlin's synthetic members."""
    rows: list[tuple[str, str]] = []
    cls = None
    kind = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("Compiled from"):
            continue
        if line == "}":
            cls = None
            continue
        head = _JAVAP_HEADER.match(line)
        if head and cls is None:
            cls, kind = head["name"], head["kind"]
            mods = head["mods"].split()
            ext = head["ext"].strip() if head["ext"] else None
            if kind == "class" and ext and ext.startswith("java.lang.Enum<"):
                kind, ext = "enum", None
            impl = [normalize_type(t) for t in split_top_level(head["impl"])] if head["impl"] else []
            if kind == "interface":  # javap prints an interface's supertypes as `extends`
                impl, ext = ([normalize_type(t) for t in split_top_level(ext)] if ext else []), None
            rows.append((cls, class_header(kind, "abstract" in mods, ext and normalize_type(ext), impl)))
            continue
        if cls is None:
            continue
        line = line.rstrip(";")
        line = re.sub(r"\s+throws\s+.*$", "", line)
        m = re.match(rf"^(?P<mods>(?:(?:{_MODIFIER_WORDS}) )*)(?:(?P<tparams><.*?>) )?(?P<rest>.*)$", line)
        mods = m["mods"].split()
        rest = m["rest"]
        static = "static" in mods
        call = re.match(r"^(?:(?P<ret>.+?) )?(?P<name>[\w.$]+)\((?P<params>.*)\)$", rest)
        if call:
            name = call["name"]
            params = [normalize_type(p) for p in split_top_level(call["params"])]
            if call["ret"] is None:  # constructor
                if cls in skip_ctors_of or any("DefaultConstructorMarker" in p for p in params):
                    continue
                sig = f"<init>({', '.join(params)})"
            else:
                short = name.rsplit(".", 1)[-1]
                if "$" in short or (kind == "enum" and short in ("values", "valueOf", "getEntries")):
                    continue
                tp = f"{m['tparams']} " if m["tparams"] else ""
                sig = member_signature(static, f"{tp}{normalize_type(call['ret'])} {short}({', '.join(params)})")
        else:
            typ, _, name = rest.rpartition(" ")
            if name == "Companion" or "$" in name:
                continue
            sig = member_signature(static, f"{normalize_type(typ)} {name}")
        rows.append((cls, sig))
    return rows




def _kotlin_properties(sources: list[Path]) -> set[str]:
    names: set[str] = set()
    for src in sources:
        # member and constructor-parameter properties; locals can match too, but only names that
        # javap shows as getters are ever looked up
        for m in re.finditer(r"\b(?:val|var)\s+(\w+)\s*:", src.read_text()):
            names.add(m.group(1))
    return names


def _non_public_ctor_classes(sources: list[Path]) -> set[str]:
    out = set()
    for src in sources:
        for m in re.finditer(r"class\s+(\w+)\s+(?:internal|private|protected)\s+constructor", src.read_text()):
            out.add(f"{PACKAGE}.{m.group(1)}")
    return out


_HELPER_STUBS = {
    "com/facebook/jni/HybridData.java":
        "package com.facebook.jni; public class HybridData { public boolean isValid() { return true; } public void resetNative() {} }",
    "com/facebook/jni/annotations/DoNotStrip.java":
        "package com.facebook.jni.annotations; public @interface DoNotStrip {}",
    "com/facebook/soloader/nativeloader/NativeLoader.java":
        "package com.facebook.soloader.nativeloader; public class NativeLoader { public static boolean isInitialized() { return true; }"
        " public static void init(Object delegate) {} public static boolean loadLibrary(String name) { return true; } }",
    "com/facebook/soloader/nativeloader/SystemDelegate.java":
        "package com.facebook.soloader.nativeloader; public class SystemDelegate {}",
    "android/util/Log.java":
        "package android.util; public final class Log { public static int e(String t, String m) { return 0; } }",
}


def upstream_sources(upstream_dir: Path) -> list[Path]:
    upstream_dir = Path(upstream_dir)
    return [upstream_dir / f for f in UPSTREAM_FILES] + [upstream_dir / "annotations" / "Experimental.kt"]


def upstream_javap(upstream_dir: Path, kotlinc: Path) -> str:
    """Compile the upstream Kotlin sources (with throw-away fbjni/soloader stand-ins, in a temp dir)
    and return `javap -public` of their classes. Nothing upstream is copied into the repo."""
    sources = upstream_sources(upstream_dir)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for rel, body in _HELPER_STUBS.items():
            (tmp / "helpers" / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp / "helpers" / rel).write_text(body + "\n")
        subprocess.run(["javac", "--release", "17", "-d", str(tmp / "helpers-out"),
                        *map(str, (tmp / "helpers").rglob("*.java"))], check=True, capture_output=True, text=True)
        done = subprocess.run([str(kotlinc), "-jvm-target", "17", "-no-reflect", "-nowarn", "-cp", str(tmp / "helpers-out"),
                               "-d", str(tmp / "out"), *map(str, sources)], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"kotlinc failed on upstream sources:\n{done.stderr[-4000:]}")
        return subprocess.run(["javap", "-public", "-cp", str(tmp / "out"), *(f"{PACKAGE}.{c}" for c in UPSTREAM_CLASSES)],
                              capture_output=True, text=True, check=True).stdout


def signatures_from_javap(javap: str, sources: list[Path]) -> list[str]:
    rows = parse_javap(javap, skip_ctors_of=_non_public_ctor_classes(sources))
    props = _kotlin_properties(sources)
    lines = []
    for cls, sig in rows:
        prop = None
        getter = re.match(r"^(?:static )?\S+ (get|is)(\w+)\(\)$", sig)
        if getter:
            kind, tail = getter.groups()
            candidate = f"is{tail}" if kind == "is" else tail[0].lower() + tail[1:]
            prop = candidate if candidate in props else None
        lines.append(signature_line(cls, sig, prop))
    return lines


def extract_upstream_signatures(upstream_dir: Path, kotlinc: Path) -> list[str]:
    """SIGNATURES.txt lines for an upstream checkout of the executorch Java package directory."""
    return signatures_from_javap(upstream_javap(upstream_dir, kotlinc), upstream_sources(upstream_dir))


def check_stub_signatures(stub_dir: Path, upstream_signatures_file: Path) -> list[str]:
    """Differences between the stubs' public members and SIGNATURES.txt, one message each ([] = match).

    Every stub member must exist upstream with exactly that signature, and every upstream member of
    a class in SIGNATURES.txt must be stubbed."""
    upstream = parse_signature_lines(Path(upstream_signatures_file).read_text())
    stub_lines = stub_signatures(Path(stub_dir))
    stubbed = {(cls, sig) for cls, sig in (tuple(l.split(" | ", 1)) for l in stub_lines)}
    problems = []
    up_names = {cls for cls, _ in upstream}
    for cls, sig in sorted(stubbed):
        if cls not in up_names:
            problems.append(f"{cls}: class is stubbed but not in the upstream signature list")
        elif (cls, sig) not in upstream:
            problems.append(f"{cls}: stub has `{sig}`, which upstream does not have (wrong or extra signature)")
    for cls, sig in sorted(upstream):
        if (cls, sig) not in stubbed:
            problems.append(f"{cls}: upstream `{sig}` is missing from the stubs")
    return problems


def kotlin_property_misuse(kotlin_source: str, upstream_signatures_file: Path) -> list[str]:
    """Calls such as `t.getDataAsFloatArray()` that compile against the Java stubs but not against
    the real library, where the member is a Kotlin property (`t.dataAsFloatArray`)."""
    upstream = parse_signature_lines(Path(upstream_signatures_file).read_text())
    getters = {}
    for (cls, sig), prop in upstream.items():
        if prop:
            name = re.search(r" (\w+)\(\)$", sig).group(1)
            getters[name] = prop
            getters[prop] = prop
    problems = []
    for lineno, line in enumerate(kotlin_source.splitlines(), 1):
        code = line.split("//", 1)[0]
        for m in re.finditer(r"\.\s*(\w+)\s*\(\s*\)", code):
            if m.group(1) in getters:  # `.isTensor()` too: upstream it is the Boolean property `isTensor`
                problems.append(f"line {lineno}: `{m.group(1)}()` is the Kotlin property `{getters[m.group(1)]}` "
                                f"upstream; write `.{getters[m.group(1)]}`")
    return problems


# --------------------------------------------------------------------------- regeneration

def write_signatures(upstream_dir: Path, kotlinc: Path, out_file: Path, ref: str) -> None:
    """Regenerate SIGNATURES.txt: `python -m tools.stubs <upstream executorch checkout dir> <ref>`."""
    lines = extract_upstream_signatures(upstream_dir, kotlinc)
    header = [
        "# Public JVM API of the ExecuTorch Android library (org.pytorch.executorch), one member a line.",
        f"# Extracted from pytorch/executorch {ref},",
        f"# {UPSTREAM_DIR}/{{{','.join(UPSTREAM_FILES)}}}",
        "# by tools/stubs.py: extract_upstream_signatures (kotlinc + javap -public; synthetic Kotlin members,",
        "# internal/private constructors and enum values()/valueOf()/getEntries() dropped).",
        "# Format: <class> | <signature> [| kotlin-property <name>]: Kotlin callers must use the property name.",
    ]
    Path(out_file).write_text("\n".join(header + lines) + "\n")


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    from builder.apps.kotlin import kotlinc as _kotlinc

    checkout, ref = Path(sys.argv[1]), sys.argv[2]
    target = Path(__file__).resolve().parent / "android-stubs" / "executorch" / "SIGNATURES.txt"
    write_signatures(checkout / UPSTREAM_DIR if (checkout / UPSTREAM_DIR).is_dir() else checkout, _kotlinc(), target, ref)
    print(f"wrote {target}")
