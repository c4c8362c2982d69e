"""A change figure the tool writes (上升18.5%, 下降3.25%) stays on one line, as the README's 上升约40.00% does.

Found on a fresh-eyes trial: 同比下⏎降3.25% (a break inside 下降) and 同比上升⏎18.5% in a highlight's text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from brief.newdata import init_data
from brief.render import render_county
from brief.writers.typeset import figure_spans, joined
from helpers import pdftotext


@pytest.mark.parametrize(("text", "figure"), [("同比下降3.25%。", "下降3.25%"), ("同比上升18.5%", "上升18.5%"),
                                              ("上升约40.00%", "上升约40.00%"), ("上升40%以上", "上升40%以上")])
def test_the_change_word_is_part_of_the_figure(text: str, figure: str) -> None:
    start = text.index(figure)
    assert figure_spans(text) == [(start, start + len(figure))]
    assert "\u2060".join(figure[:2]) in joined(figure)  # the DOCX joins 上升/下降 too


@pytest.mark.slow
def test_pdf_breaks_before_the_change_word(tmp_path: Path) -> None:
    data = tmp_path / "d"
    init_data(data)
    county = data / "counties" / "shili" / "2023.yaml"
    text = county.read_text(encoding="utf-8").replace("surgery_34_change: 12.5%", "surgery_34_change: -3.25%")
    old = "示例文字：开展义诊{{ ind.free_clinics }}，三四级手术量同比{{ ind.surgery_34_change }}；"
    assert old in text
    # the line of the trial's brief: 16 characters after a 10-character bold lead-in, then the change at the line end
    text = text.replace(old, "消费帮扶销售额{{ ind.student_aid_funds }}，同比{{ ind.surgery_34_change }}。").replace(
        "title: 组团式医疗帮扶（示例）", "title: 苍溪红心猕猴桃进湖州").replace(
        "；投入{{ ind.student_aid_funds }}资助困难学生。", "")
    county.write_text(text, encoding="utf-8")
    pdf = next(p for p in render_county(data, "shili", 2023, ("pdf",), tmp_path / "out") if p.suffix == ".pdf")
    lines = [ln.strip() for ln in pdftotext(pdf, "-raw").splitlines()]
    at = next(i for i, ln in enumerate(lines) if "苍溪红心猕猴桃进湖州" in ln)
    assert lines[at].endswith("同比"), lines[at:at + 2]  # without the rule: …同比下 / 降3.25%。
    assert lines[at + 1].startswith("下降3.25%。")
