"""Issue 12, templates: what a template can reach, how long it can run, which pictures it can
embed; output bytes that depend on content only; rendering linear in text length."""

from __future__ import annotations

import dataclasses
import gc
import inspect
import shutil
import subprocess
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from helpers import DATA, ROOT, brief

STEM = "2023年英吉沙县援疆工作简报"
TITLE_LINE = 11  # the ``# {{ c.headline ... }}`` line of brief.md.j2, replaced by each payload
PLAIN = (str, int, Decimal, bool, type(None), Markup)


# -- helpers ---------------------------------------------------------------------------------------


def templates_with(tmp_path: Path, payload: str) -> Path:
    """templates/ copied under ``tmp_path`` with brief.md.j2's title line replaced by ``payload``."""
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    path = templates / "brief.md.j2"
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[TITLE_LINE - 1].startswith("# ")
    lines[TITLE_LINE - 1] = payload
    path.write_text("\n".join(lines), encoding="utf-8")
    return templates


def render(templates: Path, out: Path, *more: str, data: Path = DATA) -> subprocess.CompletedProcess[str]:
    return brief("render", "yingjisha", "--year", "2023", "--data", str(data), "--templates", str(templates),
                 "--out", str(out), *more)


def render_here(templates: Path, out: Path, formats: tuple[str, ...] = ("pdf",)) -> list[str]:
    """``brief render`` in this process (the CLI costs a second a case): the problem lines, or []."""
    from brief.errors import BriefError
    from brief.render import render_county

    try:
        render_county(DATA, "yingjisha", 2023, formats, out, templates)
    except BriefError as exc:
        return [str(p) for p in exc.problems]
    return []


def assert_one_clean_line(result: subprocess.CompletedProcess[str] | list[str], *, template_line: bool = True) -> str:
    if isinstance(result, list):
        lines = result
    else:
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "内部错误" not in lines[0]
    assert "brief.md.j2" in lines[0]
    if template_line:
        assert f"brief.md.j2:{TITLE_LINE}:" in lines[0], lines[0]
    return lines[0]


