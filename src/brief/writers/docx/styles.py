"""The style names the DOCX writer uses: the contract between code and templates/reference.docx.

A user may restyle reference.docx in Word freely; the writer only needs each name below to exist
(as ``w:name``, compared case-insensitively: Word writes built-in names in lower case).
"""

from __future__ import annotations

# logical key -> (style type, Word style name)
PARAGRAPH_STYLES: dict[str, str] = {
    "body": "Normal",
    "title": "Brief Title",
    "h1": "heading 1",
    "h2": "heading 2",
    "lead": "Brief Lead",
    "source": "Brief Source",
    "note": "Brief Note",
    "center": "Brief Center",
    "caption": "Brief Caption",
    "figure": "Brief Figure",
    "table": "Brief Table",
    "table_header": "Brief Table Header",
    "masthead": "Brief Masthead",
    "masthead_number": "Brief Masthead Number",
    "masthead_info": "Brief Masthead Info",
    "key_value": "Brief Key Figures",
    "key_label": "Brief Key Figures Label",
    "header": "header",
    "footer": "footer",
}
TABLE_STYLES: dict[str, str] = {
    "grid": "Brief Grid",
    "box": "Brief Box",
}

CELL_MARGIN = 85  # twips (1.5 mm), left and right in every table style (its tblCellMar)

# Paragraph.role -> logical key.
ROLE_STYLES: dict[str, str] = {
    "body": "body",
    "lead": "lead",
    "source": "source",
    "note": "note",
    "center": "center",
}
