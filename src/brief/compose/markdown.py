"""Markdown from the templates → the document tree (markdown-it-py does the parsing).

Beside CommonMark and tables, fenced blocks carry the nodes Markdown has no syntax for:
``masthead``, ``keyfigures``, ``figure`` and ``chart`` hold ``key: value`` lines; ``lead``,
``source``, ``note`` and ``center`` hold one paragraph of inline Markdown in that role.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import replace
from pathlib import Path, PurePath

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .. import model
from ..data.files import IMAGE_SUFFIXES
from ..data.images import check_image
from ..errors import BriefError
from . import mdtable
from .sandbox import md_unescape

# The core "inline" rule is off: to_document parses each inline token itself (see inlines_of), most of
# them by a fast path that gives the tokens markdown-it would.
_MD = MarkdownIt("commonmark", {"html": False}).enable("table").disable("inline")
_MD.block.ruler.at("table", mdtable.table, {"alt": mdtable.ALT})  # one token a table (mdtable.py)
ROLE_FENCES = tuple(r for r in model.ROLES if r != "body")  # a body paragraph needs no fence


def to_document(markdown: str, meta: model.Meta, source: str = "template",
                image_roots: tuple[Path, ...] = (), accepted: frozenset[Path] = frozenset()) -> model.Document:
    """``image_roots``: the only dirs a ``figure`` block may take a picture from (the first one
    anchors relative paths); none, no ``figure`` block is accepted. ``accepted``: pictures the data
    reader has checked already (the highlights' photos), not decoded a second time."""
    env: dict = {}
    tokens = _MD.parse(markdown, env)
    blocks: list[model.Block] = []
    i = 0
    while i < len(tokens):
        block, i = _block(tokens, i, source, (image_roots, accepted), env)
        if block is not None:
            blocks.append(block)
    return model.Document(meta, tuple(_titled_tables(blocks)))


def _titled_tables(blocks: list[model.Block]) -> list[model.Block]:
    """A ``center`` paragraph right above a table is that table's title (it repeats on a new page)."""
    out: list[model.Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (isinstance(block, model.Table) and not block.caption and isinstance(prev, model.Paragraph)
                and prev.role == "center"):
            out[-1] = replace(block, caption=model.plain(prev.inlines))
        else:
            out.append(block)
    return out


def _block(tokens: list[Token], i: int, source: str, pictures: tuple[tuple[Path, ...], frozenset[Path]],
           env: dict) -> tuple[model.Block | None, int]:
    tok = tokens[i]
    if tok.type == "heading_open":
        level = int(tok.tag[1]) - 1  # '#' is the title (0), '##' 一、 (1), '###' （一） (2)
        return model.Heading(min(level, 2), inlines_of(tokens[i + 1].content, env)), i + 3
    if tok.type == "paragraph_open":
        return model.Paragraph(inlines_of(tokens[i + 1].content, env)), i + 3
    if tok.type == "fence":
        return _fence(tok, source, pictures), i + 1
    if tok.type == "table":
        return _table(tok, env), i + 1
    if tok.type in ("hr", "html_block", "code_block"):
        return None, i + 1
    raise BriefError.at(source, (tok.map[0] + 1) if tok.map else None, tok.type,
                        "模板生成了简报不支持的 Markdown 结构（只支持标题、段落、表格和围栏块）")


# Inline content that is plain text to markdown-it: no ASCII punctuation (a superset of the characters
# its inline rules start at, in every version) and no line break, except backslash escapes of ASCII
# punctuation -- what md_escape makes of every printed value. Its one token is the text unescaped.
_PLAIN_PART = r"(?:[^\x00-\x20!-/:-@\[-`{-~]|[ \t]|\\[!-/:-@\[-`{-~])"
_PLAIN = re.compile(_PLAIN_PART + "*")
# A bold lead, as a highlight starts: **plain**plain (a template's **{{ h.title }}**。{{ h.text }}).
_BOLD_LEAD = re.compile(rf"\*\*({_PLAIN_PART}+)\*\*({_PLAIN_PART}*)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_escaped = operator.itemgetter(1)  # an escape's character (a function: faster than the template r"\1")


def _unescape(text: str) -> str:
    return _ESCAPE.sub(_escaped, text) if "\\" in text else text


def _bold_pair(inner: str, after: str) -> bool:
    """Whether CommonMark pairs the two ``**`` around ``inner`` (followed by ``after``): the first
    opens when a non-space follows it (it starts the text); the second closes when a letter or
    digit precedes it, or a non-space does and nothing follows. Anything else: the full parser."""
    if inner[0].isspace():  # str.isspace covers every character CommonMark counts as whitespace
        return False
    last = inner[-1]
    return unicodedata.category(last)[0] in "LN" or (not after and not last.isspace())


def inlines_of(content: str, env: dict) -> model.Inlines:
    """An inline token's content → the tree's inlines, as markdown-it's core "inline" and "text_join"
    rules would make them (``env``: the document's, for link references)."""
    if _PLAIN.fullmatch(content):
        text = _unescape(content)
        return (model.Text(text, False),) if text else ()
    bold = _BOLD_LEAD.fullmatch(content)
    if bold and _bold_pair(bold[1], bold[2]):
        rest = _unescape(bold[2])
        return (model.Text(_unescape(bold[1]), True),) + ((model.Text(rest, False),) if rest else ())
    children: list[Token] = []
    _MD.inline.parse(content, _MD, env, children)
    return _convert(children)


def _convert(children: list[Token]) -> model.Inlines:
    out: list[model.Text] = []
    bold = 0
    for child in children:
        if child.type == "strong_open":
            bold += 1
        elif child.type == "strong_close":
            bold -= 1
        elif child.type in ("text", "text_special", "code_inline"):  # text_special: an escape (text_join)
            _append(out, child.content, bold > 0)
        elif child.type == "softbreak":
            continue  # a line break inside a Chinese paragraph is no space
        elif child.type == "hardbreak":
            _append(out, "\n", bold > 0)
    return tuple(out)


def _append(out: list[model.Text], text: str, bold: bool) -> None:
    if not text:
        return
    if out and out[-1].bold == bold:
        out[-1] = model.Text(out[-1].text + text, bold)
    else:
        out.append(model.Text(text, bold))


def _fields(content: str) -> list[tuple[str, str]]:
    out = []
    for line in content.splitlines():
        if line.strip():
            key, _, value = line.partition(":")
            out.append((key.strip(), md_unescape(value.strip())))
    return out


def _fence(tok: Token, source: str, pictures: tuple[tuple[Path, ...], frozenset[Path]]) -> model.Block | None:
    kind = tok.info.strip()
    line = (tok.map[0] + 1) if tok.map else None
    if kind in ROLE_FENCES:
        # as parseInline would: a fresh env, so the document's link references do not apply
        return model.Paragraph(inlines_of(tok.content.strip(), {}), role=kind)
    fields = _fields(tok.content)
    data = dict(fields)
    if kind == "masthead":
        return model.Masthead(data.get("title", ""), data.get("issuer", ""), data.get("date", ""),
                              data.get("number", ""))
    if kind == "keyfigures":
        return model.KeyFigures(tuple(model.KeyFigure(k, v) for k, v in fields)) if fields else None
    if kind == "figure":
        return model.Figure(figure_path(data.get("path", ""), *pictures, source), data.get("caption", ""))
    if kind == "chart":
        return _chart(fields, source)
    raise BriefError.at(source, line, kind or "fence", "未知的围栏块类型")


def figure_path(raw: str, roots: tuple[Path, ...], accepted: frozenset[Path], source: str) -> Path:
    """A ``figure`` block's picture, confined as data images are: inside one of ``roots`` once
    symlinks are resolved, no ``..``, an existing JPG or PNG. Anything else is one line naming
    the template: a template must not put an arbitrary file of the machine into a brief."""
    def refuse(message: str) -> BriefError:
        return BriefError.at(source, None, "figure", message)

    if not raw:
        raise refuse("figure 块缺少 path：请写图片路径")
    if ".." in PurePath(raw).parts or not roots:
        raise refuse(f"图片路径“{raw}”离开了模板目录和数据目录；请把图片放在模板目录或数据目录内")
    target = (roots[0] / raw).resolve()  # an absolute raw replaces the root
    if not any(target.is_relative_to(root.resolve()) for root in roots):
        raise refuse(f"图片路径“{raw}”离开了模板目录和数据目录；请把图片放在模板目录或数据目录内")
    if not target.is_file():
        raise refuse(f"找不到图片“{raw}”（相对路径从模板目录算起）")
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        raise refuse(f"图片“{raw}”应为 JPG 或 PNG")
    if target in accepted:
        return target
    problem = _checked_image(target)  # the same rule as a data file's photos
    if problem:
        raise refuse(f"图片“{raw}”：{problem}")
    return target


_ACCEPTED: dict[tuple, None] = {}  # pictures that passed check_image, by path and stat (a logo: every brief)
_ACCEPTED_MAX = 1024


def _checked_image(target: Path) -> str | None:
    """check_image, done once per file version and process: a file whose stat changed is checked again."""
    try:
        st = target.stat()
    except OSError:
        return check_image(target)  # it says why in its own words
    key = (target, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    if key in _ACCEPTED:
        return None
    problem = check_image(target)
    if problem is None:
        if len(_ACCEPTED) >= _ACCEPTED_MAX:
            _ACCEPTED.clear()
        _ACCEPTED[key] = None
    return problem


def _chart(fields: list[tuple[str, str]], source: str) -> model.Chart | None:
    data = dict(fields)
    categories = tuple(data.get("categories", "").split("|"))
    try:
        series = tuple(
            model.Series(v.split("|")[0], tuple(_height(x) for x in v.split("|")[1:]),
                         tuple(x.strip() for x in v.split("|")[1:]))
            for k, v in fields if k == "series"
        )
    except ValueError as exc:
        raise BriefError.at(source, None, "chart", f"图表的数值“{exc}”不是数字；series 写作 名称|12.5|8") from None
    if not categories or not series:
        return None
    return model.Chart(data.get("title", ""), categories, series, data.get("unit", ""))


def _height(text: str) -> float:
    """A bar's height (geometry only; the label keeps the text as written)."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(text.strip()) from None
    if not abs(value) < 1e16:  # NaN, infinities, and heights no figure reaches (they overflow the axis)
        raise ValueError(text.strip())
    return value


def _table(tok: Token, env: dict) -> model.Table:
    """A ``table`` token of mdtable's rule: the header row, the body rows, right-aligned columns."""
    header = tuple(inlines_of(cell, env) for cell in tok.meta["header"])
    rows = tuple(tuple(inlines_of(cell, env) for cell in row) for row in tok.meta["rows"])
    return model.Table(header, rows, numeric=tuple(a == "right" for a in tok.meta["aligns"]))
