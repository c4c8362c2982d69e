"""Compiled templates kept between runs (compose/template_cache.py): the same output as a fresh
compile, an edited template compiled again, and a cache that is broken, shared or read-only never
in the way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from brief.compose import template_cache
from brief.compose.county import compose_county
from brief.compose.sandbox import _SANDBOXES, Sandbox
from brief.data.dataset import load_dataset
from brief.documents import default_templates
from brief.errors import BriefError
from helpers import DATA, ROOT

TEMPLATE = "{% for i in range(1, 4) %}{{ i | cn }}{% endfor %} {{ who }}\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(template_cache.CACHE_ENV, str(directory))
    return directory


def templates_with(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "t.md.j2").write_text(text, encoding="utf-8")
    return folder


def no_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled although the cache had it")

    monkeypatch.setattr(jinja2.Environment, "compile", refuse)


def test_a_second_run_loads_the_compiled_template_and_prints_the_same(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = templates_with(tmp_path, TEMPLATE)
    first = Sandbox(folder).render("t.md.j2", who="甲")
    assert first == "一二三 甲\n"
    assert len(list(cache.glob("*.jinja"))) == 1
    assert oct(cache.stat().st_mode & 0o777) == "0o700"
    with monkeypatch.context() as m:
        no_compiling(m)
        assert Sandbox(folder).render("t.md.j2", who="甲") == first  # a new sandbox: as a new process


def test_an_edited_template_is_compiled_again(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = templates_with(tmp_path, TEMPLATE)
    assert Sandbox(folder).render("t.md.j2", who="甲") == "一二三 甲\n"
    path = folder / "t.md.j2"
    stat = path.stat()
    path.write_text(TEMPLATE.replace("range(1, 4)", "range(1, 5)"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with its old mtime put back
    assert Sandbox(folder).render("t.md.j2", who="甲") == "一二三四 甲\n"
    with monkeypatch.context() as m:  # and that version is what the cache holds now
        no_compiling(m)
        assert Sandbox(folder).render("t.md.j2", who="乙") == "一二三四 乙\n"


def test_another_templates_dir_with_the_same_names_has_its_own_entries(cache: Path, tmp_path: Path) -> None:
    a = templates_with(tmp_path / "a", TEMPLATE)
    b = templates_with(tmp_path / "b", TEMPLATE.replace("{{ who }}", "【{{ who }}】"))
    assert Sandbox(a).render("t.md.j2", who="甲") == "一二三 甲\n"
    assert Sandbox(b).render("t.md.j2", who="甲") == "一二三 【甲】\n"
    assert Sandbox(a).render("t.md.j2", who="甲") == "一二三 甲\n"


def test_a_truncated_or_foreign_entry_is_compiled_again(cache: Path, tmp_path: Path) -> None:
    folder = templates_with(tmp_path, TEMPLATE)
    Sandbox(folder).render("t.md.j2", who="甲")
    (entry,) = cache.glob("*.jinja")
    for junk in (entry.read_bytes()[:40], b"", b"\x00" * 100):
        entry.write_bytes(junk)
        assert Sandbox(folder).render("t.md.j2", who="甲") == "一二三 甲\n"


def test_a_cache_others_can_write_to_or_that_cannot_be_written_is_not_used(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = templates_with(tmp_path, TEMPLATE)
    Sandbox(folder).render("t.md.j2", who="甲")
    cache.chmod(0o777)  # anyone could have put code there: compile instead
    with monkeypatch.context() as m:
        no_compiling(m)
        with pytest.raises(BriefError, match="compiled although"):
            Sandbox(folder).render("t.md.j2", who="甲")
    cache.chmod(0o700)
    (tmp_path / "file").write_text("")
    monkeypatch.setenv(template_cache.CACHE_ENV, str(tmp_path / "file" / "cache"))  # cannot be made
    assert Sandbox(folder).render("t.md.j2", who="甲") == "一二三 甲\n"


def test_the_brief_composes_the_same_from_a_cold_and_a_warm_cache(cache: Path) -> None:
    ds = load_dataset(DATA)
    docs = []
    for _ in range(2):
        _SANDBOXES.clear()
        docs.append(compose_county(ds, "yingjisha", 2023, default_templates()))
    _SANDBOXES.clear()
    assert len(list(cache.glob("*.jinja"))) == 1
    assert docs[0] == docs[1]


@pytest.mark.slow
def test_two_renders_at_once_on_an_empty_cache_both_succeed(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), **{template_cache.CACHE_ENV: str(tmp_path / "cache")})
    runs = [subprocess.Popen([sys.executable, "-m", "brief", "render", "yingjisha", "--year", "2023", "--format",
                              "docx", "--out", str(tmp_path / f"out{i}")], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(2)]
    done = [r.communicate() for r in runs]
    assert [r.returncode for r in runs] == [0, 0], [err for _, err in done]
    outputs = [next((tmp_path / f"out{i}" / "2023").glob("*.docx")).read_bytes() for i in range(2)]
    assert outputs[0] == outputs[1]
    assert [p.suffix for p in (tmp_path / "cache").iterdir()] == [".jinja"]  # no temporary left


def test_an_error_in_a_cached_template_still_names_its_line(cache: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    folder = templates_with(tmp_path, "一\n二\n{{ who.missing }}\n")
    for compiled in (True, False):  # compiled now, then loaded from the cache
        with monkeypatch.context() as m:
            if not compiled:
                no_compiling(m)
            with pytest.raises(BriefError) as caught:
                Sandbox(folder).render("t.md.j2", who="甲")
        (problem,) = caught.value.problems
        assert (problem.file, problem.line) == (str(folder / "t.md.j2"), 3), problem
        assert "missing" in problem.message


def test_a_damaged_entry_is_compiled_again_not_run(cache: Path, tmp_path: Path) -> None:
    folder = templates_with(tmp_path, "{{ who }}同比变动\n")
    assert Sandbox(folder).render("t.md.j2", who="甲") == "甲同比变动\n"
    (entry,) = cache.glob("*.jinja")
    data = entry.read_bytes()
    changed = data.replace("变动".encode(), "变好".encode())
    assert changed != data  # the text sits in the cached code
    entry.write_bytes(changed)
    assert Sandbox(folder).render("t.md.j2", who="甲") == "甲同比变动\n"


def test_an_entry_that_is_a_link_is_not_followed(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = templates_with(tmp_path, TEMPLATE)
    Sandbox(folder).render("t.md.j2", who="甲")
    (entry,) = cache.glob("*.jinja")
    elsewhere = tmp_path / "elsewhere.jinja"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    compiled: list[str] = []
    original = jinja2.Environment.compile

    def counting(self: jinja2.Environment, *args: object, **kwargs: object) -> object:
        compiled.append("x")
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    assert Sandbox(folder).render("t.md.j2", who="甲") == "一二三 甲\n"
    assert compiled  # the linked entry was not loaded


def test_a_cache_dir_that_is_a_link_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    monkeypatch.setenv(template_cache.CACHE_ENV, str(link))
    folder = templates_with(tmp_path, TEMPLATE)
    assert Sandbox(folder).render("t.md.j2", who="甲") == "一二三 甲\n"
    assert not list(real.glob("*.jinja"))
