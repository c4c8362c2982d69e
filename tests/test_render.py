"""The county brief as a user gets it: two files, right figures, embedded fonts, same text in both."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import (
    DATA,
    ROOT,
    brief,
    docx_cells,
    docx_paragraphs,
    pdf_body,
    pdffonts_rows,
    pdftotext,
    render_once,
    squash,
)

STEM = "2023年英吉沙县援疆工作简报"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_once(tmp_path_factory, "render", "yingjisha", "--year", "2023")


@pytest.mark.slow
def test_render_writes_exactly_two_files(rendered: Path) -> None:
    assert sorted(p.name for p in rendered.parent.rglob("*") if p.is_file()) == [f"{STEM}.docx", f"{STEM}.pdf"]


@pytest.mark.parametrize("figure", ["2.12万人次", "1600余人次", "747.6万元", "上升61.36%", "下降6.03%", "490名",
                                    "7万多亩", "数据来源：济宁援疆指挥部"])
@pytest.mark.slow
def test_figures_print_with_units(rendered: Path, figure: str) -> None:
    assert figure in squash(pdftotext(rendered / f"{STEM}.pdf"))
    assert figure in squash("".join(docx_paragraphs(rendered / f"{STEM}.docx")))


def test_headings_in_catalog_order(rendered: Path) -> None:
    text = squash(pdftotext(rendered / f"{STEM}.pdf"))
    headings = ["一、队伍建设", "二、产业援疆", "三、智力援疆", "四、民生援疆", "五、文化润疆", "六、交往交流交融"]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    assert text.index("援疆工作简报") < positions[0]


def test_pdf_and_docx_say_the_same_paragraph_by_paragraph(rendered: Path) -> None:
    pdf = pdf_body(rendered / f"{STEM}.pdf")
    pos = 0
    paragraphs = docx_paragraphs(rendered / f"{STEM}.docx", tables=False)
    assert len(paragraphs) > 25
    for paragraph in paragraphs:
        found = pdf.find(squash(paragraph), pos)
        assert found >= 0, f"DOCX paragraph not in PDF (in order): {paragraph[:40]}"
        pos = found + len(squash(paragraph))


def test_every_table_cell_is_in_the_pdf(rendered: Path) -> None:
    pdf = squash(pdftotext(rendered / f"{STEM}.pdf"))
    cells = docx_cells(rendered / f"{STEM}.docx")
    assert "1600余人次" in cells and "2.12万人次" in cells
    for cell in cells:
        for line in cell.splitlines():
            assert squash(line) in pdf, line


def test_every_pdf_font_embedded_as_subset(rendered: Path) -> None:
    rows = pdffonts_rows(rendered / f"{STEM}.pdf")
    assert rows
    for row in rows:
        assert row[-5] == "yes" and row[-4] == "yes", row  # emb, sub
        assert "Helvetica" not in row[0]


def test_qpdf_check_passes(rendered: Path) -> None:
    result = subprocess.run(["qpdf", "--check", str(rendered / f"{STEM}.pdf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_page_numbers_and_no_watermark_on_final(rendered: Path) -> None:
    text = pdftotext(rendered / f"{STEM}.pdf")
    assert "— 1 —" in text and "— 2 —" in text
    assert "征求意见稿" not in text


@pytest.mark.slow
def test_draft_carries_watermark_as_text(tmp_path: Path) -> None:
    result = brief("render", "maigaiti", "--year", "2023", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    pdf = next(tmp_path.rglob("*.pdf"))
    assert "征求意见稿" in pdftotext(pdf)
    docx_xml = subprocess.run(["unzip", "-p", str(next(tmp_path.rglob("*.docx"))), "word/header*.xml"],
                              capture_output=True, text=True).stdout
    assert "征求意见稿" in docx_xml


@pytest.mark.slow
def test_same_inputs_give_identical_bytes(rendered: Path, tmp_path: Path) -> None:
    assert brief("render", "yingjisha", "--year", "2023", "--out", str(tmp_path)).returncode == 0
    for suffix in (".pdf", ".docx"):
        a = hashlib.sha256((rendered / f"{STEM}{suffix}").read_bytes()).hexdigest()
        b = hashlib.sha256((tmp_path / "2023" / f"{STEM}{suffix}").read_bytes()).hexdigest()
        assert a == b, suffix


@pytest.mark.slow
def test_format_option_writes_one_file(tmp_path: Path) -> None:
    assert brief("render", "yingjisha", "--year", "2023", "--format", "pdf", "--out", str(tmp_path)).returncode == 0
    assert [p.name for p in tmp_path.rglob("*.*")] == [f"{STEM}.pdf"]


@pytest.mark.slow
def test_bad_data_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / "counties" / "yingjisha" / "2023.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("cadres_dispatched: 490", "cadres_dispatched: 4九0"),
                    encoding="utf-8")
    out = tmp_path / "out"
    result = brief("render", "yingjisha", "--year", "2023", "--data", str(data), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("data/counties/yingjisha/2023.yaml:")
    assert not out.exists() or not any(out.rglob("*"))


@pytest.mark.slow
def test_unknown_county_is_one_line(tmp_path: Path) -> None:
    result = brief("render", "yingjsha", "--year", "2023", "--out", str(tmp_path))
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "yingjisha" in result.stderr


@pytest.mark.slow
def test_template_error_names_template_and_line(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    t = templates / "brief.md.j2"
    lines = t.read_text(encoding="utf-8").splitlines()
    lines.insert(10, "{{ no_such_name }}")
    t.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = brief("render", "yingjisha", "--year", "2023", "--templates", str(templates), "--out",
                   str(tmp_path / "out"))
    assert result.returncode == 1
    assert "brief.md.j2:11:" in result.stderr and "no_such_name" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_sandbox_refuses_internals_in_templates(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    t = templates / "brief.md.j2"
    t.write_text(t.read_text(encoding="utf-8") + "\n{{ c.__class__.__mro__ }}\n", encoding="utf-8")
    result = brief("render", "yingjisha", "--year", "2023", "--templates", str(templates), "--out",
                   str(tmp_path / "out"))
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    result = brief("render", "yingjisha", "--year", "2023", "--format", "html", "--out", str(tmp_path))
    assert result.returncode == 2 and "--format" in result.stderr
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
def test_markdown_characters_around_a_citation_stay_text(tmp_path: Path) -> None:
    """A user's ``**`` and ``|`` print as typed, in a text with a citation as in one without."""
    from helpers import data_copy

    data = data_copy(tmp_path, {"counties/yingjisha/2023.yaml": (
        "指挥部在援疆队伍中设立{{ ind.temp_party_branches }}临时党支部",
        "指挥部在援疆队伍中**按党章**设立{{ ind.temp_party_branches }}临时党支部|A*B")})
    out = tmp_path / "out"
    result = brief("render", "yingjisha", "--year", "2023", "--data", str(data), "--out", str(out))
    assert result.returncode == 0, result.stderr
    typed = "指挥部在援疆队伍中**按党章**设立3个临时党支部|A*B"
    assert typed in squash(pdftotext(out / "2023" / f"{STEM}.pdf"))
    assert any(typed in squash(p) for p in docx_paragraphs(out / "2023" / f"{STEM}.docx"))
