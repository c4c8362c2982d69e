"""The sandbox's cheaper paths (issue 19) answer as the slow ones did: md_escape's one-line case and
the attribute check remembered per type and name."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from brief.compose import sandbox
from brief.compose.context import Figure
from brief.compose.sandbox import Sandbox, join_lines, md_escape
from brief.errors import BriefError


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
