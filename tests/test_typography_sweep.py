"""Issue 15/14 sweep over every shipped output (data/ built once): no figure split from its unit,
no table-cell or label line of one character, no adjacent marks left at full width — read back from
the rendered PDFs with pdfplumber (and, slow, from LibreOffice's rendering of the DOCX files)."""

from __future__ import annotations

import functools
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from brief.writers.typeset import mark_pairs
from helpers import DATA, brief, has

# A figure's end at a line end (digits, 余/多, 万/亿, or the 约/近/超 before it) ...
FIGURE_END = re.compile(r"(?:[0-9余多万亿约近超])$")
CELL_SIZE = 13.0  # pt: table cells, key labels and chart labels are set smaller; prose is 16 pt


def _units() -> tuple[str, ...]:
    """... and a line starting with a unit of the catalog, or a word that belongs to the figure."""
    catalog = yaml.safe_load((DATA / "indicators.yaml").read_text(encoding="utf-8"))
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("unit"), str):
                found.add(node["unit"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(catalog)
    assert {"人次", "名", "亩", "公斤", "%"} <= found, found
    return tuple(sorted(found | {"万", "亿", "余", "多", "以上", "以下", "以内"}, key=len, reverse=True))


UNITS = _units()


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep")
    result = brief("build", "--data", str(DATA), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@functools.cache
def _segments(path: Path) -> list[tuple[int, list[dict]]]:
    """(page, characters) of every line segment: characters on one baseline, cut where a gap wider
    than 1.2 em separates them (table cells, the two halves of the masthead line)."""
    import pdfplumber

    out = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            rows: dict[int, list[dict]] = {}
            for ch in page.chars:
                if ch["text"].strip() and ch["text"] != "\u2060":
                    rows.setdefault(round(ch["top"]), []).append(ch)
            for _, chars in sorted(rows.items()):
                chars.sort(key=lambda c: c["x0"])
                current = [chars[0]]
                for ch in chars[1:]:
                    if ch["x0"] - current[-1]["x1"] > 1.2 * max(ch["size"], current[-1]["size"]):
                        out.append((number, current))
                        current = [ch]
                    else:
                        current.append(ch)
                out.append((number, current))
    return out


def _text(seg: list[dict]) -> str:
    return "".join(c["text"] for c in seg)


def _next_lines(segs: list[tuple[int, list[dict]]]) -> list[tuple[int, str, str, float]]:
    """(page, line, the line under it in the same column, size) for every pair of consecutive lines of one
    paragraph or cell: the same size, one line pitch (1–2.2 em) lower, overlapping horizontally."""
    pairs = []
    by_page: dict[int, list[list[dict]]] = {}
    for page, seg in segs:
        by_page.setdefault(page, []).append(seg)
    for page, seg in segs:
        top, size, x0, x1 = seg[0]["top"], seg[0]["size"], seg[0]["x0"], seg[-1]["x1"]
        for seg2 in by_page[page]:
            if abs(seg2[0]["size"] - size) > 0.1:
                continue
            if size < seg2[0]["top"] - top < 2.2 * size and seg2[0]["x0"] < x1 and seg2[-1]["x1"] > x0:
                pairs.append((page, _text(seg), _text(seg2), size))
    return pairs


def unit_splits(path: Path) -> list[str]:
    out = []
    for page, above, below, _ in _next_lines(_segments(path)):
        if FIGURE_END.search(above) and below.startswith(UNITS):
            out.append(f"p{page}: {above[-8:]}⏎{below[:6]}")
        if above[-1:].isdigit() and below[:1].isdigit():
            out.append(f"p{page}: {above[-8:]}⏎{below[:6]} (inside a number)")
    return out


def _pdfs(outputs: Path) -> list[Path]:
    pdfs = sorted(outputs.rglob("*.pdf"))
    assert len(pdfs) >= 8, pdfs
    return pdfs


@pytest.mark.slow
def test_no_figure_split_from_its_unit(outputs: Path) -> None:
    problems = {p.name: unit_splits(p) for p in _pdfs(outputs)}
    assert not any(problems.values()), problems


@pytest.mark.slow
def test_no_cell_or_label_line_of_one_character(outputs: Path) -> None:
    """Table cells, key labels and chart labels (set below 13 pt; prose may end on one 汉字)."""
    problems = {path.name: [f"p{page}: {above}⏎{below}" for page, above, below, size in _next_lines(_segments(path))
                            if size < CELL_SIZE and len(below) == 1 and "\u4e00" <= below <= "\u9fff"]
                for path in _pdfs(outputs)}
    assert not any(problems.values()), problems


@pytest.mark.slow  # the last fast user of the module's build: the build goes with it
def test_adjacent_marks_compressed(outputs: Path) -> None:
    problems: dict[str, list[str]] = {}
    checked = 0
    for path in _pdfs(outputs):
        for page, seg in _segments(path):
            text = _text(seg)
            for k in mark_pairs(text):
                a, b = seg[k], seg[k + 1]
                checked += 1
                if b["x0"] - a["x0"] > 0.75 * a["size"]:
                    problems.setdefault(path.name, []).append(f"p{page}: {text[k:k + 2]} in {text[:20]}")
    assert checked >= 20  # the seed's briefs have dozens of （示例）。 and 。“ pairs
    assert not problems, problems


def test_sweep_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The detectors themselves: a PDF with a unit split, a lone cell character and a full-width pair."""
    from reportlab.pdfgen import canvas

    from brief.fonts import pdf_fonts

    pdf_fonts()
    path = tmp_path / "bad.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("brief-body", 16)
    c.drawString(72, 700, "全年选派干部人才2670余")
    c.drawString(72, 680, "名，其中疏勒县最多")
    c.drawString(72, 600, "示例）。示例")
    c.setFont("brief-body", 10.5)
    c.drawString(300, 500, "专题培训")
    c.drawString(300, 488, "班")
    c.save()
    assert unit_splits(path) == ["p1: 部人才2670余⏎名，其中疏勒"]
    segs = _segments(path)
    assert (1, "专题培训", "班", 10.5) in _next_lines(segs)
    pair = next(s for _, s in segs if _text(s).startswith("示例）"))
    assert pair[3]["x0"] - pair[2]["x0"] == pytest.approx(16, abs=0.1)  # what the pair check flags


@pytest.mark.slow
@pytest.mark.skipif(not has("soffice"), reason="LibreOffice missing")
def test_docx_rendered_by_libreoffice_keeps_figures_with_units(outputs: Path, tmp_path: Path) -> None:
    docs = sorted(outputs.rglob("*.docx"))
    assert len(docs) >= 8
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, docs)],
                   capture_output=True, timeout=600, check=True)
    rendered = sorted(tmp_path.glob("*.pdf"))
    assert len(rendered) == len(docs)
    problems = {p.name: unit_splits(p) for p in rendered}
    assert not any(problems.values()), problems
