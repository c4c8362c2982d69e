"""What a command imports (issue 19): a no-op build and a render pay only for what they use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape as sax_escape
from xml.sax.saxutils import quoteattr as sax_quoteattr

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brief.writers.xmltext import escape, quoteattr

SRC = Path(__file__).resolve().parents[1] / "src"


def imported_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    env = dict(os.environ, PYTHONPATH=str(SRC))
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
                         capture_output=True, text=True, env=env, check=True).stdout
    return set(out.split())


def test_a_build_imports_no_reader_composer_writer_or_pool_before_it_needs_them() -> None:
    mods = imported_after("import brief.cli, brief.build, brief.progress, brief.fonts")
    for heavy in ("brief.data.dataset", "brief.compose.county", "brief.render", "brief.writers.pdf.writer",
                  "reportlab", "markdown_it", "jinja2", "rich", "multiprocessing", "concurrent.futures",
                  "openpyxl", "brief.distribute", "brief.forms"):
        assert heavy not in mods, heavy


@pytest.mark.slow
def test_a_render_imports_no_network_stack_and_no_fonttools() -> None:
    mods = imported_after("import brief.render, brief.writers.pdf.writer, brief.writers.docx.writer")
    for heavy in ("urllib.request", "http.client", "ssl", "xml.sax.saxutils", "fontTools", "rich", "openpyxl"):
        assert heavy not in mods, heavy
    assert "reportlab.platypus" in mods and "docx" in mods  # what a render does need


@given(st.text(alphabet="ab&<>\"'\n\r\t中 ", max_size=12))
def test_xml_escaping_is_saxutils_byte_for_byte(text: str) -> None:
    assert escape(text) == sax_escape(text)
    assert escape(text, {'"': "&quot;"}) == sax_escape(text, {'"': "&quot;"})
    assert quoteattr(text) == sax_quoteattr(text)


def test_a_one_shot_command_imports_with_the_collector_off_then_freezes_and_leaves_it_on() -> None:
    import gc

    from brief.cli import imports_frozen

    gc.unfreeze()
    inside = []
    try:
        with imports_frozen():
            inside.append(gc.isenabled())
            made = [[i] for i in range(1000)]  # what an import leaves behind
        assert inside == [False] and gc.isenabled()
        assert gc.get_freeze_count() >= len(made)
    finally:
        gc.unfreeze()
    gc.disable()
    try:
        with imports_frozen():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
        gc.unfreeze()


@pytest.mark.slow
def test_a_pdf_only_render_without_photos_imports_no_docx_writer(tmp_path: Path) -> None:
    data = Path(__file__).resolve().parents[1] / "data"
    mods = imported_after("from pathlib import Path\nfrom brief.render import render_county\n"
                          f"render_county(Path({str(data)!r}), 'shule', 2023, ('pdf',), Path({str(tmp_path)!r}))")
    assert "brief.writers.pdf.writer" in mods
    assert "brief.writers.docx" not in mods and "docx" not in mods
    assert [p.suffix for p in (tmp_path / "2023").iterdir()] == [".pdf"]


WALKS = """
import gc, sys
walked = [0]
def seen(phase, info):  # how many objects each collection walks: the generations it collects
    if phase == "start":
        walked[0] = max(walked[0], sum(len(gc.get_objects(g)) for g in range(info["generation"] + 1)))
gc.callbacks.append(seen)
from brief.cli import main
try:
    main({args!r})
except SystemExit as exc:
    assert not exc.code, exc.code
print("--walked--", walked[0])
print("\\n".join(sys.modules))
"""


def cli_run(args: list[str]) -> tuple[int, set[str]]:
    """The most objects one collection walked in a CLI run, and the modules the run imported."""
    env = dict(os.environ, PYTHONPATH=str(SRC))
    out = subprocess.run([sys.executable, "-c", WALKS.format(args=args)], capture_output=True, text=True, env=env,
                         check=True).stdout.split("--walked--")[1].split()
    return int(out[0]), set(out[1:])


@pytest.mark.slow
def test_a_cli_render_loads_its_writers_and_fonts_with_the_collector_off_and_out_of_its_reach(tmp_path: Path) -> None:
    data = Path(__file__).resolve().parents[1] / "data"
    walked, mods = cli_run(["render", "yingjisha", "--year", "2023", "--data", str(data), "--out", str(tmp_path)])
    assert {"brief.writers.pdf.writer", "brief.writers.docx.writer"} <= mods
    # the role fonts' tables (~60,000 tuples) were made under the freeze: no collection walks them
    assert walked < 30_000, walked
    _, mods = cli_run(["render", "shule", "--year", "2023", "--format", "pdf", "--data", str(data),
                       "--out", str(tmp_path / "pdf")])
    assert "brief.writers.pdf.writer" in mods and "docx" not in mods  # only the writers it uses


@pytest.mark.slow
def test_validate_and_form_import_with_the_collector_off_and_out_of_its_reach(tmp_path: Path) -> None:
    data = Path(__file__).resolve().parents[1] / "data"
    walked, _ = cli_run(["validate", "--data", str(data)])
    assert walked < 30_000, walked  # ~62,000 when its modules and font tables were walked
    walked, _ = cli_run(["form", "yingjisha", "--year", "2023", "--data", str(data), "--out", str(tmp_path)])
    assert walked < 30_000, walked
