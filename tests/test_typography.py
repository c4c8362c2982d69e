"""Issue 15 (typography, the PDF part): text survives reprocessing, bookmarks and XMP title,
the draft watermark out of the reading order, a mainland 楷体, and ``∶`` never starting a line."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from helpers import brief, has, pdffonts_rows, pdftotext, squash

STEM = "2023年英吉沙县援疆工作简报"
KEY_SENTENCES = (
    "2023年是第十一批济宁援疆干部人才进驻英吉沙县的第一年。",
    "国学书院成为文化润疆的重要平台",
)


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("typo")
    result = brief("render", "yingjisha", "--year", "2023", "--format", "pdf", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / "2023" / f"{STEM}.pdf"


def _qdf_text(path: Path, tmp: Path) -> str:
    """The PDF with its streams uncompressed (qpdf --qdf), as text."""
    target = tmp / "qdf.pdf"
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(path), str(target)], check=True)
    return target.read_bytes().decode("latin-1")


# -- 1. text survives reprocessing ------------------------------------------------------------------


def test_tounicode_blocks_hold_at_most_100_entries(pdf: Path, tmp_path: Path) -> None:
    counts = [int(n) for n in re.findall(r"(\d+) beginbf(?:char|range)", _qdf_text(pdf, tmp_path))]
    assert counts and max(counts) <= 100
    assert sum(counts) > 300  # the whole subset is still mapped, just in more blocks


def test_subset_font_names_unique_per_font(pdf: Path) -> None:
    names = [row[0] for row in pdffonts_rows(pdf)]
    tags = [n.split("+", 1)[0] for n in names]
    assert all(re.fullmatch(r"[A-Z]{6}", t) for t in tags), names
    assert len(set(tags)) == len(tags), names
    assert "AAAAAA" not in tags and "AAAAAB" not in tags


@pytest.mark.skipif(not has("gs"), reason="Ghostscript missing: scripts/setup.sh installs it")
def test_text_extracts_after_ghostscript_pdfwrite(pdf: Path, tmp_path: Path) -> None:
    again = tmp_path / "gs.pdf"
    result = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", "-o", str(again), str(pdf)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    text = squash(pdftotext(again))
    for sentence in KEY_SENTENCES:
        assert sentence in text
    assert squash(pdftotext(pdf)) == text
