"""Issue 13, "Any office": a brief for any number of sections, any genre, key figures, program briefs,
counties by name, citations everywhere and periods shorter than the year."""

from __future__ import annotations

from pathlib import Path

import pytest

from brief.compose.numerals import chinese_number
from helpers import brief, docx_paragraphs, pdf_body, squash

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


@pytest.mark.slow
def test_twelve_sections_render_numbered_to_twelve(tmp_path: Path) -> None:
    folder = render(office(tmp_path), tmp_path / "out")
    pdf = pdf_body(folder / "2023年大姚县援疆工作简报.pdf")
    docx = squash("".join(docx_paragraphs(folder / "2023年大姚县援疆工作简报.docx")))
    for text in (pdf, docx):
        assert "十、栏目10" in text and "十一、栏目11" in text and "十二、栏目12" in text
        assert text.index("一、栏目01") < text.index("十二、栏目12")


@pytest.mark.slow
def test_sections_without_data_are_skipped_and_numbers_stay_consecutive(tmp_path: Path) -> None:
    values = {"x02": "5", "x11": "7"}
    folder = render(office(tmp_path, counties={"dayao/2023": county_file(values=values)}), tmp_path / "out")
    pdf = pdf_body(folder / "2023年大姚县援疆工作简报.pdf")
    assert "一、栏目02" in pdf and "二、栏目11" in pdf
    assert "栏目01" not in pdf and "三、" not in pdf


EWC_PROGRAM = """name: 上海市对口帮扶大姚县工作组
genre: 东西部协作
issuer: 大姚县乡村振兴局
counties: [dayao, yaoan]
county_names: {yaoan: 姚安县}
"""


@pytest.mark.slow
def test_genre_names_the_file_title_and_masthead(tmp_path: Path) -> None:
    data = office(tmp_path, program=EWC_PROGRAM)
    folder = render(data, tmp_path / "out")
    assert sorted(p.name for p in folder.iterdir()) == ["2023年大姚县东西部协作工作简报.docx",
                                                       "2023年大姚县东西部协作工作简报.pdf"]
    pdf = pdf_body(folder / "2023年大姚县东西部协作工作简报.pdf")
    docx = squash("".join(docx_paragraphs(folder / "2023年大姚县东西部协作工作简报.docx")))
    for text in (pdf, docx):
        assert text.startswith("东西部协作工作简报大姚县乡村振兴局")  # masthead: publication, issuer
        assert "2023年大姚县东西部协作工作综述" in text  # the default headline says the genre
        assert "援疆" not in text


@pytest.mark.slow
def test_publication_sets_the_masthead_and_build_names_the_summary_by_genre(tmp_path: Path) -> None:
    program = EWC_PROGRAM.replace("genre: 东西部协作", "genre: 东西部协作\npublication: 沪滇协作简报")
    data = office(tmp_path, program=program)
    out = tmp_path / "out"
    result = brief("build", "--data", str(data), "--out", str(out))
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (out / "2023").iterdir())
    assert names == ["2023年上海市对口帮扶大姚县工作组东西部协作工作年度汇总.docx",
                     "2023年上海市对口帮扶大姚县工作组东西部协作工作年度汇总.pdf",
                     "2023年大姚县东西部协作工作简报.docx", "2023年大姚县东西部协作工作简报.pdf"]
    assert pdf_body(out / "2023" / "2023年大姚县东西部协作工作简报.pdf").startswith("沪滇协作简报")


def test_a_listed_county_without_a_folder_is_valid(tmp_path: Path) -> None:
    result = brief("validate", "--data", str(office(tmp_path, program=EWC_PROGRAM)))
    assert result.returncode == 0, result.stderr


def test_county_names_must_name_a_listed_county(tmp_path: Path) -> None:
    data = office(tmp_path, program=EWC_PROGRAM.replace("{yaoan: 姚安县}", "{yaoan: 姚安县, nanhua: 南华县}"))
    result = brief("validate", "--data", str(data))
    assert result.returncode == 1
    assert f"{data / 'programs' / 'p.yaml'}:5: nanhua: “nanhua”不在 counties 列表中" in result.stderr


