"""A checkpoint's chat template turned into the fixed strings an app concatenates.

Apps cannot run Jinja, so the build renders the template (transformers' own sandboxed renderer) on
conversations whose contents are sentinel words, cuts the rendering at the sentinels, and keeps the
text between them:

    prompt = (system_prefix + system + after_system   if the conversation has a system message
              else no_system_prefix)
             + user_1 + user_to_assistant + assistant_1 + assistant_to_user + user_2 + ...
             + user_n + generation_prompt

It then renders real conversations (with and without a system message, one turn and several) both
ways and requires the concatenation to be the template's own text, character for character; a template
that does not decompose (it numbers turns, renders the last turn differently, drops a role) is refused
with the conversation where the two differ. A template that trims message contents is recorded
(`trims_content`): the app trims them too. `assistant_end` is what follows an assistant turn before
the next user turn's text begins, the text a reply ends with (a stop string when it is not a token).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from builder.errors import EdgepackError

_SENTINEL = "EDGEPACKSENTINEL{}X"
# Conversations the decomposition must reproduce (contents written for the check, several languages).
_CHECKS = [
    [("user", "Where is my order?")],
    [("system", "You are a helpful assistant."), ("user", "Where is my order?")],
    [("system", "Answer in French."), ("user", "Hi"), ("assistant", "Bonjour !"), ("user", "Où est ma commande ?")],
    [("user", "Cancel it"), ("assistant", "Done. Anything else?"), ("user", "No, thanks"), ("assistant", "Bye"), ("user", "わかりました 👍")],
]


@dataclass(frozen=True)
class PromptFormat:
    system_prefix: str
    after_system: str
    no_system_prefix: str
    user_to_assistant: str
    assistant_to_user: str
    generation_prompt: str
    assistant_end: str
    trims_content: bool
    source: str

    def render(self, messages: list[tuple[str, str]]) -> str:
        """The prompt for `messages` ((role, content), roles system (first only), user, assistant alternating,
        ending with a user turn), as an app builds it."""
        clean = [(role, content.strip() if self.trims_content else content) for role, content in messages]
        text = ""
        if clean and clean[0][0] == "system":
            text += self.system_prefix + clean[0][1] + self.after_system
            clean = clean[1:]
        else:
            text += self.no_system_prefix
        for index, (role, content) in enumerate(clean):
            text += content
            if index + 1 < len(clean):
                text += self.user_to_assistant if role == "user" else self.assistant_to_user
        return text + self.generation_prompt

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def read_chat_template(checkpoint_dir: Path) -> tuple[str, str] | None:
    """(template, where it came from), or None: chat_template.jinja, else tokenizer_config.json's chat_template (the
    one named "default" when it holds several)."""
    jinja = checkpoint_dir / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text(encoding="utf-8"), "chat_template.jinja"
    config = checkpoint_dir / "tokenizer_config.json"
    try:
        template = json.loads(config.read_text(encoding="utf-8")).get("chat_template") if config.is_file() else None
    except (OSError, ValueError, AttributeError):
        return None
    if isinstance(template, list):
        named = {entry.get("name"): entry.get("template") for entry in template if isinstance(entry, dict)}
        template = named.get("default")
    return (template, "tokenizer_config.json chat_template") if isinstance(template, str) and template.strip() else None


def decompose(template: str, special_tokens: dict[str, str], source: str) -> PromptFormat:
    """The template's PromptFormat, or EdgepackError saying why it does not decompose."""
    def render(messages: list[tuple[str, str]], generation: bool) -> str:
        from transformers.utils.chat_template_utils import render_jinja_template

        chat = [{"role": role, "content": content} for role, content in messages]
        try:
            rendered, _ = render_jinja_template([chat], chat_template=template, add_generation_prompt=generation, **special_tokens)
        except Exception as exc:  # the template's own errors (raise_exception, missing roles), one line
            raise EdgepackError(f"the chat template ({source}) cannot render a {'/'.join(r for r, _ in messages)} conversation "
                                f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); fix the template "
                                "or build without one (plain text generation)") from None
        return rendered[0]

    def cut(text: str, sentinels: list[str]) -> list[str]:
        pieces, rest = [], text
        for sentinel in sentinels:
            before, found, rest = rest.partition(sentinel)
            if not found:
                raise EdgepackError(f"the chat template ({source}) drops or rewrites a message's content, so an app cannot "
                                    "build its prompt from fixed strings; use a template that writes each content as it is")
            pieces.append(before)
        return pieces + [rest]

    s = [_SENTINEL.format(i) for i in range(5)]
    # system, user, assistant, user, assistant: every separator once; then the prompt ending on a user turn.
    with_system = cut(render([("system", s[0]), ("user", s[1]), ("assistant", s[2]), ("user", s[3]), ("assistant", s[4])], False), s)
    without = cut(render([("user", s[1]), ("assistant", s[2]), ("user", s[3])], True), s[1:4])
    prompt_end = cut(render([("user", s[1])], True), s[1:2])[1]
    trims = render([("user", f" {s[1]} ")], True).count(f" {s[1]} ") == 0
    format_ = PromptFormat(
        system_prefix=with_system[0], after_system=with_system[1], no_system_prefix=without[0],
        user_to_assistant=with_system[2], assistant_to_user=with_system[3], generation_prompt=prompt_end,
        assistant_end=_common_prefix(with_system[3], with_system[5]), trims_content=trims, source=source)
    for messages in _CHECKS:
        expected, built = render(messages, True), format_.render(messages)
        if built != expected:
            raise EdgepackError(
                f"the chat template ({source}) does not decompose into fixed strings per role: for the "
                f"{'/'.join(r for r, _ in messages)} conversation it renders {expected[:160]!r}, the strings give "
                f"{built[:160]!r} (it numbers turns or renders some turn differently); apps could not reproduce it")
    return format_


def _common_prefix(a: str, b: str) -> str:
    """What an assistant turn is followed by both before another user turn and at the end of a conversation."""
    size = 0
    while size < min(len(a), len(b)) and a[size] == b[size]:
        size += 1
    return a[:size]
