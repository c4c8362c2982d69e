"""The PDF's XMP metadata packet: the Chinese title, author and subject, readable by archive tools
(PDF/A checkers, DMS importers) that ignore the Info dictionary.

Deterministic on purpose: no dates and no document ID (the Info dictionary carries the project's
fixed date in invariant mode), so the same data gives the same bytes.
"""

from __future__ import annotations

from typing import Any

from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFStream

from ... import model
from ..xmltext import escape  # not xml.sax.saxutils: see xmltext

_PACKET = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>zh-CN</rdf:li></rdf:Bag></dc:language>
   <pdf:Producer>brief</pdf:Producer>
   <xmp:CreatorTool>brief</xmp:CreatorTool>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def xmp_packet(meta: model.Meta) -> bytes:
    """The packet as UTF-8 (XMP's encoding; the stream is left uncompressed so any tool finds it)."""
    return _PACKET.format(title=escape(meta.title), author=escape(meta.author),
                          subject=escape(meta.subject)).encode("utf-8")


def add_xmp(canvas: Any, meta: model.Meta) -> None:
    """Attach the packet to the document catalog (``/Metadata``)."""
    stream = PDFStream(PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}),
                       xmp_packet(meta), filters=[])
    canvas._doc.Catalog.Metadata = canvas._doc.Reference(stream, "BriefXMPMetadata")
