"""The draft watermark: Word's own text watermark (a VML WordArt shape) in every header in use."""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.oxml import parse_xml

from brief import housestyle as hs
from brief.fonts.config import DOCX_FONTS
from brief.writers.docx.wml import font_xml
from brief.writers.xmltext import escape, quoteattr  # not xml.sax.saxutils: see xmltext

WATERMARK_TEXT = hs.WATERMARK_TEXT

_VML_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w10="urn:schemas-microsoft-com:office:word"'
)
# Word's own text watermark (设计 → 水印 → 自定义水印 → 文字水印): WordArt shape type 136.
_SHAPETYPE = (
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>'
    + "".join(
        f'<v:f eqn="{e}"/>'
        for e in (
            "sum #0 0 10800",
            "prod #0 2 1",
            "sum 21600 0 @1",
            "sum 0 0 @2",
            "sum 21600 0 @3",
            "if @0 @3 0",
            "if @0 21600 @1",
            "if @0 0 @2",
            "if @0 @4 21600",
            "mid @5 @6",
            "mid @8 @5",
            "mid @7 @8",
            "mid @6 @7",
            "sum @6 0 @5",
        )
    )
    + '</v:formulas><v:path textpathok="t" o:connecttype="custom" '
    'o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/><v:handles><v:h position="#0,bottomRight" '
    'xrange="6629,14971"/></v:handles><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>'
)


def watermark_run(text: str, font: str, shape_no: int):
    """A ``w:r`` holding a diagonal, grey, half-transparent WordArt text, centred on the page."""
    style = (
        "position:absolute;margin-left:0;margin-top:0;width:440pt;height:88pt;rotation:315;"
        "z-index:-251654144;mso-position-horizontal:center;mso-position-horizontal-relative:margin;"
        "mso-position-vertical:center;mso-position-vertical-relative:margin"
    )
    text_style = quoteattr(f'font-family:"{font}";font-size:1pt')
    xml = (
        f"<w:r {_VML_NS}><w:rPr><w:noProof/></w:rPr><w:pict>{_SHAPETYPE}"
        f'<v:shape id="PowerPlusWaterMarkObject{shape_no}" o:spid="_x0000_s{1024 + shape_no}" '
        f'type="#_x0000_t136" style="{style}" o:allowincell="f" fillcolor="silver" stroked="f">'
        f'<v:fill opacity=".5"/>'
        f"<v:textpath style={text_style} "
        f"string={quoteattr(text)}/>"
        f'<w10:wrap anchorx="margin" anchory="margin"/></v:shape></w:pict></w:r>'
    )
    return parse_xml(xml)


def add_watermark(document: DocxDocument, text: str = WATERMARK_TEXT) -> None:
    """The watermark in every header in use (odd, even, and first page if distinct)."""
    n = 0
    for i, section in enumerate(document.sections):
        headers = [section.header, section.even_page_header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        for header in headers:
            if i and header.is_linked_to_previous:
                continue  # a landscape table's section shows the header it follows (watermark included)
            n += 1
            paras = header.paragraphs
            p = paras[0] if paras else header.add_paragraph()
            p._p.append(watermark_run(text, DOCX_FONTS["pagenum"], n))


def draft_mark_paragraph() -> str:
    """The one 征求意见稿 a reader can copy, as the PDF sets it: 三号 heading font, right-aligned in
    the top margin of page 1, just above the text block. A frame anchored to the page holds it, so
    that it takes no line of the text (both files break their pages alike)."""
    page = hs.PAGE
    size = hs.DRAFT_MARK_SIZE
    # the frame's top edge, from the page's: the PDF's baseline rises draft_mark_rise above the 版心
    top = hs.pt(page.top) - hs.pt(page.draft_mark_rise) - size
    return (
        f'<w:p><w:pPr>'
        f'<w:framePr w:wrap="around" w:vAnchor="page" w:hAnchor="margin" w:xAlign="right" '
        f'w:y="{hs.twips(top)}"/>'
        f'<w:spacing w:before="0" w:after="0" w:line="{hs.twips(size * 1.25)}" w:lineRule="exact"/>'
        f'<w:ind w:firstLine="0" w:firstLineChars="0"/><w:jc w:val="right"/></w:pPr>'
        f'<w:r><w:rPr>{font_xml("heading")}<w:sz w:val="{round(size * 2)}"/>'
        f'<w:szCs w:val="{round(size * 2)}"/></w:rPr><w:t>{escape(WATERMARK_TEXT)}</w:t></w:r></w:p>'
    )

