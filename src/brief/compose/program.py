"""A program's own year file → the program brief: its figures, highlights and key figures, with or
without any county file. It is laid out by the county brief's template (``kind`` tells them apart):
one template to edit for both, the program's name where a county's would be."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import model
from ..data.dataset import Dataset
from ..data.records import ProgramYear
from ..errors import BriefError
from .context import CountyView, cited_view, figures, key_figures, meta, plain, sections, yoy_chart
from .county import TEMPLATE, accepted_images, default_templates, image_roots
from .markdown import to_document
from .names import program_office, program_title
from .sandbox import Sandbox


def program_year(ds: Dataset, program_id: str, year: int) -> ProgramYear:
    """The program's year file, refused in one line when there is none or it holds nothing to print."""
    program = ds.program(program_id)
    record = ds.program_years.get((program_id, year))
    where = str(ds.root / "programs" / program_id / f"{year}.yaml")
    if record is None:
        raise BriefError.at(where, None, program_id, f"没有 {year} 年的项目数据文件，无法生成{program.name}的简报")
    if not has_content(record):
        raise BriefError.at(where, None, program_id, "文件里没有 indicators 或 highlights，没有可印的内容")
    return record


def has_content(record: ProgramYear) -> bool:
    """A program year file is a document of its own when it has figures or highlights to print."""
    return bool(record.indicators or record.highlights)


def program_context(ds: Dataset, program_id: str, year: int, sandbox: Sandbox) -> dict[str, Any]:
    program = ds.program(program_id)
    record = program_year(ds, program_id, year)
    prev = ds.previous_program_year(program_id, year)
    ind = figures(ds.catalog, record.indicators, prev.indicators if prev else None)
    office = program_office(ds, program_id)
    view = CountyView(year=record.year, status=record.status, draft=record.draft, source=record.source,
                      headline=record.headline, summary=record.summary, period=record.period, when=record.when,
                      id=program_id, county=program.name,
                      prefecture=program.prefecture, partner=program.province, command=office.issuer)
    return {"c": cited_view(view, sandbox, ind, record), "ind": ind,
            "sections": sections(sandbox, ds.catalog, record, ind),
            "key_figures": key_figures(ds.catalog, record, ind), "yoy_chart": yoy_chart(ds.catalog, ind),
            "previous_year": prev.year if prev and prev.indicators else None, "office": office,
            "kind": "program"}


def compose_program(ds: Dataset, program_id: str, year: int, templates: Path | None = None) -> model.Document:
    sandbox = Sandbox.for_dir(templates or default_templates())
    context = program_context(ds, program_id, year, sandbox)
    markdown = sandbox.render(TEMPLATE, **context)
    record = ds.program_years[(program_id, year)]
    properties = meta(program_title(ds, program_id, year), context["office"].issuer, record.draft,
                      plain(context["c"].headline))
    return to_document(markdown, properties, str(sandbox.templates / TEMPLATE), image_roots(ds, sandbox),
                       accepted_images(record))