PROGRAM_YEAR = """year: 2023
headline: 投入帮扶资金{{ ind.x01 }}
indicators:
  x01: 3200
  x03: 45
highlights:
  s03:
    - title: 消费帮扶
      text: 全年完成{{ ind.x03 }}。
"""


@pytest.mark.slow
def test_program_brief_from_its_year_file_alone(tmp_path: Path) -> None:
    data = office(tmp_path, program=EWC_PROGRAM, counties={})
    write(data / "programs" / "p" / "2023.yaml", PROGRAM_YEAR)
    assert brief("validate", "--data", str(data)).returncode == 0
    folder = render(data, tmp_path / "out", county="p")
    stem = "2023年上海市对口帮扶大姚县工作组工作简报"
    assert sorted(p.name for p in folder.iterdir()) == [f"{stem}.docx", f"{stem}.pdf"]
    for text in (pdf_body(folder / f"{stem}.pdf"),
                 squash("".join(docx_paragraphs(folder / f"{stem}.docx")))):
        assert "一、栏目01" in text and "二、栏目03" in text and "全年完成45个" in text
        assert "投入帮扶资金3200个" in text  # a citation in the program's headline


@pytest.mark.slow
def test_build_makes_the_program_brief_and_no_summary_without_county_files(tmp_path: Path) -> None:
    data = office(tmp_path, program=EWC_PROGRAM, counties={})
    write(data / "programs" / "p" / "2023.yaml", PROGRAM_YEAR)
    out = tmp_path / "out"
    result = brief("build", "--data", str(data), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (out / "2023").iterdir()) == [
        "2023年上海市对口帮扶大姚县工作组工作简报.docx", "2023年上海市对口帮扶大姚县工作组工作简报.pdf"]
    summary = brief("summary", "p", "--year", "2023", "--data", str(data), "--out", str(tmp_path / "o2"))
    assert summary.returncode == 1
    assert summary.stderr.strip().count("\n") == 0, summary.stderr
    assert "2023 年没有任何县的数据文件，无法汇总；项目本身的简报请用 brief render p --year 2023" in summary.stderr
    assert not (tmp_path / "o2" / "2023").exists() or not any((tmp_path / "o2" / "2023").iterdir())


@pytest.mark.slow
def test_summary_names_a_county_without_a_file_by_county_names(tmp_path: Path) -> None:
    data = office(tmp_path, program=EWC_PROGRAM)
    out = tmp_path / "out"
    result = brief("summary", "p", "--year", "2023", "--data", str(data), "--out", str(out))
    assert result.returncode == 0, result.stderr
    stem = "2023年上海市对口帮扶大姚县工作组东西部协作工作年度汇总"
    for text in (pdf_body(out / "2023" / f"{stem}.pdf"),
                 squash("".join(docx_paragraphs(out / "2023" / f"{stem}.docx")))):
        assert "本汇总未含姚安县（无本年数据）" in text
        assert "yaoan" not in text and "dayao" not in text
        assert "工作组对口帮扶大姚县" in text and "对口支援" not in text  # 东西部协作 words, not 援疆's


@pytest.mark.slow
def test_summary_of_a_prefecture_entered_as_a_county_does_not_repeat_it(tmp_path: Path) -> None:
    program = "name: 浙江援疆指挥部\nprefecture: 阿克苏地区\ncounties: [aksu]\n"
    data = office(tmp_path, program=program, counties={"aksu/2023": county_file(name="阿克苏地区")})
    out = tmp_path / "out"
    assert brief("summary", "p", "--year", "2023", "--data", str(data), "--out", str(out)).returncode == 0
    text = pdf_body(out / "2023" / "2023年浙江援疆指挥部援疆工作年度汇总.pdf")
    assert "对口支援阿克苏地区。" in text and "阿克苏地区阿克苏地区" not in text and "1个县" not in text


