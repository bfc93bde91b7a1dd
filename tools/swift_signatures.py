"""Keep the ExecuTorch Swift stub (tools/ios-stubs/ExecuTorch) honest.

1. `stub_problems`: ExecuTorch.swift declares exactly what SIGNATURES.txt lists (members by owner,
   type and extension headers, enum cases with their raw values 0..n-1).
2. `upstream_problems`: every SIGNATURES.txt line is backed by the upstream sources at a git
   revision of pytorch/executorch: a Swift-overlay declaration occurs in its ExecuTorch+*.swift
   file (whitespace and access modifiers normalized); an imported declaration's Objective-C text
   occurs in its header; an enum's cases are the header's enumerators (prefix dropped, first word
   lowercased as Swift's importer does, in order) and its raw type matches the NS_ENUM's.

Usage: python -m tools.swift_signatures STUB_DIR [GIT_DIR REV]
(the upstream check needs a clone of pytorch/executorch; the test suite runs the stub check)
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

EXPORTED = "extension/apple/ExecuTorch/Exported"
MODIFIERS = r"(?:public|open|override|final|convenience|static|mutating|nonisolated)"
RAW_TYPES = {"int8_t": "Int8", "uint8_t": "UInt8", "uint32_t": "UInt32", "NSInteger": "Int", "NSUInteger": "UInt"}


def _squash(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text.replace("( ", "(").replace(" )", ")").replace(", )", ")")


def member_form(decl: str) -> str:
    """A member declaration without access modifiers and without body or accessors.
    `static` and `convenience` are kept: they change how callers use the member."""
    text = _squash(decl)
    text = re.sub(r"^(?:(?:public|open|override|final|nonisolated) )+", "", text)
    head = re.match(r"^(?:(?:static|convenience) )*(?P<kw>var|let|func|init|subscript)\b", text)
    if head and head["kw"] in ("var", "let"):
        return re.sub(r"\s*(\{.*|=.*)$", "", text)
    return re.sub(r"\s*\{[^{}]*\}\s*$", "", text)


def header_form(line: str) -> str:
    """A type or extension header without `public` (kept: `open`, `final`, which decide subclassing)."""
    return re.sub(r"^public ", "", _squash(line.rstrip("{ \t")))


def _owner(header: str) -> str:
    return re.match(r"^(?:(?:open|final) )*(?:class|protocol|enum|extension|struct) (\w+)", header)[1]


def parse_stub(source: str) -> tuple[set[tuple[str, str]], set[tuple[str, str]], dict[str, list[tuple[str, int]]]]:
    """(members, headers, enum cases) of a stub written one declaration a line."""
    members, headers, enums = set(), set(), {}
    owner = None
    for raw in source.splitlines():
        line = raw.split("//", 1)[0].rstrip() if not raw.lstrip().startswith("//") else ""
        if not line.strip():
            continue
        if not raw.startswith(" ") and line.endswith("{"):
            header = header_form(line)
            owner = _owner(header)
            headers.add((owner, header))
            if re.match(r"^enum ", header):
                enums.setdefault(owner, [])
            continue
        if line.strip() == "}":
            owner = None
            continue
        if owner is None or not raw.startswith("    ") or raw.startswith("     "):
            continue
        stripped = line.strip()
        case = re.match(r"^case `?(\w+)`?(?: = (-?\d+))?$", stripped)
        if case and owner in enums:
            enums[owner].append((case[1], int(case[2]) if case[2] is not None else -1))
            continue
        if re.match(rf"^(?:{MODIFIERS} )*(?:var|let|func|init|subscript)\b", stripped):
            members.add((owner, member_form(stripped)))
    return members, headers, enums


def parse_signatures(text: str) -> list[dict]:
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" | ")]
        label, _, decl = parts[0].partition(": ")
        row = {"line": number, "file": parts[1] if len(parts) > 1 else None, "objc": parts[2] if len(parts) > 2 else None}
        if label.startswith("type "):
            row.update(kind="type", owner=label[5:], decl=header_form(decl))
        elif label.startswith("enum "):
            row.update(kind="enum", owner=label[5:], cases=[c.strip() for c in decl.split(",")])
        else:
            owner, _, member = label.partition(".")
            row.update(kind="member", owner=owner, member=member, decl=member_form(decl))
        rows.append(row)
    return rows


def stub_problems(stub_dir: Path) -> list[str]:
    members, headers, enums = parse_stub((stub_dir / "ExecuTorch.swift").read_text())
    rows = parse_signatures((stub_dir / "SIGNATURES.txt").read_text())
    problems = []
    listed_members = {(r["owner"], r["decl"]) for r in rows if r["kind"] == "member"}
    listed_headers = {(r["owner"], r["decl"]) for r in rows if r["kind"] == "type"}
    for what, stub, listed in (("member", members, listed_members), ("type header", headers, listed_headers)):
        problems += [f"stub {what} not in SIGNATURES.txt: {o}: {d}" for o, d in sorted(stub - listed)]
        problems += [f"SIGNATURES.txt {what} not in the stub: {o}: {d}" for o, d in sorted(listed - stub)]
    for row in (r for r in rows if r["kind"] == "enum"):
        got = enums.get(row["owner"])
        want = [(case, index) for index, case in enumerate(row["cases"])]
        if got != want:
            problems.append(f"enum {row['owner']}: stub has {got}, SIGNATURES.txt lists {want}")
    extra = set(enums) - {r["owner"] for r in rows if r["kind"] == "enum"}
    problems += [f"stub enum {name} has no enum line in SIGNATURES.txt" for name in sorted(extra)]
    return problems


def swift_case(name: str) -> str:
    """An enumerator (type prefix dropped) as Swift names its case: the first camel-case word
    lowercased, where an uppercase run before a lowercase letter ends one letter early
    (QUInt8 -> quInt8, UInt16 -> uInt16, BFloat16 -> bFloat16, MmapUseMlock -> mmapUseMlock)."""
    run = re.match(r"[A-Z]*", name).group()
    cut = len(run) - 1 if len(run) > 1 and name[len(run):len(run) + 1].islower() else len(run)
    return name[:cut].lower() + name[cut:]


def _git_show(git_dir: str, rev: str, path: str) -> str:
    return subprocess.run(["git", "-C", git_dir, "show", f"{rev}:{path}"], capture_output=True, text=True, check=True).stdout


def _upstream_swift_form(text: str) -> str:
    text = re.sub(r"//[^\n]*", "", text)
    text = _squash(text)
    return re.sub(r"\b(?:public|open) ", "", text)


def _objc_form(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return _squash(text)


def upstream_problems(stub_dir: Path, git_dir: str, rev: str) -> list[str]:
    rows = parse_signatures((stub_dir / "SIGNATURES.txt").read_text())
    cache: dict[str, str] = {}

    def source(name: str) -> str:
        if name not in cache:
            cache[name] = _git_show(git_dir, rev, f"{EXPORTED}/{name}")
        return cache[name]

    problems = []
    for row in rows:
        where = f"SIGNATURES.txt:{row['line']}"
        if not row["file"]:
            problems.append(f"{where}: names no upstream file")
            continue
        text = source(row["file"])
        if row["file"].endswith(".swift"):
            flat = _upstream_swift_form(text)
            decl = row["decl"] if row["kind"] == "type" else re.sub(r" \{ get( set)? \}$", "", row["decl"])
            if row["kind"] == "type":
                if not re.search(rf"(?:^| ){re.escape(decl)} \{{", flat):
                    problems.append(f"{where}: `{decl} {{` is not in {row['file']}")
            elif decl not in flat:
                problems.append(f"{where}: `{decl}` is not in {row['file']}")
            elif not re.search(rf"(?:class|protocol|extension) {re.escape(row['owner'])}\b", flat):
                problems.append(f"{where}: {row['file']} declares nothing for {row['owner']}")
            continue
        flat = _objc_form(text)
        if not row["objc"] or _squash(row["objc"]) not in flat:
            problems.append(f"{where}: Objective-C `{row['objc']}` is not in {row['file']}")
            continue
        if row["kind"] == "enum" or (row["kind"] == "type" and row["decl"].startswith("enum ")):
            enum = re.search(rf"typedef NS_ENUM\((\w+), (\w+)\) \{{(.*?)\}} NS_SWIFT_NAME\((\w+)\);", flat[flat.index(_squash(row["objc"])):])
            if not enum or enum[4] != row["owner"]:
                problems.append(f"{where}: {row['objc']} is not NS_SWIFT_NAME({row['owner']})")
                continue
            if row["kind"] == "type":
                raw = RAW_TYPES.get(enum[1])
                if row["decl"] != f"enum {row['owner']}: {raw}":
                    problems.append(f"{where}: raw type {enum[1]} imports as {raw}, not as `{row['decl']}`")
                continue
            names = [re.sub(r"\s*=.*", "", e).strip() for e in enum[3].split(",") if e.strip()]
            stripped = [n.removeprefix(enum[2]) for n in names]
            derived = [swift_case(s) for s in stripped]
            if derived != row["cases"]:
                problems.append(f"{where}: cases {row['cases']} != enumerators {stripped} as Swift imports them {derived}")
            explicit = [re.search(r"=\s*(\d+)", e) for e in enum[3].split(",") if e.strip()]
            if any(m and int(m[1]) != i for i, m in enumerate(explicit)):
                problems.append(f"{where}: enumerator values are not 0..n-1")
    return problems


def main(argv: list[str]) -> int:
    stub_dir = Path(argv[1])
    problems = stub_problems(stub_dir)
    if len(argv) == 4:
        problems += upstream_problems(stub_dir, argv[2], argv[3])
    print("\n".join(problems) if problems else "ok: stub == SIGNATURES.txt" + (f" == upstream {argv[3]}" if len(argv) == 4 else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
