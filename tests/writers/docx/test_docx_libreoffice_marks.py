"""What LibreOffice 7.4 makes of the DOCX's punctuation (英吉沙 2023, page 1, before): a closing mark
hung past the margin of a full justified line was not drawn (``落地见效⏎组团式`` lost its comma).
The DOCX now asks LibreOffice not to hang marks (writers/docx/template.py).

LibreOffice also ignores ``autoSpaceDE``/``DN`` and sets a quarter em between a 汉字 and a figure;
that gap is left alone: a zero-width space would end it but would break Word's Find (上升61.36%) and
travel with every copied figure into Excel."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from brief.model import Document, KeyFigure, KeyFigures, Meta, Paragraph, Text
from brief.writers.docx import docx_bytes

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = ROOT / "templates" / "reference.docx"
# Body text: 28 characters a line (16 pt less 0.25 pt tracking), the first indented by two. The
# second line is full, so its comma falls at column 29, where LibreOffice hangs it; with that
# line's leftover width (25 twips) LibreOffice 7.4 then drew no comma. Same for the stop.
COMMA = "甲" * 26 + "乙" * 28 + "，" + "丙" * 10 + "。"
STOP = "丁" * 26 + "戊" * 28 + "。" + "己" * 10 + "。"
FIGURES = "三四级手术量上升61.36%，带动增收2.12万人次。"


def _document() -> Document:
    body = tuple(Paragraph((Text(t),)) for t in (COMMA, STOP, FIGURES))
    return Document(Meta(title="题"), (*body, KeyFigures((KeyFigure("三四级手术量同比", "上升61.36%"),))))


def test_the_docx_asks_for_no_hanging():
    """The XML that LibreOffice reads (the rendering itself: the slow test below)."""
    import io
    import zipfile

    blob = docx_bytes(_document(), reference=REFERENCE)
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        styles, body = z.read("word/styles.xml").decode(), z.read("word/document.xml").decode()
    defaults = re.search(r"<w:pPrDefault>.*?</w:pPrDefault>", styles).group(0)
    assert '<w:overflowPunct w:val="1"/>' in defaults  # Word's default; LibreOffice 7.4: no hanging
    assert "\u200b" not in body  # nothing a reader's Find or a copy would trip on


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_draws_line_end_marks(tmp_path: Path):
    path = tmp_path / "marks.docx"
    path.write_bytes(docx_bytes(_document(), reference=REFERENCE))
    profile = tmp_path / "profile"
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)], capture_output=True, timeout=180)
    pdf = tmp_path / "marks.pdf"
    assert pdf.is_file(), "LibreOffice made no PDF"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert "乙，丙" in flat and "戊。己" in flat, text  # every mark drawn, wherever the line ends
    assert flat.count("，") == COMMA.count("，") + FIGURES.count("，")
    assert flat.count("61.36%") == 2, text  # the figures whole, in the text and the key-figure box