CITED = """headline: 投入帮扶资金{{ ind.x01 }}
summary: 全年完成{{ ind.x02 }}。
highlights:
  s01:
    - title: 共建{{ ind.x03 }}
      text: 正文
"""


@pytest.mark.slow
def test_citations_print_in_headline_summary_and_highlight_title(tmp_path: Path) -> None:
    data = office(tmp_path, counties={"dayao/2023": county_file(extra=CITED)})
    folder = render(data, tmp_path / "out")
    for text in (pdf_body(folder / "2023年大姚县援疆工作简报.pdf"),
                 squash("".join(docx_paragraphs(folder / "2023年大姚县援疆工作简报.docx")))):
        assert "投入帮扶资金1个" in text and "全年完成2个。" in text and "共建3个。正文" in text
        assert "{{" not in text and "ind." not in text
    import docx

    assert docx.Document(str(folder / "2023年大姚县援疆工作简报.docx")).core_properties.subject == "投入帮扶资金1个"


@pytest.mark.parametrize("where, line", [("headline", 6), ("summary", 7)])
def test_validate_checks_citations_in_headline_and_summary(tmp_path: Path, where: str, line: int) -> None:
    extra = CITED.replace(f"{where}: ", f"{where}: 见{{{{ ind.x99 }}}}")
    data = office(tmp_path, counties={"dayao/2023": county_file(extra=extra)})
    result = brief("validate", "--data", str(data))
    assert result.returncode == 1
    path = data / "counties" / "dayao" / "2023.yaml"
    assert f"{path}:{line}: x99: 引用了未知的指标“x99”（不在 indicators.yaml 中）" in result.stderr


def test_validate_checks_a_citation_in_a_program_headline_against_its_own_values(tmp_path: Path) -> None:
    data = office(tmp_path, program=EWC_PROGRAM, counties={})
    write(data / "programs" / "p" / "2023.yaml", PROGRAM_YEAR.replace("ind.x01", "ind.x05"))
    result = brief("validate", "--data", str(data))
    assert result.returncode == 1
    path = data / "programs" / "p" / "2023.yaml"
    assert f"{path}:2: x05: 引用了指标“x05”，但本文件 indicators 中没有它的数值" in result.stderr


def test_validate_checks_a_citation_in_a_highlight_caption(tmp_path: Path) -> None:
    extra = CITED + "      caption: 图{{ ind.x12 }}\n"
    values = {"x01": "1", "x02": "2", "x03": "3"}
    data = office(tmp_path, counties={"dayao/2023": county_file(values=values, extra=extra)})
    result = brief("validate", "--data", str(data))
    assert result.returncode == 1
    assert "x12: 引用了指标“x12”，但本文件 indicators 中没有它的数值" in result.stderr


LONG_LABELS = {"x01": "帮扶资金", "x02": "转移就业劳动力人数", "x03": "消费帮扶金额", "x04": "农村劳动力",
               "x05": "东西部协作产业项目", "x06": "派驻干部"}


def band_office(tmp_path: Path, keys: list[str]) -> Path:
    """A catalog with long labels and large values; the county lists ``keys`` as its key figures."""
    extra_cat = catalog(12)
    for key, label in LONG_LABELS.items():
        extra_cat = extra_cat.replace(f"label: 指标{key[1:]},", f"label: {label},")
    values = {f"x{i:02d}": v for i, v in enumerate(["3.2亿", "12800", "4.56亿", "35000", "126", "85"], 1)}
    data = office(tmp_path, counties={"dayao/2023": county_file(values=values,
                                                                extra=f"key_figures: [{', '.join(keys)}]\n")})
    write(data / "indicators.yaml", extra_cat)
    return data


def band_text(pdf: Path) -> list[str]:
    """The lines of page 1 between the headline and the first section."""
    from helpers import pdftotext

    lines = [ln.strip() for ln in pdftotext(pdf, "-layout", "-f", "1", "-l", "1").splitlines() if ln.strip()]
    start = next(i for i, ln in enumerate(lines) if "工作综述" in ln)
    end = next(i for i, ln in enumerate(lines) if ln.startswith("一、"))
    return lines[start + 1:end]


