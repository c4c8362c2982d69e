"""Speed-ups that must not change a byte (issue 19, second round): what they remember or hand over
is what the slow way computes.

- the build's workers hash the bytes they wrote; the manifest must name each file's own sha256;
- text widths are remembered per font role and text (fonts) and per text shape (tablefit);
- ``table_order`` gathers each whole's parts in one pass.
"""

from __future__ import annotations

import random
from pathlib import Path

from brief.build import build, read_manifest
from brief.compose.context import FIRST_PART, NEXT_PART, table_order
from brief.data.catalog import load_catalog
from brief.writers import tablefit
from helpers import data_copy, file_sha, pdftotext

ROOT = Path(__file__).resolve().parent.parent


def test_manifest_holds_each_files_own_hash_when_workers_hash_them(tmp_path: Path) -> None:
    data = data_copy(tmp_path)
    out = tmp_path / "out"
    outcomes = build(data, out, year=2023, jobs=2)  # a pool: the digests come from the workers
    entries = read_manifest(out)
    written = [p for o in outcomes for p in o.written]
    assert len(written) >= 4 and {p.suffix for p in written} == {".pdf", ".docx"}
    for path in written:
        rel = path.relative_to(out).as_posix()
        assert entries[rel]["sha256"] == file_sha(path), rel  # a PDF's hash never lands on its DOCX
    pdf = next(p for p in written if p.name == "2023年英吉沙县援疆工作简报.pdf")
    assert "英吉沙县" in pdftotext(pdf)
    again = build(data, out, year=2023, jobs=2)  # the recorded hashes make the next build a no-op
    assert all(o.skipped for o in again)


def _slow_width(real: tablefit.Measure, text: str, size: float) -> float:
    """tablefit.both_files's measure as it was before it remembered anything."""
    wide = [ord(ch) >= 0x2E80 for ch in text]
    changes = sum(a != b for a, b in zip(wide, wide[1:], strict=False))
    return max(real(text, size), tablefit.estimated_width(text, size)) + changes * tablefit.AUTOSPACE * size


def test_remembered_table_widths_are_the_computed_ones() -> None:
    from reportlab.pdfbase import pdfmetrics

    from brief.fonts import pdf_fonts

    metrics = pdf_fonts().metrics("body")
    texts = ["其中：援疆干部", "2670余名", "30.89万亩", "549.63公斤", "61.36%", "—", "", "Typst 0.15"]
    for real in (metrics.width, tablefit.estimated_width):
        measure = tablefit.both_files(real)
        for _ in range(2):  # the second round comes from the memo
            for text in texts:
                for size in (12.0, 10.5, 9.5, 9.0):
                    assert measure(text, size) == _slow_width(real, text, size), (text, size)
    fonts = pdf_fonts()
    for text in texts:
        units = sum(pdfmetrics.stringWidth(seg, font, 1000) for seg, font in fonts.split_runs(text, "body"))
        assert fonts.width_units(text, "body") == units
        assert metrics.width(text, 10.5) == units / 1000.0 * 10.5


def _slow_table_order(catalog, keys: set[str]) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """table_order before it gathered the parts in one pass (quadratic in the catalog)."""
    from markupsafe import Markup

    from brief.compose.sandbox import md_escape

    def nested(key: str) -> bool:
        ind = catalog.indicators[key]
        whole = catalog.indicators.get(ind.part_of)
        return whole is not None and whole.key in keys and whole.section == ind.section

    out: list[tuple[str, str]] = []
    for key, ind in catalog.indicators.items():
        if key not in keys or nested(key):
            continue
        out.append((key, ind.table_label))
        parts = [k for k, p in catalog.indicators.items() if k in keys and p.part_of == key and nested(k)]
        for i, part in enumerate(parts):
            label = md_escape(catalog.indicators[part].table_label)
            out.append((part, (FIRST_PART if i == 0 else NEXT_PART) + Markup(label)))
    return out


# Parts (其中) of a whole, one of them under another section (not nested there), and a part listed
# before its whole: the orders the one-pass grouping must keep.
PARTS = """
  t_public:    {label: 公益性岗位就业, unit: 人, section: team, aggregate: sum, part_of: t_jobs}
  t_jobs:      {label: 转移就业, unit: 人, section: team, aggregate: sum}
  t_factory:   {label: 园区企业就业, unit: 人, section: team, aggregate: sum, part_of: t_jobs}
  t_abroad:    {label: 外出务工, unit: 人, section: industry, aggregate: sum, part_of: t_jobs}
  t_clinics:   {label: 援建卫生室, unit: 个, section: livelihood, aggregate: sum}
  t_village:   {label: 村卫生室, unit: 个, section: livelihood, aggregate: sum, part_of: t_clinics}
"""


def test_table_order_in_one_pass_is_the_same_order(tmp_path: Path) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text((ROOT / "data" / "indicators.yaml").read_text(encoding="utf-8") + PARTS, encoding="utf-8")
    catalog = load_catalog(path)
    keys = list(catalog.indicators)
    assert any(catalog.indicators[k].part_of for k in keys)  # the catalog has parts: the test bites
    rng = random.Random(19)
    subsets = [set(keys)] + [set(rng.sample(keys, rng.randint(1, len(keys)))) for _ in range(40)]
    for subset in subsets:
        assert table_order(catalog, subset) == _slow_table_order(catalog, subset)
    whole = table_order(catalog, set(keys))
    assert any(str(label).startswith(str(FIRST_PART)) for _, label in whole)


def test_gb2312_by_rows_is_every_pair_that_decodes() -> None:
    from brief.fonts.convert import gb2312

    slow = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                slow.add(ord(bytes((hi, lo)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    fast = gb2312.__wrapped__()
    assert fast == slow and len(fast) == 7445
    assert ord("疆") in fast and ord("𠀀") not in fast


def test_font_cache_dir_follows_the_environment(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import platformdirs

    from brief.fonts.cache import cache_dir
    from brief.fonts.config import CACHE_ENV

    monkeypatch.delenv(CACHE_ENV, raising=False)
    for home in (tmp_path / "a", tmp_path / "b"):  # remembered per environment, never across them
        monkeypatch.setenv("XDG_CACHE_HOME", str(home))
        assert cache_dir() == Path(platformdirs.user_cache_dir("brief")) / "fonts"
        assert cache_dir().is_relative_to(home)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "own"))
    assert cache_dir() == tmp_path / "own"
