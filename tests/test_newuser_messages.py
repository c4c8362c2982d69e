"""Mistakes a new office makes at its first tries, and the one line each gets back (a clerk's walk-through)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from brief.data.citations import check_citations
from brief.data.dataset import read_dataset
from brief.data.schema import Checker
from brief.data.validate import validate
from brief.data.yamlfile import YStr, load_yaml
from brief.errors import BriefError, Problem

KNOWN = {"cadres_dispatched", "free_clinics"}


def cite(text: str) -> list[tuple[int, str, str]]:
    return check_citations(YStr(text, 12), KNOWN, KNOWN)


def test_a_key_without_ind_is_shown_written_right() -> None:
    assert cite("开展义诊{{ free_clinics }}。") == [(12, "-", "引用要在指标键前加 ind.：请写作 {{ ind.free_clinics }}")]


def test_a_label_in_place_of_the_key_is_told_what_a_key_is() -> None:
    assert cite("开展义诊{{ 开展义诊 }}。") == [
        (12, "-", "引用要写作 {{ ind.指标键 }}，指标键是 indicators.yaml 中登记的英文键（不是指标名称），"
                  "例如 {{ ind.cadres_dispatched }}")]


def test_anything_else_keeps_the_general_rule() -> None:
    assert cite("{{ range(3) }}") == [(12, "-", "引用只能写作 {{ ind.指标键 }}，不能调用函数或访问其他对象")]
    assert cite("{{ ind.free_clinics }}") == []


def test_a_chinese_comma_in_a_list_is_named(tmp_path: Path) -> None:
    path = tmp_path / "2023.yaml"
    path.write_text("key_figures: [cadres_dispatched，free_clinics]\ncounties: [a、b, c]\n", encoding="utf-8")
    problems: list[Problem] = []
    loaded = load_yaml(path, problems)
    assert loaded is not None and not problems
    checker = Checker("2023.yaml")
    assert checker.text_list(loaded.value, "key_figures") == []
    assert checker.text_list(loaded.value, "counties") == ["c"]
    assert [str(p) for p in checker.problems] == [
        "2023.yaml:1: key_figures: “cadres_dispatched，free_clinics”中用了中文“，”；"
        "列表各项之间请用半角逗号加空格隔开，例如 [a, b]",
        "2023.yaml:2: counties: “a、b”中用了中文“、”；列表各项之间请用半角逗号加空格隔开，例如 [a, b]"]


def test_no_data_dir_says_how_to_name_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clerk who runs brief away from the data dir (./data missing) is told about --data."""
    monkeypatch.chdir(tmp_path)
    problems, _ = validate([], Path("data"))
    assert [str(p) for p in problems] == [
        "data: --data: 数据目录不存在；请用 --data 指定数据目录，例如 --data 我的数据"]
    problems, _ = validate([Path("data/nope.yaml")], Path("data"))  # a named file keeps its own line
    assert [str(p) for p in problems] == ["data/nope.yaml: -: 文件或目录不存在"]
    with pytest.raises(BriefError) as caught:
        read_dataset(Path("我的数"))
    assert [str(p) for p in caught.value.problems] == [
        "我的数: --data: 数据目录不存在；请用 --data 指定数据目录，例如 --data 我的数据"]


HERE = Path(__file__).parent


@pytest.mark.parametrize(("written", "message"), [
    ("photos/none.jpg",
     "找不到图片“photos/none.jpg”：数据目录中没有 counties/good/photos/none.jpg；请把图片放到那里，或改正路径"),
    ("photos/OK.JPG", "找不到图片“photos/OK.JPG”：文件名的大小写不同，文件夹里是“ok.jpg”；请写得完全一致"),
])
def test_a_missing_photo_says_where_it_was_looked_for(tmp_path: Path, written: str, message: str) -> None:
    data = tmp_path / "data"
    shutil.copytree(HERE / "fixtures" / "mini", data)
    text = (HERE / "broken" / "25_image_missing.yaml").read_text(encoding="utf-8")
    (data / "counties/good/2023.yaml").write_text(text.replace("photos/none.jpg", written), encoding="utf-8")
    problems, _ = validate([], data)
    assert [p.message for p in problems] == [message]