@pytest.mark.slow
@pytest.mark.parametrize("keys", [["x05"], ["x01", "x02", "x03", "x04"], ["x01", "x02", "x03", "x04", "x05", "x06"]])
def test_key_figures_band_lays_out_the_listed_boxes(tmp_path: Path, keys: list[str]) -> None:
    folder = render(band_office(tmp_path, keys), tmp_path / "out")
    pdf = folder / "2023年大姚县援疆工作简报.pdf"
    band = band_text(pdf)
    values = {"x01": "3.2亿个", "x02": "1.28万个", "x03": "4.56亿个", "x04": "3.5万个", "x05": "126个", "x06": "85个"}
    # every value on the band's first line, in the listed order: one line, one baseline
    first = band[0].split()
    assert first == [values[k] for k in keys], band
    pdf_labels = squash(pdf_body(pdf))
    for k in keys:  # each label whole, whether on one line or two (pdftotext -raw reads box by box)
        assert LONG_LABELS[k] in pdf_labels
    assert len(band) <= 3  # values, and labels on at most two lines
    for line in band[1:]:
        assert all(len(word) > 1 for word in line.split()), band  # no lone character
    cells = squash("".join(docx_paragraphs(folder / "2023年大姚县援疆工作简报.docx")))
    assert "".join(values[k] for k in keys) in cells


@pytest.mark.slow
def test_key_figures_default_to_the_catalogs_key_indicators(tmp_path: Path) -> None:
    cat = catalog(12).replace("x03: {label: 指标03, unit: 个, section: s03}",
                              "x03: {label: 指标03, unit: 个, section: s03, key: true}")
    cat = cat.replace("x09: {label: 指标09, unit: 个, section: s09}",
                      "x09: {label: 指标09, unit: 个, section: s09, key: true}")
    data = office(tmp_path)
    write(data / "indicators.yaml", cat)
    band = band_text(render(data, tmp_path / "out") / "2023年大姚县援疆工作简报.pdf")
    assert band[0].split() == ["3个", "9个"]


@pytest.mark.parametrize("listed, message", [
    ("[x01, x02, x03, x04, x05, x06, x07]", "key_figures: 列了 7 个指标，最多 6 个"),
    ("[x01, x13]", "x13: 关键数字“x13”在本文件 indicators 中没有数值"),
    ("[x01, x01]", "x01: 关键数字重复列出"),
    ("[]", "key_figures: 至少列 1 个指标键"),
])
def test_validate_checks_key_figures(tmp_path: Path, listed: str, message: str) -> None:
    values = {f"x{i:02d}": str(i) for i in range(1, 13)}
    data = office(tmp_path, sections=12, counties={"dayao/2023": county_file(values=values,
                                                                             extra=f"key_figures: {listed}\n")})
    write(data / "indicators.yaml", catalog(12, "  x13: {label: 指标13, unit: 个, section: s01}\n"))
    result = brief("validate", "--data", str(data))
    assert result.returncode == 1
    assert f"{data / 'counties' / 'dayao' / '2023.yaml'}:6: {message}" in result.stderr, result.stderr


def period_office(tmp_path: Path, this: str, last: str) -> Path:
    counties = {"dayao/2023": county_file(values={"x01": "120"}, extra=this),
                "dayao/2022": county_file(year=2022, values={"x01": "100"}, extra=last)}
    return office(tmp_path, counties=counties)


@pytest.mark.slow
def test_period_prints_in_title_caption_and_masthead_and_stops_yoy_against_a_full_year(tmp_path: Path) -> None:
    folder = render(period_office(tmp_path, "period: 1-10月\n", ""), tmp_path / "out")
    assert sorted(p.name for p in folder.iterdir()) == ["2023年大姚县援疆工作简报.docx", "2023年大姚县援疆工作简报.pdf"]
    for text in (pdf_body(folder / "2023年大姚县援疆工作简报.pdf"),
                 squash("".join(docx_paragraphs(folder / "2023年大姚县援疆工作简报.docx")))):
        assert text.startswith("援疆工作简报上海市对口帮扶大姚县工作组2023年1—10月")  # the masthead date
        assert "2023年1—10月大姚县援疆工作综述" in text
        assert "大姚县栏目01主要指标（2023年1—10月）" in text
        assert "同比" not in text and "100个" not in text  # no comparison with a whole year


