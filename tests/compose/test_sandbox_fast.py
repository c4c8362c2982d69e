"""The sandbox's and compose's cheaper paths (issue 19) answer as the slow ones did: md_escape's one-line
case, the attribute check remembered per type and name, and the pictures checked once."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from brief import model
from brief.compose import markdown, sandbox
from brief.compose.context import Figure
from brief.compose.sandbox import Sandbox, join_lines, md_escape
from brief.data.dataset import load_dataset
from brief.documents import COUNTY, PROGRAM, SUMMARY, Target, default_templates
from brief.errors import BriefError
from brief.render import compose
from helpers import DATA


def _slow_escape(value: object) -> str:
    """md_escape as it was for a value that is not Markup."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", join_lines(str(value)))


def test_md_escape_is_the_escape_of_the_joined_lines() -> None:
    rng = random.Random(5)
    alphabet = ["字", "a", " ", "\t", "\n", "\r", "\r\n", ".", "%", "*", "|", "\\", "—", "\u3000"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert md_escape(text) == _slow_escape(text), repr(text)
    figure = Figure("k", "标签", "名", "2.5万名", 25000)  # printed by its __str__
    assert md_escape(figure) == "2\\.5万名" == _slow_escape(figure)
    assert md_escape(12.5) == "12\\.5" and md_escape(Markup("a*b")) == "a*b"


def test_remembered_attribute_checks_answer_as_jinja_does() -> None:
    env = Sandbox(Path(".")).env
    stock = ImmutableSandboxedEnvironment()
    objects = [{}, [], "text", Figure("k", "l", "u", "t", 1), set(), str.upper, Figure, len, Markup("m")]
    names = ["items", "update", "append", "pop", "label", "upper", "format", "mro", "__class__", "_x",
             "__globals__", "__self__", "func_code", "gi_frame", "add", "clear"]
    for _ in range(2):  # the second round answers from memory
        for obj in objects:
            for name in names:
                value = getattr(obj, name, None)
                assert env.is_safe_attribute(obj, name, value) == stock.is_safe_attribute(obj, name, value), (obj, name)


@pytest.mark.parametrize("source", [
    "{{ d.items() | list }}{{ d.update({'a': 1}) }}",  # a dict read before, then a mutating method
    "{{ f.label }}{{ f.__class__ }}",
    "{{ s.upper() }}{{ s.__class__.__mro__ }}",
])
def test_an_unsafe_attribute_stays_refused_after_safe_ones_of_its_type(tmp_path: Path, source: str) -> None:
    (tmp_path / "t.md.j2").write_text(source, encoding="utf-8")
    box = Sandbox(tmp_path)
    with pytest.raises(BriefError, match="模板不允许访问内部属性.*is unsafe"):
        box.render("t.md.j2", d={}, f=Figure("k", "标签", "名", "2名", 2), s="x")
    assert sandbox._SAFE_ATTRIBUTES  # what was checked is remembered


def test_a_brief_composes_the_same_after_others_filled_the_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The remembered attribute checks and picture checks change no tree: 英吉沙县 alone, and after
    the program brief, the summary and another year were composed in the same process."""
    ds = load_dataset(DATA)
    target = Target(COUNTY, "yingjisha", 2023)
    monkeypatch.setattr(sandbox, "_SAFE_ATTRIBUTES", {})
    monkeypatch.setattr(markdown, "_ACCEPTED", {})
    decoded: list[Path] = []
    real_check = markdown.check_image
    monkeypatch.setattr(markdown, "check_image", lambda p: decoded.append(p) or real_check(p))
    alone = compose(ds, target, default_templates())
    assert decoded == []  # its photos were checked when the data was read
    others = (Target(PROGRAM, "shandong", 2023), Target(SUMMARY, "shandong", 2023), Target(COUNTY, "yingjisha", 2022))
    for other in others:
        compose(ds, other, default_templates())
    assert sandbox._SAFE_ATTRIBUTES
    again = compose(ds, target, default_templates())
    assert again == alone and repr(again) == repr(alone)
    assert any(isinstance(b, model.Figure) for b in again.blocks)
