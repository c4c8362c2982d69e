"""The form's own help cites an indicator of the office's catalog, not one of the shipped 援疆 catalog.

Found on a fresh-eyes trial: a 东西部协作 office's form said 例如 {{ ind.cadres_dispatched }}, a key its
catalog does not have, so a clerk copying the example got 引用了未知的指标 back on import.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook

from brief.forms import make_form
from brief.newdata import init_data

CITATION = re.compile(r"\{\{ ind\.([^ }]+) \}\}")


def test_help_texts_cite_a_key_of_this_catalog(tmp_path: Path) -> None:
    data = tmp_path / "d"
    init_data(data)
    for name in ("indicators.yaml", "counties/shili/2023.yaml"):  # an office whose catalog has no cadres_dispatched
        path = data / name
        path.write_text(path.read_text(encoding="utf-8").replace("cadres_dispatched", "cadres_exchanged"),
                        encoding="utf-8")
    wb = load_workbook(make_form(data, "shili", 2023, tmp_path / "forms"))
    guide = [str(c.value) for row in wb["填写说明"].iter_rows() for c in row if c.value]
    prompts = [dv.prompt for ws in wb.worksheets for dv in ws.data_validations.dataValidation if dv.prompt]
    cited = {key for text in guide + prompts for key in CITATION.findall(text)}
    assert cited == {"指标键", "temp_party_branches"}  # the pattern, and the catalog's first indicator
    assert any("例如 {{ ind.temp_party_branches }}" in line for line in guide)
    assert any("如 {{ ind.temp_party_branches }}" in p for p in prompts)
