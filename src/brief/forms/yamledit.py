"""Round-trip edits of a county YAML file: change one value, keep every other byte, comment and order.

ruamel.yaml keeps comments as tokens hanging after a key: ``key: value  # eol`` followed by the
full-line comments and blank lines up to the next key. Deleting or inserting a key must move those
tokens, or a section header comment (``# 智力援疆``) would vanish or end up above the wrong key.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.tokens import CommentToken


class Figure(str):
    """A quantity as written (``490``, ``2.12万``, ``61.36%``): always emitted plain, never quoted."""


def make_yaml() -> YAML:
    y = YAML()  # round-trip
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096
    y.preserve_quotes = True
    y.allow_unicode = True

    def represent_figure(representer: Any, data: Figure) -> Any:
        # The tag the resolver would guess for the text makes the emitter choose plain style:
        # 490 stays 490, not '490' (our reader takes every scalar as text anyway).
        tag = y.resolver.resolve(ScalarNode, str(data), (True, False))
        return representer.represent_scalar(tag, str(data))

    y.representer.add_representer(Figure, represent_figure)
    return y


def load_text(text: str) -> Any:
    return make_yaml().load(text)


def dump_text(doc: Any) -> str:
    out = io.StringIO()
    make_yaml().dump(doc, out)
    return out.getvalue()


def read_source(path: Path) -> tuple[str, str, bool]:
    """The file's text (newlines as \\n), its line ending and whether it had a BOM."""
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in text else "\n"
    return text.replace("\r\n", "\n"), newline, bom


def encode(text: str, newline: str, bom: bool) -> bytes:
    if newline != "\n":
        text = text.replace("\n", newline)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


# ── comments ────────────────────────────────────────────────────────────────────────────────


def _post_token(m: CommentedMap, key: Any) -> CommentToken | None:
    entry = m.ca.items.get(key)
    if entry and len(entry) > 2 and isinstance(entry[2], CommentToken):
        return entry[2]
    return None


def _set_post_token(m: CommentedMap, key: Any, value: str | None, like: CommentToken | None = None) -> None:
    entry = m.ca.items.get(key)
    if not value:
        if entry and len(entry) > 2:
            entry[2] = None
            if not any(entry):
                del m.ca.items[key]
        return
    column = like.column if like is not None and like.column is not None else 0
    token = CommentToken(value, CommentMark(column), None)
    if entry is None:
        m.ca.items[key] = [None, None, token, None]
    else:
        while len(entry) < 4:
            entry.append(None)
        entry[2] = token


def _split(token: CommentToken | None) -> tuple[str, str]:
    """(end-of-line comment, following lines) of a post-key comment token."""
    if token is None:
        return "", ""
    eol, _, rest = token.value.partition("\n")
    return eol, rest


def _last_descendant(m: CommentedMap, key: Any) -> tuple[CommentedMap, Any] | None:
    """Where the comments after ``key``'s block live: on its value's last nested key, if any."""
    value = m[key]
    while isinstance(value, CommentedMap) and len(value):
        last = list(value)[-1]
        m, key, value = value, last, value[last]
    if isinstance(value, CommentedSeq):
        return None
    return m, key


# ── edits ───────────────────────────────────────────────────────────────────────────────────


def delete_key(m: CommentedMap, key: Any) -> None:
    """Remove ``key``; its end-of-line comment goes with it, the comment lines after it stay."""
    keys = list(m)
    index = keys.index(key)
    holder = _last_descendant(m, key)
    token = _post_token(*holder) if holder else _post_token(m, key)
    _, rest = _split(token)
    del m[key]
    if key in m.ca.items:
        del m.ca.items[key]
    if not rest:
        return
    if index > 0:
        prev = _last_descendant(m, keys[index - 1]) or (m, keys[index - 1])
        old = _post_token(*prev)
        eol, prev_rest = _split(old)
        _set_post_token(prev[0], prev[1], f"{eol}\n{prev_rest}{rest}", old)
    elif len(m):
        # The first key went: the lines after it now open the mapping.
        tokens = []
        for line in rest.split("\n")[:-1]:
            stripped = line.strip()
            column = len(line) - len(line.lstrip())
            tokens.append(CommentToken(f"{stripped}\n" if stripped else "\n", CommentMark(column), None))
        if m.ca.comment is None:
            m.ca.comment = [None, tokens]
        elif m.ca.comment[1] is None:
            m.ca.comment[1] = tokens
        else:
            m.ca.comment[1].extend(tokens)


def insert_key(m: CommentedMap, key: Any, value: Any, order: list[Any]) -> None:
    """Add ``key`` after the nearest key that precedes it in ``order`` (catalog or schema order)."""
    rank = {k: i for i, k in enumerate(order)}
    mine = rank.get(key, len(order))
    keys = list(m)
    pos = 0
    for i, k in enumerate(keys):
        if rank.get(k, -1) < mine:
            pos = i + 1
    m.insert(pos, key, value)
    if pos == 0:
        return
    prev_key = keys[pos - 1]
    holder = _last_descendant(m, prev_key) or (m, prev_key)
    token = _post_token(*holder)
    eol, rest = _split(token)
    if not rest:
        return
    # The new key goes right under its neighbour, above the comment lines that introduce what follows.
    _set_post_token(holder[0], holder[1], f"{eol}\n" if eol else None, token)
    target = _last_descendant(m, key) or (m, key)
    if target[0] is m:
        _set_post_token(m, key, f"\n{rest}", token)


def set_key(m: CommentedMap, key: Any, value: Any, order: list[Any]) -> None:
    if key in m:
        m[key] = value
    else:
        insert_key(m, key, value, order)


def text_value(text: str, block: bool = False) -> Any:
    """Plain text for short one-liners, a literal block (``|-``) for paragraphs."""
    if block or "\n" in text:
        return LiteralScalarString(text)
    return text
