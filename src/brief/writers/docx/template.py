"""templates/reference.docx, the DOCX's looks: read once per process, its style ids resolved once.

The writer names styles by logical key (styles.py); this module maps them to the template's
``w:styleId`` once per template, never per paragraph: python-docx's lookup by name was two-thirds of
a naive writer's time.
"""

from __future__ import annotations

import hashlib
import io
import marshal
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.opc.pkgreader import PackageReader
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Emu

from brief.errors import BriefError
from brief.keptfiles import Kept, entry_name, source_digest
from brief.writers.docx._package import KeptReader, open_document, read_package, reader_values
from brief.writers.docx.styles import PARAGRAPH_STYLES, TABLE_STYLES
from brief.writers.docx.wml import W_NS

_REGENERATE = "请在 Word 中另存为 .docx，或用 python -m brief.writers.docx.make_reference 重新生成"


@dataclass(frozen=True)
class Template:
    """reference.docx, read once per process: its bytes, style ids and text width."""

    blob: bytes
    style_ids: Mapping[str, str]  # logical key (styles.py) -> w:styleId
    text_width: int  # twips
    left_margin: int = 0  # twips
    # the zip read once: a brief's document is made of its parts (1.1 ms a brief less than unzipping)
    reader: PackageReader | KeptReader | None = field(default=None, compare=False, repr=False)
    # the document ``read`` parsed to find the styles, untouched: the first brief's (one parse of
    # every part less in a process that writes one DOCX, ~0.7 ms)
    spare: list[DocxDocument] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def read(cls, path: Path) -> Template:
        """The template at ``path``: from its entry kept between runs when it was read before
        (``_KEPT``), else unzipped and parsed (and then kept)."""
        blob = path.read_bytes()
        name = _entry_name(blob)
        kept = _kept(name, blob) if name else None
        if kept is not None:
            return kept
        template = cls._parsed(path, blob)
        if name:
            _KEPT.put(name, marshal.dumps((dict(template.style_ids), template.text_width, template.left_margin,
                                           *reader_values(template.reader))))  # type: ignore[arg-type]
        return template

    @classmethod
    def _parsed(cls, path: Path, blob: bytes) -> Template:
        reader = read_package(blob)
        doc = open_document(reader)
        by_name: dict[tuple[str, str], str] = {}
        for st in doc.styles.element.iterchildren(qn("w:style")):
            name = st.find(qn("w:name"))
            if name is not None:
                by_name[(st.get(qn("w:type")), name.get(qn("w:val")).lower())] = st.get(qn("w:styleId"))
        wanted = [("paragraph", k, n) for k, n in PARAGRAPH_STYLES.items()]
        wanted += [("table", k, n) for k, n in TABLE_STYLES.items()]
        ids: dict[str, str] = {}
        missing = []
        for kind, key, name in wanted:
            sid = by_name.get((kind, name.lower()))
            if sid is None:
                missing.append(f"{kind} style {name!r}")
            ids[key] = sid
        if missing:
            raise BriefError.at(str(path), None, "reference.docx",
                                f"Word 样式模板缺少样式：{', '.join(missing)}；{_REGENERATE}")
        section = doc.sections[-1]
        width = section.page_width - section.left_margin - section.right_margin
        return cls(blob, ids, Emu(width).twips, Emu(section.left_margin).twips, reader, [doc])

    def new_document(self) -> DocxDocument:
        """A python-docx document of the template's styles and page, its body empty but for the
        final ``w:sectPr`` (whatever a user typed into the reference goes), widow control on."""
        try:
            document = self.spare.pop()  # what read() parsed: the same parts, not yet changed
        except IndexError:
            document = open_document(self.reader) if self.reader is not None else docx.Document(io.BytesIO(self.blob))
        body = document.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        _widow_control(document)
        _no_hanging_in_libreoffice(document)
        return document


# What reading a template finds (style ids, text width and margin, its parts and relationships),
# kept between runs (brief/keptfiles.py): a fresh process neither unzips the template nor parses its styles to
# find them (~2 ms of a cold ``brief render``); each brief's document is parsed from the kept parts,
# as from the zip's. Named by the template's bytes and the code that reads them.
_KEPT = Kept("docx-templates", ".marshal", kept=50)


def _entry_name(blob: bytes) -> str | None:
    code = source_digest(__file__, "_package.py", "styles.py")
    if code is None:
        return None
    return entry_name(code, docx.__version__, sys.version_info[:2], hashlib.sha256(blob).hexdigest())


def _kept(name: str, blob: bytes) -> Template | None:
    """The Template of ``blob`` from its kept entry; None when there is none or it cannot be read."""
    data = _KEPT.get(name)
    if data is None:
        return None
    try:
        ids, width, left, parts, rels = marshal.loads(data)
        return Template(blob, ids, width, left, KeptReader(parts, rels))
    except (ValueError, EOFError, TypeError):
        return None


_TEMPLATES: dict[tuple[str, int, int], Template] = {}


def load_template(path: Path) -> Template:
    """The cached Template for ``path``; re-read when the file changes (mtime or size)."""
    path = Path(path)
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    tpl = _TEMPLATES.get(key)
    if tpl is None:
        try:
            tpl = Template.read(path)
        except BriefError:
            raise
        except Exception as exc:  # noqa: BLE001 - a user's file: not a zip, parts missing, broken XML
            raise BriefError.at(str(path), None, "reference.docx",
                                f"不是有效的 Word 样式模板（{type(exc).__name__}）；{_REGENERATE}") from None
        _TEMPLATES[key] = tpl
    return tpl


def _widow_control(document: DocxDocument) -> None:
    """Word's widow and orphan control (two lines of a paragraph on each side of a page break) for
    every paragraph, in the document defaults, whatever reference.docx says."""
    ppr = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}")
    if ppr is None or ppr.find(qn("w:widowControl")) is not None:
        return
    # schema order: widowControl follows pStyle, keepNext, keepLines, pageBreakBefore, framePr
    before = {qn(f"w:{t}") for t in ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr")}
    at = sum(1 for child in ppr if child.tag in before)
    ppr.insert(at, parse_xml(f"<w:widowControl {W_NS}/>"))


# pPr children that come before overflowPunct in the schema
_BEFORE_OVERFLOW = frozenset(qn(f"w:{t}") for t in (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap"))


def _no_hanging_in_libreoffice(document: DocxDocument) -> None:
    """``<w:overflowPunct w:val="1"/>`` in the document defaults: Word's own default (a closing mark
    may hang past the margin), so nothing changes in Word; LibreOffice 7.4 reads the flag inverted
    (writerfilter: hanging = ``overflowPunct == 0``) and then keeps the mark inside the line, as the
    PDF does. Its hanging is what loses marks: in a justified line, a hung ``，`` or ``。`` is not
    drawn at all when the line's leftover width falls on one value modulo its character count
    (英吉沙 2023 p. 1 lost ``见效，``'s comma). A reference.docx that sets the flag keeps its own."""
    ppr = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}")
    if ppr is None or ppr.find(qn("w:overflowPunct")) is not None:
        return
    at = sum(1 for child in ppr if child.tag in _BEFORE_OVERFLOW)
    ppr.insert(at, parse_xml(f'<w:overflowPunct {W_NS} w:val="1"/>'))
