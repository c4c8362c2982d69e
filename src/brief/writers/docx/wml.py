"""WordprocessingML builders: runs, paragraphs, tables and section properties, as XML text.

Each paragraph and table is written as text in the order the schema wants:
python-docx's ``add_paragraph``/``add_table`` look up every child by schema position, and even
building the elements one by one with lxml cost five times as much for a brief's tables. The text is
what lxml would write for the parsed elements (body.py splices it into document.xml unparsed); the
image parts of pictures still come from python-docx.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Mapping, Sequence

from docx.oxml.ns import qn
from lxml import etree

from brief import housestyle as hs
from brief.fonts.config import DOCX_FONTS, DOCX_LATIN_FONT
from brief.model import Inlines
from brief.writers import tablefit
from brief.writers.docx.styles import CELL_MARGIN, PARAGRAPH_STYLES
from brief.writers.typeset import MARKS, MIN_HSCALE, figure_spans, halved_marks, joined
from brief.writers.xmltext import escape  # not xml.sax.saxutils: see xmltext

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
SECTPR = qn("w:sectPr")
HAIRLINE = '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'  # an all but empty line
# python-docx's table look (first row and column emphasised, no banding), as Word writes it
_TBL_LOOK = ('<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" '
             'w:noVBand="1" w:val="04A0"/>')
_SPECIAL_SPLIT = re.compile("([\t\n\r])")
_SPECIAL = re.compile("[\t\n\r]")

# Characters XML 1.0 cannot hold (python-docx/lxml would refuse them with a vaguer message).
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def check_text(text: str, where: str) -> str:
    """``text`` unchanged, or ValueError naming the first character a DOCX cannot store."""
    bad = _BAD_XML.search(text)
    if bad:
        raise ValueError(f"{where}: character U+{ord(bad.group()):04X} cannot be stored in DOCX (XML 1.0) in {text!r}")
    return text


# -- paragraphs and runs ------------------------------------------------------------------------


class Paragraphs:
    """``w:p`` and ``w:tbl`` text in a template's styles: logical keys (styles.py) to style ids, and
    each key's bold font (brief.housestyle.STRONG_FONT: 黑体 in a 仿宋 paragraph, as the PDF sets it)."""

    def __init__(self, style_ids: Mapping[str, str], text_width: int, strong: Mapping[str, str]) -> None:
        self.style = {key: _attr(sid) for key, sid in style_ids.items()}
        self.text_width = text_width  # twips
        self.strong = strong
        self._spans: dict[str, tuple[tuple[int, int], ...]] = {}

    def spans(self, text: str) -> tuple[tuple[int, int], ...]:
        """typeset.figure_spans of ``text``, remembered for this document: a table cell asks twice
        (its scale, its runs)."""
        found = self._spans.get(text)
        if found is None:
            found = self._spans[text] = tuple(figure_spans(text))
        return found

    def cell(self, key: str, inlines: Inlines, ppr: str, rpr: str, width: int, size: float) -> str:
        """A table cell's ``w:p`` ``width`` twips wide at ``size`` pt: ``p`` with its last two 汉字
        joined (unless a line break places its last line) and its figures scaled to fit
        (``figure_scale``). A short one-run cell's text is remembered per process (``_CELLS``): a
        build's briefs share their row labels, header cells and some figures (a fifth of the cells of
        a 100-county build), and the same arguments always make the same text."""
        if len(inlines) != 1 or len(inlines[0].text) > _CELL_TEXT_KEPT:
            return self.p(key, inlines, ppr, rpr, keep_end=True,
                          fit=figure_scale(inlines, width, size, self.spans))
        t = inlines[0]
        # a text without figures is set at 100 % whatever the cell's width (figure_scale): a label's
        # text does not depend on the width, which differs from brief to brief
        fitted = (width, size) if self.spans(t.text) else (0, 0.0)
        memo = (self.style[key], self.strong.get(key, ""), t.text, t.bold, ppr, rpr, *fitted)
        found = _CELLS.get(memo)
        if found is None:
            found = self.p(key, inlines, ppr, rpr, keep_end=True, fit=figure_scale(inlines, width, size, self.spans))
            if len(_CELLS) >= CELLS_KEPT:
                _CELLS.clear()
            _CELLS[memo] = found
        return found

    def p(self, key: str, inlines: Inlines, ppr: str = "", rpr: str = "", keep_end: bool = False,
          fit: int = 100, tail: str = "") -> str:
        """A ``w:p`` of style ``key`` (``ppr``: more paragraph properties, in schema order after it;
        ``rpr``: run properties after bold, such as a size; ``keep_end``: its last two 汉字 joined, so
        that a table cell never ends on a line of one character; ``fit``: the character scale in % of
        its figures, < 100 when one is wider than its cell, as the PDF does; ``tail``: a run after
        the text's, such as a picture)."""
        runs = []
        full = inlines[0].text if len(inlines) == 1 else "".join([t.text for t in inlines])
        # across runs too: a bold lead-in's ） and the 。 after it (two adjacent marks, else none)
        squeeze = halved_marks(full) if _MARK_PAIR.search(full) else ()
        # a cell broken by a line break (tablefit.broken) has its last line already: no joiner
        keep = ((len(full) - 2, len(full)),) if keep_end and _CJK_END.search(full) and "\n" not in full else ()
        strong = self.strong.get(key, "")
        fonts, rpr = _split_fonts(rpr)  # w:rFonts comes first in w:rPr
        figure = _FIGURE_PROPS if fit >= 100 else _scaled_figure(fit)
        offset = 0
        for t in inlines:
            text = t.text
            if text:
                if _BAD_XML.search(text):
                    check_text(text, PARAGRAPH_STYLES[key])  # raises, naming the character
                n = len(text)
                if n == len(full):  # the only run with text: the whole paragraph's marks and ends are its own
                    local, ends = squeeze, keep
                else:
                    local = [k - offset for k in squeeze if 0 <= k - offset < n] if squeeze else ()
                    ends = ([(a - offset, b - offset) for a, b in keep if 0 <= a - offset and b - offset <= n]
                            if keep else ())
                font = (strong if t.bold else "") or fonts
                plain = font + rpr  # a run of text: no more properties than these
                for piece, kind in _segments(text, self.spans(text), local, ends):
                    if kind:  # in the order the schema wants rPr: rFonts, noProof, w (character scale), sz, lang
                        before, after = figure if kind == "figure" else _KIND_PROPS[kind]
                        props = font + before + rpr + after
                    else:
                        props = plain
                    runs.append(f"<w:r><w:rPr>{props}</w:rPr>{_run_content(piece)}</w:r>" if props
                                else f"<w:r>{_run_content(piece)}</w:r>")
                offset += n
        return f'<w:p><w:pPr><w:pStyle w:val="{self.style[key]}"/>{ppr}</w:pPr>{"".join(runs)}{tail}</w:p>'

    def table_start(self, style: str, widths: list[int], width: int | None = None) -> str:
        """A full-width, centred, fixed-layout ``w:tbl`` up to its rows (widths in twips)."""
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        return (f'<w:tbl><w:tblPr><w:tblStyle w:val="{self.style[style]}"/>'
                f'<w:tblW w:type="dxa" w:w="{width or self.text_width}"/><w:jc w:val="center"/>'
                f'<w:tblLayout w:type="fixed"/>{_TBL_LOOK}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>')


