"""The document body as XML text: the writer's blocks are spliced into document.xml as written.

wml.py writes every block as text in the form lxml serializes it (attributes in order, double
quotes, ``<x/>`` for empty elements, ``&amp; &lt; &gt;`` in text). Parsing that text into the
python-docx tree only to serialize it again was 4-5 ms of a brief of 200 KB; the text goes into
document.xml directly instead, before the body's final ``w:sectPr`` (Word wants it last). The tree
gets the text only where python-docx must read it: the draft watermark of a document with section
breaks (its header references go into the first section's ``w:sectPr``), and ``into_tree``.
"""

from __future__ import annotations

import re

from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.shared import Emu, Pt

from brief.writers.docx import wml

# The prefixes the writer's XML uses and their namespaces (as python-docx declares them).
NAMESPACES = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
_DECL = re.compile(r' xmlns:(\w+)="([^"]*)"')


class Body:
    """Where the blocks go: XML text, in order, for the body of ``document`` before its final
    ``w:sectPr``; pictures add their image parts to the document's package as they come."""

    def __init__(self, document: DocxDocument) -> None:
        self.part = document.part
        self.element = document.element.body
        self.anchor = self.element.find(wml.SECTPR)  # the body's own w:sectPr: the page every section copies
        self.texts: list[str] = []
        self.breaks = 0  # section breaks written (each holds a w:sectPr)
        root = document.element
        self.root_ns = {prefix: uri for prefix, uri in root.nsmap.items() if prefix}
        # lxml drops a moved element's namespace declarations the document root already makes: a
        # picture declares the rest itself (python-docx's order: wp, a, pic, r)
        self.picture_ns = "".join(f' xmlns:{p}="{NAMESPACES[p]}"' for p in ("wp", "a", "pic", "r")
                                  if self.root_ns.get(p) != NAMESPACES[p])
        # the text is lxml's own serialization only where the root binds the prefixes as python-docx
        # does (every template Word or make_reference writes); else it goes through the tree
        bound = {uri: prefix for prefix, uri in self.root_ns.items()}
        self.direct = all(self.root_ns.get(p, uri) == uri and bound.get(uri, p) == p for p, uri in NAMESPACES.items())
        # python-docx numbers drawings from the largest numeric id in the document (StoryPart.next_id)
        self.next_id = max((int(v) for v in root.xpath("//@id") if v.isdigit()), default=0) + 1

    def append(self, xml: str) -> None:
        self.texts.append(xml)

    def picture(self, image, alt_text: str, box: tuple[Emu, Emu], height: Emu | None = None) -> str:  # type: ignore[no-untyped-def]
        """A ``w:r`` holding ``image`` (a path or a file object), fitted into ``box`` (width, height),
        or ``height`` high (the PDF's); its image part and relationship added to the package."""
        rid, img = self.part.get_or_add_image(image)
        w, h = img.scaled_dimensions()
        scale = min(box[0] / w, box[1] / h)
        if height is not None and height < h * scale:
            # the PDF shrank it to finish a page, to the point: 2 pt less leave Word and
            # LibreOffice room for their rounding (twips, EMU)
            scale = (height - Pt(2)) / h
        shape_id, self.next_id = self.next_id, self.next_id + 1
        return wml.picture_run(self.picture_ns, shape_id, rid, img.filename, round(w * scale), round(h * scale),
                               alt_text)

    def section(self, *, landscape: bool) -> str:
        """A copy of the body's ``w:sectPr`` as text (wml.section_copy), for a section break."""
        self.breaks += 1
        xml = wml.serialize(wml.section_copy(self.anchor, landscape=landscape))
        head, sep, rest = xml.partition(">")
        # as lxml drops them when the copy moves into the document: declarations the root makes
        return _DECL.sub(lambda m: "" if self.root_ns.get(m.group(1)) == m.group(2) else m.group(), head) + sep + rest

    def into_tree(self) -> None:
        """Parse the text written so far into the python-docx tree (in one piece)."""
        if not self.texts:
            return
        decls = " ".join(f'xmlns:{p}="{uri}"' for p, uri in self.root_ns.items())
        holder = parse_xml(f"<w:body {decls}>{''.join(self.texts)}</w:body>")
        self.texts = []
        for child in list(holder):
            if self.anchor is not None:
                self.anchor.addprevious(child)
            else:
                self.element.append(child)

    def blob(self) -> bytes:
        """document.xml: the tree's serialization with the text spliced in before the final
        ``w:sectPr`` (the only child python-docx's body has; template.new_document)."""
        if not self.direct:
            self.into_tree()
        xml = self.part.blob
        if not self.texts:
            return xml
        text = "".join(self.texts).encode()
        start = xml.index(b"<w:body")
        end = xml.index(b">", start)
        if xml[end - 1:end] == b"/":  # <w:body/>: no w:sectPr
            return xml[:end - 1] + b">" + text + b"</w:body>" + xml[end + 1:]
        return xml[:end + 1] + text + xml[end + 1:]

