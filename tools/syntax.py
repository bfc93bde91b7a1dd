"""Syntax checks of generated app sources, without their compilers: .kt/.kts, .java and
.swift with tree-sitter grammars, .xml with the standard library, .json with json.

Used where a compiler cannot run here (SwiftUI views, Android resources) and as a fast
first check before one does.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

GRAMMARS = {".kt": "kotlin", ".kts": "kotlin", ".java": "java", ".swift": "swift"}
CHECKED = (*GRAMMARS, ".xml", ".json", ".xcscheme", ".plist")
# Build outputs inside generated projects.
SKIPPED_DIRS = {"build", ".gradle", ".build", ".swiftpm"}


class SyntaxToolError(RuntimeError):
    pass


def _tree_sitter_parser(language: str):
    try:
        import tree_sitter
        if language == "kotlin":
            import tree_sitter_kotlin as grammar
        elif language == "swift":
            import tree_sitter_swift as grammar
        else:
            import tree_sitter_java as grammar
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SyntaxToolError(f"{exc.name} is not installed: pip install -e '.[test]' (tree-sitter and its "
                              "kotlin, java and swift grammars)") from exc
    return tree_sitter.Parser(tree_sitter.Language(grammar.language()))


def _syntax_problems(node, path: Path, out: list[str]) -> None:
    if node.is_error or node.is_missing:
        line, col = node.start_point
        what = f"missing `{node.type}`" if node.is_missing else "syntax error"
        snippet = node.text.decode(errors="replace").splitlines()[0][:60] if node.text else ""
        out.append(f"{path}:{line + 1}:{col + 1}: {what}" + (f" near `{snippet}`" if snippet and not node.is_missing else ""))
        if node.is_error:
            return
    if node.has_error:
        for child in node.children:
            _syntax_problems(child, path, out)


def parse_errors(path: Path) -> list[str]:
    """Syntax problems of one generated file ([] = parses)."""
    path = Path(path)
    suffix = path.suffix.lower()
    data = path.read_bytes()
    if suffix in GRAMMARS:
        out: list[str] = []
        _syntax_problems(_tree_sitter_parser(GRAMMARS[suffix]).parse(data).root_node, path, out)
        return out
    if suffix in (".xml", ".xcscheme", ".plist"):
        try:
            ET.fromstring(data)
        except ET.ParseError as exc:
            line, col = exc.position
            return [f"{path}:{line}:{col + 1}: {exc}"]
        return []
    if suffix == ".json":
        try:
            json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            where = f"{exc.lineno}:{exc.colno}" if isinstance(exc, json.JSONDecodeError) else "1:1"
            return [f"{path}:{where}: {exc}"]
        return []
    return []


def parse_tree_errors(root: Path) -> list[str]:
    """parse_errors over every checked file under root (build outputs skipped)."""
    out = []
    for path in sorted(Path(root).rglob("*")):
        if path.is_file() and path.suffix.lower() in CHECKED and not SKIPPED_DIRS & set(path.relative_to(root).parts):
            out.extend(parse_errors(path))
    return out
