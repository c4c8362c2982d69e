"""Issue 13, "Any office": a brief for any number of sections, any genre, key figures, program briefs,
counties by name, citations everywhere and periods shorter than the year."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from brief.compose.numerals import chinese_number  # noqa: E402
from helpers import brief, docx_paragraphs, pdf_body, squash  # noqa: E402

SECTION_KEYS = [f"s{i:02d}" for i in range(1, 13)]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def catalog(sections: int = 12, extra: str = "") -> str:
    """``sections`` sections s01…, each with one indicator x01… (label 指标01, unit 个)."""
    lines = ["sections:"] + [f"  {k}: {{title: 栏目{k[1:]}}}" for k in SECTION_KEYS[:sections]]
    lines += ["indicators:"] + [f"  x{k[1:]}: {{label: 指标{k[1:]}, unit: 个, section: {k}}}"
                                for k in SECTION_KEYS[:sections]]
    return "\n".join(lines) + "\n" + extra


def county_file(name: str = "大姚县", year: int = 2023, values: dict[str, str] | None = None,
                extra: str = "") -> str:
    values = {f"x{i:02d}": str(i) for i in range(1, 13)} if values is None else values
    body = "\n".join(f"  {k}: {v}" for k, v in values.items())
    return (f"county: {name}\nprefecture: 楚雄州\npartner: 上海市\ncommand: 上海市对口帮扶大姚县工作组\n"
            f"year: {year}\n{extra}indicators:\n{body}\n")


def office(tmp_path: Path, sections: int = 12, program: str | None = None,
           counties: dict[str, str] | None = None, cat_extra: str = "") -> Path:
    """A data dir: one catalog, the given county files (``{"dayao/2023": text}``) and a program."""
    data = tmp_path / "data"
    write(data / "indicators.yaml", catalog(sections, cat_extra))
    for rel, text in (counties if counties is not None else {"dayao/2023": county_file()}).items():
        write(data / "counties" / f"{rel}.yaml", text)
    if program is not None:
        write(data / "programs" / "p.yaml", program)
    return data


def render(data: Path, out: Path, county: str = "dayao", year: str = "2023") -> Path:
    result = brief("render", county, "--year", year, "--data", str(data), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / year


@pytest.mark.parametrize("n, expected", [(1, "一"), (2, "二"), (9, "九"), (10, "十"), (11, "十一"),
                                         (12, "十二"), (19, "十九"), (20, "二十"), (21, "二十一"),
                                         (30, "三十"), (45, "四十五"), (99, "九十九")])
def test_chinese_number_reads_as_an_office_writes_it(n: int, expected: str) -> None:
    assert chinese_number(n) == expected


def test_chinese_number_covers_1_to_99_without_a_gap_or_repeat() -> None:
    words = [chinese_number(n) for n in range(1, 100)]
    assert len(set(words)) == 99
    assert all(w and "零" not in w and not w.startswith("一十") for w in words)


def test_twelve_sections_render_numbered_to_twelve(tmp_path: Path) -> None:
    folder = render(office(tmp_path), tmp_path / "out")
    pdf = pdf_body(folder / "2023年大姚县援疆工作简报.pdf")
    docx = squash("".join(docx_paragraphs(folder / "2023年大姚县援疆工作简报.docx")))
    for text in (pdf, docx):
        assert "十、栏目10" in text and "十一、栏目11" in text and "十二、栏目12" in text
        assert text.index("一、栏目01") < text.index("十二、栏目12")


def test_sections_without_data_are_skipped_and_numbers_stay_consecutive(tmp_path: Path) -> None:
    values = {"x02": "5", "x11": "7"}
    folder = render(office(tmp_path, counties={"dayao/2023": county_file(values=values)}), tmp_path / "out")
    pdf = pdf_body(folder / "2023年大姚县援疆工作简报.pdf")
    assert "一、栏目02" in pdf and "二、栏目11" in pdf
    assert "栏目01" not in pdf and "三、" not in pdf
