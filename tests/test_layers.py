"""The layers import downward only: the data layer reads and checks files without the fonts; the
glyph check sits above it (brief.check), and ``brief validate`` runs both."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from brief import check
from brief.data.validate import validate as validate_data
from helpers import data_copy


def test_the_data_layer_imports_nothing_above_it() -> None:
    code = ("import sys, brief.data.validate, brief.data.dataset; "
            "print(sorted(m for m in sys.modules if m.startswith('brief.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    layers = {m.split(".")[1] for m in eval(loaded)}  # noqa: S307 - our own printed list
    assert layers == {"data", "domain", "errors"}, loaded


def test_validate_adds_the_glyph_check_above_the_data(tmp_path: Path) -> None:
    data = data_copy(tmp_path, {"counties/shule/2023.yaml": ("headline: ", "headline: \U000F0001")})
    path = data / "counties" / "shule" / "2023.yaml"
    line = next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if t.startswith("headline"))
    found, files = check.validate([data], data)
    assert [str(p) for p in found] == [f"{path}:{line}: headline: 字符“\U000F0001”（U+F0001）在已安装的字体中都没有，"
                                       "无法印出；请改写或安装含此字的字体"]
    assert validate_data([data], data) == ([], files)  # the data layer alone: the file is good YAML


def test_writers_return_bytes_and_only_render_writes_files() -> None:
    """A writer encodes; render.write_outputs writes (atomically, after both formats succeeded).
    make_reference is the maintainers' script that writes templates/reference.docx."""
    import importlib
    import pkgutil

    import brief.writers

    names = [m.name for m in pkgutil.walk_packages(brief.writers.__path__, "brief.writers.")]
    assert "brief.writers.docx.wml" in names and "brief.writers.pdf.writer" in names
    for name in names:
        if name == "brief.writers.docx.make_reference":
            continue
        module = importlib.import_module(name)
        assert not hasattr(module, "atomic_write"), name
        assert not [n for n in vars(module) if n.startswith("write_")], name
    import brief.writers.docx as docx_writer
    import brief.writers.pdf as pdf_writer

    assert callable(docx_writer.warm) and callable(pdf_writer.warm)  # build's _preload warms through these