# (style id, bold font, text, bold, ppr, rpr, width, size) -> a table cell's w:p (Paragraphs.cell);
# bounded: emptied when full. Only short texts: a cell's label or figure, not a paragraph.
_CELLS: dict[tuple[str, str, str, bool, str, str, int, float], str] = {}
CELLS_KEPT = 8192
_CELL_TEXT_KEPT = 40


def row(widths: list[int], cells: list[str], *, header: bool) -> str:
    """A row that never splits across pages (a header row repeats on each page), one ``w:p`` a cell."""
    props = "<w:cantSplit/><w:tblHeader/>" if header else "<w:cantSplit/>"
    tcs = "".join(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{w}"/></w:tcPr>{p}</w:tc>'
                  for w, p in zip(widths, cells, strict=True))
    return f"<w:tr><w:trPr>{props}</w:trPr>{tcs}</w:tr>"


def foot_table(paras: list[str], width: int, left: int) -> str:
    """A borderless one-cell table ``width`` twips wide holding ``paras``, floated to the bottom
    margin, ``left`` twips from the page's left edge."""
    none = "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    return (f'<w:tbl><w:tblPr><w:tblpPr w:leftFromText="0" w:rightFromText="0" w:topFromText="240" '
            f'w:vertAnchor="margin" w:horzAnchor="page" w:tblpX="{left}" w:tblpYSpec="bottom"/>'
            f'<w:tblW w:w="{width}" w:type="dxa"/><w:tblBorders>{none}</w:tblBorders>'
            '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="0" w:type="dxa"/>'
            '<w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr>'
            f'<w:tblGrid><w:gridCol w:w="{width}"/></w:tblGrid><w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc>'
            f'<w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{"".join(paras)}</w:tc></w:tr></w:tbl>')


