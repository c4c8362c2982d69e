"""GB/T 15834 line breaking, grid and justification of brief.writers.pdf.cjk (regression sweep)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from brief.writers.pdf.cjk import (
    HANGABLE,
    NO_END,
    NO_START,
    NUMBER_GLUE,
    CJKParagraph,
    Line,
    ParaStyle,
    Piece,
    Run,
    break_lines,
    check_breaks,
)

UMING = "/usr/share/fonts/truetype/arphic/uming.ttc"  # full-width quotes; the project installs it
ZENHEI = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
WENKAI = "/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf"

SIZE = 16.0
WIDTH = 156 * mm
TRACK = 156 * mm / 28 - SIZE  # −0.207 pt: 28 characters per 156 mm line
LEADING = 28.95
BODY = ParaStyle(leading=LEADING, tracking=TRACK)
BODY_INDENT = ParaStyle(leading=LEADING, tracking=TRACK, first_line_indent=2 * (SIZE + TRACK))

# Ideographs without any punctuation, so the only marks are the ones a test puts in.
FILLER = (
    "全县坚持以人民为中心的发展思想统筹推进各项任务落实落细持续巩固拓展脱贫攻坚成果同乡村振兴有效衔接"
    "扎实做好就业帮扶产业发展基础设施建设和公共服务提升工作群众获得感幸福感安全感不断增强"
) * 2


def _register(name: str, path: str, index: int = 0) -> bool:
    if name in pdfmetrics.getRegisteredFontNames():
        return True
    if not Path(path).exists():
        return False
    pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
    return True


@pytest.fixture(scope="module")
def font() -> str:
    # No skip: AR PL UMing (fonts-arphic-uming) is a project dependency, so its absence is a failure.
    assert _register("T-UMing", UMING), f"missing {UMING}: apt-get install fonts-arphic-uming"
    return "T-UMing"


def _run(text: str, font: str) -> list[Run]:
    return [Run(text, font, SIZE)]


def _break_offsets(lines: list[Line]) -> list[int]:
    offsets, pos = [], 0
    for line in lines[:-1]:
        pos += len(line.text)
        offsets.append(pos)
    return offsets


def _check_layout(text: str, lines: list[Line], width: float = WIDTH, keep: tuple[str, ...] = ()) -> None:
    """Everything the sweep asserts about one laid-out paragraph."""
    assert check_breaks(lines) == [], (text, [ln.content for ln in lines])
    assert "".join(ln.text for ln in lines) == text
    for ln in lines:
        assert ln.right <= width + 0.01, ("overflow", ln.content, ln.right)
        if ln.hanging:
            # One closing mark of at most 1 em hangs; everything before it fits the measure.
            assert ln.content[-1] in HANGABLE
            last = ln.pieces[-1].run
            mark = pdfmetrics.stringWidth(ln.content[-1], last.font, last.size)
            assert mark <= last.size
            assert ln.glyph_width - mark + (ln.nchars - 1) * TRACK <= width - ln.x0 + 0.01
        if not ln.last:
            assert ln.right == pytest.approx(width, abs=0.05)
    # Protected sequences never contain a break.
    for word in keep:
        start = text.find(word)
        while start >= 0:
            for off in _break_offsets(lines):
                assert not start < off < start + len(word), (word, [ln.content for ln in lines])
            start = text.find(word, start + 1)


def test_rule_tables_cover_gbt15834() -> None:
    # check_breaks shares these tables with the breaker, so pin them to the standard's lists here.
    assert set("。，、；：？！…—～·%）》〉〕】」』”’〗｝］" ",.;:?!)]}%") <= NO_START
    assert set("“‘（《〈〔【「『〖［｛") <= NO_END
    assert set("万亿余多%") <= NUMBER_GLUE
    assert not NO_START & NO_END


# --- 1. the sweep ------------------------------------------------------------------------------------

CLOSING = list("，。、；：？！”）》")
OPENING = list("“（《")
PAIRS = ["——", "……", "。”", "”，", "）。", "！”", "》，", "？”"]
NUMBERS = ["10.49亿元", "747.6万元", "61.36%", "2.12万人次", "30.89万亩", "PM2.5", "1+X", "20余次", "7万多亩"]


def _placed(item: str, col: int) -> str:
    """FILLER with ``item`` starting at 1-based column ``col`` (plus a closing mark after openers)."""
    if item in OPENING:
        close = {"“": "”", "（": "）", "《": "》"}[item]
        item = f"{item}十四五{close}"
    return FILLER[: col - 1] + item + FILLER[col - 1 : col + 70]


@pytest.mark.slow
@pytest.mark.parametrize("style", [BODY, BODY_INDENT], ids=["flush", "indent2"])
def test_sweep_every_column(font: str, style: ParaStyle) -> None:
    count = 0
    for item in CLOSING + OPENING + PAIRS + NUMBERS:
        keep = tuple(w for w in ("——", "……", "10.49亿", "747.6万", "61.36%", "2.12万", "30.89万", "7万多")
                     if w in item)
        for col in range(1, 61):  # covers columns 20..30 of line 1 and every column of line 2
            text = _placed(item, col)
            _check_layout(text, break_lines(_run(text, font), WIDTH, style), keep=keep)
            count += 1
    assert count == 60 * (len(CLOSING) + len(OPENING) + len(PAIRS) + len(NUMBERS))


@pytest.mark.parametrize("period", range(18, 33))
def test_sweep_periodic_marks(font: str, period: int) -> None:
    """Marks every ``period`` characters land on every column of successive lines."""
    items = CLOSING + OPENING + PAIRS + NUMBERS
    for k, item in enumerate(items):
        chunks = []
        for j in range(12):
            start = (j * 7 + k) % 60
            body = FILLER[start : start + period]
            chunks.append(body + (f"{item}十四五" if item in OPENING else item))
        text = "".join(chunks)
        _check_layout(text, break_lines(_run(text, font), WIDTH, BODY_INDENT))


def test_hanging_mark_is_squeezed_flush(font: str) -> None:
    text = FILLER[:28] + "。" + FILLER[:40]
    lines = break_lines(_run(text, font), WIDTH, BODY)
    first = lines[0]
    assert first.content == FILLER[:28] + "。"
    assert first.hanging and first.char_space < TRACK
    assert first.right == pytest.approx(WIDTH, abs=0.01)
    # Left-aligned text lets the mark actually hang past the edge (at most one em).
    left = break_lines(_run(text, font), WIDTH, ParaStyle(leading=LEADING, tracking=TRACK, align="left"))
    assert left[0].hanging and WIDTH < left[0].right <= WIDTH + SIZE


@pytest.mark.parametrize("align", ["center", "right"])
def test_centred_and_right_aligned_lines_never_hang_a_mark(font: str, align: str) -> None:
    """A table heading such as 麦盖提县（稿） breaks before its bracket instead of pushing （稿） over the rule."""
    text = "麦盖提县（稿）"
    lines = break_lines(_run(text, font), 6 * SIZE, ParaStyle(leading=LEADING, align=align))
    assert [ln.content for ln in lines] == ["麦盖提县", "（稿）"]
    assert not any(ln.hanging for ln in lines)
    assert all(0 <= ln.x0 and ln.right <= 6 * SIZE + 0.01 for ln in lines)


def test_close_pair_moves_with_previous_character(font: str) -> None:
    text = FILLER[:28] + "。”" + FILLER[:40]
    lines = break_lines(_run(text, font), WIDTH, BODY)
    assert lines[0].content == FILLER[:27]
    assert lines[1].content.startswith(FILLER[27] + "。”")


def test_opening_mark_never_ends_line(font: str) -> None:
    text = FILLER[:27] + "“十四五”" + FILLER[:40]
    lines = break_lines(_run(text, font), WIDTH, BODY)
    assert lines[0].content == FILLER[:27]
    assert lines[1].content.startswith("“十四五”")


def test_check_breaks_finds_violations(font: str) -> None:
    run = Run("", font, SIZE)

    def line(text: str) -> Line:
        return Line((Piece(text, run, 0.0),), 0.0, 0.0, WIDTH)

    bad = [line("今年以来全县“"), line("，十四五”规划完成10.49"), line("亿元——"), line("——PM2."),
           line("5浓度（"), line("下降")]
    problems = check_breaks(bad)
    joined = "\n".join(problems)
    assert "starts with '，'" in joined
    assert "ends with '“'" in joined
    assert "splits '——'" in joined
    assert "separates a number from '亿'" in joined
    assert "splits a number or word" in joined
    assert "ends with '（'" in joined
    assert len(problems) >= 7
    assert check_breaks([line("今年以来"), line("全县")]) == []


def test_stock_like_breaks_are_reported(font: str) -> None:
    """Re-cut a good layout one character early: the check must notice the moved comma."""
    text = FILLER[:27] + "，" + FILLER[:40]
    good = break_lines(_run(text, font), WIDTH, BODY)
    assert check_breaks(good) == []
    run = Run("", font, SIZE)
    bad = [Line((Piece(text[:27], run, 0.0),), 0, 0, WIDTH), Line((Piece(text[27:], run, 0.0),), 0, 0, WIDTH)]
    assert check_breaks(bad)


# --- 2. grid -----------------------------------------------------------------------------------------


def test_grid_28_characters_22_lines(font: str) -> None:
    text = FILLER[:100]
    lines = break_lines(_run(text, font), WIDTH, BODY)
    assert [ln.nchars for ln in lines[:3]] == [28, 28, 28]
    assert lines[0].right == pytest.approx(WIDTH, abs=0.01)
    # Without tracking, 16 pt gives 27 characters.
    plain = break_lines(_run(text, font), WIDTH, ParaStyle(leading=LEADING))
    assert plain[0].nchars == 27
    # A full frame of 225 mm holds 22 lines.
    para = CJKParagraph(_run(FILLER * 4, font), BODY)
    _, height = para.wrap(WIDTH, 225 * mm)
    assert height > 225 * mm
    head, tail = para.split(WIDTH, 225 * mm)
    assert len(head.lines(WIDTH)) == 22
    assert head.wrap(WIDTH, 225 * mm)[1] == pytest.approx(22 * LEADING)
    assert 22 * LEADING <= 225 * mm < 23 * LEADING


# --- 3. justification --------------------------------------------------------------------------------


def test_justified_right_edges_and_ragged_last_line(font: str) -> None:
    text = "今年以来，全县统筹推进“十四五”规划各项任务——完成粮食播种面积30.89万亩，同比增长2.3%；" \
           "实现地区生产总值10.49亿元，其中第三产业增加值747.6万元，占比61.36%……接待游客2.12万人次（同比" \
           "增长15%），PM2.5平均浓度下降。《工作方案》明确：到2025年，基本建成“1+X”服务体系。"
    lines = break_lines(_run(text, font), WIDTH, BODY_INDENT)
    assert len(lines) >= 4
    assert lines[0].x0 == pytest.approx(2 * (SIZE + TRACK))
    for ln in lines[:-1]:
        assert ln.right == pytest.approx(WIDTH, abs=0.05), ln.content
    assert lines[-1].last and lines[-1].char_space == TRACK
    assert lines[-1].right < WIDTH - SIZE
    _check_layout(text, lines)


def test_alignments(font: str) -> None:
    text = FILLER[:10]
    for align, x0 in (("left", 0.0), ("right", None), ("center", None)):
        (ln,) = break_lines(_run(text, font), WIDTH, ParaStyle(leading=LEADING, align=align))
        assert ln.char_space == 0.0
        if align == "right":
            assert ln.right == pytest.approx(WIDTH)
        elif align == "center":
            assert ln.x0 == pytest.approx(WIDTH - ln.right)
        else:
            assert ln.x0 == x0


def test_ideographic_space_keeps_full_width(font: str) -> None:
    text = "\u3000\u3000" + FILLER[:60] + "\u3000" + FILLER[:20]
    lines = break_lines(_run(text, font), WIDTH, BODY)
    first = lines[0]
    assert first.content.startswith("\u3000\u3000")
    assert first.pieces[0].width == pytest.approx(len(first.pieces[0].text) * SIZE)
    assert first.nchars == 28  # U+3000 takes a full grid cell
    assert "".join(ln.text for ln in lines) == text
    # A font that reports a narrower U+3000 is overridden, and the space is drawn on its own.
    (ln,) = break_lines([Run("\u3000", "Helvetica", SIZE), Run("中文", font, SIZE)], WIDTH, BODY)
    assert ln.pieces[0].text == "\u3000" and ln.pieces[0].width == SIZE


def test_ordinary_spaces_and_no_trailing_space(font: str) -> None:
    text = FILLER[:20] + "Beijing Tianjin Hebei coordinated development " + FILLER[:30]
    lines = break_lines(_run(text, font), WIDTH, BODY)
    _check_layout(text, lines)
    for ln in lines:
        assert not ln.content.endswith(" ") and not ln.content.startswith(" ")
    for word in ("Beijing", "Tianjin", "Hebei", "coordinated", "development"):
        assert any(word in ln.content for ln in lines)


def test_degenerate_input_terminates(font: str) -> None:
    url = "https://example.gov.cn/" + "a" * 120
    lines = break_lines(_run(FILLER[:10] + url + "。", font), WIDTH, BODY)
    assert "".join(ln.text for ln in lines) == FILLER[:10] + url + "。"
    assert all(ln.nchars > 0 for ln in lines)
    assert len(break_lines(_run("", font), WIDTH, BODY)) == 1  # an empty paragraph is one blank line
    hard = break_lines(_run(FILLER[:40] + "\n" + FILLER[:5], font), WIDTH, BODY)
    assert [ln.content for ln in hard] == [FILLER[:28], FILLER[28:40], FILLER[:5]]
    assert hard[1].last and hard[1].char_space == TRACK and hard[2].x0 == 0


@pytest.mark.slow
def test_multiple_runs_and_fonts(font: str) -> None:
    heavy = "T-ZenHei" if _register("T-ZenHei", ZENHEI) else font
    rare = "T-WenKai" if _register("T-WenKai", WENKAI) else font
    runs = [Run("一、总体情况。", heavy, SIZE), Run(FILLER[:40] + "，", font, SIZE),
            Run("𠮷", rare, SIZE), Run("字“十四五”期间" + FILLER[:30] + "。", font, SIZE),
            Run("（注）", font, 12.0)]
    text = "".join(r.text for r in runs)
    lines = break_lines(runs, WIDTH, BODY_INDENT)
    _check_layout(text, lines)
    fonts = {p.run.font for ln in lines for p in ln.pieces}
    assert {heavy, font, rare} <= fonts
    assert any(p.text == "𠮷" for ln in lines for p in ln.pieces)


def test_split_keeps_line_breaking(font: str) -> None:
    para = CJKParagraph(_run(FILLER * 2 + "。", font), replace(BODY_INDENT, space_before=6, space_after=9))
    full = para.lines(WIDTH)
    w, h = para.wrap(WIDTH, 1000)
    assert h == pytest.approx(len(full) * LEADING)
    assert para.getSpaceBefore() == 6 and para.getSpaceAfter() == 9
    assert para.split(WIDTH, LEADING - 0.5) == []
    a, b = para.split(WIDTH, 3.5 * LEADING)
    la, lb = a.lines(WIDTH), b.lines(WIDTH)
    assert len(la) == 3 and la + lb == full
    assert a.getSpaceAfter() == 0 and b.getSpaceBefore() == 0 and b.getSpaceAfter() == 9
    assert la[0].x0 > 0 and lb[0].x0 == 0
    assert not la[-1].last and lb[-1].last
    # The continuation re-broken from scratch gives the same lines.
    again = break_lines(b.runs, WIDTH, b.style)
    assert [(ln.content, ln.x0, ln.char_space) for ln in again] == [(ln.content, ln.x0, ln.char_space) for ln in lb]


# --- 4. end to end -----------------------------------------------------------------------------------


def _build_pdf(path: Path, paras: list[CJKParagraph]) -> None:
    doc = BaseDocTemplate(str(path), pagesize=A4, invariant=1, initialFontName="T-UMing")
    frame = Frame(28 * mm, 35 * mm, WIDTH, 225 * mm, leftPadding=0, bottomPadding=0, rightPadding=0,
                  topPadding=0, id="body")
    doc.addPageTemplates([PageTemplate("body", [frame])])
    doc.build(paras)


def test_pdf_end_to_end(font: str, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is required")
    texts = ["\u3000\u3000" + FILLER[k : k + 30] + "，" + FILLER + "“十四五”期间完成10.49亿元，占比61.36%——"
             + FILLER[:50] + "。" for k in range(6)]
    paras = [CJKParagraph(_run(t, font), BODY_INDENT) for t in texts]
    pdf = tmp_path / "cjk.pdf"
    _build_pdf(pdf, paras)
    expected = "".join(texts)
    # pdftotext: reading order and no spurious characters (it trims U+3000 at line starts as whitespace).
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    assert out.count("\f") >= 3  # pages
    assert out.replace("\f", "").replace("\n", "") == expected.replace("\u3000", "")
    # pypdf keeps U+3000: the exact text, in order.
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    assert len(reader.pages) >= 3
    extracted = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert extracted == expected

    # U+3000 keeps a full em in the drawn PDF: the character after the two spaces starts 2 cells in.
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        chars = doc.pages[0].chars
    first_line = CJKParagraph(_run(texts[0], font), BODY_INDENT).lines(WIDTH)[0]
    third = next(c for c in chars if c["text"] == texts[0][2])
    expected = 28 * mm + first_line.x0 + 2 * (SIZE + first_line.char_space)
    assert third["x0"] == pytest.approx(expected, abs=0.05)
    assert chars[0]["x0"] == pytest.approx(28 * mm + first_line.x0, abs=0.05)
