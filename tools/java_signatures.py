"""The signature normal form tools/stubs.py compares in, and the stub side of the comparison: the
public members of the hand-written Java stubs, read with tree-sitter-java (see tools/stubs.py)."""

from __future__ import annotations

import re
from pathlib import Path

_PRIMITIVES = {"void", "boolean", "byte", "char", "short", "int", "long", "float", "double"}
_JAVA_LANG = {"Object", "String", "CharSequence", "Runnable", "Throwable", "Exception", "RuntimeException",
              "Enum", "Boolean", "Byte", "Character", "Short", "Integer", "Long", "Float", "Double",
              "Number", "Class", "Iterable", "AutoCloseable", "Comparable", "Void", "Appendable"}
_DROPPED_MODIFIERS = {"public", "final", "abstract", "synchronized", "native", "transient", "volatile", "strictfp",
                      "default"}


# --------------------------------------------------------------------------- normal form

def normalize_type(text: str) -> str:
    text = re.sub(r"\s+", " ", text.strip())
    text = re.sub(r"\s*([<>,\[\]])\s*", r"\1", text).replace(",", ", ")
    return text


def member_signature(static: bool, rest: str) -> str:
    return ("static " if static else "") + rest


def signature_line(cls: str, sig: str, prop: str | None = None) -> str:
    return f"{cls} | {sig}" + (f" | kotlin-property {prop}" if prop else "")


def parse_signature_lines(text: str) -> dict[tuple[str, str], str | None]:
    """SIGNATURES.txt -> {(class, signature): kotlin property name or None}."""
    out: dict[tuple[str, str], str | None] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" | ")]
        if len(parts) < 2:
            raise ValueError(f"bad signature line: {raw!r}")
        prop = parts[2].split()[-1] if len(parts) > 2 and parts[2].startswith("kotlin-property") else None
        out[(parts[0], parts[1])] = prop
    return out


def class_header(kind: str, abstract: bool, ext: str | None, impl: list[str]) -> str:
    head = ("abstract " if abstract and kind == "class" else "") + kind
    if ext and kind == "class" and ext not in ("java.lang.Object",):
        head += f" extends {ext}"
    if impl:
        head += " implements " + ", ".join(sorted(impl))
    return head


def split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside <...>."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


# --------------------------------------------------------------------------- stub side (tree-sitter-java)

def _java_parser():
    import tree_sitter
    import tree_sitter_java

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_java.language()))


def _text(node) -> str:
    return node.text.decode()


def _modifiers(node) -> list[str]:
    for child in node.children:
        if child.type == "modifiers":
            return [_text(c) for c in child.children if c.type not in ("marker_annotation", "annotation")]
    return []


def stub_signatures(stub_dir: Path) -> list[str]:
    """Signature lines (same normal form as SIGNATURES.txt) of the public members of the stubs."""
    parser = _java_parser()
    files = sorted(Path(stub_dir).rglob("*.java"))
    declared: dict[str, str] = {}  # simple name (Outer.Inner too) -> binary name, for the stubs' own package
    trees = []
    for path in files:
        tree = parser.parse(path.read_bytes())
        trees.append((path, tree))
        pkg = _package(tree.root_node)
        for decl, binary in _type_decls(tree.root_node, pkg):
            declared.setdefault(binary.rsplit(".", 1)[-1].replace("$", "."), binary)
    lines: list[str] = []
    for path, tree in trees:
        root = tree.root_node
        pkg = _package(root)
        imports = {}
        for child in root.children:
            if child.type == "import_declaration":
                name = _text(child).removeprefix("import").strip().rstrip(";").strip()
                if not name.startswith("static ") and not name.endswith("*"):
                    imports[name.rsplit(".", 1)[-1]] = name
        for decl, binary in _type_decls(root, pkg):
            if "public" not in _modifiers(decl) and decl.parent.type not in ("interface_body",):
                continue
            lines.extend(_decl_lines(decl, binary, pkg, imports, declared))
    return lines


def _package(root) -> str:
    for child in root.children:
        if child.type == "package_declaration":
            return _text(child).removeprefix("package").strip().rstrip(";").strip()
    return ""


_TYPE_DECLS = ("class_declaration", "interface_declaration", "enum_declaration")


