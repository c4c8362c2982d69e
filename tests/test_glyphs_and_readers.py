"""Characters and real readers: Ext-B copies out, a glyph no font has stops the run, LibreOffice reads the DOCX."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import DATA, brief, cjk_in_latin_fonts, has, pdftotext


def data_with_headline(tmp_path: Path, headline: str) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / "counties" / "yingjisha" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("headline:")
    end = text.index("\n", start)
    path.write_text(text[:start] + f"headline: {headline}" + text[end:], encoding="utf-8")
    return data


@pytest.mark.slow
def test_characters_beyond_bmp_copy_out(tmp_path: Path) -> None:
    data = data_with_headline(tmp_path, "𠮷祥如意的援疆之年")
    result = brief("render", "yingjisha", "--year", "2023", "--format", "pdf", "--data", str(data), "--out",
                   str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "𠮷祥如意的援疆之年" in pdftotext(next((tmp_path / "out").rglob("*.pdf")))


@pytest.mark.slow
def test_a_character_no_font_has_stops_with_file_line_key(tmp_path: Path) -> None:
    data = data_with_headline(tmp_path, "援疆\U0010fffd之年")
    out = tmp_path / "out"
    result = brief("render", "yingjisha", "--year", "2023", "--data", str(data), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 1
    line = result.stderr.strip()
    assert line.startswith("data/counties/yingjisha/2023.yaml:") and ": headline: " in line
    assert "U+10FFFD" in line and len(line.splitlines()) == 1
    assert not out.exists() or not any(out.rglob("*.*"))


@pytest.mark.skipif(not has("soffice"), reason="LibreOffice is installed by scripts/setup.sh")
@pytest.mark.slow
def test_libreoffice_opens_the_brief_and_uses_cjk_fonts(tmp_path: Path) -> None:
    assert brief("render", "yingjisha", "--year", "2023", "--format", "docx", "--out", str(tmp_path)).returncode == 0
    source = next(tmp_path.rglob("*.docx"))
    converted = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--infilter=MS Word 2007 XML", "--convert-to", "pdf", "--outdir", str(converted), str(source)],
                   capture_output=True, timeout=180)
    pdf = converted / (source.stem + ".pdf")
    assert pdf.is_file(), "LibreOffice could not load the DOCX"
    text = pdftotext(pdf)
    assert "第十一批济宁援疆团队开局之年" in text.replace(" ", "") and "一、队伍建设" in text
    count, wrong = cjk_in_latin_fonts(pdf)  # not which font stands in for Times New Roman here
    assert count > 1000 and not wrong, wrong[:20]


@pytest.mark.slow
def test_validate_refuses_what_render_would_refuse(tmp_path: Path) -> None:
    data = data_with_headline(tmp_path, "援疆😀之年")
    result = brief("validate", "--data", str(data), cwd=tmp_path)
    assert result.returncode == 1
    line = result.stderr.strip()
    assert line.startswith("data/counties/yingjisha/2023.yaml:") and ": headline: " in line and "U+1F600" in line
