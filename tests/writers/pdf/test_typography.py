"""Issue 15 (typography, the PDF part): text survives reprocessing, bookmarks and XMP title,
the draft watermark out of the reading order, a mainland 楷体, and ``∶`` never starting a line."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from helpers import brief, data_copy, has, pdffonts_rows, pdftotext, squash

STEM = "2023年英吉沙县援疆工作简报"
KEY_SENTENCES = (
    "2023年是第十一批济宁援疆干部人才进驻英吉沙县的第一年。",
    "国学书院成为文化润疆的重要平台",
)


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("typo")
    result = brief("render", "yingjisha", "--year", "2023", "--format", "pdf", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / "2023" / f"{STEM}.pdf"


def _qdf_text(path: Path, tmp: Path) -> str:
    """The PDF with its streams uncompressed (qpdf --qdf), as text."""
    target = tmp / "qdf.pdf"
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(path), str(target)], check=True)
    return target.read_bytes().decode("latin-1")


# -- 1. text survives reprocessing ------------------------------------------------------------------


@pytest.mark.slow
def test_tounicode_blocks_hold_at_most_100_entries(pdf: Path, tmp_path: Path) -> None:
    counts = [int(n) for n in re.findall(r"(\d+) beginbf(?:char|range)", _qdf_text(pdf, tmp_path))]
    assert counts and max(counts) <= 100
    assert sum(counts) > 300  # the whole subset is still mapped, just in more blocks


@pytest.mark.slow
def test_subset_font_names_unique_per_font(pdf: Path) -> None:
    names = [row[0] for row in pdffonts_rows(pdf)]
    tags = [n.split("+", 1)[0] for n in names]
    assert all(re.fullmatch(r"[A-Z]{6}", t) for t in tags), names
    assert len(set(tags)) == len(tags), names
    assert "AAAAAA" not in tags and "AAAAAB" not in tags


@pytest.mark.skipif(not has("gs"), reason="Ghostscript missing: scripts/setup.sh installs it")
def test_text_extracts_after_ghostscript_pdfwrite(pdf: Path, tmp_path: Path) -> None:
    again = tmp_path / "gs.pdf"
    result = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", "-o", str(again), str(pdf)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    text = squash(pdftotext(again))
    for sentence in KEY_SENTENCES:
        assert sentence in text
    assert squash(pdftotext(pdf)) == text


# -- 2. bookmarks and XMP ---------------------------------------------------------------------------


def _outline(path_or_bytes: Path | bytes) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark, in order."""
    import io

    from pypdf import PdfReader

    source = path_or_bytes if isinstance(path_or_bytes, Path) else io.BytesIO(path_or_bytes)
    reader = PdfReader(source)
    out: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return out


def test_pdf_bookmarks_list_title_and_headings(pdf: Path) -> None:
    outline = _outline(pdf)
    assert outline[0] == (0, "第十一批济宁援疆团队开局之年", 0)
    assert [t for d, t, _ in outline[1:]] == ["一、队伍建设", "二、产业援疆", "三、智力援疆", "四、民生援疆",
                                             "五、文化润疆", "六、交往交流交融"]
    assert all(d == 1 for d, _, _ in outline[1:])
    pages = [p for _, _, p in outline]
    assert pages == sorted(pages) and pages[-1] > 0  # each points at the page its heading is on


def test_pdf_bookmarks_nest_second_level_headings() -> None:
    from brief import model
    from brief.fonts import pdf_fonts
    from brief.writers.pdf.writer import pdf_bytes

    def h(level: int, text: str) -> model.Heading:
        return model.Heading(level, (model.Text(text),))

    body = model.Paragraph((model.Text("正文。"),))
    doc = model.Document(model.Meta("测试"), (h(0, "标题"), h(1, "一、总体"), body, h(2, "（一）重点"), body,
                                             h(2, "（二）其他"), body, h(1, "二、下一步"), body))
    outline = [(d, t) for d, t, _ in _outline(pdf_bytes(doc, pdf_fonts()))]
    assert outline == [(0, "标题"), (1, "一、总体"), (2, "（一）重点"), (2, "（二）其他"), (1, "二、下一步")]