def test_the_form_says_where_photos_go(tmp_path: Path) -> None:
    """The form travels to a county office without the data dir: it must say the photo comes back too."""
    import openpyxl

    from brief.forms import make_form

    data = tmp_path / "data"
    shutil.copytree(HERE / "fixtures" / "mini", data)
    wb = openpyxl.load_workbook(make_form(data, "good", 2023, tmp_path / "forms"))
    guide = " ".join(str(c.value) for c in wb.worksheets[0]["A"] if c.value)
    assert ("图片写 photos/文件名，例如 photos/flower_field.jpg，并把图片文件一并交回"
            "（放进数据目录的 counties/good/photos/）。") in guide
    note = wb["工作亮点"]["A2"].value
    assert "图片写 photos/文件名（可不填），图片文件一并交回（放进 counties/good/photos/）。" in note
    assert not any("数据目录中的相对路径" in str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row)


def test_the_starter_county_shows_how_to_add_a_photo(tmp_path: Path) -> None:
    """brief init's county file is the clerk's only guide: it shows image/caption commented out, and
    taking the # away (with the photo in place) validates."""
    from PIL import Image

    from brief.newdata import init_data

    data = tmp_path / "我的数据"
    init_data(data)
    county = data / "counties/shili/2023.yaml"
    text = county.read_text(encoding="utf-8")
    assert "      # image: photos/义诊.jpg\n      # caption: 医疗队在乡卫生院义诊\n" in text
    assert validate([], data)[0] == []
    (county.parent / "photos").mkdir()
    Image.new("RGB", (64, 40), (120, 160, 200)).save(county.parent / "photos/义诊.jpg")
    county.write_text(text.replace("      # image:", "      image:").replace("      # caption:", "      caption:"),
                      encoding="utf-8")
    problems, _ = validate([], data)
    assert problems == []
    assert read_dataset(data).counties[("shili", 2023)].highlights[-1].caption == "医疗队在乡卫生院义诊"


def test_a_county_name_in_a_recipients_list_is_told_to_use_the_id(tmp_path: Path) -> None:
    from brief.newdata import init_data

    data = tmp_path / "我的数据"
    init_data(data)
    path = data / "recipients.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("[summary, shili]", "[summary, 示例县, shlii]"),
                    encoding="utf-8")
    problems, _ = validate([], data)
    assert [f"{p.key}: {p.message}" for p in problems] == [
        "briefs: 未知的简报“shlii”；是否应为 shili？",
        "briefs: 未知的简报“示例县”：应写县 ID（counties/ 下的文件夹名）、项目 ID 或 summary"]


def test_serve_on_the_lan_says_the_address_colleagues_open() -> None:
    from brief.web import lan_address, where_said

    assert where_said("127.0.0.1", 8000, None) == "简报工作台：http://127.0.0.1:8000/（按 Ctrl+C 停止）"
    assert where_said("0.0.0.0", 8000, "192.168.1.20") == (
        "简报工作台：http://127.0.0.1:8000/（按 Ctrl+C 停止）；局域网内其他电脑请打开 http://192.168.1.20:8000/")
    assert where_said("::", 8080, None).endswith("；局域网内其他电脑请用本机的 IP 地址打开（端口 8080）")
    found = lan_address()
    assert found is None or (found.count(".") == 3 and not found.startswith("127."))


@pytest.mark.parametrize(("lines", "message"), [
    # "- title 林果产业" without its colon: PyYAML stops on the next line; the message names both causes
    (["highlights:", "  talent:", "    - title 人才", "      text: 选派。"],
     "4: text: YAML 语法错误：这里不能出现冒号加空格：可能是这一行缩进多了、上一行缺少冒号，"
     "或文字中含“: ”（这样的文字请加引号）"),
    (["county: 测试县", "indicators:", "  a: 1", " b: 2"],
     "4: b: YAML 语法错误：缩进不一致：这一行开头的空格数应与同一层的其他行相同"),
])
def test_yaml_mistakes_say_what_to_look_at(tmp_path: Path, lines: list[str], message: str) -> None:
    path = tmp_path / "2023.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems: list[Problem] = []
    load_yaml(path, problems)
    assert [f"{p.line}: {p.key}: {p.message}" for p in problems] == [message]


@pytest.mark.parametrize(("written", "hint"), [
    ("15，6万", "数字中用了中文逗号“，”；小数点请写“.”，也不要用千位分隔符（如 15.6万、21200）"),
    ("1,600", "不要用千位分隔符（如 21200 或 2.12万）"),
])
def test_a_comma_in_a_figure_is_named(written: str, hint: str) -> None:
    from brief.domain.quantity import QuantityError, parse_quantity

    with pytest.raises(QuantityError) as caught:
        parse_quantity(written, "亩")
    assert str(caught.value) == f"无法识别的数量“{written}”：{hint}"
