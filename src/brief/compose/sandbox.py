"""The Jinja sandbox every template and every cited highlight text runs in.

Undefined names are errors; output is Markdown-escaped so a ``*`` or ``|`` in a user's text stays
text; errors come back as one Problem naming the template (or data file) and line.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from ..data.citations import CITATION, PLAIN_TEXT
from ..errors import BriefError, Problem

_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
_NEWLINE = re.compile(r"[ \t]*\n[ \t]*")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]")


def join_lines(text: str) -> str:
    """A text written over several lines is one paragraph: join CJK lines without a space."""
    def glue(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        return "" if _CJK.match(before) or _CJK.match(after) else " "

    return _NEWLINE.sub(glue, text.strip())


def md_escape(value: Any) -> str:
    """Every printed value is literal text in Markdown: escape all ASCII punctuation."""
    if isinstance(value, Markup):
        return str(value)
    return _PUNCT.sub(r"\\\1", join_lines(str(value)))


def md_unescape(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


_SANDBOXES: dict[Path, Sandbox] = {}


class Sandbox:
    """Templates from one directory, rendered with StrictUndefined and escaped output."""

    def __init__(self, templates: Path) -> None:
        self.templates = templates
        self.env = ImmutableSandboxedEnvironment(
            loader=jinja2.FileSystemLoader(str(templates)),
            undefined=jinja2.StrictUndefined,
            finalize=md_escape,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["raw"] = lambda v: Markup(str(v))
        self._texts: dict[str, jinja2.Template] = {}

    @classmethod
    def for_dir(cls, templates: Path) -> Sandbox:
        """One sandbox per templates dir and process: compiled templates are reused across briefs."""
        key = Path(templates).resolve()
        if key not in _SANDBOXES:
            _SANDBOXES[key] = cls(key)
        return _SANDBOXES[key]

    def render(self, name: str, **context: Any) -> str:
        path = self.templates / name
        try:
            template = self.env.get_template(name)
            return template.render(**context)
        except jinja2.TemplateNotFound:
            raise BriefError.at(str(path), None, name, "找不到模板文件") from None
        except jinja2.TemplateSyntaxError as exc:
            raise BriefError.at(exc.filename or str(path), exc.lineno, name, f"模板语法错误：{exc.message}") from None
        except BriefError:
            raise
        except Exception as exc:  # noqa: BLE001 - any template failure becomes one line
            raise BriefError(_runtime_problem(exc, str(path), name)) from None

    def render_text(self, text: str, context: dict[str, Any], file: str, line: int, key: str) -> str:
        """A data text with {{ ind.x }} citations, rendered in the same sandbox; the text around
        them is Markdown-escaped like the values, so a user's ``*`` or ``|`` stays text."""
        if "{" not in text:
            return md_escape(text)
        joined = join_lines(text)
        if PLAIN_TEXT.fullmatch(joined):  # what validation lets through: no template to compile per text
            out, pos = [], 0
            for m in CITATION.finditer(joined):
                out.append(_PUNCT.sub(r"\\\1", joined[pos:m.start()]))
                try:
                    out.append(md_escape(self.env.getattr(context["ind"], m.group(1))))  # as Jinja's ind.x
                except Exception as exc:  # noqa: BLE001
                    raise BriefError.at(file, line, key, f"引用无法生成：{_message(exc)}") from None
                pos = m.end()
            out.append(_PUNCT.sub(r"\\\1", joined[pos:]))
            return "".join(out)
        try:
            template = self._texts.get(text)
            if template is None:
                template = self._texts[text] = self.env.from_string(join_lines(text))
            return template.render(**context)
        except Exception as exc:  # noqa: BLE001
            raise BriefError.at(file, line, key, f"引用无法生成：{_message(exc)}") from None


def _message(exc: Exception) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return f"未定义的名称（{exc.message}）"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"模板不允许访问内部属性（{exc}）"
    return f"{type(exc).__name__}: {exc}"


def _runtime_problem(exc: Exception, path: str, name: str) -> Problem:
    """Find the template line in the traceback (Jinja rewrites frames to template lines)."""
    line: int | None = None
    file = path
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".j2") or frame.filename == path:
            file, line = frame.filename, frame.lineno
    return Problem(file, line, name, f"模板出错：{_message(exc)}")
