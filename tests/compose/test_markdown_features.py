"""compose/markdown.py's fast paths make the tree markdown-it's stock parser makes (issue 19).

to_document skips markdown-it's inline parser for plain text and parses tables with its own rule
(mdtable.py). ``stock_document`` below is the conversion as it was before, on the stock parser
(CommonMark + tables, every rule on): each supported Markdown feature, the constructs that are
refused, and generated tables and paragraphs must come out the same, errors included.
"""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt, rules_block
from markdown_it.rules_block.table import escapedSplit
from markdown_it.token import Token

from brief import model
from brief.compose import markdown, mdtable
from brief.compose.markdown import to_document
from brief.errors import BriefError
from helpers import DATA

META = model.Meta(title="t", author="a", draft=False, subject="s")
STOCK = MarkdownIt("commonmark", {"html": False}).enable("table")
PHOTO = DATA / "counties" / "yingjisha" / "photos" / "academy.jpg"
library_table = sys.modules[escapedSplit.__module__]  # the rule's module (the package exports its function)


# -- the conversion as it was, on the stock parser --------------------------------------------------


def _stock_inlines(inline: Token) -> model.Inlines:
    out: list[model.Text] = []
    bold = 0
    for child in inline.children or []:
        if child.type in ("strong_open", "strong_close"):
            bold += 1 if child.type == "strong_open" else -1
        elif child.type in ("text", "code_inline", "hardbreak"):
            text = "\n" if child.type == "hardbreak" else child.content
            if text and out and out[-1].bold == (bold > 0):
                out[-1] = model.Text(out[-1].text + text, bold > 0)
            elif text:
                out.append(model.Text(text, bold > 0))
    return tuple(out)


def _stock_table(tokens: list[Token], i: int) -> tuple[model.Table, int]:
    rows, numeric, row, header_rows = [], [], [], 0
    while tokens[i].type != "table_close":
        tok = tokens[i]
        if tok.type == "tr_close":
            rows.append(tuple(row))
            row = []
        elif tok.type in ("th_open", "td_open"):
            if tok.type == "th_open":
                numeric.append(tok.attrGet("style") == "text-align:right")
            row.append(_stock_inlines(tokens[i + 1]))
        elif tok.type == "thead_close":
            header_rows = len(rows)
        i += 1
    return model.Table(rows[0] if header_rows else (), tuple(rows[header_rows:]), numeric=tuple(numeric)), i + 1


def stock_document(text: str, roots: tuple[Path, ...] = ()) -> model.Document:
    tokens = STOCK.parse(text)
    blocks: list[model.Block] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        block: model.Block | None = None
        if tok.type == "heading_open":
            block, i = model.Heading(min(int(tok.tag[1]) - 1, 2), _stock_inlines(tokens[i + 1])), i + 3
        elif tok.type == "paragraph_open":
            block, i = model.Paragraph(_stock_inlines(tokens[i + 1])), i + 3
        elif tok.type == "table_open":
            block, i = _stock_table(tokens, i)
        elif tok.type == "fence" and tok.info.strip() in markdown.ROLE_FENCES:
            parsed = STOCK.parseInline(tok.content.strip())
            block, i = model.Paragraph(_stock_inlines(parsed[0]), role=tok.info.strip()), i + 1
        elif tok.type == "fence":
            block, i = markdown._fence(tok, "t", (roots, frozenset())), i + 1
        elif tok.type in ("hr", "html_block", "code_block"):
            i += 1
        else:
            raise BriefError.at("t", (tok.map[0] + 1) if tok.map else None, tok.type,
                                "模板生成了简报不支持的 Markdown 结构（只支持标题、段落、表格和围栏块）")
        if block is not None:
            blocks.append(block)
    return model.Document(META, tuple(markdown._titled_tables(blocks)))


def outcome(compose: object, text: str, roots: tuple[Path, ...] = ()) -> object:
    try:
        return compose(text, roots)  # type: ignore[operator]
    except BriefError as exc:
        return ("error", str(exc))


def fast(text: str, roots: tuple[Path, ...] = ()) -> model.Document:
    return to_document(text, META, "t", roots)


def same(text: str, roots: tuple[Path, ...] = ()) -> object:
    got = outcome(fast, text, roots)
    assert got == outcome(stock_document, text, roots), text
    return got


# -- every feature a template may use ---------------------------------------------------------------

