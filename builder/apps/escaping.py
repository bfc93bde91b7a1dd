"""Escaping for every value that reaches generated source: a label or an app name may hold
quotes, `$`, backslashes, newlines or any Unicode, and must come out as the same text."""

from __future__ import annotations

import re

_KOTLIN_ESCAPES = {"\\": "\\\\", '"': '\\"', "$": "\\$", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b"}


def _escaped(value: str, escapes: dict[str, str], control) -> str:
    """`value` with each character in `escapes` replaced, and C0/C1 controls and the Unicode
    line separators (which end a line in some compilers) written as `control(code point)`."""
    out = []
    for char in str(value):
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 or char in "\u2028\u2029":
            out.append(control(ord(char)))
        else:
            out.append(char)
    return "".join(out)


def kotlin_string(value: str) -> str:
    """A Kotlin (and Gradle Kotlin DSL) string literal, quotes included."""
    return '"' + _escaped(value, _KOTLIN_ESCAPES, lambda code: f"\\u{code:04x}") + '"'


def comment_text(value: str) -> str:
    """Text safe inside a // line comment: no line breaks or other control characters."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", "?", str(value))


def android_string(value: str) -> str:
    """The body of an Android <string> resource: XML-escaped, then Android's own escapes
    (quotes, apostrophes, backslashes, a leading @ or ?, newlines, tabs)."""
    out = []
    for index, char in enumerate(str(value)):
        if char == "\\":
            out.append("\\\\")
        elif char == "'":
            out.append("\\'")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char in "@?" and index == 0:
            out.append("\\" + char)
        elif char == "&":
            out.append("&amp;")
        elif char == "<":
            out.append("&lt;")
        elif char == ">":
            out.append("&gt;")
        elif ord(char) < 0x20 or char in "\ufffe\uffff":
            # Not representable in XML 1.0 at all; Android reads \\uXXXX escapes.
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


_PACKAGE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+")


def valid_application_id(value: str) -> bool:
    return bool(_PACKAGE.fullmatch(value))


def default_application_id(name: str) -> str:
    """dev.edgepack.<name as a package segment>."""
    segment = re.sub(r"[^a-z0-9_]", "_", name.lower()).strip("_") or "model"
    if not segment[0].isalpha():
        segment = "m" + segment
    return f"dev.edgepack.{segment}"


_SWIFT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"}


def swift_string(value: str) -> str:
    """A Swift string literal, quotes included. Escaping the backslash also defuses `\\(`
    interpolation."""
    return '"' + _escaped(value, _SWIFT_ESCAPES, lambda code: f"\\u{{{code:x}}}") + '"'


_PBXPROJ_BARE = re.compile(r"[A-Za-z0-9_$/:.-]+")
_PBXPROJ_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def pbxproj_string(value: str) -> str:
    """A value in Xcode's project.pbxproj (the old-style plist dialect): bare when it is a
    plain word, else quoted with backslash escapes; other control characters as \\Uxxxx."""
    text = str(value)
    if _PBXPROJ_BARE.fullmatch(text) and "//" not in text:  # an unquoted // starts a comment
        return text
    out = []
    for char in text:
        if char in _PBXPROJ_ESCAPES:
            out.append(_PBXPROJ_ESCAPES[char])
        elif ord(char) < 0x20:
            out.append(f"\\U{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


_BUNDLE_ID = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def valid_bundle_id(value: str) -> bool:
    """An iOS bundle identifier: reverse-DNS segments of letters, digits and hyphens."""
    return bool(_BUNDLE_ID.fullmatch(value))


def default_bundle_id(name: str) -> str:
    """dev.edgepack.<name as a bundle id segment>."""
    segment = re.sub(r"[^A-Za-z0-9-]", "-", name).strip("-") or "model"
    return f"dev.edgepack.{segment}"