def walk(value: Any, where: str, seen: set[int]) -> None:
    """Fail on anything in a template's context that is not plain data (see compose/context.py)."""
    if isinstance(value, PLAIN):
        return
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            walk(item, f"{where}[{i}]", seen)
    elif isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str | int), f"{where}: key {key!r} of type {type(key).__name__}"
            walk(item, f"{where}[{key!r}]", seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        assert type(value).__dataclass_params__.frozen, f"{where}: {type(value).__name__} is not frozen"
        for f in dataclasses.fields(value):
            walk(getattr(value, f.name), f"{where}.{f.name}", seen)
        for name, attr in inspect.getmembers(type(value)):
            if isinstance(attr, property):
                walk(getattr(value, name), f"{where}.{name}", seen)
    else:
        pytest.fail(f"{where} is a {type(value).__module__}.{type(value).__name__}, not plain data")


# -- 1. what a template can reach -------------------------------------------------------------------


def county_context(county: str, year: int) -> dict[str, Any]:
    from brief.compose.county import county_context, default_templates
    from brief.compose.sandbox import Sandbox
    from brief.data.dataset import load_dataset

    return county_context(load_dataset(DATA), county, year, Sandbox.for_dir(default_templates()))


def summary_context(program: str, year: int) -> dict[str, Any]:
    from brief.compose.county import default_templates
    from brief.compose.sandbox import Sandbox
    from brief.compose.summary import summary_context
    from brief.data.dataset import load_dataset

    return summary_context(load_dataset(DATA), program, year, Sandbox.for_dir(default_templates()))


@pytest.mark.parametrize(("kind", "ident", "year"), [("county", "yingjisha", 2023), ("county", "yingjisha", 2022),
                                                      ("summary", "shandong", 2023)])
def test_template_context_holds_only_plain_data(kind: str, ident: str, year: int) -> None:
    context = county_context(ident, year) if kind == "county" else summary_context(ident, year)
    assert context
    walk(context, kind, set())


def test_context_walk_catches_a_path() -> None:
    """The walk above is a real check: a Path anywhere (here in a dataclass in a list) fails it."""
    @dataclasses.dataclass(frozen=True)
    class Leak:
        where: Path

    with pytest.raises(pytest.fail.Exception, match="PosixPath"):
        walk({"x": [Leak(Path("/etc"))]}, "context", set())


ESCAPES = [
    "{{ c.path.joinpath('/etc/hostname').read_text() }}",
    "{{ c.path.read_text() }}",
    "{{ c.path.parent.iterdir() | list }}",
    "{{ c.path.with_name('written.txt').write_text('x') }}",
    "{{ c.path.unlink() }}",
    "{% for s in sections %}{% for h in s.highlights %}{{ h.image.__class__ }}{% endfor %}{% endfor %}",
    "{{ (ind.values() | first).quantity }}",
    "{{ c.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ c | attr('__class__') }}",
    "{{ (c | attr('__class__')).__init__.__globals__ }}",
    "{{ '{0.__class__}'.format(c) }}",
    "{{ '{0.__class__.__init__.__globals__}'.format(c) }}",
    "{{ '{0.__class__}' | format(c) }}",
    "{{ format('{0.__class__}', c) }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ cycler('a').__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ lipsum.__globals__ }}",
    "{{ self.__init__.__globals__ }}",
    "{{ range(10**9) | length }}",
]


@pytest.mark.slow
def test_template_escape_through_the_cli_is_exit_1_and_one_line(tmp_path: Path) -> None:
    result = render(templates_with(tmp_path, ESCAPES[0]), tmp_path / "out")
    line = assert_one_clean_line(result)
    assert "path" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("payload", ESCAPES)
def test_template_escape_attempt_fails_cleanly(tmp_path: Path, payload: str) -> None:
    out = tmp_path / "out"
    templates = templates_with(tmp_path, payload)
    before = {p: p.stat().st_mtime_ns for p in [*DATA.rglob("*"), *templates.rglob("*")]}
    assert_one_clean_line(render_here(templates, out))
    assert not out.exists()  # nothing read into a brief
    # nothing written or deleted (``written.txt`` would be beside the county file)
    assert {p: p.stat().st_mtime_ns for p in [*DATA.rglob("*"), *templates.rglob("*")]} == before


# -- 2. template work is bounded --------------------------------------------------------------------


RUNAWAYS = {
    "nested_loops": "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}",
    "nested_loops_within_range": "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
    "captured_loops": "{% set s %}{% for a in range(9999) %}{% for b in range(9999) %}x{% endfor %}{% endfor %}"
                      "{% endset %}",
    "huge_range": "{{ range(10**9) | list | length }}",
    "string_multiplication": "{{ 'x' * 10**9 }}",
    "list_multiplication": "{{ ([1] * 10**9) | length }}",
    "doubling_concat": "{% set ns = namespace(x='x' * 1000) %}{% for i in range(60) %}{% set ns.x = ns.x ~ ns.x %}"
                       "{% endfor %}{{ ns.x | length }}",
    "doubling_join": "{% set ns = namespace(x='x' * 1000) %}{% for i in range(60) %}"
                     "{% set ns.x = (ns.x, ns.x) | join %}{% endfor %}",
    "macro_recursion": "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
    "self_call": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "wide_center": "{{ 'x' | center(10**9) }}",
    "wide_format": "{{ '%1000000000d' | format(1) }}",
    "format_width_argument": "{{ '{:{}}'.format('x', 10**9) }}",
    "replace_blowup": "{{ ('x' * 10000) | replace('', 'y' * 10000) }}",
    "big_power": "{{ 7 ** (10 ** 9) }}",
    # Found by an attack after the first bounds: each took 2.4-8 GB before its value was checked.
    "indent_many_lines": '{{ ("x\\n" * 20000) | indent(99999) | length }}',
    "indent_within_width_cap": '{{ ("x\\n" * 1000000) | indent(999) | length }}',
    "map_center": '{{ (range(10000) | list * 3) | map("string") | map("center", 99999) | list | length }}',
    "join_of_copies": '{% set s = "x" * 1999999 %}{{ ([s] * 600) | join | length }}',
    "join_of_many": '{% set s = "x" * 1000 %}{{ ([s] * 3000) | join | length }}',
    "format_many_fields": '{{ ("{0:>99999}" * 30000).format(1) }}',
    "percent_many_fields": '{{ ("%99999s" * 30000) % ((1,) * 30000) }}',
    "function_printed": "{{ range }}",
    "method_printed": "{{ c.county.upper }}",
}


@pytest.mark.parametrize("payload", RUNAWAYS.values(), ids=RUNAWAYS.keys())
def test_runaway_template_stops_within_seconds(tmp_path: Path, payload: str) -> None:
    templates = templates_with(tmp_path, payload)
    start = time.monotonic()
    line = assert_one_clean_line(render_here(templates, tmp_path / "out"))
    elapsed = time.monotonic() - start
    assert "模板" in line
    assert elapsed < 15, f"{elapsed:.1f} s"
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_runaway_template_through_the_cli_is_exit_1_and_one_line(tmp_path: Path) -> None:
    start = time.monotonic()
    result = render(templates_with(tmp_path, RUNAWAYS["nested_loops_within_range"]), tmp_path / "out")
    assert time.monotonic() - start < 20
    assert "循环" in assert_one_clean_line(result)


def test_ordinary_loops_stay_within_the_bounds(tmp_path: Path) -> None:
    """The bounds leave room: 9,999 items, a loop of 100,000 items, a 100 KB string all render."""
    payload = ("# {{ range(9999) | length }}{% for a in range(100) %}{% for b in range(1000) %}{% endfor %}"
               "{% endfor %}{{ ('x' * 100000) | length }}")
    assert render_here(templates_with(tmp_path, payload), tmp_path / "out", ("docx",)) == []


# -- 3. figure blocks are confined ------------------------------------------------------------------


def figure_block(path: str) -> str:
    return f"# 标题\n\n```figure\npath: {path}\ncaption: 图\n```\n"


PHOTO = DATA / "counties" / "yingjisha" / "photos" / "academy.jpg"


@pytest.mark.slow
def test_template_figure_outside_data_and_templates_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "x.jpg"
    outside.parent.mkdir()
    shutil.copy(PHOTO, outside)
    result = render(templates_with(tmp_path, figure_block(str(outside))), tmp_path / "out")  # the CLI, once
    line = assert_one_clean_line(result, template_line=False)
    assert f"{outside}" in line and "离开了模板目录和数据目录" in line
    assert not (tmp_path / "out").exists()


def test_template_figure_with_dotdot_is_refused(tmp_path: Path) -> None:
    templates = templates_with(tmp_path, figure_block("../templates/logo.jpg"))
    shutil.copy(PHOTO, templates / "logo.jpg")  # inside after all, but ``..`` is refused as in data
    line = assert_one_clean_line(render_here(templates, tmp_path / "out"), template_line=False)
    assert "../templates/logo.jpg" in line and "离开了模板目录和数据目录" in line


def test_template_figure_through_a_symlink_out_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "x.jpg"
    shutil.copy(PHOTO, outside)
    templates = templates_with(tmp_path, figure_block("logo.jpg"))
    (templates / "logo.jpg").symlink_to(outside)
    line = assert_one_clean_line(render_here(templates, tmp_path / "out"), template_line=False)
    assert "logo.jpg" in line and "离开了模板目录和数据目录" in line


def test_template_figure_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    templates = templates_with(tmp_path, figure_block("logo.jpg"))
    (templates / "logo.jpg").write_text("not a picture", encoding="utf-8")
    line = assert_one_clean_line(render_here(templates, tmp_path / "out"), template_line=False)
    assert "logo.jpg" in line and "只接受 JPG 和 PNG" in line


def test_template_figure_beside_the_template_is_drawn(tmp_path: Path) -> None:
    templates = templates_with(tmp_path, figure_block("logo.jpg"))
    shutil.copy(PHOTO, templates / "logo.jpg")
    assert render_here(templates, tmp_path / "out") == []
    images = subprocess.run(["pdfimages", "-list", str(tmp_path / "out" / "2023" / f"{STEM}.pdf")],
                            capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) > 2  # header, rule, then the images


# -- 4. output bytes depend on content only ---------------------------------------------------------


@pytest.mark.slow
def test_outputs_do_not_depend_on_where_data_lives(tmp_path: Path) -> None:
    short = tmp_path / "d"
    long = tmp_path / "a_much_longer_directory_name" / "and" / "deeper" / "data"
    outputs = []
    for data in (short, long):
        shutil.copytree(DATA, data)
        out = tmp_path / f"out{len(outputs)}"
        result = brief("render", "yingjisha", "--year", "2023", "--data", str(data), "--out", str(out))
        assert result.returncode == 0, result.stderr
        outputs.append(out / "2023")
    assert any((short / "counties" / "yingjisha").rglob("*.jpg"))  # the brief has photos
    for suffix in (".pdf", ".docx"):
        a, b = (o / f"{STEM}{suffix}" for o in outputs)
        assert a.read_bytes() == b.read_bytes(), suffix
        assert str(short).encode() not in a.read_bytes()


# -- 5. rendering is linear in text length ----------------------------------------------------------


def _render_seconds(chars: int, kind: str) -> float:
    from brief import model
    from brief.fonts import pdf_fonts
    from brief.writers.pdf import pdf_bytes

    sentence = "英吉沙县援疆工作取得新进展，选派干部人才490名（2023年），资助资金747.6万元。"
    text = (sentence * (chars // len(sentence) + 1))[:chars]
    block = model.Heading(0, (model.Text(text),)) if kind == "title" else model.Paragraph((model.Text(text),))
    doc = model.Document(model.Meta("t"), (block, model.Paragraph((model.Text("正文。"),))))
    fonts = pdf_fonts()
    gc.collect()
    gc.disable()  # the collector's passes grow with the test process's heap: not the renderer's doing
    try:
        start = time.process_time()  # this process's CPU: other jobs on the machine do not count
        pdf_bytes(doc, fonts)
        return time.process_time() - start
    finally:
        gc.enable()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["paragraph", "title"])
def test_render_time_is_linear_in_text_length(kind: str) -> None:
    """10x the text takes well under 15x the time (it took ~50x: quadratic). Kept small: ~2 s."""
    _render_seconds(2_000, kind)  # fonts loaded, caches warm
    small = min(_render_seconds(20_000, kind) for _ in range(2))
    large = _render_seconds(200_000, kind)
    assert large < 15 * small, f"20 KB {small:.2f} s, 200 KB {large:.2f} s"


def test_last_heading_longer_than_a_page_renders() -> None:
    """A heading that ends the document and fills more than a page used to loop forever."""
    from brief import model
    from brief.fonts import pdf_fonts
    from brief.writers.pdf import pdf_bytes

    doc = model.Document(model.Meta("t"), (model.Heading(0, (model.Text("标题" * 3000),)),))
    assert pdf_bytes(doc, pdf_fonts()).startswith(b"%PDF")


def test_table_row_longer_than_a_page_is_one_clear_error() -> None:
    from brief import model
    from brief.errors import BriefError
    from brief.fonts import pdf_fonts
    from brief.writers.pdf import pdf_bytes

    cell = (model.Text("很长的说明" * 4000),)
    doc = model.Document(model.Meta("简报"), (model.Table(((model.Text("指标"),),), ((cell,),)),))
    with pytest.raises(BriefError, match="一页放不下"):
        pdf_bytes(doc, pdf_fonts())


def test_headline_longer_than_a_document_property_renders() -> None:
    """A headline is the documents' subject too; Word allows 255 characters there (it was 内部错误).
    validate caps a data headline at 200 characters; a template may compose a longer subject."""
    from brief.compose.context import meta

    headline = "第十一批济宁援疆团队开局之年，" * 40
    subject = meta("标题", "作者", False, headline).subject
    assert len(subject) == 255 and subject.endswith("…") and headline.startswith(subject[:-1])


def test_template_include_through_a_symlink_out_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-TEXT", encoding="utf-8")
    templates = templates_with(tmp_path, "# {% include 'part.md' %}")
    (templates / "part.md").symlink_to(secret)
    line = assert_one_clean_line(render_here(templates, tmp_path / "out"), template_line=False)
    assert "part.md" in line and "找不到模板文件" in line and "SECRET" not in line
    assert not (tmp_path / "out").exists()


def test_broken_photo_is_one_clear_error(tmp_path: Path) -> None:
    """A photo that passes a look at its header but cannot be decoded: its name, not 内部错误."""
    from brief import model
    from brief.errors import BriefError
    from brief.fonts import pdf_fonts
    from brief.writers.pdf import pdf_bytes

    broken = tmp_path / "broken.jpg"
    broken.write_bytes(PHOTO.read_bytes()[:3000])
    doc = model.Document(model.Meta("简报"), (model.Figure(broken, "图"),))
    with pytest.raises(BriefError, match="图片无法读取") as caught:
        pdf_bytes(doc, pdf_fonts())
    assert caught.value.problems[0].file == str(broken)


def test_template_figure_with_too_many_pixels_is_refused(tmp_path: Path) -> None:
    """A decompression bomb: 49 megapixels that compress to a few kilobytes."""
    from PIL import Image

    templates = templates_with(tmp_path, figure_block("logo.png"))
    Image.new("1", (7000, 7000)).save(templates / "logo.png")
    line = assert_one_clean_line(render_here(templates, tmp_path / "out"), template_line=False)
    assert "logo.png" in line and "图片太大（7000×7000，超过 4000 万像素）" in line
