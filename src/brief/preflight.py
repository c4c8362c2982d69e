"""Before anything is drawn: every character must be drawable by the fonts, or the run stops.

A character the role's font lacks is drawn from a fallback font (fonts.split_runs); a character no
installed font has would print as a blank or a box, so it is reported with the file, line and key
where the user wrote it.
"""

from __future__ import annotations

from pathlib import Path

from . import model
from .data.dataset import Dataset
from .data.yamlfile import key_on_line
from .errors import BriefError, Problem
from .fonts import PdfFonts


def document_texts(doc: model.Document) -> list[str]:
    out: list[str] = [doc.meta.title]
    for block in doc.blocks:
        if isinstance(block, model.Heading | model.Paragraph):
            out.append(model.plain(block.inlines))
        elif isinstance(block, model.Table):
            out += [model.plain(c) for row in (block.header, *block.rows) for c in row]
        elif isinstance(block, model.Masthead):
            out += [block.title, block.issuer, block.date, block.number]
        elif isinstance(block, model.KeyFigures):
            out += [f"{i.label}{i.value}" for i in block.items]
        elif isinstance(block, model.Figure):
            out.append(block.caption)
        elif isinstance(block, model.Chart):
            out += [block.title, block.unit, *block.categories, *(s.name for s in block.series)]
    return out


def check_glyphs(doc: model.Document, fonts: PdfFonts, sources: list[Path]) -> None:
    missing: dict[str, None] = {}
    for text in document_texts(doc):
        for ch in fonts.missing(text, "body"):
            missing.setdefault(ch)
    if missing:
        raise BriefError([_locate(ch, sources) for ch in missing])


def data_glyph_problems(ds: Dataset, fonts: PdfFonts) -> list[Problem]:
    """Characters in the data that no installed font can draw, each at its file and line: so that
    ``validate`` and ``build`` refuse what ``render`` would refuse. Each distinct character is
    looked up once, however many files use it."""
    by_file: dict[Path, set[str]] = {}
    for record in [*ds.counties.values(), *ds.program_years.values()]:
        texts = [record.source, record.headline, record.summary]
        texts += [getattr(record, k, "") for k in ("county", "prefecture", "partner", "command", "batch")]
        texts += [t for h in record.highlights for t in (h.title, h.text, h.caption)]
        by_file.setdefault(record.path, set()).update("".join(texts))
    catalog_texts = [i.label + i.unit for i in ds.catalog.indicators.values()]
    catalog_texts += [s.title for s in ds.catalog.sections.values()]
    by_file.setdefault(ds.catalog.path, set()).update("".join(catalog_texts))
    for program in ds.programs.values():
        names = [program.name, program.province, program.prefecture, program.genre, program.publication,
                 program.issuer, *program.county_names.values()]
        by_file.setdefault(program.path, set()).update("".join(names))
    if ds.recipients:  # distribute stamps each name on its copies (stamp.check_name, same role)
        by_file.setdefault(ds.root / "recipients.yaml", set()).update("".join(r.name for r in ds.recipients))
    every = "".join(sorted(set().union(*by_file.values())))
    missing = set(fonts.missing(every, "body"))
    if not missing:
        return []
    return [_locate(ch, [path]) for path, chars in by_file.items() for ch in sorted(chars & missing)]


def _locate(ch: str, sources: list[Path]) -> Problem:
    message = f"字符“{ch}”（U+{ord(ch):04X}）在已安装的字体中都没有，无法印出；请改写或安装含此字的字体"
    for path in sources:
        try:
            lines = path.read_text(encoding="utf-8").split("\n")
        except OSError:
            continue
        for number, line in enumerate(lines, start=1):
            if ch in line:
                return Problem(str(path), number, key_on_line(lines, number), message)
    return Problem(str(sources[0]) if sources else "", None, "-", message)