@pytest.mark.slow
def test_same_period_last_year_gives_yoy(tmp_path: Path) -> None:
    folder = render(period_office(tmp_path, "period: 1—10月\n", "period: 截至10月\n"), tmp_path / "out")
    text = pdf_body(folder / "2023年大姚县援疆工作简报.pdf")
    assert "指标2023年1—10月2022年1—10月同比" in text
    assert "指标01120个100个上升20.00%" in text


def test_a_bad_period_is_one_line(tmp_path: Path) -> None:
    data = period_office(tmp_path, "period: 1—13月\n", "")
    result = brief("validate", "--data", str(data))
    assert result.returncode == 1
    assert (f"{data / 'counties' / 'dayao' / '2023.yaml'}:6: period: “1—13月”不是月份区间；"
            "应写作 1—10月（也可写 1-10月 或 截至10月）") in result.stderr


@pytest.mark.slow
def test_a_summary_mixing_periods_says_so_under_the_table(tmp_path: Path) -> None:
    program = "name: 测试工作组\ncounties: [dayao, yaoan]\n"
    counties = {"dayao/2023": county_file(values={"x01": "120"}, extra="period: 1-10月\n"),
                "yaoan/2023": county_file(name="姚安县", values={"x01": "80"})}
    data = office(tmp_path, program=program, counties=counties)
    out = tmp_path / "out"
    assert brief("summary", "p", "--year", "2023", "--data", str(data), "--out", str(out)).returncode == 0
    text = pdf_body(out / "2023" / "2023年测试工作组援疆工作年度汇总.pdf")
    assert "各县数据的时段不同：大姚县为2023年1—10月；姚安县为2023年全年。" in text
    assert "栏目01分县情况（2023年）" in text


def test_an_unknown_key_figure_with_a_colon_keeps_the_line_parsable(tmp_path: Path) -> None:
    extra = 'key_figures: ["\\ufeffx:x01"]\n'
    data = office(tmp_path, counties={"dayao/2023": county_file(extra=extra)})
    result = brief("validate", "--data", str(data))
    assert result.returncode == 1
    line = next(ln for ln in result.stderr.splitlines() if ":6: " in ln)
    assert line.startswith(f"{data / 'counties' / 'dayao' / '2023.yaml'}:6: key_figures: 未知的键")


@pytest.mark.slow
def test_distributed_message_names_the_programs_genre(tmp_path: Path) -> None:
    """The e-mail says 东西部协作工作简报 as the attached briefs do, not a fixed 援疆."""
    import email

    from brief.distribute import distribute

    data = office(tmp_path, program=EWC_PROGRAM)
    write(data / "recipients.yaml", "- name: 大姚县政府办\n  email: office@example.org\n  briefs: [dayao]\n")
    report = distribute(data, tmp_path / "out", 2023)
    assert report.counts["sent"] == 1, report.problems
    (eml,) = (tmp_path / "out" / "outbox").glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "2023年东西部协作工作简报（共1份）"
    assert "现将2023年东西部协作工作简报1份发送给你们" in msg.get_body(("plain",)).get_content()


def test_excel_form_names_the_programs_genre_and_comes_back(tmp_path: Path) -> None:
    from brief.forms import import_forms, make_form

    data = office(tmp_path, program=EWC_PROGRAM)
    form = make_form(data, "dayao", 2023, tmp_path / "forms")
    assert form.name == "2023年大姚县东西部协作数据填报表.xlsx"
    import openpyxl

    assert openpyxl.load_workbook(form).properties.title == "2023年大姚县东西部协作数据填报表"
    assert import_forms([form], data) == []  # unchanged: its own name is recognised
