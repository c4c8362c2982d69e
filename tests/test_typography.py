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


def test_tounicode_blocks_hold_at_most_100_entries(pdf: Path, tmp_path: Path) -> None:
    counts = [int(n) for n in re.findall(r"(\d+) beginbf(?:char|range)", _qdf_text(pdf, tmp_path))]
    assert counts and max(counts) <= 100
    assert sum(counts) > 300  # the whole subset is still mapped, just in more blocks


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


def test_draft_watermark_keeps_reading_order(draft_pdf: Path, pdf: Path) -> None:
    draft, final = squash(pdftotext(draft_pdf)), squash(pdftotext(pdf))
    assert draft.count("征求意见稿") == 1  # once, in the top margin of page 1
    assert draft.startswith("征求意见稿")
    assert draft.replace("征求意见稿", "", 1) == final  # body paragraphs intact: no stray 征/求 inside
    for sentence in KEY_SENTENCES:
        assert sentence in draft


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