def _type_decls(node, prefix: str, nested: bool = False):
    for child in node.children:
        if child.type in _TYPE_DECLS:
            name = _text(child.child_by_field_name("name"))
            binary = f"{prefix}${name}" if nested else (f"{prefix}.{name}" if prefix else name)
            yield child, binary
            body = child.child_by_field_name("body")
            if body is not None:
                yield from _type_decls(body, binary, nested=True)
        elif child.type == "enum_body_declarations":
            yield from _type_decls(child, prefix, nested)


def _resolver(pkg, imports, declared, type_params=()):
    def resolve(match):
        word = match.group(0)
        if word in _PRIMITIVES or word in type_params or word in ("extends", "super", "?"):
            return word
        head, _, tail = word.partition(".")
        if head in imports:
            return imports[head] + ("$" + tail.replace(".", "$") if tail else "")
        if word in declared:
            return declared[word]
        if head in declared and tail:
            return declared[head] + "$" + tail.replace(".", "$")
        if word in _JAVA_LANG:
            return f"java.lang.{word}"
        if "." in word:
            return word
        return f"{pkg}.{word}" if pkg else word

    def norm(text: str) -> str:
        return normalize_type(re.sub(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*", resolve, text))

    return norm


def _decl_lines(decl, binary, pkg, imports, declared) -> list[str]:
    kind = {"class_declaration": "class", "interface_declaration": "interface", "enum_declaration": "enum"}[decl.type]
    norm = _resolver(pkg, imports, declared)
    mods = _modifiers(decl)
    ext = None
    impl: list[str] = []
    sup = decl.child_by_field_name("superclass")
    if sup is not None:
        ext = norm(_text(sup).removeprefix("extends").strip())
    for field in ("interfaces",):
        node = decl.child_by_field_name(field)
        if node is not None:
            impl = [norm(t) for t in split_top_level(re.sub(r"^\s*(implements)\s+", "", _text(node)))]
    if kind == "interface":
        for child in decl.children:
            if child.type == "extends_interfaces":
                impl = [norm(t) for t in split_top_level(_text(child).removeprefix("extends").strip())]
    out = [signature_line(binary, class_header(kind, "abstract" in mods, ext, impl))]
    in_interface = kind == "interface"
    body = decl.child_by_field_name("body")
    members = list(body.children) if body is not None else []
    if kind == "enum":
        for child in body.children:
            if child.type == "enum_constant":
                out.append(signature_line(binary, f"static {binary} {_text(child.child_by_field_name('name'))}"))
            elif child.type == "enum_body_declarations":
                members = list(child.children)
    for member in members:
        mods = _modifiers(member)
        if not ("public" in mods or in_interface) or "private" in mods:
            continue
        static = "static" in mods
        if member.type == "method_declaration":
            tparams = member.child_by_field_name("type_parameters")
            tnames = tuple(_text(t.children[0]) for t in tparams.named_children) if tparams is not None else ()
            tnorm = _resolver(pkg, imports, declared, tnames)
            ret = tnorm(_text(member.child_by_field_name("type")))
            dims = member.child_by_field_name("dimensions")
            if dims is not None:
                ret += _text(dims).replace(" ", "")
            params = _params(member.child_by_field_name("parameters"), tnorm)
            tp = (tnorm(_text(tparams)) + " ") if tparams is not None else ""
            name = _text(member.child_by_field_name("name"))
            out.append(signature_line(binary, member_signature(static, f"{tp}{ret} {name}({', '.join(params)})")))
        elif member.type == "constructor_declaration":
            params = _params(member.child_by_field_name("parameters"), norm)
            out.append(signature_line(binary, f"<init>({', '.join(params)})"))
        elif member.type in ("field_declaration", "constant_declaration"):
            typ = norm(_text(member.child_by_field_name("type")))
            for d in member.children:
                if d.type == "variable_declarator":
                    out.append(signature_line(binary, member_signature(static or in_interface, f"{typ} {_text(d.child_by_field_name('name'))}")))
    return out


def _params(node, norm) -> list[str]:
    out = []
    for p in node.named_children:
        if p.type == "formal_parameter":
            typ = norm(_text(p.child_by_field_name("type")))
            dims = p.child_by_field_name("dimensions")
            out.append(typ + (_text(dims).replace(" ", "") if dims is not None else ""))
        elif p.type == "spread_parameter":
            typ = next(c for c in p.named_children if c.type not in ("modifiers", "variable_declarator"))
            out.append(norm(_text(typ)) + "...")
    return out


# --------------------------------------------------------------------------- checks
