"""Which font plays which typographic role: the one place to change fonts.

PDF: each role lists candidate font files in order of preference; the first one installed wins.
DOCX: each role names the font Word/WPS should use (``w:eastAsia``); Windows ships these names.
"""

from __future__ import annotations

ROLES: tuple[str, ...] = ("title", "heading", "body", "kai", "pagenum")

# What the DOCX names, per role. Offices without 方正小标宋简体 get Word's substitution for the title.
DOCX_FONTS: dict[str, str] = {
    "title": "方正小标宋简体",
    "heading": "黑体",
    "body": "仿宋",
    "kai": "楷体",
    "pagenum": "宋体",
}
# Latin text and digits inside Chinese runs.
DOCX_LATIN_FONT = "Times New Roman"