def test_pdf_xmp_metadata_carries_chinese_title(pdf: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    assert reader.xmp_metadata is not None
    assert reader.xmp_metadata.dc_title == {"x-default": STEM}
    assert reader.metadata.title == STEM
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert f"Title:           {STEM}" in info and "Metadata Stream: yes" in info
    assert "2000" in info  # the fixed date: the same data still gives the same bytes


# -- 3. the draft watermark -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def draft_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("draft")
    data = data_copy(base, {"counties/yingjisha/2023.yaml": ("status: final", "status: draft")})
    out = base / "out"
    result = brief("render", "yingjisha", "--year", "2023", "--format", "pdf", "--data", str(data), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / "2023" / f"{STEM}.pdf"


@pytest.mark.slow
def test_draft_watermark_keeps_reading_order(draft_pdf: Path, pdf: Path) -> None:
    draft, final = squash(pdftotext(draft_pdf)), squash(pdftotext(pdf))
    assert draft.count("征求意见稿") == 1  # once, in the top margin of page 1
    assert draft.startswith("征求意见稿")
    assert draft.replace("征求意见稿", "", 1) == final  # body paragraphs intact: no stray 征/求 inside
    for sentence in KEY_SENTENCES:
        assert sentence in draft


@pytest.mark.slow
def test_draft_watermark_is_drawn_on_every_page(draft_pdf: Path, pdf: Path, tmp_path: Path) -> None:
    """Still there, as filled paths: the draft's page content has far more path fills than the final's."""
    from pypdf import PdfReader

    def fills(path: Path) -> list[int]:
        return [page.get_contents().get_data().count(b" h\nf") for page in PdfReader(path).pages]

    draft, final = fills(draft_pdf), fills(pdf)
    assert len(draft) == len(final)
    assert all(d >= f + 5 for d, f in zip(draft, final, strict=True)), (draft, final)  # five glyphs a page


# -- 4. a mainland 楷体 -----------------------------------------------------------------------------

FANDOL_KAI = Path("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolKai-Regular.otf")


@pytest.mark.skipif(not FANDOL_KAI.is_file(), reason="texlive-lang-chinese not installed")
def test_kai_role_is_fandolkai_embedded(pdf: Path) -> None:
    from brief import fonts

    assert fonts.resolve()["kai"].family == "FandolKai"
    rows = [row for row in pdffonts_rows(pdf) if "FandolKai" in row[0]]
    assert rows and all(row[-5:-2] == ["yes", "yes", "yes"] for row in rows), rows  # emb sub uni
    assert not any("UKai" in row[0] for row in pdffonts_rows(pdf))


# -- 5. ∶ never starts a line -----------------------------------------------------------------------

UMING = "/usr/share/fonts/truetype/arphic/uming.ttc"  # fonts-arphic-uming, a project dependency


def test_ratio_colon_never_starts_a_line() -> None:
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from brief.writers.pdf.cjk import NO_START, ParaStyle, Run, break_lines, check_breaks

    if "T-Typo-UMing" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("T-Typo-UMing", UMING, subfontIndex=0))
    filler = "全县坚持以人民为中心的发展思想统筹推进各项任务落实落细持续巩固拓展脱贫攻坚成果同乡村振兴有效衔接" * 2
    width, size = 156 * mm, 16.0
    style = ParaStyle(leading=28.95, tracking=width / 28 - size)
    for col in range(1, 57):  # the ratio at every column of the first two lines
        text = filler[:col] + "男女比例为3∶1" + filler[col:col + 40]
        for item in ("∶", "比∶"):  # after a digit and after a 汉字
            text = text.replace("3∶1", "3∶1" if item == "∶" else "3比∶1")
            lines = break_lines([Run(text, "T-Typo-UMing", size)], width, style)
            assert "".join(ln.text for ln in lines) == text
            assert not any(ln.text.startswith("∶") for ln in lines), [ln.text for ln in lines]
            assert check_breaks(lines) == []
    assert "∶" in NO_START  # check_breaks shares the table, so it reports a ∶ at a line start too


# -- 6. punctuation compression, figures kept whole, even short lines, URLs (the breaker) ----------


@pytest.fixture(scope="module")
def body_font() -> str:
    from brief.fonts import pdf_fonts

    pdf_fonts()  # registers brief-body (FandolFang: every mark a full em, ink in one half)
    return "brief-body"


def _lines(text: str, font: str, width: float, size: float = 16.0, **style: object) -> list:
    from brief.writers.pdf.cjk import ParaStyle, Run, break_lines

    return break_lines([Run(text, font, size)], width, ParaStyle(leading=size * 1.8, **style))  # type: ignore[arg-type]


def _slots(lines: list) -> list[tuple[str, float, float]]:
    """(character, slot width, glyph shift) of every character laid out, from the pieces."""
    out = []
    for line in lines:
        for p in line.pieces:
            for ch in p.text:
                out.append((ch, p.width / len(p.text), p.dx))
    return out


@pytest.mark.parametrize("pair", ["）。", "。“", "，“", "）；", "”，", "、“", "”“", "）”"])
def test_adjacent_marks_first_set_in_half_an_em(body_font: str, pair: str) -> None:
    text = f"农技培训进村示例{pair}示例文字全年组织培训"
    slots = _slots(_lines(text, body_font, 400))
    k = text.index(pair)
    assert slots[k] == (pair[0], 8.0, 0.0)  # closing mark: keeps its left half, drawn in place
    assert slots[k + 1][1] == 16.0
    assert [s[1] for s in slots[k + 2:]] == [16.0] * (len(text) - k - 2)


def test_two_opening_marks_second_drawn_on_its_right_half(body_font: str) -> None:
    text = "表中标注“（稿）”。"
    slots = _slots(_lines(text, body_font, 400))
    k = text.index("（")
    assert slots[k] == ("（", 8.0, -8.0)  # half an em, the glyph moved left onto it
    assert slots[k - 1][1] == 16.0
    assert [s[1] for s in slots[k + 1:]] == [16.0, 8.0, 8.0, 16.0]  # 稿 ）” ”。 …。


def test_single_marks_and_question_mark_keep_full_width(body_font: str) -> None:
    text = "一是什么？“二”，三。"
    widths = [w for _, w, _ in _slots(_lines(text, body_font, 400))]
    assert widths == [16.0] * 7 + [8.0] + [16.0] * 3  # ？“ keeps both: only ”， shares a blank


def test_line_final_closing_mark_compressed_before_the_line_is_squeezed(body_font: str) -> None:
    width = 28 * 16.0
    text = "全县坚持以人民为中心的发展思想统筹推进各项任务落实落细持，续巩固拓展脱贫攻坚成果"
    lines = _lines(text, body_font, width)
    assert lines[0].content.endswith("持，")
    assert lines[0].pieces[-1].text == "，" and lines[0].pieces[-1].width == 8.0
    assert lines[0].right == pytest.approx(width, abs=0.05)
    squeeze = lines[0].char_space
    assert squeeze == pytest.approx(-8.0 / 28, abs=0.01)  # half an em squeezed, not a whole one


UNIT_SPLITS = ("2670余名", "近10万人次", "30.89万亩", "549.63公斤", "约40.00%", "2021—2025年", "15%～30%",
               "8100万元以上", "2至3名", "超3000人次")


@pytest.mark.parametrize("figure", UNIT_SPLITS)
def test_figure_never_broken_from_its_unit_or_word(body_font: str, figure: str) -> None:
    from brief.writers.pdf.cjk import check_breaks

    filler = "全县坚持以人民为中心的发展思想统筹推进各项任务落实落细持续巩固拓展脱贫攻坚成果同乡村振兴有效衔接"
    for col in range(14, 30):
        text = filler[:col] + "上升" + figure + "，" + filler
        lines = _lines(text, body_font, 28 * 16.0, tracking=0.0)
        assert "".join(ln.text for ln in lines) == text
        assert check_breaks(lines) == []
        assert any(figure in ln.content for ln in lines), (figure, [ln.content for ln in lines])


def test_figure_wider_than_its_cell_is_set_narrower_not_broken(body_font: str) -> None:
    lines = _lines("约7.52万人次", body_font, 48.0, size=9.0, align="right")
    assert [ln.content for ln in lines] == ["约7.52万人次"]
    assert 0.8 <= lines[0].hscale < 1 and lines[0].right == pytest.approx(48.0, abs=0.05)
    far = _lines("约7.52万人次", body_font, 30.0, size=9.0)  # beyond 80 %: cut, as before
    assert len(far) > 1 and all(ln.hscale == 1 for ln in far)


@pytest.mark.parametrize("text", ["专题培训班", "干部人才", "环境整治覆盖行政村", "进机关干部培训批次"])
def test_balanced_cell_lines_never_leave_one_character(body_font: str, text: str) -> None:
    width = (len(text) - 1) * 12.0 + 1  # all but one character fit: the greedy break leaves one alone
    plain = _lines(text, body_font, width, size=12.0, align="left")
    assert len(plain[-1].content) == 1
    even = _lines(text, body_font, width, size=12.0, align="left", balance=True)
    assert "".join(ln.content for ln in even) == text and len(even) == len(plain)
    assert min(len(ln.content) for ln in even) >= 2, [ln.content for ln in even]


def test_chart_category_names_wrap_evenly() -> None:
    from brief.writers.barchart import wrap_name

    assert wrap_name("专题培训班", 4) == ["专题", "培训班"]  # between words (tests/writers/test_cell_words.py)
    assert wrap_name("临时党支部", 4) == ["临时", "党支部"]
    assert wrap_name("甲乙丙丁戊", 4) == ["甲乙丙", "丁戊"]  # no word: evenly
    assert wrap_name("农技推广培训人次", 4) == ["农技推广", "培训人次"]
    assert wrap_name("党小组", 4) == ["党小组"]


def test_url_breaks_after_slash_dot_hyphen_never_in_a_number(body_font: str) -> None:
    from brief.writers.pdf.cjk import check_breaks

    url = "https://www.xjkashi.gov.cn/2023/yuanjiang-report/10.25/index.html"
    for col in range(4, 26):
        text = "全县坚持以人民为中心的发展思想统筹推进各项任务"[:col] + "详见" + url + "。"
        lines = _lines(text, body_font, 28 * 16.0, tracking=0.0)
        assert check_breaks(lines) == []
        for a, b in zip(lines, lines[1:], strict=False):
            if url.startswith(b.content[:3]) or b.content[:1] in url:
                assert a.content[-1] in "/.-" or a.content.endswith("详见"), (a.content, b.content)
            assert not (a.content[-1].isdigit() or a.content[-2:-1].isdigit() and b.content[:1].isdigit())
        # the line before the address is not letter-spaced: at most a quarter em between characters
        assert all(ln.char_space < 4 for ln in lines), [(ln.content, ln.char_space) for ln in lines]


# -- 7. the DOCX: adjacent marks at 50 % character scale ----------------------------------------


def test_docx_adjacent_marks_scaled_to_half(tmp_path: Path) -> None:
    import zipfile

    from brief import model
    from brief.writers.docx.writer import docx_bytes

    reference = Path(__file__).resolve().parents[3] / "templates" / "reference.docx"
    doc = model.Document(model.Meta("测试"), (model.Paragraph((model.Text("进村（示例）。示例“山东”，“百校”。"),)),))
    target = tmp_path / "t.docx"
    target.write_bytes(docx_bytes(doc, reference=reference))
    xml = zipfile.ZipFile(target).read("word/document.xml").decode()
    scaled = re.findall(r'<w:r><w:rPr><w:w w:val="50"/></w:rPr><w:t>(.)</w:t></w:r>', xml)
    assert scaled == ["）", "”", "，", "”"]  # ）。 ”， ，“ ”。
    from helpers import docx_paragraphs

    assert docx_paragraphs(target) == ["进村（示例）。示例“山东”，“百校”。"]


def test_docx_two_openers_halve_the_second(tmp_path: Path) -> None:
    """In “（ the gap is the blank left half of （: scaling “ (the first) left it, as LibreOffice
    showed (标注“ （稿）”); the PDF halves the second opener too."""
    import zipfile

    from brief import model
    from brief.writers.docx.writer import docx_bytes

    reference = Path(__file__).resolve().parents[3] / "templates" / "reference.docx"
    doc = model.Document(model.Meta("测试"), (model.Paragraph((model.Text("表中标注“（稿）”。"),)),))
    target = tmp_path / "t.docx"
    target.write_bytes(docx_bytes(doc, reference=reference))
    xml = zipfile.ZipFile(target).read("word/document.xml").decode()
    scaled = re.findall(r'<w:r><w:rPr><w:w w:val="50"/></w:rPr><w:t>(.)</w:t></w:r>', xml)
    assert scaled == ["（", "）", "”"]  # “（ → （, ）” → ）, ”。 → ”


def test_docx_figures_joined_in_en_us_runs_and_cells_fit(tmp_path: Path) -> None:
    """LibreOffice's Chinese line breaker ignores WORD JOINER; tagged en-US it honours it."""
    import zipfile

    from brief import model
    from brief.writers.docx.writer import docx_bytes
    from helpers import docx_cells, docx_paragraphs

    reference = Path(__file__).resolve().parents[3] / "templates" / "reference.docx"
    cells = [(model.Text("专题培训班"),), (model.Text("约7.52万人次"),)]
    doc = model.Document(model.Meta("测试"), (
        model.Paragraph((model.Text("全年选派2670余名干部，上升约40.00%。"),)),
        model.Table(((model.Text("指标"),), (model.Text("合计"),)), ((cells[0], cells[1]),) * 1 + tuple(
            ((model.Text(f"指标{k}"),), (model.Text("1"),)) for k in range(40)), numeric=(False, True)),
    ))
    target = tmp_path / "t.docx"
    target.write_bytes(docx_bytes(doc, reference=reference))
    xml = zipfile.ZipFile(target).read("word/document.xml").decode()
    figure = r'<w:r><w:rPr><w:noProof/>(?:<w:w w:val="\d+"/>)?(?:<w:sz[^>]*/><w:szCs[^>]*/>)?' \
             r'<w:lang w:val="en-US" w:eastAsia="en-US"/></w:rPr><w:t>([^<]*)</w:t></w:r>'
    joined = re.findall(figure, xml)
    assert "2670\u2060余\u2060名" in joined and "上\u2060升\u2060约\u206040.00\u2060%" in joined  # 上升 with it
    assert "培训\u2060班" not in joined and "训\u2060班" in joined  # a cell's last two 汉字 stay together
    assert "约\u20607.52\u2060万\u2060人\u2060次" in joined
    assert docx_paragraphs(target)[0] == "全年选派2670余名干部，上升约40.00%。"  # the text helpers drop joiners
    assert "约7.52万人次" in docx_cells(target)


def test_docx_figure_wider_than_its_cell_gets_a_smaller_character_scale() -> None:
    from brief import model
    from brief.writers.docx.wml import figure_scale as _fit

    figure = (model.Text("约7.52万人次"),)
    assert _fit(figure, 2000, 9.0) == 100  # 100 pt wide: fits
    assert 80 <= _fit(figure, 1150, 9.0) < 100  # 57.5 − 8.5 − 1 = 48 pt for ~55 pt of figure
    assert _fit(figure, 700, 9.0) == 80  # never below the PDF's MIN_HSCALE
    assert _fit((model.Text("专题培训班合计人数"),), 700, 9.0) == 100  # no figure: words wrap