def picture_run(decls: str, shape_id: int, rid: str, filename: str, cx: int, cy: int, alt_text: str) -> str:
    """A ``w:r`` holding a picture ``cx`` × ``cy`` EMU of the image related as ``rid``, as python-docx's
    ``Run.add_picture`` writes it (``decls``: the namespace declarations its ``wp:inline`` keeps);
    ``alt_text``, what screen readers say (the caption), in its ``descr``."""
    descr = f' descr="{attribute(check_text(alt_text, "figure"))}"' if alt_text else ""
    return (f'<w:r><w:drawing><wp:inline{decls}><wp:extent cx="{cx}" cy="{cy}"/>'
            f'<wp:docPr id="{shape_id}" name="Picture {shape_id}"{descr}/><wp:cNvGraphicFramePr>'
            '<a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr><a:graphic>'
            '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr>'
            f'<pic:cNvPr id="0" name="{attribute(check_text(filename, "figure"))}"/><pic:cNvPicPr/></pic:nvPicPr>'
            '<pic:blipFill>'
            f'<a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm>'
            f'<a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr>'
            "</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>")


def spread(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to ``weights`` summing exactly to ``total``."""
    s = sum(weights)
    widths = [int(total * w / s) for w in weights]
    widths[-1] += total - sum(widths)
    return widths


_ATTRIBUTE = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def attribute(value: str) -> str:
    """An attribute's value as lxml serializes it."""
    return escape(value, _ATTRIBUTE)


def _attr(value: str) -> str:
    """A value for the writer's XML text, as it reads back: a parser turns its line ends and tabs
    into spaces (XML attribute-value normalization)."""
    for white in ("\r\n", "\r", "\n", "\t"):
        value = value.replace(white, " ")
    return attribute(value)


_BEFORE = re.compile(r'w:before="(\d+)"')


def more_before(ppr: str, style_before: int, extra: int) -> str:
    """``ppr`` with ``extra`` twips more space before (its own, or else the style's)."""
    if "<w:spacing " not in ppr:
        return ppr + f'<w:spacing w:before="{style_before + extra}"/>'  # nothing follows spacing here
    found = _BEFORE.search(ppr)
    if found:
        return ppr[:found.start()] + f'w:before="{int(found.group(1)) + extra}"' + ppr[found.end():]
    return ppr.replace("<w:spacing ", f'<w:spacing w:before="{style_before + extra}" ', 1)


def size_xml(points: float) -> str:
    half = hs.half_points(points)
    return f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'


# Run properties (before the size, after it) of a segment kind:
# - "mark": a full-width mark set in half an em (标点挤压), the one of two adjacent marks whose
#   blank is between them (typeset.halved_marks), at 50 % character scale: LibreOffice ignores both negative character
#   spacing on CJK marks and Word's ``characterSpacingControl`` (soffice 7.4, checked by rendering),
#   but honours the scale; the glyph is narrowed along with its blank half.
# - "figure": a figure with its unit, characters joined by WORD JOINERs. LibreOffice's Chinese line
#   breaker ignores the joiner; tagged en-US it uses ICU's rules, which honour it (zh-CN on the digits
#   and en-US on the rest breaks inside the number instead). noProof: no English spell check on 汉字.
_KIND_PROPS = {"": ("", ""), "mark": ('<w:w w:val="50"/>', ""),
               "figure": ("<w:noProof/>", '<w:lang w:val="en-US" w:eastAsia="en-US"/>')}
_FIGURE_PROPS = _KIND_PROPS["figure"]


@functools.lru_cache(maxsize=64)
def _scaled_figure(fit: int) -> tuple[str, str]:
    """A figure's run properties at ``fit`` % character scale."""
    before, after = _FIGURE_PROPS
    return before + f'<w:w w:val="{fit}"/>', after


def figure_scale(inlines: Inlines, width: int, size: float,
                 spans: Callable[[str], Sequence[tuple[int, int]]] = figure_spans) -> int:
    """The character scale (%) that fits the widest figure of a cell ``width`` twips wide into it,
    by the fonts-free estimate (digits 0.55 em), at least the PDF's MIN_HSCALE; 100 when it fits
    (``spans``: typeset.figure_spans, or a document's memo of it)."""
    text = "".join([t.text for t in inlines])
    spans = spans(text)
    if not spans:
        return 100
    avail = (width - 2 * CELL_MARGIN) / 20 - 1  # pt; 1 pt for the engine's rounding
    natural = max(tablefit.estimated_width(text[a:b], size) for a, b in spans)
    if natural <= avail:
        return 100
    return max(round(MIN_HSCALE * 100), int(avail / natural * 100))


# Two adjacent marks: the only places typeset.halved_marks finds anything (a cheap test first).
_MARK_PAIR = re.compile(f"[{re.escape(''.join(sorted(MARKS)))}]{{2}}")


_CJK_END = re.compile("[\u4e00-\u9fff]{2}$")


def _segments(text: str, spans: Sequence[tuple[int, int]], marks: Sequence[int],
              keep: Sequence[tuple[int, int]]) -> list[tuple[str, str]]:
    """``text`` cut into (piece, kind) with kind "", "mark" or "figure" (see ``_KIND_PROPS``):
    ``spans`` its figures (typeset.figure_spans), ``marks`` the indices of marks to compress,
    ``keep`` spans to join besides the figures."""
    if not (marks or spans or keep):
        return [(text, "")]  # most text: nothing to cut
    if not (marks or spans) and len(keep) == 1:  # a table label: only its last two 汉字 joined
        a, b = keep[0]
        return _around(text, a, b)
    if not marks and len(spans) == 1 and all(spans[0][0] < e and s < spans[0][1] for s, e in keep):
        return _around(text, *spans[0])  # a table's figure: one span, the kept end inside it
    cuts = [(k, k + 1, "mark") for k in marks] + [(a, b, "figure") for a, b in spans]
    cuts += [(a, b, "figure") for a, b in keep if not any(a < e and s < b for s, e in spans)]
    out: list[tuple[str, str]] = []
    pos = 0
    for start, end, kind in sorted(cuts):
        if start < pos:
            continue  # a mark is never inside a figure; this only guards against overlap
        if start > pos:
            out.append((text[pos:start], ""))
        out.append((joined(text[start:end]) if kind == "figure" else text[start:end], kind))
        pos = end
    if pos < len(text):
        out.append((text[pos:], ""))
    return out


def _around(text: str, a: int, b: int) -> list[tuple[str, str]]:
    """``_segments`` of a text with one joined span ``a:b`` and nothing else to cut."""
    return ([(text[:a], "")] if a > 0 else []) + [(joined(text[a:b]), "figure")] + (
        [(text[b:], "")] if b < len(text) else [])


def exact(points: float) -> str:
    """``w:spacing``: no gaps, an exact line of ``points`` (an empty paragraph that tall)."""
    return f'<w:spacing w:before="0" w:after="0" w:line="{hs.twips(points)}" w:lineRule="exact"/>'


def font_xml(font: str) -> str:
    """``w:rFonts`` naming a font role's East Asian font (fonts/config.py)."""
    return (f'<w:rFonts w:ascii="{DOCX_LATIN_FONT}" w:hAnsi="{DOCX_LATIN_FONT}" '
            f'w:eastAsia="{DOCX_FONTS[font]}" w:cs="{DOCX_LATIN_FONT}" w:hint="eastAsia"/>')


def scaled(role: hs.Role, scale: float) -> tuple[str, str]:
    """(paragraph, run) properties of a role set ``scale`` times its size, leading alike, as the
    PDF does; nothing at full size (the style has it)."""
    if scale >= 1:
        return "", ""
    spacing = (f'<w:spacing w:line="{hs.twips(role.leading * scale)}" w:lineRule="exact"/>')
    return spacing, size_xml(role.size * scale)


_FONTS = re.compile(r"^<w:rFonts [^>]*/>")


@functools.lru_cache(maxsize=64)  # a brief has a handful of distinct run properties
def _split_fonts(rpr: str) -> tuple[str, str]:
    """(its ``w:rFonts``, the rest) of run properties."""
    found = _FONTS.match(rpr)
    return (found.group(), rpr[found.end():]) if found else ("", rpr)


def _run_content(text: str) -> str:
    """A run's children for ``text``, as python-docx writes them: tabs and line breaks become
    ``w:tab`` and ``w:br``, the rest ``w:t`` (kept whole when it starts or ends with a space)."""
    if not _SPECIAL.search(text):  # most runs: one w:t
        space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
        return f"<w:t{space}>{escape(text)}</w:t>"
    out = []
    for piece in _SPECIAL_SPLIT.split(text):
        if piece == "\t":
            out.append("<w:tab/>")
        elif piece in ("\n", "\r"):
            out.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if piece[0].isspace() or piece[-1].isspace() else ""
            out.append(f"<w:t{space}>{escape(piece)}</w:t>")
    return "".join(out)


# -- section properties -------------------------------------------------------------------------


def landscape_width(sect) -> int:  # type: ignore[no-untyped-def]
    """The text width (twips) of the body's page turned landscape: its text height."""
    if sect is None:
        return 0
    size, margins = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
    if size is None or margins is None:
        return 0
    return int(size.get(qn("w:h"))) - int(margins.get(qn("w:top"))) - int(margins.get(qn("w:bottom")))


def serialize(element) -> str:  # type: ignore[no-untyped-def]
    """An element as XML text, as lxml writes it (with the namespaces it uses declared)."""
    return etree.tostring(element, encoding="unicode")


def section_copy(portrait, *, landscape: bool):  # type: ignore[no-untyped-def]
    """A copy of the body's ``w:sectPr`` for a section that ends before it, turned for
    ``landscape``; footers are inherited."""
    sect = copy.deepcopy(portrait)
    for child in sect.findall(qn("w:titlePg")):
        sect.remove(child)  # a first-page footer belongs to the document's first page only
    if landscape:
        _turn(sect)
    return sect


def _turn(sect) -> None:  # type: ignore[no-untyped-def]
    """A portrait ``w:sectPr`` made landscape: the page turned, the text block turned with it (its
    width the portrait height) and centred; the footer keeps its distance below the text."""
    size, margins = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
    w, h = int(size.get(qn("w:w"))), int(size.get(qn("w:h")))
    width = w - int(margins.get(qn("w:left"))) - int(margins.get(qn("w:right")))
    height = h - int(margins.get(qn("w:top"))) - int(margins.get(qn("w:bottom")))
    below = int(margins.get(qn("w:bottom"))) - int(margins.get(qn("w:footer"), "0"))
    size.set(qn("w:w"), str(h))
    size.set(qn("w:h"), str(w))
    size.set(qn("w:orient"), "landscape")
    side, top = (h - height) // 2, (w - width) // 2
    for key, value in (("left", side), ("right", h - height - side), ("top", top), ("bottom", w - width - top),
                       ("footer", max(w - width - top - below, 0))):
        margins.set(qn(f"w:{key}"), str(value))
