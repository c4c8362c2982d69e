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
from .writers.base import Visitor


class GlyphTexts(Visitor):
    """Every text a node prints, for the glyph check: one method per node type, as in the writers,
    so a new node type cannot slip past the check (test_writers_cover_model)."""

    def visit_masthead(self, node: model.Masthead) -> list[str]:
        return [node.title, node.issuer, node.date, node.number, node.classification]

    def visit_heading(self, node: model.Heading) -> list[str]:
        return [model.plain(node.inlines)]

    def visit_paragraph(self, node: model.Paragraph) -> list[str]:
        return [model.plain(node.inlines)]

    def visit_table(self, node: model.Table) -> list[str]:
        return [node.caption, *(model.plain(c) for row in (node.header, *node.rows) for c in row)]

    def visit_figure(self, node: model.Figure) -> list[str]:
        return [node.caption]

    def visit_keyfigures(self, node: model.KeyFigures) -> list[str]:
        return [f"{i.label}{i.value}" for i in node.items]

    def visit_chart(self, node: model.Chart) -> list[str]:
        return [node.title, node.unit, *node.categories, *(s.name for s in node.series),
                *(label for s in node.series for label in s.labels)]

    def visit_record(self, node: model.Record) -> list[str]:
        return [*node.lines, node.issuer, node.printed, node.copies]


def document_texts(doc: model.Document) -> list[str]:
    visitor = GlyphTexts()
    return [doc.meta.title, *(text for block in doc.blocks for text in visitor.visit(block))]


def check_glyphs(doc: model.Document, fonts: PdfFonts, sources: list[Path]) -> None:
    # one text: ``missing`` looks at each character alone, and lists each once, in order of first use
    missing = fonts.missing("".join(document_texts(doc)), "body")
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
