"""preflight.check_glyphs: every character no installed font draws, each once, in the order the
document first uses it, each at the file and line where the user wrote it."""

from __future__ import annotations

from pathlib import Path

import pytest

from brief import fonts, model
from brief.errors import BriefError
from brief.preflight import check_glyphs

A, B, C = "\U000F0001", "\U000F0002", "\U0010FFFD"  # private use: no font has them


def _doc(*texts: str) -> model.Document:
    return model.Document(model.Meta(title="简报"), tuple(model.Paragraph((model.Text(t),)) for t in texts))


def test_reports_each_undrawable_character_once_in_order_of_first_use(tmp_path: Path) -> None:
    source = tmp_path / "2023.yaml"
    source.write_text(f"headline: 甲{B}\ntext: 乙{A}{C}\n", encoding="utf-8")
    doc = _doc(f"正文{B}一", "第二段", f"{A}丙{B}{C}\n{A}")
    with pytest.raises(BriefError) as caught:
        check_glyphs(doc, fonts.pdf_fonts(), [source])
    lines = [str(p) for p in caught.value.problems]
    assert [line.split("字符“")[1][0] for line in lines] == [B, A, C]
    assert lines[0].startswith(f"{source}:1: headline: ") and lines[1].startswith(f"{source}:2: text: ")


def test_a_drawable_document_passes() -> None:
    check_glyphs(_doc("援疆工作简报——“引号”、①㎡ 30.89%", "第二段\n\t"), fonts.pdf_fonts(), [])