HARD = "  "  # two spaces before a line break: a hard break
FEATURES = f"""\
```masthead
title: 援疆工作简报
issuer: 济宁援疆指挥部
date: 2023年
```

# 英吉沙县 *2023* 年工作综述

```lead
2023年是第一年：**产业**、`人才`和民生\\.
```

```keyfigures
选派干部人才: 490名
三四级手术量同比: 上升61\\.36\\%
```

```chart
title: 图1　同比
unit: %
categories: 甲\\|乙
series: 同比|15\\.91\\|0
```

## 一、队伍建设

**党组织建到援疆一线**。指挥部设立3个临时党支部\\*，[链接](http://example.cn)与<http://example.cn>，
软换行接着写；硬换行在这里{HARD}
下一行\\
再下一行，实体&#12288;&amp;&copy;，![图](x.png)不是图片块。

### （一）三级标题

#### 四级标题按三级排

设置型标题
---

    缩进的代码块不进简报

<div>HTML 关掉了，当作文字</div>

***

[参考]: http://example.cn "标题"

引用式链接：[参考]，与 [参考][]。

```center
**英吉沙县主要指标（2023年）**
```

| 指标 | 2023年 | 2022年 | 同比 |
| :--- | ---: | :---: | --- |
| 临时党支部 | 3个 | 3个 | 持平 |
| &#12288;&#12288;其中：党小组 | **9**个 | 8\\|个 | 上升12\\.50\\% |
| 少一格 | 1 |
| 多一格 | 1 | 2 | 3 | 4 | 5 |
| `代码|格` | [参考] | \\\\| | |

```figure
path: {PHOTO}
caption: 照片
```

```source
数据来源：指挥部
```

```note
注：单位为人。
```
"""


def test_every_supported_feature_composes_as_the_stock_parser_does() -> None:
    doc = same(FEATURES, (DATA,))
    assert isinstance(doc, model.Document)
    kinds = [type(b).__name__ for b in doc.blocks]
    for kind in ("Masthead", "Heading", "Paragraph", "KeyFigures", "Chart", "Table", "Figure"):
        assert kind in kinds, kind
    table = next(b for b in doc.blocks if isinstance(b, model.Table))
    assert table.caption == "英吉沙县主要指标（2023年）"
    assert table.numeric == (False, True, False, False)
    cells = [[model.plain(c) for c in row] for row in table.rows]
    assert cells[1] == ["\u3000\u3000其中：党小组", "9个", "8|个", "上升12.50%"]
    assert cells[2] == ["少一格", "1", "", ""] and cells[3] == ["多一格", "1", "2", "3"]
    assert any(t.bold and t.text == "9" for t in table.rows[1][1])
    roles = {b.role: model.plain(b.inlines) for b in doc.blocks if isinstance(b, model.Paragraph)}
    assert roles["lead"] == "2023年是第一年：产业、人才和民生."
    assert roles["source"] == "数据来源：指挥部" and roles["note"] == "注：单位为人。"
    body = [model.plain(b.inlines) for b in doc.blocks if isinstance(b, model.Paragraph) and b.role == "body"]
    assert any("3个临时党支部*，链接与http://example.cn" in p and "在这里\n下一行\n再下一行" in p for p in body)
    assert "引用式链接：参考，与 参考。" in body


@pytest.mark.parametrize("text", [
    "- 列表\n- 不支持\n",
    "1. 有序列表\n",
    "> 引用\n",
    "段落\n> 引用打断段落\n",
    "| a | b |\n| - | - |\n| 1 | 2 |\n- 列表结束表格\n",
    "| a | b |\n| - | - |\n> 引用结束表格\n",
])
def test_what_is_refused_is_refused_in_the_same_line(text: str) -> None:
    assert same(text)[0] == "error"  # type: ignore[index]


@pytest.mark.parametrize("text", [
    "段落\n| a | b |\n| - | - |\n| 1 | 2 |\n",  # a table ends a paragraph
    "| a | b |\n| - | - |\n| 1 | 2 |\n段落接在表格后\n",  # a line without a pipe is a row too
    "| a | b |\n| - | - |\n| 1 | 2 |\n# 标题结束表格\n",
    "| a | b |\n| - | - |\n| 1 | 2 |\n```center\n居中\n```\n",
    "| a | b |\n| - | - |\n| 1 | 2 |\n---\n",
    "| a | b |\n| - | - |\n\n| 1 | 2 |\n",  # a blank line ends the table
    "| a | b |\n| - | - |\n        | 缩进 | 行 |\n",
    "  | a | b |\n  |:-:|-:|\n  | 1 | 2 |\n",
    "| a |\n|---|---|\n| 1 |\n",  # header and delimiter differ: no table
    "a | b\n--|--\n1 | 2\n",
    "|a|\n|-|\n",
    "| a | b |\n| -- | - |\n",
    "| a | b |\n|- | -|\n",
    "| a | b |\n| - || - |\n",
    "| a \\| b |\n| - |\n| c \\\\| d |\n",
    "| a | b |\n| - x | - |\n",
    "||\n|-|\n",
    "| a |\n| - |\n|\u3000全角空格\u3000|\n",
])
def test_table_edges_compose_as_the_stock_parser_does(text: str) -> None:
    same(text)


