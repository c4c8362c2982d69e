"""Every node type of the document tree has a method in every writer and in the glyph check (no
format silently drops one), and the tree refuses what no writer has a style for."""

from __future__ import annotations

from pathlib import Path

import pytest

from brief import model
from brief.preflight import GlyphTexts, document_texts
from brief.writers.base import method_name
from brief.writers.docx import DocxWriter
from brief.writers.docx.styles import HEADING_STYLES, ROLE_STYLES
from brief.writers.pdf import PdfWriter
from brief.writers.pdf.styles import STYLES

T = model.Text


@pytest.mark.parametrize("visitor", [PdfWriter, DocxWriter, GlyphTexts])
@pytest.mark.parametrize("node_type", model.BLOCK_TYPES)
def test_visitor_handles_node_type(visitor: type, node_type: type) -> None:
    assert callable(getattr(visitor, method_name(node_type), None)), f"{visitor.__name__} lacks {node_type.__name__}"


def test_block_types_are_the_union() -> None:
    assert model.BLOCK_TYPES == model.Block.__args__
    assert len(model.BLOCK_TYPES) == 8


def test_every_role_and_level_has_a_style_in_both_writers() -> None:
    assert set(ROLE_STYLES) == set(model.ROLES)
    assert set(model.ROLES) <= set(STYLES)
    assert set(HEADING_STYLES) == set(model.HEADING_LEVELS)
    assert {f"heading{level}" for level in model.HEADING_LEVELS} <= set(STYLES)


def test_the_model_refuses_an_unknown_role_a_bad_level_and_a_ragged_table() -> None:
    with pytest.raises(ValueError, match="got 'quote'"):
        model.Paragraph((T("文"),), role="quote")
    for level in (-1, 3):
        with pytest.raises(ValueError, match=f"got {level}"):
            model.Heading(level, (T("文"),))
    with pytest.raises(ValueError, match="'表1': row 2 has 1 cells, header has 2"):
        model.Table(((T("a"),), (T("b"),)), (((T("1"),), (T("2"),)), ((T("3"),),)), caption="表1")
    assert model.Paragraph((T("文"),), role="lead").role == "lead"


def test_glyph_check_reads_every_text_a_node_prints() -> None:
    """One distinct text per field: each must come back from document_texts, in tree order."""
    doc = model.Document(model.Meta("题"), (
        model.Masthead("报头", "单位", "日期", "期号", "内部"),
        model.Heading(1, (T("标"), T("题"))),
        model.Paragraph((T("段落"),), role="note"),
        model.Table(((T("表头"),),), (((T("单元格"),),),), caption="表名"),
        model.Figure(Path("x.jpg"), "图注"),
        model.KeyFigures((model.KeyFigure("指标", "值"),)),
        model.Chart("图表", ("类别",), (model.Series("系列", (1.0,), ("1.0",)),), "单位名"),
        model.Record(("报：甲。",), "印发单位", "印发日", "共印"),
    ))
    texts = [t for t in document_texts(doc) if t]
    assert texts == ["题", "报头", "单位", "日期", "期号", "内部", "标题", "段落", "表名", "表头", "单元格", "图注",
                     "指标值", "图表", "单位名", "类别", "系列", "1.0", "报：甲。", "印发单位", "印发日", "共印"]


def test_a_role_that_slipped_past_the_model_is_never_drawn_as_body() -> None:
    """The PDF writer once set an unknown role as body text; now only the model's roles have styles."""
    from brief.compose.county import default_templates
    from brief.writers.docx import docx_bytes
    from brief.writers.pdf import pdf_bytes

    para = model.Paragraph((T("文"),))
    object.__setattr__(para, "role", "quote")  # what no compose step can make any more
    doc = model.Document(model.Meta("题"), (para,))
    with pytest.raises(KeyError, match="quote"):
        pdf_bytes(doc)
    with pytest.raises(KeyError, match="quote"):
        docx_bytes(doc, reference=default_templates() / "reference.docx")
