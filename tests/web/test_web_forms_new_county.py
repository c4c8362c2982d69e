"""The 填报表 page of a county the program lists but that has no file yet says what to do, without sending
office staff to a README a wheel-installed office does not have (found on a fresh-eyes trial)."""

from __future__ import annotations

import re
from pathlib import Path

from brief.newdata import init_data
from brief.web import create_app


def test_a_county_without_files_says_how_to_start_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    init_data(data)
    program = data / "programs" / "shili.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("[shili]", "[shili, cangxi]"), encoding="utf-8")
    c = create_app(data, tmp_path / "out", None, work=tmp_path / "work").test_client()
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c.get("/forms?program=shili&year=2023").get_data(as_text=True)))
    assert ("无法生成预填的表：请先新建 counties/cangxi/2023.yaml"
            "（可复制别的县的年份文件，再改成本县的县名和数字）") in page
    assert "README" not in page
