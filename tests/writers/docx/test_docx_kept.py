"""What the DOCX writer keeps between runs (kept.py): a kept chart is the PNG a fresh drawing makes, a
damaged entry is drawn again, another chart gets its own entry, and the DOCX holds it; a kept
template makes the DOCX a freshly read one makes."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from docx.shared import Twips

from brief.compose.county import default_templates
from brief.model import Chart, Document, Meta, Paragraph, Series, Text
from brief.writers.docx import chart_png as C
from brief.writers.docx import docx_bytes
from brief.writers.docx.template import load_template

REFERENCE = default_templates() / "reference.docx"
CHART = Chart("图", ("甲县", "乙县"), (Series("数量", (1.5, 2.0)),), unit="个")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Empty dirs for the kept charts and templates (the fonts' stay: converting them takes 30 s),
    and no chart remembered by this process."""
    from brief.writers.docx import template

    root = tmp_path / "cache"
    monkeypatch.setattr(C._STORE, "directory", lambda: root / "charts")
    monkeypatch.setattr(template._KEPT, "directory", lambda: root / "docx-templates")
    monkeypatch.setattr(C._STORE, "used", True)  # another test's cache_clear() turned it off
    C._chart_png.cache_clear()
    yield root / "charts"
    C._chart_png.cache_clear()


def _fresh(chart: Chart) -> bytes:
    return C._painted(C.layout(chart, C.fonts.pdf_fonts().metrics("heading"), C.WIDTH, C.HEIGHT))


def _not_painted(picture: object) -> bytes:
    raise AssertionError("drawn again, not read from the store")