def test_a_table_stops_where_the_library_stops_filling_in_empty_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows shorter than the header get empty cells up to a limit (65,536 cells; lowered to 5 here)."""
    assert mdtable._MAX_AUTOCOMPLETED == library_table.MAX_AUTOCOMPLETED_CELLS
    monkeypatch.setattr(library_table, "MAX_AUTOCOMPLETED_CELLS", 5)
    monkeypatch.setattr(mdtable, "_MAX_AUTOCOMPLETED", 5)
    text = "| a | b | c |\n| - | - | - |\n" + "| 1 |\n" * 2 + "| 1 | 2 | 3 | 4 |\n" + "| 1 |\n" * 3
    doc = same(text)
    assert len(doc.blocks[0].rows) == 4 and model.plain(doc.blocks[1].inlines) == "| 1 || 1 |"  # type: ignore[union-attr]


def _random_document(rng: random.Random) -> str:
    pieces = ["|", "|", "|", " ", " ", "\\", "-", ":", "*", "**", "`", "a", "字", "\\|", "&#12288;", "\u3000",
              "\t", "1.", ">", "#", "_", "[x]", "<b>", "~"]
    lines = []
    for _ in range(rng.randint(1, 8)):
        kind = rng.random()
        if kind < 0.2:
            lines.append(rng.choice(["| --- | ---: |", "|:-|-:|", "--- | ---", "| - |", "|---|---|---|", ""]))
        else:
            lines.append("".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))))
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_generated_documents_compose_as_the_stock_parser_does() -> None:
    rng = random.Random(19)
    for _ in range(3000):
        same(_random_document(rng))


def test_plain_inline_text_is_what_the_inline_parser_makes() -> None:
    rng = random.Random(7)
    alphabet = ["字", "a", " ", "\\.", "\\%", "\\\\", "\\|", "\\*", "\\", ".", "*", "\t", "—", "&amp;", "`", "\\\n"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10))).strip()
        assert markdown.inlines_of(text, {}) == _stock_inlines(STOCK.parseInline(text)[0]), text


def test_a_bold_lead_is_what_the_inline_parser_makes() -> None:
    """``**title**。text``: the fast path pairs the stars only where CommonMark does."""
    rng = random.Random(11)
    alphabet = ["字", "a", "1", " ", "\u3000", "\\.", "\\*", "。", "（", "）", "—", "\t", "\u00a0", "é", "_", "\\"]
    for _ in range(5000):
        inner = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 5)))
        after = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4)))
        text = f"**{inner}**{after}".strip()
        assert markdown.inlines_of(text, {}) == _stock_inlines(STOCK.parseInline(text)[0]), repr(text)
    assert markdown.inlines_of("**党组织建到援疆一线**。指挥部", {}) == (
        model.Text("党组织建到援疆一线", True), model.Text("。指挥部", False))


def test_rows_split_as_the_library_splits_them() -> None:
    rng = random.Random(3)
    for _ in range(3000):
        text = "".join(rng.choice(["|", "\\", "a", " ", "字"]) for _ in range(rng.randint(0, 12)))
        assert mdtable.split_row(text) == escapedSplit(text), text


def test_a_row_starting_with_a_pipe_is_never_asked_whether_it_ends_the_table() -> None:
    """mdtable skips the chain that ends a table for such a row: none of these starts with '|'.
    A markdown-it that adds a rule to the chain fails here, and mdtable must ask it again."""
    chain = [rules_block.fence, rules_block.blockquote, rules_block.hr, rules_block.list_block,
             rules_block.html_block, rules_block.heading]
    assert markdown._MD.block.ruler.getRules("blockquote") == chain


# -- pictures -------------------------------------------------------------------------------------------


def test_a_template_picture_is_checked_again_once_its_file_changed(tmp_path: Path) -> None:
    logo = tmp_path / "logo.jpg"
    shutil.copy(PHOTO, logo)
    text = f"```figure\npath: {logo.name}\ncaption: 标志\n```\n"
    assert fast(text, (tmp_path,)).blocks[0] == model.Figure(logo.resolve(), "标志")
    assert fast(text, (tmp_path,)).blocks[0] == model.Figure(logo.resolve(), "标志")  # remembered
    logo.write_bytes(PHOTO.read_bytes()[:2000])  # cut short: its size (and mtime) changed
    with pytest.raises(BriefError, match="图片“logo.jpg”：图片已损坏"):
        fast(text, (tmp_path,))


def test_a_picture_the_data_reader_accepted_is_not_decoded_again(monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[Path] = []
    monkeypatch.setattr(markdown, "check_image", lambda p: checked.append(p))
    monkeypatch.setattr(markdown, "_ACCEPTED", {})
    text = f"```figure\npath: {PHOTO}\ncaption: 照片\n```\n"
    doc = to_document(text, META, "t", (DATA,), frozenset({PHOTO.resolve()}))
    assert doc.blocks == (model.Figure(PHOTO.resolve(), "照片"),) and checked == []
    to_document(text, META, "t", (DATA,))
    assert checked == [PHOTO.resolve()]
