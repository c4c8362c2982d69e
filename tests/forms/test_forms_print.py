"""A 填报表 as LibreOffice prints it: every sheet's title and instruction line whole on the page.

A merged cell clips its text at its last column and a wrapped cell shows only the lines its row has
room for, and in the PDF the clipped text is still there (pdftotext reads it). So the test measures:
pdftotext -bbox gives each word's box, the page image gives the header row (its blue fill), and every
word above the header must end left of the header's right edge and above its top."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from brief.forms import make_form
from brief.forms.layout import HEADER_ROW, NOTE_ROW, TITLE_ROW

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
HEADER_FILL = (0xD9, 0xE1, 0xF2)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext") and shutil.which("pdftoppm")),
                       reason="needs LibreOffice and poppler-utils"),
]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def header_band(png: Path) -> tuple[float, float, float] | None:
    """(top, bottom, right) of the header row's fill, in points (the image is at 72 dpi)."""
    im = Image.open(png).convert("RGB")
    w, h = im.size
    px = im.load()
    hits = [(x, y) for y in range(h) for x in range(0, w, 2)
            if all(abs(a - b) <= 3 for a, b in zip(px[x, y], HEADER_FILL, strict=True))]
    if not hits:
        return None
    top = min(y for _, y in hits)
    band = [(x, y) for x, y in hits if y < top + 40]  # the first header on the page, not a later fill
    return top, max(y for _, y in band) + 1, max(x for x, _ in band) + 2


def pages(pdf: Path, tmp: Path) -> list[tuple[list[tuple[float, float, float, float, str]], Path]]:
    """Per page: its words with their boxes (points, y down), and its image at 72 dpi."""
    box = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words = [[(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in _WORD.findall(page)]
             for page in box.split("<page ")[1:]]
    subprocess.run(["pdftoppm", "-r", "72", "-png", str(pdf), str(tmp / "pg")], check=True, capture_output=True)
    images = sorted(tmp.glob("pg-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    assert len(images) == len(words)
    return list(zip(words, images, strict=True))


@pytest.mark.parametrize("county", ["shule", "yingjisha"])  # shule: no earlier year, one column fewer
def test_each_sheet_prints_its_title_and_note_whole(county: str, tmp_path: Path) -> None:
    form = make_form(DATA, county, 2023, tmp_path)
    profile = (tmp_path / "lo").as_uri()
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile}", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(form)], capture_output=True, timeout=240, check=False, cwd=tmp_path)
    pdf = form.with_suffix(".pdf")
    assert pdf.exists(), "LibreOffice wrote no PDF: is LibreOffice Calc installed?"
    wb = load_workbook(form)
    sheets = [ws for ws in wb.worksheets if ws.sheet_state == "visible" and ws.cell(HEADER_ROW, 2).value]
    assert len(sheets) >= 4
    printed = pages(pdf, tmp_path)
    for ws in sheets:
        title, note = ws.cell(TITLE_ROW, 1).value, ws.cell(NOTE_ROW, 1).value
        headers = {ws.cell(HEADER_ROW, c).value for c in range(1, ws.max_column + 1)}
        found = [(words, png) for words, png in printed if squeezed(title) in squeezed("".join(w[4] for w in words))]
        assert len(found) == 1, f"{ws.title}: its title is on {len(found)} pages"
        words, png = found[0]
        band = header_band(png)
        assert band is not None, f"{ws.title}: no header row on its first page"
        top, bottom, right = band
        above = [w for w in words if w[1] < bottom and not (w[4] in headers and w[1] >= top - 2)]
        assert squeezed("".join(w[4] for w in above)) == squeezed(title + note), ws.title
        for _x0, _y0, x1, y1, text in above:
            assert x1 <= right + 1, f"{ws.title}: “{text}” runs past the printed columns ({x1:.0f} > {right:.0f} pt)"
            assert y1 <= top + 1, f"{ws.title}: “{text}” is cut off by the header row ({y1:.0f} > {top:.0f} pt)"
