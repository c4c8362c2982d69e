"""A county's year file (and last year's, if any) → the county brief's document tree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import model
from ..data.dataset import Dataset
from ..data.records import YearFile
from ..documents import default_templates  # noqa: F401 - re-exported; it lives where a no-op build can reach it cheaply
from .context import cited_view, county_view, figures, key_figures, meta, plain, sections, yoy_chart
from .markdown import to_document
from .names import county_office, county_title
from .sandbox import Sandbox

TEMPLATE = "brief.md.j2"


def image_roots(ds: Dataset, sandbox: Sandbox) -> tuple[Path, Path]:
    """Where a template's ``figure`` block may take a picture from: the templates dir (a logo beside
    the template; relative paths are read there) and the data dir (the highlights' photos)."""
    return sandbox.templates, ds.root


def accepted_images(*records: YearFile | None) -> frozenset[Path]:
    """The highlights' photos: the data reader accepted each (check_image) when it read the records."""
    return frozenset(h.image for r in records if r is not None for h in r.highlights if h.image)


def county_context(ds: Dataset, county_id: str, year: int, sandbox: Sandbox) -> dict[str, Any]:
    """brief.md.j2's names, plain views only (see context.py)."""
    record = ds.county(county_id, year)
    prev = ds.previous(county_id, year)
    ind = figures(ds.catalog, record.indicators, prev.indicators if prev else None)
    return {"c": cited_view(county_view(record), sandbox, ind, record), "ind": ind,
            "sections": sections(sandbox, ds.catalog, record, ind),
            "key_figures": key_figures(ds.catalog, record, ind), "yoy_chart": yoy_chart(ds.catalog, ind),
            "previous_year": prev.year if prev else None, "office": county_office(ds, county_id, year),
            "kind": "county"}


def compose_county(ds: Dataset, county_id: str, year: int, templates: Path | None = None) -> model.Document:
    record = ds.county(county_id, year)
    sandbox = Sandbox.for_dir(templates or default_templates())
    context = county_context(ds, county_id, year, sandbox)
    markdown = sandbox.render(TEMPLATE, **context)
    office = county_office(ds, county_id, year)
    properties = meta(county_title(ds, county_id, year), office.issuer, record.draft, plain(context["c"].headline))
    return to_document(markdown, properties, str(sandbox.templates / TEMPLATE), image_roots(ds, sandbox),
                       accepted_images(record))
