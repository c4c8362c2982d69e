"""``render`` and ``summary``: one brief, composed once, written by both writers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import model
from .compose.county import compose_county, default_templates
from .data.dataset import Dataset, load_dataset
from .errors import BriefError
from .fonts import pdf_fonts
from .preflight import check_glyphs
from .writers.base import atomic_write

SUFFIXES = {"pdf": ".pdf", "docx": ".docx"}


def county_stem(ds: Dataset, county_id: str, year: int) -> str:
    return f"{year}年{ds.county(county_id, year).county}援疆工作简报"


def county_inputs(ds: Dataset, county_id: str, year: int) -> list[Path]:
    paths = [ds.county(county_id, year).path]
    prev = ds.previous(county_id, year)
    if prev:
        paths.append(prev.path)
    return paths + [ds.catalog.path]


def encode(doc: model.Document, formats: Sequence[str], templates: Path, sources: list[Path]) -> dict[str, bytes]:
    """Both outputs in memory first: a failure in either writes nothing."""
    out: dict[str, bytes] = {}
    if "pdf" in formats:
        from .writers.pdf import pdf_bytes

        fonts = pdf_fonts()
        check_glyphs(doc, fonts, sources)
        out["pdf"] = pdf_bytes(doc, fonts)
    if "docx" in formats:
        from .writers.docx import docx_bytes

        reference = templates / "reference.docx"
        if not reference.is_file():
            raise BriefError.at(str(reference), None, "reference.docx", "找不到 Word 样式模板")
        out["docx"] = docx_bytes(doc, reference=reference)
    return out


def write_outputs(stem: str, folder: Path, blobs: dict[str, bytes]) -> list[Path]:
    written = []
    for fmt, data in blobs.items():
        path = folder / f"{stem}{SUFFIXES[fmt]}"
        atomic_write(path, data)
        written.append(path)
    return written


def render_county(data: Path, county_id: str, year: int, formats: Sequence[str], out: Path,
                  templates: Path | None = None) -> list[Path]:
    ds = load_dataset(data)
    templates = templates or default_templates()
    doc = compose_county(ds, county_id, year, templates)
    blobs = encode(doc, formats, templates, county_inputs(ds, county_id, year) + [templates / "brief.md.j2"])
    return write_outputs(county_stem(ds, county_id, year), out / str(year), blobs)


def render_summary(data: Path, program_id: str, year: int, formats: Sequence[str], out: Path,
                   templates: Path | None = None) -> list[Path]:
    from .compose.summary import compose_summary, summary_inputs, summary_stem

    ds = load_dataset(data)
    templates = templates or default_templates()
    doc = compose_summary(ds, program_id, year, templates)
    blobs = encode(doc, formats, templates, summary_inputs(ds, program_id, year) + [templates / "summary.md.j2"])
    return write_outputs(summary_stem(ds, program_id, year), out / str(year), blobs)
