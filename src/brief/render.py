"""``render`` and ``summary``: one brief, composed once, written by both writers."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from . import fonts, model
from .compose.county import default_templates
from .compose.issue import apply_issue
from .data.dataset import Dataset, load_dataset, same_name_problem
from .data.ids import valid_id
from .documents import COUNTY, FORMATS, PROGRAM, SUFFIXES, SUMMARY, Kind, Target, inputs, output_path, stem
from .errors import BriefError, check_path
from .outdir import atomic_write, check_out, check_subdir, clean_temporaries
from .preflight import check_glyphs

__all__ = ["FORMATS", "SUFFIXES", "Target", "inputs", "make", "output_path", "stem", "write_outputs"]


def compose(ds: Dataset, t: Target, templates: Path) -> model.Document:
    return apply_issue(ds, t, t.kind.compose(ds, t.id, t.year, templates))


def encode(doc: model.Document, formats: Sequence[str], templates: Path, sources: list[Path]) -> dict[str, bytes]:
    """Both outputs in memory first: a failure in either writes nothing."""
    out: dict[str, bytes] = {}
    figure_heights: list[float] = []  # the PDF's photo sizes, for the DOCX's pages to break alike
    if "pdf" in formats:
        from .writers.pdf import pdf_bytes  # lazily: --format pdf need not import python-docx (~70 ms)

        role_fonts = fonts.pdf_fonts()
        check_glyphs(doc, role_fonts, sources)
        out["pdf"] = pdf_bytes(doc, role_fonts, figure_heights)
    elif "docx" in formats and any(isinstance(b, model.Figure) for b in doc.blocks):
        figure_heights = _pdf_figure_heights(doc)
    if "docx" in formats:
        from .writers.docx import docx_bytes  # lazily, as pdf_bytes

        reference = templates / "reference.docx"
        if not reference.is_file():
            raise BriefError.at(str(reference), None, "reference.docx", "找不到 Word 样式模板")
        out["docx"] = docx_bytes(doc, reference=reference, figure_heights=figure_heights)
    return out


def _pdf_figure_heights(doc: model.Document) -> list[float]:
    """The photo heights of the PDF's layout for a DOCX made alone: the same DOCX either way. Where
    the PDF's fonts are missing, none (each photo at its full size)."""
    from .writers.pdf import pdf_bytes  # lazily, as in encode

    heights: list[float] = []
    try:
        pdf_bytes(doc, fonts.pdf_fonts(), heights)
    except BriefError:
        return []
    return heights


def make(ds: Dataset, t: Target, formats: Sequence[str], templates: Path) -> dict[str, bytes]:
    """A brief's encoded outputs, by format."""
    doc = compose(ds, t, templates)
    return encode(doc, formats, templates, inputs(ds, t) + [templates / t.template])


def write_outputs(ds: Dataset, t: Target, out: Path, blobs: dict[str, bytes]) -> list[Path]:
    written = []
    for fmt, data in blobs.items():
        path = output_path(ds, t, fmt, out)
        check_subdir(path.parent)
        atomic_write(path, data)
        written.append(path)
    return written


def render_one(data: Path, kind: Kind | None, ident: str, year: int, formats: Sequence[str], out: Path,
               templates: Path | None) -> list[Path]:
    """``kind`` None: a county's brief, or a program's own brief when ``ident`` names a program."""
    for path, option in ((data, "--data"), (out, "--out"), (templates, "--templates")):
        check_path(path, option)
    check_out(out)
    if kind is None and _has_year_file(data, ident, year):
        # A county's brief: read what it reads, not the whole dir (1,600 counties: seconds).
        ds, kind = load_dataset(data, totals=False, county=(ident, year)), COUNTY
    else:  # a program's brief, a summary, or no such file: the whole dir (the messages name the ids there are)
        ds = load_dataset(data, totals=False)
    if kind is None:
        is_county = any(c == ident for c, _ in ds.counties) or ident not in ds.programs
        kind = COUNTY if is_county else PROGRAM
    if kind.totals and ds.totals_problems:  # a county brief is never held up by its program's totals
        raise BriefError(sorted(set(ds.totals_problems), key=lambda p: (p.file, p.line or 0, p.message)))
    t = Target(kind, ident, year)
    kind.check(ds, ident, year)
    if kind is COUNTY:
        _check_name_not_taken(ds, t, formats, out)
    blobs = make(ds, t, formats, templates or default_templates())
    clean_temporaries(out / str(t.year))  # a killed run's leftovers; a concurrent render's stay
    return write_outputs(ds, t, out, blobs)


_COUNTY_FILE = re.compile(r"(?:^|/)counties/([^/]+)/([0-9]{4})\.ya?ml$")


def _check_name_not_taken(ds: Dataset, t: Target, formats: Sequence[str], out: Path) -> None:
    """A county brief read alone cannot see another county with the same ``county:`` name (validate
    and build do): the build's manifest can. An output file it says another county's file made, that
    file still there, would be overwritten (a county file copied to a new folder, its name kept)."""
    paths = [output_path(ds, t, fmt, out) for fmt in formats]
    if not any(p.exists() for p in paths):
        return
    try:
        entries = json.loads((out / "manifest.json").read_text(encoding="utf-8")).get("outputs", [])
        made = {e["path"]: e.get("inputs", []) for e in entries}
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return  # no manifest, or not one a build wrote: nothing to go by
    for path in paths:
        sources = made.get(path.relative_to(out).as_posix())
        for source in sources if isinstance(sources, list) else ():
            m = _COUNTY_FILE.search(str(source))
            if not m or (m[1], int(m[2])) == (t.id, t.year):
                continue
            other = ds.root / "counties" / m[1] / Path(source).name
            if other.is_file():
                record = ds.counties[(t.id, t.year)]
                raise BriefError([same_name_problem(record.path, record.county, f"counties/{m[1]}/{other.name}")])


def _has_year_file(data: Path, ident: str, year: int) -> bool:
    """Whether ``counties/<ident>/<year>.yaml`` (or ``.yml``) is there: then ``ident`` is a county."""
    if not valid_id(ident):
        return False
    folder = Path(data) / "counties" / ident
    return any((folder / f"{year}{suffix}").is_file() for suffix in (".yaml", ".yml"))


def render_county(data: Path, county_id: str, year: int, formats: Sequence[str], out: Path,
                  templates: Path | None = None) -> list[Path]:
    """A county's brief, or (the id names a program) the program's own brief."""
    return render_one(data, None, county_id, year, formats, out, templates)


def render_summary(data: Path, program_id: str, year: int, formats: Sequence[str], out: Path,
                   templates: Path | None = None) -> list[Path]:
    return render_one(data, SUMMARY, program_id, year, formats, out, templates)
