"""markdown-it's GFM table rule, giving one ``table`` token instead of some 15 tokens a row.

The same decisions as ``markdown_it.rules_block.table`` (which lines start, continue and end a
table; how a row splits into cells), so the tree is what it was, at a fraction of the cost: a
brief's tables are most of its lines, and the library's rule builds a token per cell, tag and row
and splits rows one character at a time. tests/compose/test_markdown_features.py compares the two
rules on generated tables.

The token's ``meta``: ``aligns`` ("", "left", "center", "right" per column), ``header`` (the
header row's cell texts) and ``rows`` (each body row's cell texts, as many as the header has);
the texts are inline Markdown, not yet parsed.
"""

from __future__ import annotations

import re

from markdown_it.common import utils
from markdown_it.rules_block.state_block import StateBlock

try:  # the library's limit on the empty cells it fills in (a short row gets empty cells), where it has one
    from markdown_it.rules_block.table import MAX_AUTOCOMPLETED_CELLS as _MAX_AUTOCOMPLETED
except ImportError:  # pragma: no cover - older markdown-it-py
    _MAX_AUTOCOMPLETED = None
_trim = getattr(utils, "mdTrim", str.strip)  # the library's own trimming (3.x strips with str.strip)

# The delimiter row: '|', '-' or ':' first, then one of those or a space; a '-' is not followed by a space.
_DELIMITER_ROW = re.compile(r"(?:[|:][-|: \t]|-[-|:])[-|: \t]*")
_HEADER_CELL = re.compile(r":?-+:?")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
ALT = ["paragraph", "reference"]  # the chains the library's rule is in: a table may end a paragraph


def split_row(text: str) -> list[str]:
    """The library's escapedSplit: a pipe after a backslash is text (and loses the backslash)."""
    if "\\" not in text:
        return text.split("|")
    return [cell.replace("\\|", "|") for cell in _UNESCAPED_PIPE.split(text)]


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]


def _cells(text: str) -> list[str]:
    cells = split_row(text)
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return cells


def _aligns(delimiter_row: str) -> list[str] | None:
    columns = delimiter_row.split("|")
    aligns = []
    last = len(columns) - 1
    for i, column in enumerate(columns):
        t = _trim(column)
        if not t:
            if i in (0, last):  # ` |---| ` may have empty ends, `---||---` no empty column inside
                continue
            return None
        if not _HEADER_CELL.fullmatch(t):
            return None
        if t[-1] == ":":
            aligns.append("center" if t[0] == ":" else "right")
        else:
            aligns.append("left" if t[0] == ":" else "")
    return aligns


def table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if start + 2 > end:
        return False
    second = start + 1
    if state.sCount[second] < state.blkIndent or state.is_code_block(second):
        return False
    delimiter_row = _line(state, second)
    if not _DELIMITER_ROW.fullmatch(delimiter_row):
        return False
    aligns = _aligns(delimiter_row)
    if aligns is None:
        return False
    first = _trim(_line(state, start))
    if "|" not in first or state.is_code_block(start):
        return False
    header = _cells(first)
    width = len(header)
    if width == 0 or width != len(aligns):
        return False
    if silent:
        return True

    old_parent = state.parentType
    state.parentType = "table"
    # a table ends where a blockquote would: at a fence, quote, rule, list, HTML block or heading
    terminators = state.md.block.ruler.getRules("blockquote")
    rows: list[list[str]] = []
    autocompleted = 0
    line = start + 2
    while line < end:
        if state.sCount[line] < state.blkIndent:
            break
        # a row starts with '|', which starts none of the terminators (they need one of `~>*-_+#< or a
        # digit; tests/compose/test_markdown_features.py pins the chain): no need to ask them
        pos = state.bMarks[line] + state.tShift[line]
        starts_row = pos < state.eMarks[line] and state.src[pos] == "|"
        if not starts_row and any(rule(state, line, end, True) for rule in terminators):
            break
        text = _trim(_line(state, line))
        if not text or state.is_code_block(line):
            break
        cells = _cells(text)
        autocompleted += width - len(cells)  # negative for a row longer than the header, as the library counts
        if _MAX_AUTOCOMPLETED is not None and autocompleted > _MAX_AUTOCOMPLETED:
            break
        rows.append([_trim(c) if c else "" for c in cells[:width]] + [""] * (width - len(cells)))
        line += 1

    token = state.push("table", "table", 0)
    token.map = [start, line]
    token.meta = {"aligns": aligns, "header": [_trim(c) for c in header], "rows": rows}
    state.parentType = old_parent
    state.line = line
    return True
