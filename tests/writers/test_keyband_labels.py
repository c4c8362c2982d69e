"""Key-figure labels (writers/keyband.py, both writers): a label a little too long for its box is
set slightly smaller on one line; one much too long breaks between words (``累计培养⏎培训干部人才``),
never inside one (``累计培养培⏎训干部人才``, the 山东 brief of 2023 before)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import docx
import pytest

from brief.fonts import pdf_fonts
from brief.housestyle import ROLES
from brief.model import Document, KeyFigure, KeyFigures, Meta
from brief.writers import keyband
from brief.writers.cjkwords import Break, breaks
from brief.writers.docx import docx_bytes
from brief.writers.pdf import pdf_bytes

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "templates" / "reference.docx"
LABEL = "累计培养培训干部人才"  # data/indicators.yaml: cadre_trainees_cumulative
FOUR = [(LABEL, "7.68万人次"), ("累计选派援疆人才", "3087名"), ("产业项目累计投资", "超过100亿元"),
        ("山东大仓销售额", "4.4亿元")]
SIX = [*FOUR, ("实施产业项目", "900余个"), ("带动脱贫人口", "30万余人")]


def _doc(items: list[tuple[str, str]]) -> Document:
    return Document(Meta(title="题"), (KeyFigures(tuple(KeyFigure(label, value) for label, value in items)),))


def _pdf_lines(items: list[tuple[str, str]], tmp_path: Path) -> list[str]:
    path = tmp_path / "band.pdf"
    path.write_bytes(pdf_bytes(_doc(items), pdf_fonts()))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [line.strip() for line in text.splitlines() if line.strip()]


def _docx_labels(items: list[tuple[str, str]]) -> list[docx.table._Cell]:
    return docx.Document(io.BytesIO(docx_bytes(_doc(items), reference=REFERENCE))).tables[0].rows[1].cells


def test_words_are_found_in_catalog_labels():
    kind = breaks(LABEL)  # 累计|培养|培训|干部|人才
    assert [i + 1 for i, k in enumerate(kind) if k is Break.BETWEEN] == [2, 4, 6, 8]
    assert kind[4] is Break.INSIDE  # 培⏎训
    assert breaks("贫困大学生资助资金")[4] is Break.BETWEEN  # 贫困大学生⏎资助资金


def test_a_split_prefers_a_word_boundary_to_the_most_even_halves():
    # 5 + 5 would be most even, but cuts 培训; 4 + 6 is the most even break between words
    assert keyband.split_label(LABEL, lambda t: 11.0 * len(t), 66.0) == ("累计培养", "培训干部人才")
    # only a break inside a word fits: it is still taken, rather than no two lines at all
    assert keyband.split_label(LABEL, lambda t: 11.0 * len(t), 55.0) == ("累计培养培", "训干部人才")


def test_four_boxes_the_long_label_stays_on_one_line_slightly_smaller(tmp_path: Path):
    lines = _pdf_lines(FOUR, tmp_path)
    label_line = next(line for line in lines if LABEL[:4] in line)
    assert LABEL in label_line and "山东大仓销售额" in label_line, lines  # one line, beside its neighbours
    assert not any(line.startswith("训干部人才") for line in lines), lines
    cells = _docx_labels(FOUR)
    assert [c.text for c in cells] == [label for label, _ in FOUR]  # no line break in any label
    sizes = {r.font.size.pt for c in cells for p in c.paragraphs for r in p.runs}
    assert len(sizes) == 1 and sizes.pop() == pytest.approx(ROLES["key_label"].size * keyband.SLIGHT, abs=0.25)


def test_six_boxes_the_long_label_breaks_between_words_in_both_files(tmp_path: Path):
    lines = _pdf_lines(SIX, tmp_path)
    first = next(i for i, line in enumerate(lines) if line.startswith("累计培养"))
    assert lines[first].split()[0] == "累计培养", lines
    assert lines[first + 1].split()[0] == "培训干部人才", lines
    assert _docx_labels(SIX)[0].text == "累计培养\n培训干部人才"