def test_a_kept_chart_is_read_back_as_drawn(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = C.chart_png(CHART)
    assert drawn == _fresh(CHART)
    assert len(list(store.glob("*.png"))) == 1
    C._chart_png.cache_clear()  # as a new process: only the store remembers it
    monkeypatch.setattr(C, "_painted", _not_painted)
    assert C.chart_png(CHART) == drawn


def test_another_chart_gets_its_own_entry(store: Path) -> None:
    first = C.chart_png(CHART)
    other = Chart("图", ("甲县", "乙县"), (Series("数量", (1.5, 2.5)),), unit="个")
    second = C.chart_png(other)
    assert second != first and second == _fresh(other)
    assert len(list(store.glob("*.png"))) == 2


def test_a_damaged_entry_is_drawn_again(store: Path) -> None:
    drawn = C.chart_png(CHART)
    (entry,) = store.glob("*.png")
    data = bytearray(entry.read_bytes())
    data[100] ^= 0xFF
    entry.write_bytes(bytes(data))
    C._chart_png.cache_clear()
    assert C.chart_png(CHART) == drawn
    assert entry.read_bytes() != bytes(data)  # written again, whole


def test_cache_clear_stops_using_the_store(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    C.chart_png(CHART)
    C.chart_png.cache_clear()
    calls = []
    monkeypatch.setattr(C, "_painted", lambda picture: calls.append(picture) or b"drawn")
    assert C.chart_png(CHART) == b"drawn" and len(calls) == 1


def test_the_docx_holds_the_kept_chart(store: Path) -> None:
    doc = Document(Meta(title="简报"), (CHART,))
    first = docx_bytes(doc, reference=REFERENCE)
    C._chart_png.cache_clear()
    second = docx_bytes(doc, reference=REFERENCE)  # the chart read from the store
    assert second == first
    images = [r.target_part.blob for r in docx.Document(io.BytesIO(second)).part.rels.values()
              if r.reltype.endswith("/image")]
    width = Twips(load_template(REFERENCE).text_width).mm  # the writer's: the template's text width
    fresh = C._painted(C.layout(CHART, C.fonts.pdf_fonts().metrics("heading"), width, C.HEIGHT))
    assert images == [fresh]


def test_the_first_brief_takes_the_document_the_template_read_parsed(store: Path) -> None:
    """Template.read parses the reference to find its styles (none kept yet); the first brief's
    document is that parse (not parsed again), the next ones are parsed afresh: the same DOCX."""
    from brief.writers.docx._package import package_bytes
    from brief.writers.docx.template import Template

    template = Template.read(REFERENCE)
    (spare,) = template.spare
    first = template.new_document()
    assert first is spare and not template.spare
    second = template.new_document()
    assert second is not first
    assert package_bytes(second.part.package) == package_bytes(first.part.package)
    doc = Document(Meta(title="简报"), (CHART,))
    assert docx_bytes(doc, reference=REFERENCE) == docx_bytes(doc, reference=REFERENCE)


def test_the_store_keeps_at_most_kept_entries(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(C._STORE, "kept", 4)
    charts = [Chart("图", ("甲县",), (Series("数量", (float(n),)),)) for n in range(1, 7)]
    drawn = [C.chart_png(chart) for chart in charts]
    assert 2 <= len(list(store.glob("*.png"))) <= 4  # the oldest went when a fifth came
    C._chart_png.cache_clear()
    assert C.chart_png(charts[-1]) == drawn[-1]


def test_a_kept_template_makes_the_same_docx(store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from brief.writers.docx import _package, template

    doc = Document(Meta(title="简报"), (Paragraph((Text("正文"),), "body"), CHART))
    monkeypatch.setattr(template, "_TEMPLATES", {})
    fresh = template.Template.read(REFERENCE)
    assert fresh.spare and len(list((store.parent / "docx-templates").glob("*.marshal"))) == 1
    first = docx_bytes(doc, reference=REFERENCE)

    def unzipped(blob: bytes) -> None:
        raise AssertionError("unzipped again, not read from the kept entry")

    monkeypatch.setattr(template, "_TEMPLATES", {})  # as a new process
    monkeypatch.setattr(template, "read_package", unzipped)
    kept = template.load_template(REFERENCE)
    assert isinstance(kept.reader, _package.KeptReader) and not kept.spare
    assert (kept.style_ids, kept.text_width, kept.left_margin) == (fresh.style_ids, fresh.text_width, fresh.left_margin)
    second = docx_bytes(doc, reference=REFERENCE)
    assert second == first
    text = [p.text for p in docx.Document(io.BytesIO(second)).paragraphs]
    assert "正文" in text


def test_a_damaged_kept_template_is_read_again(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from brief.writers.docx import template

    template.Template.read(REFERENCE)
    (entry,) = (store.parent / "docx-templates").glob("*.marshal")
    entry.write_bytes(entry.read_bytes()[:-10])
    again = template.Template.read(REFERENCE)
    assert again.spare  # parsed from the zip
    assert template.Template.read(REFERENCE).reader is not None and not template.Template.read(REFERENCE).spare


def test_another_template_gets_its_own_entry(store: Path, tmp_path: Path) -> None:
    from brief.writers.docx import template

    other = tmp_path / "reference.docx"
    other.write_bytes(REFERENCE.read_bytes())
    template.Template.read(REFERENCE)
    template.Template.read(other)  # the same bytes elsewhere: the same entry
    assert len(list((store.parent / "docx-templates").glob("*.marshal"))) == 1
    d = docx.Document(str(REFERENCE))
    d.core_properties.title = "另一个"
    d.save(str(other))
    template.Template.read(other)
    assert len(list((store.parent / "docx-templates").glob("*.marshal"))) == 2


_RENDER = """
import sys
from brief.compose.county import default_templates
from brief.model import Chart, Document, Meta, Series
from brief.writers.docx import docx_bytes
imported = "PIL.ImageDraw" in sys.modules
chart = Chart("图", ("甲县", "乙县"), (Series("数量", (1.5, 2.0)),), unit="个")
png = docx_bytes(Document(Meta(title="简报"), (chart,)), reference=default_templates() / "reference.docx")
print(imported, "PIL.ImageDraw" in sys.modules)
"""


def test_pillow_draws_only_a_chart_not_kept(tmp_path: Path) -> None:
    """Importing the writer imports none of Pillow's drawing; a chart drawn before is not drawn again."""
    import os
    import subprocess
    import sys

    from brief.fonts.cache import cache_dir

    # a new cache dir, but the fonts converted already (30 s to convert again)
    env = dict(os.environ, PYTHONPATH=str(Path(C.__file__).parents[3]), XDG_CACHE_HOME=str(tmp_path),
               BRIEF_FONT_CACHE_DIR=str(cache_dir()))
    runs = [subprocess.run([sys.executable, "-c", _RENDER], capture_output=True, text=True, env=env,
                           check=True).stdout.split() for _ in range(2)]
    assert runs == [["False", "True"], ["False", "False"]]
