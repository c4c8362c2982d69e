"""The style names the DOCX writer uses: the contract between code and templates/reference.docx.

A user may restyle reference.docx in Word freely; the writer only needs each name below to exist
(as ``w:name``, compared case-insensitively: Word writes built-in names in lower case).
"""

from __future__ import annotations

from brief import housestyle as hs

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

# logical key -> the brief.housestyle role it is set in (make_reference.py builds the styles from it)
DOCX_ROLES: dict[str, str] = {
    "body": "body",
    "title": "heading0",
    "h1": "heading1",
    "h2": "heading2",
    "lead": "lead",
    "source": "source",
    "note": "note",
    "center": "center",
    "caption": "caption",
    "figure": "caption",  # a picture's paragraph: centred, off the grid
    "table": "cell",
    "table_header": "cell_head",
    "masthead": "masthead_title",
    "masthead_number": "masthead_number",
    "masthead_info": "masthead_info",
    "key_value": "key_value",
    "key_label": "key_label",
    "footer": "pagenum",
}
JC = {"justify": "both", "left": "left", "center": "center", "right": "right"}  # house alignment -> w:jc

CELL_MARGIN = hs.twips(hs.GRID.padding[1])  # twips, left and right in a data table's cells

# Heading.level -> logical key (model.HEADING_LEVELS).
HEADING_STYLES: dict[int, str] = {0: "title", 1: "h1", 2: "h2"}

# Paragraph.role -> logical key.
ROLE_STYLES: dict[str, str] = {
    "body": "body",
    "lead": "lead",
    "source": "source",
    "note": "note",
    "center": "center",
}
