"""``render`` and ``summary``: one brief, composed once, written by both writers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import model
from .compose.county import compose_county, default_templates
from .data.dataset import Dataset, load_dataset
from .errors import BriefError, check_path
from .outdir import atomic_write, check_out, check_subdir, clean_temporaries
from .preflight import check_glyphs

SUFFIXES = {"pdf": ".pdf", "docx": ".docx"}
FORMATS = ("pdf", "docx")


@dataclass(frozen=True)
class Target:
    """One brief to make: a county brief or a program summary, for one year."""

    kind: str  # county | summary
    id: str
    year: int

    @property
    def template(self) -> str:
        return "brief.md.j2" if self.kind == "county" else "summary.md.j2"


def stem(ds: Dataset, t: Target) -> str:
    if t.kind == "county":
        return f"{t.year}年{ds.county(t.id, t.year).county}援疆工作简报"
    from .compose.summary import summary_stem

    return summary_stem(ds, t.id, t.year)


def inputs(ds: Dataset, t: Target) -> list[Path]:
    """Every data file the brief reads (images included): what makes it out of date."""
    if t.kind == "county":
        records = [ds.county(t.id, t.year)]
        if ds.previous(t.id, t.year):
            records.append(ds.previous(t.id, t.year))
        paths = [r.path for r in records] + [ds.catalog.path]
    else:
        from .compose.summary import summary_inputs

        paths = summary_inputs(ds, t.id, t.year)
        records = [ds.program_years[k] for k in ((t.id, t.year),) if k in ds.program_years]
    images = [h.image for r in records for h in r.highlights if h.image]
    return paths + images


def compose(ds: Dataset, t: Target, templates: Path) -> model.Document:
    if t.kind == "county":
        return compose_county(ds, t.id, t.year, templates)
    from .compose.summary import compose_summary

    return compose_summary(ds, t.id, t.year, templates)


def encode(doc: model.Document, formats: Sequence[str], templates: Path, sources: list[Path]) -> dict[str, bytes]:
    """Both outputs in memory first: a failure in either writes nothing."""
    out: dict[str, bytes] = {}
    if "pdf" in formats:
        from .fonts import pdf_fonts
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


def make(ds: Dataset, t: Target, formats: Sequence[str], templates: Path) -> tuple[str, dict[str, bytes]]:
    """A brief's file stem and its encoded outputs."""
    doc = compose(ds, t, templates)
    blobs = encode(doc, formats, templates, inputs(ds, t) + [templates / t.template])
    return stem(ds, t), blobs


def write_outputs(name: str, folder: Path, blobs: dict[str, bytes]) -> list[Path]:
    check_subdir(folder)
    written = []
    for fmt, data in blobs.items():
        path = folder / f"{name}{SUFFIXES[fmt]}"
        atomic_write(path, data)
        written.append(path)
    return written


def render_one(data: Path, t: Target, formats: Sequence[str], out: Path, templates: Path | None) -> list[Path]:
    for path, option in ((data, "--data"), (out, "--out"), (templates, "--templates")):
        check_path(path, option)
    check_out(out)
    ds = load_dataset(data, totals=t.kind == "summary")
    if t.kind == "county":
        ds.county(t.id, t.year)
    else:
        ds.program(t.id)
    name, blobs = make(ds, t, formats, templates or default_templates())
    clean_temporaries(out / str(t.year))  # a killed run's leftovers; a concurrent render's stay
    return write_outputs(name, out / str(t.year), blobs)


def render_county(data: Path, county_id: str, year: int, formats: Sequence[str], out: Path,
                  templates: Path | None = None) -> list[Path]:
    return render_one(data, Target("county", county_id, year), formats, out, templates)


def render_summary(data: Path, program_id: str, year: int, formats: Sequence[str], out: Path,
                   templates: Path | None = None) -> list[Path]:
    return render_one(data, Target("summary", program_id, year), formats, out, templates)
